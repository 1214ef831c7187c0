"""`companion publish`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from companion._commands._common import Ctx
from companion._errors import PublishError
from companion._model import Site

if TYPE_CHECKING:  # the publish stage pulls in boto3: imported when the command runs
    from rich.progress import Progress, TaskID

    from companion._publish import PublishEvent, PublishReport


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _build(site: Site) -> None:
    try:
        from companion._build import build
    except ModuleNotFoundError as exc:
        if exc.name != "companion._build":
            raise
        raise PublishError("the build stage is not available", where="companion build",
                           fix="build the site first and pass --no-build") from None
    build(site)


class _Bar:
    """A rich progress bar (files and bytes) fed by publish events."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.done = 0
        self.files = 0

    def __call__(self, event: PublishEvent) -> None:
        if event.kind == "plan":
            self.files = event.files
            self.task = self.progress.add_task("sending", total=event.bytes or 1,
                                               files=f"0/{event.files}")
        elif event.kind == "sent" and self.task is not None:
            self.done += 1
            self.progress.update(self.task, advance=event.size,
                                 files=f"{self.done}/{self.files}")
        elif event.kind == "stage" and self.task is not None:
            self.progress.update(self.task, description=event.stage)


@contextmanager
def _progress_bar(ctx: Ctx, show: bool) -> Iterator[_Bar | None]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    if not show:
        yield None
        return
    columns = (TextColumn("{task.description:>7}"), BarColumn(),
               TextColumn("{task.fields[files]} files"), DownloadColumn(binary_units=True),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=ctx.err, transient=True) as progress:
        yield _Bar(progress)


def _summary(report: PublishReport, verbose: bool) -> list[str]:
    verb = ("would send", "would delete") if report.dry_run else ("sent", "deleted")
    head = "Plan for" if report.dry_run else "Published to"
    lines = [
        f"{head} {report.target}:",
        f"  {verb[0]} {len(report.sent)} files ({_size(report.sent_bytes)})",
        f"  {verb[1]} {len(report.deleted)} files ({_size(report.deleted_bytes)})",
        f"  kept {report.kept} files ({_size(report.kept_bytes)})",
    ]
    if report.repaired:
        lines.append(f"  {len(report.repaired)} missing or different in the target, re-sent")
    if report.stale:
        lines.append(f"  {len(report.stale)} files no longer in the site were left in place "
                     "(--prune deletes them)")
    lines += [f"  note: {note}" for note in report.notes]
    if verbose:
        lines += [f"  + {path}" for path in report.sent]
        lines += [f"  - {path}" for path in report.deleted]
    if not report.dry_run:
        lines.append(f"  in {report.seconds:.1f}s")
    return lines


@click.command("publish")
@click.option("--to", "to", metavar="TARGET",
              help="A folder or s3://bucket/prefix (default: [publish] target, or public/).")
@click.option("--dry-run", is_flag=True,
              help="Build, then show what would be sent and deleted; the target is not touched.")
@click.option("--prune", is_flag=True,
              help="Delete what an earlier publish put there and the site no longer has.")
@click.option("--verify", is_flag=True,
              help="List the target and re-send anything missing or different.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--endpoint-url", metavar="URL",
              help="S3 endpoint (overrides [publish] endpoint_url).")
@click.option("--no-build", is_flag=True, help="Publish the existing build without building first.")
@click.option("--break-lock", is_flag=True,
              help="Take the target's lock even if another publish seems to hold it.")
@click.option("--verbose", "-v", is_flag=True, help="List the paths sent and deleted.")
@click.pass_obj
def command(ctx: Ctx, to: str | None, dry_run: bool, prune: bool, verify: bool, as_json: bool,
            endpoint_url: str | None, no_build: bool, break_lock: bool, verbose: bool) -> int:
    """Build the site, then send what changed to a folder or an S3-compatible bucket.

    Media goes first and feeds last, so a publish that stops part-way leaves the old
    feeds valid; run it again to finish. Credentials come from the standard AWS
    environment variables or profiles, never from companion.toml.
    """
    from companion._publish import open_target, publish

    site = ctx.site()
    if not no_build:
        _build(site)
    target = open_target(to or site.publish.target, site.publish, endpoint_url=endpoint_url,
                         project_root=site.root)
    try:
        with _progress_bar(ctx, not (as_json or ctx.quiet or dry_run)) as bar:
            report = publish(Path(site.out_dir), target, dry_run=dry_run, prune=prune,
                             verify=verify, break_lock=break_lock, progress=bar)
    finally:
        target.close()
    if as_json:
        ctx.print_json(report.to_json())
    else:
        for line in _summary(report, verbose):
            ctx.say(line)
    return 0
