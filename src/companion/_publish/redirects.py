"""The site's old addresses as publish sends them: each with the URL it moved to.

The build lists its redirects in `_paths.REDIRECTS` (`_lifecycle.moves`); `with_redirects`
gives each of those uploads its `redirect`, which an S3 target stores as the object's
``x-amz-website-redirect-location`` (a bucket website answers it with a 301) and the
manifest records (a changed target is sent again). A folder target keeps the file as it
is: the HTML fallback, or the feed copy that carries ``itunes:new-feed-url``; the README
shows the web server rules that answer those addresses with a 301.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

from companion import _paths
from companion._publish.targets import Upload


def site_redirects(site_dir: Path) -> dict[str, str]:
    """The built site's redirects (site path -> URL); none when the list is missing or
    not one (a site built by an older companion)."""
    try:
        raw = json.loads((site_dir / _paths.REDIRECTS).read_bytes())
        found = raw["redirects"] if raw.get("format") == "companion-redirects" else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): v for k, v in found.items() if isinstance(v, str)
            and v.startswith(("https://", "http://", "/"))}


def with_redirects(uploads: Mapping[str, Upload], site_dir: Path) -> dict[str, Upload]:
    """`uploads`, each old address among them with its `redirect` set."""
    targets = site_redirects(site_dir)
    return {path: dataclasses.replace(u, redirect=targets[path]) if path in targets else u
            for path, u in uploads.items()}
