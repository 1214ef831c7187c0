"""The manifest: what the target holds (``<prefix>/.companion/manifest.json``), path by
path, with the stale paths and the last released lease; read, written, and rebuilt from
the target's listing when it is damaged."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from companion._errors import PublishError
from companion._publish.targets import (
    META_DIR,
    Sent,
    Target,
    Upload,
    moment,
)
from companion._text import whole_number

MANIFEST_FORMAT = "companion-manifest"
MANIFEST_VERSION = 2  # 2: stale paths with the time they left the site, released lease


@dataclass(frozen=True)
class Entry:
    """One manifest record: what the target holds at a path."""

    sha256: str
    size: int
    content_type: str
    cache_control: str
    etag: str | None = None
    redirect: str = ""  # x-amz-website-redirect-location, for an old address

    def matches(self, upload: Upload) -> bool:
        return (self.sha256, self.size, self.content_type, self.cache_control,
                self.redirect) == (upload.sha256, upload.size, upload.content_type,
                                   upload.cache_control, upload.redirect)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "size": self.size,
                                "content_type": self.content_type,
                                "cache_control": self.cache_control}
        if self.etag:
            data["etag"] = self.etag
        if self.redirect:
            data["redirect"] = self.redirect
        return data


@dataclass(frozen=True)
class Stale:
    """A path the target still holds and the site no longer has, since `since`."""

    entry: Entry
    since: float  # seconds since the epoch


@dataclass(frozen=True)
class Manifest:
    """What the target holds: the site's paths, the stale ones, the last released lease."""

    files: Mapping[str, Entry] = field(default_factory=dict)
    stale: Mapping[str, Stale] = field(default_factory=dict)
    released: str = ""  # token of the lease the last complete publish released
    pending: frozenset[str] = frozenset()  # being sent by a run that did not finish: the
    # target may or may not hold them, in any version (sent again, or pruned if gone)


UNKNOWN = Entry("", 0, "", "")  # what a run that was cut off may have left at a path



def _entry(raw: Any) -> Entry:
    size = whole_number(raw["size"], 0, 1 << 50) if isinstance(raw["size"], int) else None
    if size is None:
        raise ValueError("size")
    etag, redirect = raw.get("etag"), raw.get("redirect")
    return Entry(str(raw["sha256"]), size, str(raw["content_type"]),
                 str(raw["cache_control"]), etag if isinstance(etag, str) else None,
                 redirect if isinstance(redirect, str) else "")


def parse_manifest(data: bytes | None, where: str) -> Manifest:
    if data is None:
        return Manifest()
    try:
        raw = json.loads(data)
        if raw.get("format") != MANIFEST_FORMAT or raw.get("version") not in (1, 2):
            raise ValueError("unknown format")
        files = {str(path): _entry(e) for path, e in raw["files"].items()}
        stale = {str(path): Stale(_entry(e), moment(e["since"]))
                 for path, e in (raw.get("stale") or {}).items()}
        released = raw.get("released")
        pending = frozenset(str(p) for p in raw.get("pending") or ())
        return Manifest(files, stale, released if isinstance(released, str) else "", pending)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise PublishError(f"the target's manifest ({META_DIR}/manifest.json) is not "
                           "readable (damaged, or written by another program)", where=where,
                           fix=REBUILD_FIX) from None


REBUILD_FIX = ("run `companion publish --rebuild-manifest`: it lists the target, keeps what "
               "matches the site and sends the rest")


def rebuilt_manifest(site: Mapping[str, Upload], target: Target,
                     now: float) -> tuple[Manifest, str]:
    """A manifest made anew from the target's listing (the recovery from a damaged one), and
    a note saying what it found. An object that holds the site's file (same size, and same
    checksum or bytes) is vouched for; a site path whose object differs is pending (sent
    again); an object the site does not have is stale (``--prune`` deletes it)."""
    remote = target.listing()
    files = {path: Entry(u.sha256, u.size, u.content_type, u.cache_control, remote[path].etag,
                         u.redirect)
             for path, u in site.items() if path in remote and target.confirms(u, remote[path])}
    pending = frozenset(p for p in site if p in remote and p not in files)
    stale = {p: Stale(replace(UNKNOWN, size=o.size, etag=o.etag), now)
             for p, o in remote.items() if p not in site}
    note = (f"rebuilt the manifest from the target's listing: {len(files)} files match the "
            f"site, {len(pending)} differ and are sent again, {len(stale)} are not in the "
            "site (--prune deletes them)")
    return Manifest(files, stale, "", pending), note


def manifest_bytes(manifest: Manifest) -> bytes:
    stale = {path: {**s.entry.to_json(), "since": s.since}
             for path, s in sorted(manifest.stale.items())}
    data: dict[str, Any] = {
        "format": MANIFEST_FORMAT, "version": MANIFEST_VERSION,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {path: manifest.files[path].to_json() for path in sorted(manifest.files)},
        "stale": stale,
    }
    if manifest.released:
        data["released"] = manifest.released
    if manifest.pending:
        data["pending"] = sorted(manifest.pending)
    return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")


def entry_of(sent: Sent) -> Entry:
    u = sent.upload
    return Entry(u.sha256, u.size, u.content_type, u.cache_control, sent.etag, u.redirect)
