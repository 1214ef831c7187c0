"""`companion publish`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from companion._cli.common import Ctx
from companion._render.i18n import count

if TYPE_CHECKING:  # the publish stage pulls in boto3: imported when the command runs
    from rich.progress import Progress, TaskID

    from companion._publish.gate import PublishOutcome
    from companion._publish.run import PublishEvent, PublishReport


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class _Bar:
    """A rich progress bar (files and bytes) fed by publish events."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.done = 0
        self.files = 0
        self.partial: dict[str, int] = {}  # bytes of a large file shown before its "sent"
        self.lock = threading.Lock()  # "bytes" come from the sending threads

    def __call__(self, event: PublishEvent) -> None:
        if event.kind == "plan":
            self.files = event.files
            self.task = self.progress.add_task("sending", total=event.bytes or 1,
                                               files=f"0/{event.files}")
        elif event.kind == "bytes" and self.task is not None:
            with self.lock:
                self.partial[event.path] = self.partial.get(event.path, 0) + event.size
            self.progress.update(self.task, advance=event.size)
        elif event.kind == "sent" and self.task is not None:
            with self.lock:
                shown = self.partial.pop(event.path, 0)
                self.done += 1
            self.progress.update(self.task, advance=event.size - shown,
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


def _summary(report: PublishReport, verbose: bool, seconds: float) -> list[str]:
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
    held = set(report.held)
    if report.stale and len(held) < len(report.stale):
        lines.append(f"  {len(report.stale) - len(held)} files no longer in the site were "
                     "left in place (--prune deletes them)")
    if held:
        until = time.strftime("%Y-%m-%d", time.gmtime(report.held_until))
        lines.append(f"  {len(held)} replaced or removed media files kept for apps that "
                     f"still point at them, until {until} ([publish] prune_grace_days)")
    lines += [f"  note: {note}" for note in report.notes]
    if verbose:
        lines += [f"  + {path}" for path in report.sent]
        lines += [f"  - {path}" for path in report.deleted]
    if not report.dry_run:
        lines.append(f"  in {seconds:.1f}s (build included)")
    return lines


def _notified(outcome: PublishOutcome) -> list[str]:
    """One line per service told: how many feeds it was told about (failures are warnings)."""
    told: dict[str, list[bool]] = {}
    for notice in outcome.notified:
        told.setdefault(notice.service, []).append(notice.ok)
    return [f"  notified {service}: {sum(oks)} of {count(len(oks), 'feed')}"
            for service, oks in told.items()]


def _refusal(ctx: Ctx, outcome: PublishOutcome) -> None:
    for problem in outcome.problems:
        if problem.severity != "info":
            ctx.problem(problem)
    verdict = "publish would be refused" if outcome.dry_run else "publish refused"
    ctx.tell(f"{verdict}: {outcome.reason}")
    ctx.tell("fix the errors above (or run `companion check`), then publish again")


@click.command("publish")
@click.option("--to", "to", metavar="TARGET",
              help="A folder (relative to the current folder) or s3://bucket/prefix "
                   "(default: [publish] target, relative to the project, or public/).")
@click.option("--dry-run", is_flag=True,
              help="Build, then show the verdict and what would be sent and deleted; the "
                   "target is not touched.")
@click.option("--prune", is_flag=True,
              help="Delete what an earlier publish put there and the site no longer has "
                   "(media only after [publish] prune_grace_days, default 30).")
@click.option("--verify", is_flag=True,
              help="List the target and re-send anything missing or different.")
@click.option("--endpoint-url", metavar="URL",
              help="S3 endpoint (overrides [publish] endpoint_url); never with a "
                   "user:password@ in it.")
@click.option("--no-build", is_flag=True,
              help="Publish the last build as it is: refused if it had errors, was a "
                   "preview, or is older than the sources.")
@click.option("--strict", is_flag=True, help="Refuse to publish when there are warnings too.")
@click.option("--now", metavar="TIME",
              help="Publish as if it were this moment (ISO 8601); default: now, or "
                   "COMPANION_NOW.")
@click.option("--break-lock", is_flag=True,
              help="Take the target's lock even if another publish seems to hold it, or the "
                   "lock is damaged.")
@click.option("--no-notify", is_flag=True,
              help="Tell none of [notify]'s services (WebSub, Podping, the Podcast Index) "
                   "about the feeds this publish sends.")
@click.option("--rebuild-manifest", is_flag=True,
              help="List the target and write its manifest anew (the recovery from a damaged "
                   "one): what matches the site is kept, the rest is sent.")
@click.pass_obj
def command(ctx: Ctx, to: str | None, dry_run: bool, prune: bool, verify: bool,
            endpoint_url: str | None, no_build: bool, strict: bool, now: str | None,
            break_lock: bool, no_notify: bool, rebuild_manifest: bool) -> int:
    """Build the site, then send what changed to a folder or an S3-compatible bucket.

    Nothing is sent when the build has errors (with --strict, warnings too): the
    errors are listed and the exit code is 1. Media goes first and feeds last, so a
    publish that stops part-way leaves the old feeds valid; run it again to finish.
    Credentials come from the standard AWS environment variables or profiles, never
    from companion.toml.
    """
    project = ctx.load()
    with _progress_bar(ctx, ctx.chatty and not dry_run and ctx.err.is_terminal) as bar:
        outcome = project.publish(to, endpoint_url=endpoint_url, dry_run=dry_run,
                                  prune=prune, verify=verify, break_lock=break_lock,
                                  rebuild_manifest=rebuild_manifest, strict=strict,
                                  no_build=no_build, now=now, progress=bar,
                                  notify=not no_notify)
    if ctx.json:
        ctx.print_json(outcome.to_json())
    elif outcome.refused:
        _refusal(ctx, outcome)
    else:
        for problem in outcome.problems:
            if problem.severity == "warning":
                ctx.problem(problem)
        assert outcome.report is not None
        for line in _summary(outcome.report, ctx.verbose, outcome.seconds):
            ctx.say(line)
        if outcome.recorded:
            ctx.say(f"  recorded as published: {', '.join(outcome.recorded)} "
                    "(cache/ledger/, commit it)")
        for line in _notified(outcome):
            ctx.say(line)
    return 1 if outcome.refused else 0
