"""`companion fetch`: the one command that uses the network (yt-dlp, oEmbed, downloads)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from companion._cli.common import Ctx
from companion._cli.words import count

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
@click.pass_obj
def command(ctx: Ctx, slugs: tuple[str, ...], refresh: bool, jobs: int,
            fmt: str | None) -> int:
    """Fetch YouTube metadata, captions, Spotify oEmbed data and audio into the cache.

    Without SLUGs, every episode; what the cache holds is kept unless --refresh.
    A build reads only the cache, so run this after adding or changing links.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from companion._fetch import FetchOptions

    project = ctx.load()
    options = dataclasses.replace(ctx.fetch_options or FetchOptions(), jobs=jobs)
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
