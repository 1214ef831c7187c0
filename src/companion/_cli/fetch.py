"""`companion fetch`: the one command that uses the network (yt-dlp, oEmbed, downloads)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from companion._cli.common import Ctx
from companion._render.i18n import count

if TYPE_CHECKING:  # the fetch stage pulls in httpx: imported when the command runs
    from rich.progress import Progress, TaskID

    from companion._fetch import FetchEvent, FetchReport


@click.command("fetch")
@click.argument("slugs", nargs=-1)
@click.option("--refresh", is_flag=True, help="Fetch again what the cache already holds.")
@click.option("--jobs", "-j", type=click.IntRange(1, 16), default=4, show_default=True,
              help="Episodes fetched at the same time.")
@click.option("--format", "fmt", type=click.Choice(["mp3", "m4a"]), default=None,
              help="Audio format to have ready (default: what the feed definitions ask for).")
@click.option("--cookies", metavar="FILE", default=None,
              help="A Netscape cookies file of a signed-in YouTube account ([fetch] cookies).")
@click.option("--cookies-from-browser", metavar="BROWSER[:PROFILE]", default=None,
              help="Read YouTube's cookies from this browser ([fetch] cookies_from_browser).")
@click.option("--proxy", metavar="URL", default=None,
              help="Ask YouTube through this proxy ([fetch] proxy).")
@click.option("--rate-limit", metavar="RATE", default=None,
              help='Download at most this fast, e.g. "2M" ([fetch] rate_limit).')
@click.option("--sleep-requests", metavar="SECONDS", type=float, default=None,
              help="Wait between requests while reading a video ([fetch] sleep_requests).")
@click.option("--sleep-interval", metavar="MIN MAX", type=float, nargs=2, default=None,
              help="Wait a random time between MIN and MAX seconds before each download.")
@click.option("--max-downloads", metavar="N", type=int, default=None,
              help="Download at most N videos this run; the rest wait for the next.")
@click.option("--extractor-args", metavar="IE:KEY=VALUE", multiple=True,
              help='Passed to yt-dlp, e.g. "youtube:player_client=default" (repeatable).')
@click.option("--min-audio-kbps", type=int, default=None,
              help="Refuse a YouTube audio below this bitrate (default 64).")
@click.option("--settle-hours", type=float, default=None,
              help="Fetch a younger video's captions on a later run (default 6).")
@click.pass_obj
def command(ctx: Ctx, /, slugs: tuple[str, ...], refresh: bool, jobs: int,
            fmt: str | None, **flags: Any) -> int:
    """Fetch YouTube metadata, captions, Spotify oEmbed data and audio into the cache.

    Without SLUGs, every episode; what the cache holds is kept unless --refresh.
    A build reads only the cache, so run this after adding or changing links.
    The flags after --format override [fetch] in companion.toml.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from companion._config.fetch import merge_fetch, parse_extractor_args
    from companion._fetch import FetchOptions

    project = ctx.load()
    given = {k: v for k, v in flags.items() if v not in (None, ())}
    if "extractor_args" in given:
        given["extractor_args"] = parse_extractor_args(given["extractor_args"], "--extractor-args")
    base = ctx.fetch_options or FetchOptions()
    settings = merge_fetch(base.settings or project.site.fetch, given, "companion fetch",
                           prefix="--") if given else base.settings
    options = dataclasses.replace(base, jobs=jobs, settings=settings)
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), console=ctx.err, disable=not ctx.chatty,
                  transient=True) as bar:
        task = bar.add_task("fetching", total=len(slugs) or None)
        report = project.fetch(slugs, refresh=refresh, formats=(fmt,) if fmt else None,
                               options=options, progress=_advance(bar, task))
    if ctx.json:
        ctx.print_json(report.to_json())
        return 0 if report.ok else 1
    return _summary(ctx, report)


def _advance(bar: Progress, task: TaskID) -> Callable[[FetchEvent], None]:
    def on_event(event: FetchEvent) -> None:
        if event.state == "start":
            bar.update(task, description=f"fetching {event.slug}")
        else:
            bar.advance(task)

    return on_event


def _summary(ctx: Ctx, report: FetchReport) -> int:
    if ctx.verbose:
        for slug in report.fetched:
            ctx.say(f"  fetched {slug}")
        for slug in report.cached:
            ctx.say(f"  cached  {slug}")
    ctx.say(f"fetched {count(len(report.fetched), 'episode')}, {len(report.cached)} already cached")
    if report.waiting:
        ctx.tell(f"{count(len(report.waiting), 'episode')} wait for a later run:")
        for problem in report.waiting:
            ctx.problem(problem)
    if report.throttled:
        ctx.tell(f"throttled (degraded downloads refused, tried again next run): "
                 f"{', '.join(report.throttled)}")
    if report.stopped:
        ctx.tell(f"companion stopped asking YouTube during this run: {report.stopped}")
    if report.warnings:
        ctx.tell(f"{count(len(report.warnings), 'warning')}:")
        for problem in report.warnings:
            ctx.problem(problem)
    if not report.failed:
        return 0
    ctx.tell(f"{count(len(report.failed), 'episode')} failed:")
    for problem in report.failed:
        ctx.problem(problem)
    return 1
