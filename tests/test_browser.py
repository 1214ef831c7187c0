"""The pages in a real browser: headless Chromium (the system's) over a local HTTP server.

Requests to any host but 127.0.0.1 (the YouTube and Spotify embeds) are aborted and
their failures are not counted; JavaScript errors and failed local requests are.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest

import companion
from tests._browser import PREFIX, SampleSite, build_sample_site, serve

pytestmark = pytest.mark.browser

KA, AR, EN = "2025-07-20-azerbaijan-russia", "2025-09-10-caspian-ports", "2025-09-25-night-trains"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleSite:
    return build_sample_site(tmp_path_factory.mktemp("browser") / "out")


@pytest.fixture(scope="module")
def base(sample: SampleSite) -> Iterator[str]:
    with serve(sample.folder) as url:
        yield f"{url}{PREFIX}/"


class _Page:
    """A page with local-only networking and a record of the errors that count."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1000, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("requestfailed", self._failed)

    @staticmethod
    def _local(url: str) -> bool:
        return urlsplit(url).hostname == "127.0.0.1"

    def _route(self, route: Any) -> None:
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def _console(self, message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and (not where or self._local(where)) \
                and "Failed to load resource" not in message.text:
            self.errors.append(f"console: {message.text} at {where}")

    def _failed(self, request: Any) -> None:
        # a media element cancels its own range requests when it seeks: not an error
        cancelled = request.resource_type == "media" and "ERR_ABORTED" in str(request.failure)
        if self._local(request.url) and not cancelled:
            self.errors.append(f"request failed: {request.url} {request.failure}")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[_Page]:
    opened = _Page(browser)
    yield opened
    opened.close()


def _variance(png: bytes) -> float:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    return float(ImageStat.Stat(image).var[0])


@pytest.mark.parametrize("slug", [KA, AR, EN])
def test_page_renders_without_errors(tab: _Page, base: str, slug: str,
                                     tmp_path: Path) -> None:
    tab.page.goto(f"{base}episodes/{slug}/index.html", wait_until="load")
    png = tab.page.screenshot(full_page=True)
    (tmp_path / f"{slug}.png").write_bytes(png)
    assert _variance(png) > 100, "the screenshot is blank"
    text = tab.page.inner_text("h1")
    assert text.strip()
    assert tab.errors == []


def test_arabic_page_is_rtl_and_mirrored(tab: _Page, base: str) -> None:
    tab.page.goto(f"{base}episodes/{AR}/index.html", wait_until="load")
    assert tab.page.evaluate(
        "getComputedStyle(document.documentElement).direction") == "rtl"
    # the heading starts at the right edge of the content column
    box = tab.page.evaluate("""() => {
        const h = document.querySelector('h1').getBoundingClientRect();
        const m = document.querySelector('main').getBoundingClientRect();
        return {hRight: h.right, mRight: m.right, hLeft: h.left, mLeft: m.left};
    }""")
    assert abs(box["mRight"] - box["hRight"]) < 40
    font = tab.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Naskh Arabic" in font
    assert tab.errors == []


def test_georgian_page_uses_a_georgian_font(tab: _Page, base: str) -> None:
    tab.page.goto(f"{base}episodes/{KA}/index.html", wait_until="load")
    font = tab.page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Noto Sans Georgian" in font
    assert tab.page.evaluate("getComputedStyle(document.documentElement).direction") == "ltr"


def test_clicking_a_chapter_seeks_the_audio(tab: _Page, base: str) -> None:
    tab.page.goto(f"{base}episodes/{EN}/index.html", wait_until="load")
    assert tab.page.evaluate("document.getElementById('player').currentTime") == 0
    tab.page.click('.chapter-list a[href="#t=15"]')
    tab.page.wait_for_function(
        "() => { const a = document.getElementById('player');"
        " return a.readyState > 0 && a.currentTime >= 14.5 && a.currentTime < 25; }",
        timeout=15_000)
    tab.page.click('.chapter-list a[href="#t=30"]')
    tab.page.wait_for_function(
        "() => document.getElementById('player').currentTime >= 29.5", timeout=15_000)
    assert tab.errors == []


def test_chapters_are_readable_without_javascript(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname
                   == "127.0.0.1" else r.abort())
        page.goto(f"{base}episodes/{EN}/index.html", wait_until="load")
        items = page.locator(".chapter-list li").all_inner_texts()
        assert [i.strip() for i in items] == ["00:00 Intro", "00:15 Middle", "00:30 End"]
        assert page.locator("audio[controls]").count() == 1
    finally:
        context.close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "img": "src", "source": "src",
                  "script": "src", "iframe": "src", "audio": "src"}
        for name, value in attrs:
            if wanted.get(tag) == name and value:
                self.refs.append(value)


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Every URL on the start page's host reachable from it by links; the broken ones."""
    origin = urlsplit(start).netloc
    todo, seen, broken = [start], set[str](), []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urlopen(url, timeout=10) as response:
                body, kind = response.read(), response.headers.get_content_type()
        except OSError as exc:
            broken.append(f"{url}: {exc}")
            continue
        if kind == "text/html":
            parser = _Links()
            parser.feed(body.decode("utf-8"))
            for ref in parser.refs:
                target = urldefrag(urljoin(url, ref))[0]
                if urlsplit(target).netloc == origin and target not in seen:
                    todo.append(target)
    return seen, broken


def test_crawl_from_the_site_index_finds_no_broken_link(base: str) -> None:
    seen, broken = crawl(f"{base}index.html")
    assert broken == []
    pages = [u for u in seen if u.endswith(".html")]
    assert len(pages) == 7  # site index, three shows, three episodes
    assert any(u.endswith(".mp3") for u in seen)
    assert any(urlsplit(u).path.endswith("style.css") for u in seen)
    assert any(urlsplit(u).path.endswith("player.js") for u in seen)


@pytest.mark.slow
def test_example_project_site_in_the_browser(example_project: Path, tmp_path: Path,
                                              tab: _Page) -> None:
    """A real build of the bundled example: no broken internal link, no script error."""
    out = tmp_path / "site"
    companion.load_project(example_project).build(out, jobs=1)
    with serve(out) as url:
        seen, broken = crawl(f"{url}index.html")
        assert broken == []
        pages = sorted(u for u in seen if u.endswith("/index.html") and "/episodes/" in u)
        assert len(pages) >= 6
        for page in pages:
            tab.page.goto(page, wait_until="load")
            assert _variance(tab.page.screenshot()) > 100, page
        assert tab.errors == []
