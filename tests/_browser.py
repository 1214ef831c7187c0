"""Helpers for page tests: a sample site built from hand-made episodes, a static
HTTP server on 127.0.0.1 (with byte ranges, as media players need them), and a
headless Chromium launcher that uses the system browser."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from companion import (
    Article,
    Chapter,
    Episode,
    FeedDefinition,
    Link,
    Site,
    SpotifyEpisode,
    YouTubeVideo,
    _paths,
)
from companion._model import FeedSelection, Person, Thumbnail
from companion._render.pages import PageRenderer
from tests._episodes import page_for, show_for
from tests._groups import skip

#: Where Chromium may be: Debian's package, Ubuntu's snap (its /usr/bin/chromium-browser is
#: a stub that only says to install the snap: it is tried and refused), Google's Chrome.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "/snap/bin/chromium", "google-chrome",
                  "google-chrome-stable")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PREFIX = "shows"  # the sample site is served under a prefix path
BASE_URL = f"https://podcasts.example.org/{PREFIX}/"
AUDIO_SECONDS = 40


# -- sample episodes ------------------------------------------------------------------------


def article(slug: str, lang: str, title: str, body: str, **kw: Any) -> Article:
    values: dict[str, Any] = {
        "path": Path(f"/project/episodes/{slug}.md"), "relpath": f"episodes/{slug}.md",
        "slug": slug, "title": title, "body": body, "format": "markdown", "lang": lang,
        "direction": "rtl" if lang in ("ar", "fa", "he") else "ltr",
        "date": datetime(2025, 7, 20, 9, 0, tzinfo=UTC),
    }
    values.update(kw)
    return Article(**values)


def youtube(video_id: str, title: str, description: str = "", **kw: Any) -> YouTubeVideo:
    values: dict[str, Any] = {
        "id": video_id, "title": title, "description": description, "duration": 40.0,
        "upload_date": date(2025, 7, 19), "channel": "Desk", "channel_url": None,
        "webpage_url": f"https://www.youtube.com/watch?v={video_id}",
        "thumbnail": Thumbnail(f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg", 480, 360),
    }
    values.update(kw)
    return YouTubeVideo(**values)


CHAPTERS = (Chapter(0, "Intro"), Chapter(15, "Middle"), Chapter(30, "End"))

KA_BODY = """კავკასიაში მნიშვნელოვანი გეოპოლიტიკური ძვრებია. აზერბაიჯანი და რუსეთი \
ღიად დაუპირისპირდნენ ერთმანეთს.

ამ სტატიაში გაიგებთ, როგორ გაამყარა აზერბაიჯანმა პოზიციები.

#### ისტორია

[1993 წელს](https://president.az/en/pages/view/azerbaijan/leader) ალიევი დაბრუნდა.
"""

AR_BODY = """تشهد موانئ بحر قزوين تحولات كبيرة. تتنافس الدول على طرق التجارة الجديدة.

نقرأ في هذه الحلقة [تقرير الميناء](https://port.example.az/report) ونناقش نتائجه.
"""

EN_BODY = """Night trains are back across the Caucasus. Tickets sell out within hours.
Operators say more routes are coming.

We rode the [Tbilisi–Batumi sleeper](https://railway.ge/en/night) and spoke to the crew.
"""


def sample_episodes() -> list[Episode]:
    ka = Episode(
        article(
            "2025-07-20-azerbaijan-russia", "ka",
            "როგორ გაუთამამდა აზერბაიჯანი რუსეთს", KA_BODY, author="ketevan",
            youtube_id="02el3F-AjQw", spotify_id="4XgHKQm17uIi39qzDIrs99",
            links=(Link("https://president.az/en/pages/view/azerbaijan/leader", "1993 წელს",
                        "president.az"),
                   Link("https://civil.ge/archives/1", "Civil.ge", "civil.ge")),
        ),
        guid="ka-1",
        youtube=youtube("02el3F-AjQw", "Azerbaijan and Russia"),
        spotify=SpotifyEpisode("4XgHKQm17uIi39qzDIrs99"),
        chapters=CHAPTERS,
    )
    ar = Episode(
        article("2025-09-10-caspian-ports", "ar", "موانئ قزوين", AR_BODY,
                date=datetime(2025, 9, 10, 8, 0, tzinfo=UTC), youtube_id="b7RnQ2xY0Zc",
                links=(Link("https://port.example.az/report", "تقرير الميناء",
                            "port.example.az"),)),
        guid="ar-1", youtube=youtube("b7RnQ2xY0Zc", "Caspian ports"),
        spotify=SpotifyEpisode("1aB2cD3eF4gH5iJ6kL7mN8"),
        chapters=(Chapter(0, "مقدمة"), Chapter(15, "الموانئ"), Chapter(30, "الخلاصة")),
    )
    en = Episode(
        article("2025-09-25-night-trains", "en", "Night trains <return>", EN_BODY,
                date=datetime(2025, 9, 25, 8, 0, tzinfo=UTC),
                description="Night trains are back. We rode one.",
                links=(Link("https://railway.ge/en/night", "Tbilisi–Batumi sleeper",
                            "railway.ge"),)),
        guid="en-1", youtube=youtube("Qp7Rs3Tu9Vw", "Night trains"), chapters=CHAPTERS,
    )
    return [ka, ar, en]


def feed(slug: str, lang: str, title: str, **kw: Any) -> FeedDefinition:
    return FeedDefinition(
        slug=slug, path=Path(f"/project/feeds/{slug}.toml"), title=title,
        description=f"{title}: reporting from the South Caucasus.", author="Desk",
        owner=Person("Desk", "desk@example.org"), language=lang, artwork=None,
        select=FeedSelection(languages=(lang,)), **kw,
    )


def sample_feeds() -> list[FeedDefinition]:
    return [
        feed("ka", "ka", "კავკასიის მაგიდა",
             apple_podcasts_url="https://podcasts.apple.com/ge/podcast/id1234567890"),
        feed("ar", "ar", "مكتب القوقاز",
             spotify_show_url="https://open.spotify.com/show/1Xy2Zw3Vu4Ts5Rq6Po7Nm8"),
        feed("en", "en", "Caucasus Desk"),
    ]


# -- building a sample site -------------------------------------------------------------------


@dataclass
class SampleSite:
    folder: Path  # what the HTTP server serves
    root: Path  # the site root (folder / PREFIX)
    site: Site
    episodes: list[Episode]
    feeds: list[FeedDefinition]
    pages: dict[str, Path] = field(default_factory=dict)  # slug or feed slug -> page file


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_audio(dest: Path, seconds: int = AUDIO_SECONDS) -> bytes:
    """A real, small MP3 (a sine tone) made with ffmpeg; silence bytes when there is none."""
    if shutil.which("ffmpeg") is None:
        return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 1024
    out = dest / "tone.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-q:a", "9", str(out)],
                   check=True, timeout=60)
    return out.read_bytes()


def make_artwork() -> bytes:
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 300), (20, 60, 110))
    ImageDraw.Draw(image).ellipse((60, 60, 240, 240), fill=(240, 180, 40))
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_sample_site(folder: Path, project: Path | None = None,
                      episodes: list[Episode] | None = None) -> SampleSite:
    """Render pages for the sample episodes the way a build would, under folder/PREFIX."""
    project = project or folder.parent / "project"
    project.mkdir(parents=True, exist_ok=True)
    site = Site(root=project, title="Caucasus Desk Audio", base_url=BASE_URL,
                description="Reporting from the South Caucasus, in four languages.")
    sample = SampleSite(folder, folder / PREFIX, site, episodes or sample_episodes(),
                        sample_feeds())
    renderer = PageRenderer(site)
    audio = make_audio(folder.parent)
    art = make_artwork()
    audio_rel = _paths.media(hashlib.sha256(audio).hexdigest(), "mp3")
    art_rel = _paths.artwork(hashlib.sha256(art).hexdigest(), "png")
    write(sample.root, audio_rel, audio)
    write(sample.root, art_rel, art)
    write(sample.root, _paths.STYLESHEET, renderer.stylesheet())
    write(sample.root, _paths.PLAYER_SCRIPT, renderer.player_script())
    for episode in sample.episodes:
        _write_episode(sample, renderer, episode, site.url(audio_rel), len(audio),
                       site.url(art_rel))
    _write_indexes(sample, renderer, site.url(art_rel))
    return sample


def _feeds_of(sample: SampleSite, episode: Episode) -> list[FeedDefinition]:
    return [f for f in sample.feeds if f.language == episode.article.lang]


def _write_episode(sample: SampleSite, renderer: PageRenderer, episode: Episode,
                   audio_url: str, audio_length: int, image_url: str) -> None:
    site, slug = sample.site, episode.slug
    shows = tuple(show_for(f, site, image_url) for f in _feeds_of(sample, episode))
    write(sample.root, _paths.chapters_json(slug), b'{"version": "1.2.0", "chapters": []}')
    vtt = _paths.transcript(slug, episode.article.lang, "vtt")
    write(sample.root, vtt, b"WEBVTT\n\n00:00.000 --> 00:05.000\nHello\n")
    page = page_for(site, episode, shows=shows, audio_url=audio_url,
                    audio_length=audio_length, image_url=image_url, image_size=(300, 300),
                    chapters_url=site.url(_paths.chapters_json(slug)),
                    cues=((0.0, 5.0, "First cue <b>not bold</b>"), (15.0, 20.0, "Second")),
                    transcripts=((episode.article.lang, "vtt", site.url(vtt)),),
                    article_url="https://example.org/articles/" + slug)
    sample.pages[slug] = write(sample.root, _paths.episode_page(slug), page)


def _write_indexes(sample: SampleSite, renderer: PageRenderer, image_url: str) -> None:
    site = sample.site
    counts = []
    for definition in sample.feeds:
        members = [e for e in sample.episodes if e.article.lang == definition.language]
        show = show_for(definition, site, image_url)
        page = renderer.feed_index(show, members)
        sample.pages[definition.slug] = write(sample.root, _paths.feed_index(definition.slug),
                                              page)
        counts.append((show, len(members)))
    sample.pages["index"] = write(sample.root, _paths.SITE_INDEX, renderer.site_index(counts))
    urls = [(site.url(_paths.episode_dir(e.slug)), e.article.date.date() if e.article.date
             else None) for e in sample.episodes]
    write(sample.root, _paths.SITEMAP, renderer.sitemap(urls))
    write(sample.root, _paths.ROBOTS, renderer.robots())


# -- a static HTTP server ---------------------------------------------------------------------

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; answers `Range: bytes=a-b` so audio can seek."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def send_head(self) -> Any:
        match = _RANGE.match(self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if not match or not os.path.isfile(path):
            return super().send_head()
        data = Path(path).read_bytes()
        start = int(match.group(1) or 0)
        end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
        if start >= len(data):
            self.send_error(416)
            return None
        from io import BytesIO

        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return BytesIO(data[start:end + 1])


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 on a free port; yields the base URL; stops after."""
    handler = partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _answers(executable: str) -> bool:
    """Whether `executable` is a Chromium that runs (a snap stub or a broken one is not)."""
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and ("Chromium" in done.stdout or "Chrome" in done.stdout)


@functools.cache
def find_chromium() -> str | None:
    """A working Chromium: $COMPANION_CHROMIUM, else the first of `CHROMIUM_NAMES` on this
    system that answers `--version`; None when there is none."""
    given = os.environ.get("COMPANION_CHROMIUM")
    names = (given,) if given else CHROMIUM_NAMES
    for name in names:
        found = shutil.which(name)
        if found and _answers(found):
            return found
    return None


def chromium_or_skip() -> str:
    """The Chromium to test with; the test is skipped (group "browser") where there is none."""
    found = find_chromium()
    if found is None:
        skip("browser", "no working Chromium (install Debian's chromium, or set "
                        "COMPANION_CHROMIUM to a Chromium or Chrome binary)")
    assert found is not None
    return found


def launch_chromium(playwright: Any, scratch: Path) -> Any:
    """Headless Chromium from the system (never `playwright install`). Its temporary files
    (profile, PulseAudio's runtime folder) go into `scratch`, which the caller removes."""
    return playwright.chromium.launch(
        executable_path=chromium_or_skip(), args=CHROMIUM_ARGS, headless=True,
        env={**os.environ, "TMPDIR": str(scratch)})
