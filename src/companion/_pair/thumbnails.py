"""YouTube thumbnails kept in the cache, so no page or feed hotlinks i.ytimg.com.

`companion fetch` (`_fetch.thumbnails`) downloads the thumbnail that
`_youtube.trim_info` keeps (the largest): at most `MAX_BYTES`, an ``image/*``
answer that Pillow can read (`checked`). The bytes go to
``images/<sha256>.<ext>`` in the cache; the trimmed info JSON records them
under `RECORD_KEY`::

    "_companion_thumbnail": {"file": "images/<sha256>.jpg", "sha256": "<sha256>",
                             "width": 1280, "height": 720}

Nothing in the record expires (no signed URL, no date). The build turns the
file into a compliant square copy (`_artwork.episode_artwork`).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from companion._errors import FetchError
from companion._pair.cache import Cache, corrupt

RECORD_KEY = "_companion_thumbnail"
FOLDER = "images"
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_FILE = re.compile(r"images/([0-9a-f]{64})\.(jpg|png|webp)")
FIX = "run `companion fetch` again later, or give the episode an `image:`"


@dataclass(frozen=True)
class FetchedThumbnail:
    """A downloaded, checked thumbnail, not yet in the cache."""

    data: bytes
    record: dict[str, Any]  # what goes under RECORD_KEY

    @property
    def rel(self) -> str:
        return str(self.record["file"])


def thumbnail_url(info: dict[str, Any]) -> str | None:
    """The URL of the thumbnail a trimmed info JSON keeps (http or https), if any."""
    thumbs = info.get("thumbnails")
    first = thumbs[0] if isinstance(thumbs, list) and thumbs else None
    url = first.get("url") if isinstance(first, dict) else None
    if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def checked(data: bytes, where: str, what: str = "thumbnail") -> FetchedThumbnail:
    """`data` as a cache-ready thumbnail if Pillow reads it as JPEG, PNG or WebP."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise ValueError(f"{width}x{height} is too many pixels")
                image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FetchError(f"{what} is not a readable image ({exc})", where=where,
                         fix=FIX) from None
    ext = EXTENSIONS.get(str(fmt))
    if ext is None:
        raise FetchError(f"{what} is a {fmt} image, not JPEG, PNG or WebP", where=where,
                         fix=FIX)
    sha = hashlib.sha256(data).hexdigest()
    return FetchedThumbnail(data, {"file": f"{FOLDER}/{sha}.{ext}", "sha256": sha, "width": width,
                            "height": height})


def store(cache: Cache, thumbnail: FetchedThumbnail) -> dict[str, Any]:
    """Write the image (atomically, content-addressed); returns its record."""
    cache.write_bytes(thumbnail.rel, thumbnail.data)
    return dict(thumbnail.record)


def valid_record(value: object) -> bool:
    """Whether `value` has the shape of a thumbnail record (file named by its sha256)."""
    if not isinstance(value, dict):
        return False
    match = _FILE.fullmatch(str(value.get("file")))
    sizes = [value.get("width"), value.get("height")]
    return match is not None and match.group(1) == value.get("sha256") \
        and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes)


def trimmed_record(value: object) -> dict[str, Any] | None:
    """The record with only its own keys, or None when it is not one."""
    if not isinstance(value, dict) or not valid_record(value):
        return None
    return {k: value[k] for k in ("file", "sha256", "width", "height")}


def cached_file(cache: Cache, info: dict[str, Any], path: Path, slug: str) -> Path | None:
    """The cached thumbnail of a trimmed info JSON at `path`, or None when absent.

    A record of the wrong shape raises `PairError` naming the info JSON."""
    record = info.get(RECORD_KEY)
    if record is None:
        return None
    if not valid_record(record):
        raise corrupt(path, slug, f"{RECORD_KEY!r} is not a thumbnail record")
    file = cache.path(str(record["file"]))
    return file if file.is_file() else None
