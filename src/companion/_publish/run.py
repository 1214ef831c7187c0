"""Publish a built site folder to a target: plan from the manifest, send in order, lease.

The target keeps a manifest (``.companion/manifest.json``: sha256, size, content
type, cache-control and ETag per path) of what it holds. A publish hashes the site (a
file whose stat is unchanged since the build or the last publish is not read again:
`_publish.hashes`), compares, and sends only what differs, in this order:

1. media (``media/``), 2. side files (artwork, transcripts, chapters, css),
3. pages (HTML, sitemap, robots), 4. feeds (``feed.xml``), then the manifest, then,
only with ``prune``, deletion of paths the *old* manifest lists and the site no
longer has. Feeds go last, so an interrupted publish leaves the old feeds whole and
pointing at media that is still there.

The manifest never claims more than the target holds: before a path is overwritten
or deleted its entry is taken out of the manifest (one durable write), and an entry
is put back only once the target confirms the upload (checkpointed while sending,
and on failure). So a run killed at any point, followed by any edit (a revert
included), converges on the next run: what the manifest does not vouch for is sent.

A path the site no longer has stays in the target (``stale``, with the time it went)
until ``prune`` deletes it; media is kept for a grace period first (``grace``,
default 30 days), since apps that cached an old feed still point at it.

A lease (``.companion/lock``: owner, token, expiry) keeps two publishes apart. It is
renewed while the publish runs; the final manifest write records its token as
released, so a publish killed after that leaves a lock that the next run takes at
once, and one killed earlier leaves a lock that expires within `LEASE_SECONDS` (at
once on the same host, where the dead process can be seen). A publish with nothing
to do reads the manifest and stops, without taking the lease.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from companion._content_types import cache_control, content_type
from companion._errors import PublishError
from companion._publish.choice import open_target
from companion._publish.hashes import (
    CACHE_NAME,
    Hasher,
    Record,
    load_records,
    save_records,
    site_files,
)
from companion._publish.manifest import (
    UNKNOWN,
    Entry,
    Manifest,
    Stale,
    entry_of,
    manifest_bytes,
    parse_manifest,
    rebuilt_manifest,
)
from companion._publish.redirects import with_redirects
from companion._publish.targets import (
    LEASE_SECONDS,
    LockInfo,
    RemoteObject,
    Target,
    Upload,
)

__all__ = [
    "STAGES",
    "Entry",
    "Manifest",
    "Plan",
    "PublishEvent",
    "PublishReport",
    "make_plan",
    "open_target",
    "publish",
    "scan_site",
]

STAGES = ("media", "files", "pages", "feeds")
CHECKPOINT_SECONDS = 15.0
DAY = 86400.0
DEFAULT_GRACE_DAYS = 30

EventKind = Literal["plan", "stage", "bytes", "sent", "deleted", "manifest", "done"]


@dataclass(frozen=True)
class PublishEvent:
    """What `publish` reports to its progress callback (it never prints). A large file
    sent in parts is reported as it goes ("bytes": `size` more bytes of `path`, called
    from the sending threads) before its "sent"."""

    kind: EventKind
    path: str = ""
    size: int = 0  # "sent": the file's size; "bytes": the bytes just sent
    files: int = 0  # "plan": files to send; "stage": files in the stage
    bytes: int = 0  # "plan": bytes to send
    stage: str = ""


Progress = Callable[[PublishEvent], None]


@dataclass(frozen=True)
class Plan:
    """What a publish will do: send, delete (only with prune), keep."""

    send: tuple[Upload, ...]
    delete: tuple[str, ...]
    keep: tuple[str, ...]
    stale: tuple[str, ...]  # gone from the site, left in place (no prune, or media in grace)
    repair: tuple[str, ...]  # found missing or different by verify (also in `send`)
    keep_bytes: int = 0
    delete_bytes: int = 0
    held: tuple[str, ...] = ()  # media that prune keeps until its grace period is over
    held_until: float = 0.0  # when the first of `held` may be deleted
    gone: Mapping[str, Stale] = field(default_factory=dict)  # the stale paths after this run
    restored: Mapping[str, Entry] = field(default_factory=dict)  # stale paths back in the site

    @property
    def send_bytes(self) -> int:
        return sum(u.size for u in self.send)

    @property
    def empty(self) -> bool:
        """Nothing to send, delete or record."""
        return not self.send and not self.delete and not self.restored

    def changes(self, old: Manifest) -> bool:
        return not self.empty or set(self.gone) != set(old.stale) or bool(old.pending)


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
    held: tuple[str, ...] = ()
    held_until: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "dry_run": self.dry_run,
            "sent": {"files": len(self.sent), "bytes": self.sent_bytes,
                     "paths": list(self.sent)},
            "deleted": {"files": len(self.deleted), "bytes": self.deleted_bytes,
                        "paths": list(self.deleted)},
            "kept": {"files": self.kept, "bytes": self.kept_bytes},
            "stale": list(self.stale), "repaired": list(self.repaired),
            "held": {"paths": list(self.held), "until": _iso(self.held_until)
                     if self.held else None},
            "seconds": round(self.seconds, 3), "notes": list(self.notes),
        }


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")


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


def scan_site(site_dir: Path, hasher: Hasher | None = None) -> dict[str, Upload]:
    """Every publishable file of a built site (dotfiles left out), hashed (by `hasher`:
    a file whose stat it knows is not read again)."""
    if not site_dir.is_dir():
        raise PublishError("there is no built site to publish", where=str(site_dir),
                           fix="run `companion build` first (or drop --no-build)")
    paths = site_files(site_dir)
    try:
        hashed = (hasher or Hasher({})).all(paths)
    except OSError as exc:
        raise PublishError(f"cannot read the site: {exc.strerror}",
                           where=str(exc.filename or site_dir), fix="rebuild the site") from None
    return with_redirects({rel: Upload(rel, path, sha, size, content_type(rel),
                                       cache_control(rel))
                           for (rel, path), (sha, size) in zip(paths, hashed, strict=True)},
                          site_dir)


# --- the plan -------------------------------------------------------------------------


def _differs(entry: Entry, remote: Mapping[str, RemoteObject], path: str) -> bool:
    found = remote.get(path)
    if found is None or found.size != entry.size:
        return True
    return bool(entry.etag and found.etag and found.etag != entry.etag)


def make_plan(site: Mapping[str, Upload], old: Manifest | Mapping[str, Entry], *,
              prune: bool = False, remote: Mapping[str, RemoteObject] | None = None,
              now: float | None = None, grace: float = DEFAULT_GRACE_DAYS * DAY) -> Plan:
    """Compare the site with the target's manifest (and, with verify, its listing)."""
    manifest = old if isinstance(old, Manifest) else Manifest(dict(old))
    now = time.time() if now is None else now
    send: list[Upload] = []
    repair: list[str] = []
    keep: list[str] = []
    restored: dict[str, Entry] = {}
    for path, upload in site.items():
        entry = manifest.files.get(path)
        if entry is None and path in manifest.stale and manifest.stale[path].entry.matches(
                upload):
            entry = restored[path] = manifest.stale[path].entry  # back, as the target has it
        if entry is None or not entry.matches(upload):
            send.append(upload)
            restored.pop(path, None)
        elif remote is not None and _differs(entry, remote, path):
            send.append(upload)
            repair.append(path)
            restored.pop(path, None)
        else:
            keep.append(path)
    gone = {p: manifest.stale.get(p) or Stale(e, now)
            for p, e in manifest.files.items() if p not in site}
    gone.update({p: s for p, s in manifest.stale.items() if p not in site})
    gone.update({p: Stale(UNKNOWN, now) for p in manifest.pending
                 if p not in site and p not in gone})  # maybe sent by a run that was cut off
    delete = [p for p, s in gone.items() if prune and _due(p, s, now, grace)]
    held = sorted(p for p in gone if prune and p not in delete)
    left = {p: s for p, s in gone.items() if p not in delete}
    send.sort(key=lambda u: (stage_of(u.path), u.path))
    return Plan(
        send=tuple(send), delete=tuple(sorted(delete)), keep=tuple(keep),
        stale=tuple(sorted(left)), repair=tuple(repair),
        keep_bytes=sum(site[p].size for p in keep),
        delete_bytes=sum(gone[p].entry.size for p in delete),
        held=tuple(held), held_until=min((gone[p].since + grace for p in held), default=0.0),
        gone=left, restored=restored,
    )


def _due(path: str, stale: Stale, now: float, grace: float) -> bool:
    """Whether prune may delete a stale path now: media after its grace period (apps that
    cached an old feed still download it), everything else at once."""
    return not path.startswith("media/") or now - stale.since >= grace


# --- the lease ------------------------------------------------------------------------


def _lock_info(now: float) -> LockInfo:
    try:
        owner = getpass.getuser()
    except (KeyError, OSError):
        owner = "unknown"
    return LockInfo(owner, socket.gethostname(), os.getpid(), now, uuid.uuid4().hex,
                    now + LEASE_SECONDS)


class _Lease:
    """The target's lock as a lease: renewed in the background while the publish runs."""

    def __init__(self, target: Target, info: LockInfo) -> None:
        self.target = target
        self.info = info
        self.lost: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="companion-lease",
                                        daemon=True)

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_SECONDS / 3):
            now = time.time()
            self.info = replace(self.info, expires=now + LEASE_SECONDS)
            try:
                self.target.renew(self.info)
            except BaseException as exc:  # reported by `check`, in the publishing thread
                self.lost = exc
                return

    def check(self) -> None:
        if self.lost is not None:
            if isinstance(self.lost, PublishError):
                raise self.lost
            raise PublishError(f"the lease on the target could not be renewed "
                               f"({type(self.lost).__name__})", where=self.target.label,
                               fix="run publish again")


# --- running it -----------------------------------------------------------------------


class _Run:
    """One real publish: invalidates, sends stage by stage, checkpoints the manifest."""

    def __init__(self, target: Target, old: Manifest, emit: Progress, lease: _Lease) -> None:
        self.target = target
        self.files: dict[str, Entry] = dict(old.files)
        self.stale: dict[str, Stale] = dict(old.stale)
        self.pending: set[str] = set(old.pending)
        self.released = old.released
        self.emit = emit
        self.lease = lease
        self.dirty = False
        self.saved_at = time.monotonic()

    def save(self, *, release: bool = False) -> None:
        if release:
            self.released = self.lease.info.token
        self.target.write_manifest(manifest_bytes(Manifest(
            self.files, self.stale, self.released, frozenset(self.pending - set(self.files)))))
        self.dirty = False
        self.saved_at = time.monotonic()
        self.emit(PublishEvent("manifest"))

    def invalidate(self, plan: Plan) -> None:
        """Before anything is sent or deleted: take out of the manifest every entry of a
        path about to be overwritten or deleted, and note every path about to be sent as
        pending, in one durable write. Whatever happens to the run, the manifest claims
        nothing it cannot, and knows every object the run may have left behind."""
        for path in [*(u.path for u in plan.send), *plan.delete]:
            self.files.pop(path, None)
            self.stale.pop(path, None)
        self.pending.update(u.path for u in plan.send)
        self.pending.difference_update(plan.delete)
        self.files.update(plan.restored)
        for path in plan.restored:
            self.stale.pop(path, None)
        self.save()

    def _bytes(self, path: str, size: int) -> None:
        """A large file's parts as they go ("bytes" events, before its "sent")."""
        self.emit(PublishEvent("bytes", path=path, size=size))

    def send_stage(self, name: str, uploads: Sequence[Upload]) -> None:
        self.emit(PublishEvent("stage", stage=name, files=len(uploads),
                               bytes=sum(u.size for u in uploads)))
        for sent in self.target.send(uploads, self._bytes):
            self.files[sent.upload.path] = entry_of(sent)
            self.dirty = True
            self.emit(PublishEvent("sent", path=sent.upload.path, size=sent.upload.size,
                                   stage=name))
            self.lease.check()
            if time.monotonic() - self.saved_at > CHECKPOINT_SECONDS:
                self.save()

    def delete(self, paths: Sequence[str]) -> None:
        self.emit(PublishEvent("stage", stage="delete", files=len(paths)))
        self.target.delete(paths)
        for path in paths:
            self.emit(PublishEvent("deleted", path=path))

    def run(self, plan: Plan) -> None:
        try:
            self.invalidate(plan)
            for index, name in enumerate(STAGES):
                stage = [u for u in plan.send if stage_of(u.path) == index]
                if stage:
                    self.send_stage(name, stage)
            self.lease.check()
            for path, gone in plan.gone.items():
                self.files.pop(path, None)
                self.stale[path] = gone
            self.pending.clear()
            if plan.delete:
                self.save()  # the feeds are up: record it before deleting anything
                self.delete(plan.delete)
            self.save(release=True)
        except BaseException:
            if self.dirty:
                with contextlib.suppress(Exception):
                    self.save()
            raise


def _scan(site_dir: Path, verify: bool, state_dir: Path | None,
          built: Mapping[str, Record]) -> dict[str, Upload]:
    cache = state_dir / CACHE_NAME if state_dir is not None else None
    known = {} if verify else {**built, **(load_records(cache, site_dir) if cache else {})}
    hasher = Hasher(known)
    site = scan_site(site_dir, hasher)
    if cache is not None and (hasher.hashed or hasher.records.keys() != known.keys()):
        with contextlib.suppress(OSError):  # a cache: the next publish hashes again
            save_records(cache, site_dir, hasher.records)
    return site


def _report(target: Target, plan: Plan, *, dry_run: bool, started: float,
            notes: Sequence[str] = ()) -> PublishReport:
    return PublishReport(
        target=target.label, dry_run=dry_run, sent=tuple(u.path for u in plan.send),
        sent_bytes=plan.send_bytes, deleted=plan.delete, deleted_bytes=plan.delete_bytes,
        kept=len(plan.keep), kept_bytes=plan.keep_bytes, stale=plan.stale,
        repaired=plan.repair, seconds=time.monotonic() - started, notes=tuple(notes),
        held=plan.held, held_until=plan.held_until,
    )


def _manifest(site: Mapping[str, Upload], target: Target, rebuild: bool,
              notes: list[str]) -> Manifest:
    """The target's manifest as it is, or (with `rebuild`) made anew from its listing."""
    if not rebuild:
        return parse_manifest(target.read_manifest(), target.label)
    manifest, note = rebuilt_manifest(site, target, time.time())
    notes[:] = [note]
    return manifest


def publish(site_dir: Path, target: Target, *, dry_run: bool = False, prune: bool = False,
            verify: bool = False, break_lock: bool = False, rebuild_manifest: bool = False,
            progress: Progress | None = None,
            grace_days: float = DEFAULT_GRACE_DAYS, state_dir: Path | None = None,
            built: Mapping[str, Record] | None = None) -> PublishReport:
    """Publish the built site in `site_dir` to `target`; see the module docstring.

    `rebuild_manifest` makes the target's manifest anew from its listing first (written
    at once, under the lease), whatever the old one holds. `state_dir` (the project's
    ``.companion/``) keeps the hashes of this scan for the next one, and `built` gives
    those the build recorded (`_publish.hashes`): a file whose stat is unchanged is not
    read again, except with `verify`."""
    started = time.monotonic()
    emit: Progress = progress or (lambda event: None)
    site = _scan(site_dir, verify, state_dir, built or {})
    remote = target.listing() if verify else None
    grace = max(0.0, grace_days) * DAY
    notes: list[str] = []
    old = _manifest(site, target, rebuild_manifest, notes)
    plan = make_plan(site, old, prune=prune, remote=remote, grace=grace)
    if dry_run or (not plan.changes(old) and not break_lock and not rebuild_manifest):
        return _report(target, plan, dry_run=dry_run, started=started, notes=notes)
    info = _lock_info(time.time())
    note = target.lock(info, force=break_lock, released=old.released)
    try:
        with _Lease(target, info) as lease:
            old = _manifest(site, target, rebuild_manifest, notes)  # again, leased
            if rebuild_manifest:
                target.write_manifest(manifest_bytes(old))  # readable from now on
            plan = make_plan(site, old, prune=prune, remote=remote, grace=grace)
            emit(PublishEvent("plan", files=len(plan.send), bytes=plan.send_bytes))
            _Run(target, old, emit, lease).run(plan)
    except BaseException:
        with contextlib.suppress(Exception):
            target.unlock(info.token)
        raise
    target.unlock(info.token)
    emit(PublishEvent("done"))
    return _report(target, plan, dry_run=False, started=started,
                   notes=[*notes, *([note] if note else [])])
