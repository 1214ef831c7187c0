"""Episode artwork in the built example: compliant copies of the cached thumbnails, no hotlinks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from companion import Site
from companion._build.result import BuildResult

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
JSON_LD = re.compile(rb'<script type="application/ld\+json">.*?</script>', re.S)


@pytest.fixture(scope="module")
def built(built_example: tuple[Site, BuildResult]) -> tuple[Site, BuildResult]:
    return built_example


def site_file(site: Site, url: str) -> Path:
    assert url.startswith(site.base_url), url
    path = site.out_dir / url.removeprefix(site.base_url)
    assert path.is_file(), url
    return path


def assert_apple_compliant(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        assert image.format in ("JPEG", "PNG"), path
        assert image.mode == "RGB", path
        assert image.width == image.height, path
        assert 1400 <= image.width <= 3000, path
        return image


def test_no_feed_links_a_youtube_thumbnail(built: tuple[Site, BuildResult]) -> None:
    site, result = built
    assert [p for p in result.problems if p.severity == "error"] == []
    feeds = sorted(site.out_dir.glob("*/feed.xml"))
    assert len(feeds) == 6
    for feed in feeds:
        assert b"ytimg.com" not in feed.read_bytes(), feed


def test_every_item_image_is_a_compliant_file_in_the_site(
        built: tuple[Site, BuildResult]) -> None:
    site, _ = built
    items = 0
    for feed in sorted(site.out_dir.glob("*/feed.xml")):
        for item in etree.parse(str(feed)).iter("item"):
            items += 1
            image = item.find(f"{{{ITUNES}}}image")
            assert image is not None, (feed, item.findtext("title"))
            assert_apple_compliant(site_file(site, image.get("href", "")))
    assert items == 9  # the video feed repeats the two English episodes


def test_every_youtube_episode_gets_its_own_square_copy(
        built: tuple[Site, BuildResult]) -> None:
    site, _ = built
    show_art = set()
    for feed in sorted(site.out_dir.glob("*/feed.xml")):
        channel_image = etree.parse(str(feed)).find(f"channel/{{{ITUNES}}}image")
        assert channel_image is not None
        show_art.add(channel_image.get("href"))
    seen = set()
    for feed in sorted(site.out_dir.glob("*/feed.xml")):
        for item in etree.parse(str(feed)).iter("item"):
            href = item.find(f"{{{ITUNES}}}image").get("href")  # type: ignore[union-attr]
            assert href not in show_art  # the episode's own image, not the show's fallback
            seen.add(href)
    assert len(seen) == 7  # one per episode: each video has its own thumbnail


def test_pages_show_the_compliant_copy_with_its_size(built: tuple[Site, BuildResult]) -> None:
    site, _ = built
    pages = sorted((site.out_dir / "episodes").glob("*/index.html"))
    assert len(pages) == 7
    for page in pages:
        html = page.read_bytes()
        assert b"ytimg.com" not in JSON_LD.sub(b"", html), page
        url = re.search(rb'<meta property="og:image" content="([^"]+)"', html)
        assert url is not None, page
        image = assert_apple_compliant(site_file(site, url.group(1).decode()))
        assert f'<meta property="og:image:width" content="{image.width}">'.encode() in html
        assert f'<meta property="og:image:height" content="{image.height}">'.encode() in html
        # the page shows the picture as it is (not the square copy), a copy per width
        assert re.search(rb'<img class="picture( square)?" src="\.\./\.\./artwork/[0-9a-f]+\.jpg" '
                         rb'srcset="[^"]+ 640w, [^"]+ \d+w" sizes="[^"]+" '
                         rb'width="\d+" height="\d+"', html), page


def test_no_page_mentions_a_youtube_thumbnail(built: tuple[Site, BuildResult]) -> None:
    site, _ = built
    for page in sorted(site.out_dir.rglob("*.html")):
        assert b"ytimg.com" not in page.read_bytes(), page
