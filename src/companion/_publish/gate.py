"""The publish gate: build, judge, send, record what was published.

`publish_project` is what ``companion publish`` runs:

1. build the site (never a preview), or with ``no_build`` judge the last build: it must
   be of this output folder, not a preview, without errors, and not older than the
   sources (`last_build_problems`);
2. refuse, sending nothing, when the build has errors (with ``strict``, warnings too);
   a dry run gives the same verdict;
3. publish the site folder to the target (`_publish.publish`);
4. after a successful, real publish only, record every feed's items in the ledger of
   published GUIDs (`_ledger.record_publish`): what subscribers now have;
5. then tell ``[notify]``'s services about every feed it sent (`_publish.notify`), unless
   ``notify`` is off: a service that cannot be told is a warning, never a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion._build.engine import build
from companion._build.folders import check_output_folder
from companion._build.result import BuildResult
from companion._build.seam import base_deps
from companion._build.state import BuildState, FileHashes, load_state
from companion._clock import clock_now
from companion._errors import Problem
from companion._read.files import discover
from companion._render.i18n import count
from companion._site_model import Clock, Site

if TYPE_CHECKING:  # the publish stage imports boto3: only when a publish runs
    from companion._publish.notify import Notice
    from companion._publish.run import Progress as PublishProgress
    from companion._publish.run import PublishReport

BuildProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PublishOutcome:
    """What a publish did, or why it refused: the same for the CLI, --json and scripts."""

    problems: tuple[Problem, ...]  # the build's (or the last build's) problems
    refused: bool  # nothing was sent: the verdict said no
    strict: bool
    report: PublishReport | None = None  # None when refused
    build: BuildResult | None = None  # None with no_build
    recorded: tuple[str, ...] = ()  # feeds whose ledger this publish changed
    reason: str = ""  # one line: why it refused
    dry_run: bool = False
    seconds: float = 0.0  # the whole publish, build included
    notified: tuple[Notice, ...] = ()  # what [notify]'s services were told, and how it went

    @property
    def ok(self) -> bool:
        return not self.refused

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok, "refused": self.refused, "reason": self.reason or None,
            "dry_run": self.dry_run,
            "strict": self.strict, "problems": [p.to_json() for p in self.problems],
            "recorded": list(self.recorded),
            "notified": [n.to_json() for n in self.notified],
        }
        if self.report is not None:
            data.update(self.report.to_json())
        else:
            none = {"files": 0, "bytes": 0, "paths": []}
            data.update({"sent": none, "deleted": none})
        data["seconds"] = round(self.seconds, 3)
        return data


def blocking(problems: tuple[Problem, ...] | list[Problem], strict: bool) -> list[Problem]:
    """The problems that stop a publish: errors, and with `strict` warnings too."""
    bad = ("error", "warning") if strict else ("error",)
    return [p for p in problems if p.severity in bad]


def publish_project(site: Site, *, to: str | None = None, endpoint_url: str | None = None,
                    dry_run: bool = False, prune: bool = False, verify: bool = False,
                    break_lock: bool = False, strict: bool = False, no_build: bool = False,
                    rebuild_manifest: bool = False, now: datetime | None = None,
                    cwd: Path | None = None,
                    progress: PublishProgress | None = None,
                    build_progress: BuildProgress | None = None,
                    notify: bool = True) -> PublishOutcome:
    """Build (or judge the last build), refuse on errors, publish, record the ledger, tell
    ``[notify]``'s services about the feeds it sent (not with `notify` off).

    `to` is a folder (relative to `cwd`, the current folder by default) or
    ``s3://bucket/prefix``; without it, ``[publish] target`` (a folder relative to the
    project). `rebuild_manifest` lists the target and writes its manifest anew first."""
    from companion._publish.choice import open_target
    from companion._publish.run import publish

    started = time.monotonic()
    moment = now or clock_now(site.tz)
    out = site.out_dir.absolute()
    result, state, problems = _built(site, no_build, moment, out, build_progress)
    spec = _target_spec(site, to, cwd, out, _state_files(state))
    stop = blocking(problems, strict)
    if stop:
        return _refused(problems, stop, strict, result, dry_run, started)
    target = open_target(spec, site.publish, endpoint_url=endpoint_url, project_root=site.root)
    try:
        built = state.outputs if state.out_dir == str(out.resolve()) else {}
        report = publish(out, target, dry_run=dry_run, prune=prune, verify=verify,
                         break_lock=break_lock, rebuild_manifest=rebuild_manifest,
                         progress=progress, grace_days=site.publish.prune_grace_days,
                         state_dir=site.root / ".companion", built=built)
    finally:
        target.close()
    recorded = () if dry_run else record_published(site, state, moment)
    problems += gone_feeds(report)
    notices: list[Notice] = []
    if notify and not dry_run:
        notices, told = notify_changed(site, state, report)
        problems += told
    return PublishOutcome(tuple(problems), False, strict, report, result, recorded,
                          dry_run=dry_run, seconds=time.monotonic() - started,
                          notified=tuple(notices))


def _built(site: Site, no_build: bool, moment: datetime, out: Path,
           progress: BuildProgress | None) -> tuple[BuildResult | None, BuildState,
                                                    list[Problem]]:
    """The build to publish: made now, or (`no_build`) the last one, judged again."""
    if no_build:
        state = load_state(site.root)
        return None, state, last_build_problems(site, state, out, moment)
    result = build(site, clock=Clock(moment), progress=progress)
    return result, load_state(site.root), list(result.problems)


def _target_spec(site: Site, to: str | None, cwd: Path | None, out: Path,
                 files: Collection[str]) -> str:
    """`to` or ``[publish] target``; a folder made absolute and checked to be apart from
    the project and the site."""
    spec, base = (to, cwd or Path.cwd()) if to else (site.publish.target, site.root)
    if "://" in spec:
        return spec
    folder = Path(spec).expanduser()
    folder = (folder if folder.is_absolute() else base / folder).absolute()
    check_output_folder(site, folder, "--to" if to else "[publish] target", files)
    _apart(folder, out, "--to" if to else "[publish] target")
    return str(folder)


def _refused(problems: list[Problem], stop: Sequence[Problem], strict: bool,
             result: BuildResult | None, dry_run: bool, started: float) -> PublishOutcome:
    errors = sum(p.severity == "error" for p in stop)
    reason = (count(errors, "error") if errors == len(stop) else
              f"{count(errors, 'error')} and {count(len(stop) - errors, 'warning')} "
              "(--strict)")
    return PublishOutcome(tuple(problems), True, strict, build=result,
                          reason=f"the build has {reason}: nothing was sent",
                          dry_run=dry_run, seconds=time.monotonic() - started)


def changed_feeds(state: BuildState, report: PublishReport) -> list[str]:
    """The feeds whose feed.xml this publish sent (the old addresses of moved feeds are
    copies, not feeds of their own)."""
    from companion._paths import feed_xml

    sent = set(report.sent)
    return [slug for slug in sorted(state.feeds) if feed_xml(slug) in sent]


def notify_changed(site: Site, state: BuildState, report: PublishReport
                   ) -> tuple[list[Notice], list[Problem]]:
    """Tell [notify]'s services about every feed the publish sent, once each."""
    changed = changed_feeds(state, report)
    if not changed or not site.notify.any:
        return [], []
    from companion._config.feeds import load_feeds
    from companion._publish.notify import ChangedFeed, notify_feeds

    mediums = {f.slug: f.medium for f in load_feeds(site).feeds}
    return notify_feeds(site.notify, [ChangedFeed(slug, site.feed_url(slug),
                                                  mediums.get(slug, "podcast"))
                                      for slug in changed])


def gone_feeds(report: PublishReport) -> list[Problem]:
    """A feed the target holds (its manifest says it was published) that the site no
    longer has: its subscribers get nothing new from now on."""
    found: list[Problem] = []
    for path in (*report.stale, *report.deleted):
        if not path.endswith("/feed.xml"):
            continue
        name = path[: -len("/feed.xml")]
        verb = "was deleted" if path in report.deleted else "is left as it was"
        found.append(Problem(
            "warning", report.target + path, f"the feed {path} was published and the site no "
            f"longer has it ({verb}): its subscribers get no new episode",
            f'if it was renamed, add moved_from = ["{name}"] to the new feed definition (the '
            "old address then sends apps to the new one); if it has ended, go ahead",
            "moved_from"))
    return found


def _apart(folder: Path, out: Path, what: str) -> None:
    from companion._errors import ProjectError

    real, built = Path(os.path.realpath(folder)), Path(os.path.realpath(out))
    if real == built or real.is_relative_to(built) or built.is_relative_to(real):
        raise ProjectError(f"{what} {folder} overlaps the build folder {out}",
                           where=str(folder), field=what,
                           fix="publish to a folder of its own, e.g. public/")


def _state_files(state: BuildState) -> list[str]:
    """The project files that articles' audio: and image: point at (from the build state)."""
    found: set[str] = set()
    for episode in state.episodes.values():
        files = episode.ident[5] if episode.ident is not None else None
        if isinstance(files, list):
            found.update(files)
    return sorted(found)


def record_published(site: Site, state: BuildState, when: datetime) -> tuple[str, ...]:
    """After a successful publish: every built feed's items go into its ledger."""
    from companion._lifecycle.ledger import PublishedItem, record_publish

    changed: list[str] = []
    for slug, feed in sorted(state.feeds.items()):
        items = [PublishedItem(*item) for item in feed.items]
        if record_publish(site, slug, items, when):
            changed.append(slug)
    return tuple(changed)


def last_build_problems(site: Site, state: BuildState, out: Path,
                        now: datetime) -> list[Problem]:
    """Why the last build may not be published as it is (for ``publish --no-build``): its
    own errors and warnings, and an error when it is missing, a preview, or older than
    the sources."""
    fix = "run `companion publish` without --no-build (it builds first)"
    where = str(out)
    if not out.is_dir() or not state.out_dir or state.out_dir != str(out.resolve()):
        return [Problem("error", where, "there is no built site to publish in this folder",
                        fix, None)]
    problems: list[Problem] = []
    if state.preview:
        problems.append(Problem("error", where, "the last build was a preview (--drafts or "
                                "--future): it is never published", fix, None))
    if state.errors:
        problems.append(Problem("error", where, "the last build had "
                                f"{count(state.errors, 'error')}",
                                "run `companion build` to see and fix them", None))
    if state.warnings:
        problems.append(Problem("warning", where, "the last build had "
                                f"{count(state.warnings, 'warning')}",
                                "run `companion build` to see them", None))
    stale = _stale_because(site, state, now)
    if stale:
        problems.append(Problem("error", where, f"the last build is older than the "
                                f"sources: {stale}", fix, None))
    return problems


def _stale_because(site: Site, state: BuildState, now: datetime) -> str:
    if state.next_release and datetime.fromisoformat(state.next_release) <= now:
        return "a scheduled episode's time has come"
    sources = discover(site)
    if set(sources) != set(state.episodes):
        return "articles were added or removed"
    hashes = FileHashes(site.root, state.files)
    feeds = sorted(p.relative_to(site.root).as_posix()
                   for p in site.feeds_dir.glob("*.toml")) if site.feeds_dir.is_dir() else []
    known = [*state.files, *feeds, *(d for s in sources for d in base_deps(s))]
    changed = next((rel for rel in known if not hashes.unchanged(rel)), None)
    return f"{changed} changed" if changed else ""
