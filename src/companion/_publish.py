"""Publish a built site folder to a target: plan from the manifest, send in order, lock.

The target keeps a manifest (``.companion/manifest.json``: sha256, size, content
type, cache-control and ETag per path) of what it holds. A publish hashes the site,
compares, and sends only what differs, in this order:

1. media (``media/``), 2. side files (artwork, transcripts, chapters, css),
3. pages (HTML, sitemap, robots), 4. feeds (``feed.xml``), then the manifest, then,
only with ``prune``, deletion of paths the *old* manifest lists and the site no
longer has. Feeds go last, so an interrupted publish leaves the old feeds whole and
pointing at media that is still there. The manifest only ever records uploads the
target confirmed (it is checkpointed while sending and on failure), so the next run
sends what is left: repeated runs converge.

A lock object (``.companion/lock``) keeps two publishes apart; a publish with
nothing to send reads the manifest and stops, without taking the lock.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from companion._content_types import cache_control, content_type
from companion._errors import PublishError
from companion._targets import (
    META_DIR,
    LockInfo,
    RemoteObject,
    Sent,
    Target,
    Upload,
    open_target,
)

__all__ = [
    "STAGES",
    "Entry",
    "Plan",
    "PublishEvent",
    "PublishReport",
    "make_plan",
    "open_target",
    "publish",
    "scan_site",
]

STAGES = ("media", "files", "pages", "feeds")
MANIFEST_FORMAT = "companion-manifest"
MANIFEST_VERSION = 1
CHECKPOINT_SECONDS = 15.0

EventKind = Literal["plan", "stage", "sent", "deleted", "manifest", "done"]


@dataclass(frozen=True)
class PublishEvent:
    """What `publish` reports to its progress callback (it never prints)."""

    kind: EventKind
    path: str = ""
    size: int = 0
    files: int = 0  # "plan": files to send; "stage": files in the stage
    bytes: int = 0  # "plan": bytes to send
    stage: str = ""


Progress = Callable[[PublishEvent], None]


@dataclass(frozen=True)
class Entry:
    """One manifest record: what the target holds at a path."""

    sha256: str
    size: int
    content_type: str
    cache_control: str
    etag: str | None = None

    def matches(self, upload: Upload) -> bool:
        return (self.sha256, self.size, self.content_type, self.cache_control) == (
            upload.sha256, upload.size, upload.content_type, upload.cache_control)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "size": self.size,
                                "content_type": self.content_type,
                                "cache_control": self.cache_control}
        if self.etag:
            data["etag"] = self.etag
        return data


@dataclass(frozen=True)
class Plan:
    """What a publish will do: send, delete (only with prune), keep."""

    send: tuple[Upload, ...]
    delete: tuple[str, ...]
    keep: tuple[str, ...]
    stale: tuple[str, ...]  # in the target's manifest, gone from the site, left in place
    repair: tuple[str, ...]  # found missing or different by verify (also in `send`)
    keep_bytes: int = 0
    delete_bytes: int = 0

    @property
    def send_bytes(self) -> int:
        return sum(u.size for u in self.send)

    @property
    def empty(self) -> bool:
        return not self.send and not self.delete


@dataclass(frozen=True)
class PublishReport:
    """The outcome (or, for a dry run, the plan) of a publish."""

    target: str
    dry_run: bool
    sent: tuple[str, ...]
    sent_bytes: int
    deleted: tuple[str, ...]
    deleted_bytes: int
    kept: int
    kept_bytes: int
    stale: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "dry_run": self.dry_run,
            "sent": {"files": len(self.sent), "bytes": self.sent_bytes,
                     "paths": list(self.sent)},
            "deleted": {"files": len(self.deleted), "bytes": self.deleted_bytes,
                        "paths": list(self.deleted)},
            "kept": {"files": self.kept, "bytes": self.kept_bytes},
            "stale": list(self.stale), "repaired": list(self.repaired),
            "seconds": round(self.seconds, 3), "notes": list(self.notes),
        }


# --- the site -------------------------------------------------------------------------


def stage_of(path: str) -> int:
    """0 media, 1 side files, 2 pages, 3 feeds."""
    pure = PurePosixPath(path)
    if path.startswith("media/"):
        return 0
    if pure.name == "feed.xml" or pure.suffix == ".rss":
        return 3
    if pure.suffix in (".html", ".htm") or path in ("sitemap.xml", "robots.txt"):
        return 2
    return 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _site_paths(site_dir: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(site_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = Path(folder)
        for name in sorted(files):
            if not name.startswith("."):
                found.append(((base / name).relative_to(site_dir).as_posix(), base / name))
    return found


def _upload(rel: str, file: Path) -> Upload:
    return Upload(rel, file, _sha256(file), file.stat().st_size, content_type(rel),
                  cache_control(rel))


def scan_site(site_dir: Path) -> dict[str, Upload]:
    """Every publishable file of a built site (dotfiles left out), hashed."""
    if not site_dir.is_dir():
        raise PublishError("there is no built site to publish", where=str(site_dir),
                           fix="run `companion build` first (or drop --no-build)")
    paths = _site_paths(site_dir)
    try:
        with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 1) + 1)) as pool:
            uploads = list(pool.map(lambda item: _upload(*item), paths))
    except OSError as exc:
        raise PublishError(f"cannot read the site: {exc.strerror}",
                           where=str(exc.filename or site_dir), fix="rebuild the site") from None
    return {u.path: u for u in uploads}


# --- the manifest ---------------------------------------------------------------------


def parse_manifest(data: bytes | None, where: str) -> dict[str, Entry]:
    if data is None:
        return {}
    try:
        raw = json.loads(data)
        if raw.get("format") != MANIFEST_FORMAT or raw.get("version") != MANIFEST_VERSION:
            raise ValueError("unknown format")
        return {path: Entry(str(e["sha256"]), int(e["size"]), str(e["content_type"]),
                            str(e["cache_control"]), e.get("etag"))
                for path, e in raw["files"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise PublishError("the target's manifest is not readable", where=where,
                           fix=f"delete {META_DIR}/manifest.json in the target to send "
                               "everything again") from None


def manifest_bytes(entries: Mapping[str, Entry]) -> bytes:
    data = {
        "format": MANIFEST_FORMAT, "version": MANIFEST_VERSION,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {path: entries[path].to_json() for path in sorted(entries)},
    }
    return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


def entry_of(sent: Sent) -> Entry:
    u = sent.upload
    return Entry(u.sha256, u.size, u.content_type, u.cache_control, sent.etag)


# --- the plan -------------------------------------------------------------------------


def _differs(entry: Entry, remote: Mapping[str, RemoteObject], path: str) -> bool:
    found = remote.get(path)
    if found is None or found.size != entry.size:
        return True
    return bool(entry.etag and found.etag and found.etag != entry.etag)


def make_plan(site: Mapping[str, Upload], old: Mapping[str, Entry], *, prune: bool = False,
              remote: Mapping[str, RemoteObject] | None = None) -> Plan:
    """Compare the site with the target's manifest (and, with verify, its listing)."""
    send: list[Upload] = []
    repair: list[str] = []
    keep: list[str] = []
    for path, upload in site.items():
        entry = old.get(path)
        if entry is None or not entry.matches(upload):
            send.append(upload)
        elif remote is not None and _differs(entry, remote, path):
            send.append(upload)
            repair.append(path)
        else:
            keep.append(path)
    gone = tuple(sorted(p for p in old if p not in site))
    send.sort(key=lambda u: (stage_of(u.path), u.path))
    return Plan(
        send=tuple(send), delete=gone if prune else (), keep=tuple(keep),
        stale=() if prune else gone, repair=tuple(repair),
        keep_bytes=sum(site[p].size for p in keep),
        delete_bytes=sum(old[p].size for p in gone) if prune else 0,
    )


# --- running it -----------------------------------------------------------------------


def _lock_info() -> LockInfo:
    try:
        owner = getpass.getuser()
    except (KeyError, OSError):
        owner = "unknown"
    return LockInfo(owner, socket.gethostname(), os.getpid(), time.time(), uuid.uuid4().hex)


@contextlib.contextmanager
def _locked(target: Target, force: bool) -> Iterator[str | None]:
    note = target.lock(_lock_info(), force=force)
    try:
        yield note
    except BaseException:
        with contextlib.suppress(Exception):
            target.unlock()
        raise
    target.unlock()


class _Run:
    """One real publish: sends stage by stage, checkpointing the manifest."""

    def __init__(self, target: Target, old: Mapping[str, Entry], emit: Progress) -> None:
        self.target = target
        self.manifest: dict[str, Entry] = dict(old)
        self.emit = emit
        self.dirty = False
        self.saved_at = time.monotonic()

    def save(self) -> None:
        self.target.write_manifest(manifest_bytes(self.manifest))
        self.dirty = False
        self.saved_at = time.monotonic()
        self.emit(PublishEvent("manifest"))

    def send_stage(self, name: str, uploads: Sequence[Upload]) -> None:
        self.emit(PublishEvent("stage", stage=name, files=len(uploads),
                               bytes=sum(u.size for u in uploads)))
        for sent in self.target.send(uploads):
            self.manifest[sent.upload.path] = entry_of(sent)
            self.dirty = True
            self.emit(PublishEvent("sent", path=sent.upload.path, size=sent.upload.size,
                                   stage=name))
            if time.monotonic() - self.saved_at > CHECKPOINT_SECONDS:
                self.save()

    def delete(self, paths: Sequence[str]) -> None:
        self.emit(PublishEvent("stage", stage="delete", files=len(paths)))
        self.target.delete(paths)
        for path in paths:
            self.manifest.pop(path, None)
            self.dirty = True
            self.emit(PublishEvent("deleted", path=path))

    def run(self, plan: Plan) -> None:
        try:
            for index, name in enumerate(STAGES):
                stage = [u for u in plan.send if stage_of(u.path) == index]
                if stage:
                    self.send_stage(name, stage)
            self.save()  # the feeds are up: record it before deleting anything
            if plan.delete:
                self.delete(plan.delete)
                self.save()
        except BaseException:
            if self.dirty:
                with contextlib.suppress(Exception):
                    self.save()
            raise


def _report(target: Target, plan: Plan, *, dry_run: bool, started: float,
            notes: Sequence[str] = ()) -> PublishReport:
    return PublishReport(
        target=target.label, dry_run=dry_run, sent=tuple(u.path for u in plan.send),
        sent_bytes=plan.send_bytes, deleted=plan.delete, deleted_bytes=plan.delete_bytes,
        kept=len(plan.keep), kept_bytes=plan.keep_bytes, stale=plan.stale,
        repaired=plan.repair, seconds=time.monotonic() - started, notes=tuple(notes),
    )


def _plan(site: Mapping[str, Upload], target: Target, *, prune: bool,
          remote: Mapping[str, RemoteObject] | None) -> tuple[Plan, dict[str, Entry]]:
    old = parse_manifest(target.read_manifest(), target.label)
    return make_plan(site, old, prune=prune, remote=remote), old


def publish(site_dir: Path, target: Target, *, dry_run: bool = False, prune: bool = False,
            verify: bool = False, break_lock: bool = False,
            progress: Progress | None = None) -> PublishReport:
    """Publish the built site in `site_dir` to `target`; see the module docstring."""
    started = time.monotonic()
    emit: Progress = progress or (lambda event: None)
    site = scan_site(site_dir)
    remote = target.listing() if verify else None
    plan, _ = _plan(site, target, prune=prune, remote=remote)
    if dry_run or (plan.empty and not break_lock):
        return _report(target, plan, dry_run=dry_run, started=started)
    with _locked(target, break_lock) as note:
        plan, old = _plan(site, target, prune=prune, remote=remote)  # again, under the lock
        emit(PublishEvent("plan", files=len(plan.send), bytes=plan.send_bytes))
        if not plan.empty:
            _Run(target, old, emit).run(plan)
    emit(PublishEvent("done"))
    return _report(target, plan, dry_run=False, started=started, notes=[note] if note else [])
