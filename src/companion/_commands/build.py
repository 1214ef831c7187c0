"""`companion build`."""

from __future__ import annotations

from pathlib import Path

import click

from companion._build import BuildResult, build
from companion._commands._common import Ctx


@click.command("build")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: [site] out in companion.toml).")
@click.option("--force", is_flag=True, help="Render everything again, ignoring the last build.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for a large build (default: every core).")
@click.pass_obj
def command(ctx: Ctx, out: Path | None, force: bool, jobs: int | None) -> int:
    """Render the site: feeds, episode pages, show notes, chapters, transcripts, indexes.

    Only what changed since the last build is rendered and written; files whose
    bytes did not change keep their date.
    """
    site = ctx.site()
    if ctx.quiet or not ctx.err.is_terminal:
        result = build(site, out, force=force, jobs=jobs)
    else:
        from rich.progress import Progress

        with Progress(transient=True, console=ctx.err) as bar:
            task = bar.add_task("rendering episodes", total=None)

            def show(_stage: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = build(site, out, force=force, jobs=jobs, progress=show)
    report(ctx, result, out or site.out_dir)
    return 1 if any(p.severity == "error" for p in result.problems) else 0


def report(ctx: Ctx, result: BuildResult, out: Path) -> None:
    for problem in result.problems:
        if problem.severity != "info":
            ctx.err.print(f"{problem.severity}: {problem}", markup=False, highlight=False)
    ctx.say(summary(result, out))


def summary(result: BuildResult, out: Path) -> str:
    errors = sum(p.severity == "error" for p in result.problems)
    warnings = sum(p.severity == "warning" for p in result.problems)
    return (f"built {out}: {result.episodes} episodes ({result.rendered} rendered), "
            f"{result.feeds} feeds; files: {result.written} written, "
            f"{result.unchanged} unchanged, {result.removed} removed; "
            f"{errors} errors, {warnings} warnings")
