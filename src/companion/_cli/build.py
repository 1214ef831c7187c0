"""`companion build`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from companion._build.result import BuildResult
from companion._cli.common import Ctx
from companion._render.i18n import count


@click.command("build")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site, relative to the current folder (default: "
                   "[site] out in companion.toml, relative to the project).")
@click.option("--force", is_flag=True, help="Render everything again, ignoring the last build.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for a large build (default: every core).")
@click.option("--drafts", is_flag=True,
              help="Preview: include drafts (marked as such; never published).")
@click.option("--future", is_flag=True,
              help="Preview: include episodes scheduled for later (marked; never published).")
@click.option("--now", metavar="TIME",
              help="Build as if it were this moment (ISO 8601); default: now, or "
                   "COMPANION_NOW.")
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings too.")
@click.pass_obj
def command(ctx: Ctx, out: Path | None, force: bool, jobs: int | None, drafts: bool,
            future: bool, now: str | None, strict: bool) -> int:
    """Render the site: feeds, episode pages, show notes, chapters, transcripts, indexes.

    Only what changed since the last build is rendered and written; files whose
    bytes did not change keep their date. A broken article is reported and the rest
    is built; the exit code is 1 when there is any error.
    """
    project = ctx.load()
    with _bar(ctx) as show:
        result = project.build(out, force=force, jobs=jobs, drafts=drafts, future=future,
                               now=now, progress=show)
    folder = out or project.site.out_dir
    if ctx.json:
        ctx.print_json(result.to_json(folder.absolute(), strict))
    else:
        report(ctx, result, folder)
    return 1 if result.failed(strict) else 0


@contextmanager
def _bar(ctx: Ctx) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on a terminal (none when quiet, JSON or piped)."""
    if not ctx.chatty or not ctx.err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=ctx.err) as bar:
        task = bar.add_task("rendering episodes", total=None)

        def show(_stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield show


def report(ctx: Ctx, result: BuildResult, out: Path) -> None:
    """The build's problems (its notes too with --verbose) and its summary line."""
    for problem in result.problems:
        if problem.severity != "info" or ctx.verbose:
            ctx.problem(problem)
    ctx.say(summary(result, out))


def summary(result: BuildResult, out: Path) -> str:
    errors = sum(p.severity == "error" for p in result.problems)
    warnings = sum(p.severity == "warning" for p in result.problems)
    drafts = sum(s.status == "draft" for s in result.standings)
    later = sum(s.status == "scheduled" for s in result.standings)
    waiting = [text for n, text in ((drafts, count(drafts, "draft")),
                                    (later, f"{later} scheduled")) if n]
    preview = " (preview: never published)" if result.preview else ""
    return (f"built {out}{preview}: {count(result.episodes, 'episode')} ({result.rendered} "
            f"rendered{'; ' + ', '.join(waiting) if waiting else ''}), "
            f"{len(result.feeds_written)} of {count(result.feeds, 'feed')}; files: "
            f"{result.written} written, {result.unchanged} unchanged, {result.removed} "
            f"removed; {count(errors, 'error')}, {count(warnings, 'warning')}")
