"""A new, working project: what `companion init` writes.

`init_project(root)` writes companion.toml, one example article with a short audio
file (so the new project's feed has a real item and passes `check --strict`), one
feed definition with its artwork, a templates/ README, an empty cache/, a .gitignore
(the site, the publish folder, the build state) and a .gitattributes that keeps audio and
images in Git LFS. It never overwrites a file; an existing companion.toml is an error.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import UTC
from pathlib import Path

from companion._clock import clock_now
from companion._config.project import CONFIG_NAME
from companion._errors import ProjectError

CONFIG = """\
# companion project settings. Credentials never go here: use AWS_PROFILE or
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.

[site]
title = "My Show"
description = "Articles, read aloud and discussed."
base_url = "https://podcasts.example.org/"
language = "en"
# timezone = "UTC"  # IANA name: a date without a time is midnight here
# out = "site"      # where `companion build` writes
# cache = "cache"   # fetched metadata and audio; commit it for offline builds

[publish]
target = "public"   # a folder, or s3://bucket/prefix (with endpoint_url for R2, MinIO...)
"""

ARTICLE = """\
---
title: "Welcome to the show"
guid: "{guid}"
author: Your Name
lang: en
categories: [news]
tags: [welcome]
description: "What this show is about, in one or two sentences."
# The episode's audio: a file in the project (this one is a short example to replace),
# or, without `audio:`, taken from its video by `companion fetch`.
audio: media/welcome.mp3
# Chapters of the audio, "MM:SS Title": the feed's chapters, the page's, and the texts
# `companion notes` prints (YouTube takes a list of at least three, each 10 s or more)
chapters:
  - "00:00 Welcome"
  - "00:03 What the show is about"
# Lifecycle: `draft: true` (or `published: false`) keeps it out of every feed and page;
# a date in the future (in the file name, or `date:`) holds it back until then.
# Pair the article with its video and Spotify episode, then run `companion fetch`:
# video: https://www.youtube.com/watch?v=VIDEO_ID
# spotify: https://open.spotify.com/episode/EPISODE_ID
---

This is an example article. Write each episode's article in `episodes/` as Markdown
with front matter (like this one), or as plain text with a `.yml` sidecar.

Links in the text become the episode's sources, cleaned of tracking
parameters: for example the [podcast namespace](https://podcastindex.org/namespace/1.0?utm_source=newsletter)
and [Apple's podcast requirements](https://podcasters.apple.com/support/823-podcast-requirements).

See what each platform gets: `companion notes welcome --for youtube`, `--for spotify`,
`--for apple`.
"""

FEED = """\
# One show: its feed is published at show/feed.xml.
title = "My Show"
description = "Articles, read aloud and discussed."
author = "Your Name"
language = "en"
artwork = "feeds/artwork/show.png"   # square, 1400 to 3000 pixels, JPEG or PNG
explicit = false
type = "episodic"
categories = [["News", "Politics"]]

[owner]
name = "Your Name"
email = "you@example.org"

[select]
languages = ["en"]
"""

TEMPLATES_README = """\
# Templates

companion renders pages with its bundled theme. To change a page, copy the
template of the same name from the bundled theme (`companion/_render/theme/`) into this
folder and edit it: a template here overrides the bundled one of the same name,
and every other template still comes from the theme.
"""

GITIGNORE = """\
# What companion makes: the built site, the default publish folder, the build state,
# and the tagged copies of the audio a build makes.
/site/
/public/
/.companion/
/cache/published/
"""

#: The cache holds audio, video thumbnails and artwork: Git LFS keeps them out of the
#: history (`git lfs install` once; the metadata, captions and the ledger stay plain text).
GITATTRIBUTES = """\
# Audio and images live in Git LFS, not in the history (run `git lfs install` once).
cache/media/** filter=lfs diff=lfs merge=lfs -text
cache/images/** filter=lfs diff=lfs merge=lfs -text
media/** filter=lfs diff=lfs merge=lfs -text
*.mp3 filter=lfs diff=lfs merge=lfs -text
*.m4a filter=lfs diff=lfs merge=lfs -text
*.mp4 filter=lfs diff=lfs merge=lfs -text
*.webm filter=lfs diff=lfs merge=lfs -text
*.opus filter=lfs diff=lfs merge=lfs -text
*.wav filter=lfs diff=lfs merge=lfs -text
"""


def _png(size: int = 1400, rgb: tuple[int, int, int] = (32, 64, 96)) -> bytes:
    """A square, single-colour PNG: placeholder artwork the producer replaces."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


def _files(today: str) -> dict[str, str | bytes]:
    return {
        CONFIG_NAME: CONFIG,
        f"episodes/{today}-welcome.md": ARTICLE.replace("{guid}", str(uuid.uuid4())),
        "feeds/show.toml": FEED,
        "feeds/artwork/show.png": _png(),
        "media/welcome.mp3": (Path(__file__).resolve().parent / "welcome.mp3").read_bytes(),
        "templates/README.md": TEMPLATES_README,
        "cache/.gitkeep": "",
        ".gitignore": GITIGNORE,
        ".gitattributes": GITATTRIBUTES,
    }


def init_project(root: Path) -> list[Path]:
    """Scaffold a project in `root`; return the files written (existing ones are kept)."""
    if (root / CONFIG_NAME).exists():
        raise ProjectError(f"a project already exists here ({CONFIG_NAME})", where=str(root),
                           fix="choose an empty folder, or edit the existing project")
    if root.exists() and not root.is_dir():
        raise ProjectError("not a folder", where=str(root), fix="choose a folder to create")
    written: list[Path] = []
    today = clock_now(UTC).date().isoformat()
    for rel, content in _files(today).items():
        path = root / rel
        if path.exists():
            continue
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise ProjectError(f"cannot write the project: {exc.strerror}", where=str(path),
                               fix="choose a folder you can write to") from None
        written.append(path)
    return written
