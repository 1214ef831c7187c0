"""What a listener meets on an episode's page, in headless Chromium, through `serve`.

The bundled example project is built and served by `Project.serve` (the server of
`companion serve`), and its English, Georgian, Arabic, Persian and Spanish episode
pages are opened at a phone's size (390x844) and a desktop's (1280x800): nothing
loads from another host before a click, the interface speaks the page's language,
dates are the page's and numbers stay with their labels, the player (chapters,
speed, skips, transcript search, keyboard, share) works, and axe-core finds no
accessibility violation.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po

import companion
from companion._render.i18n import LOCALE_DIR, format_date, localize_digits
from tests._browser import serve
from tests._groups import skip
from tests.conftest import REPO, copy_example

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {"en": "night-trains", "ka": "tbilisis-ghamis-metro", "ar": "caspian-ports",
         "fa": "astara", "es": "cafe-de-altura"}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PLAYER_BUDGET = 10 * 1024  # bytes, minified
BOTH = pytest.mark.parametrize("viewport", list(VIEWPORTS))
EVERY = pytest.mark.parametrize("lang", list(PAGES))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example project built and served by `Project.serve` (no watcher): its URL."""
    root = copy_example(tmp_path_factory.mktemp("listener") / "project")
    project = companion.load_project(root)
    events: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=project.serve, daemon=True, kwargs={
        "port": 0, "watch": False, "on_event": events.put, "stop": stop})
    thread.start()
    url = ""
    while not url:
        event = events.get(timeout=300)
        assert event.kind != "failed", event.error
        url = event.url
    yield url, project.site.out_dir
    stop.set()
    thread.join(timeout=30)


class Visit:
    """A page in a fresh context: every request recorded, none leaves 127.0.0.1."""

    def __init__(self, browser: Any, base: str, viewport: str = "desktop",
                 script: bool = True) -> None:
        self.context = browser.new_context(viewport=VIEWPORTS[viewport],
                                           java_script_enabled=script)
        self.requests: list[str] = []
        self.statuses: list[tuple[str, int]] = []
        self.errors: list[str] = []
        self.base = base
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("response", lambda r: self.statuses.append((r.url, r.status)))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @staticmethod
    def _route(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def open(self, lang: str) -> Any:
        self.page.goto(f"{self.base}episodes/{PAGES[lang]}/", wait_until="load")
        return self.page

    def elsewhere(self) -> list[str]:
        """Requests to any host but the site's own."""
        return [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, served: tuple[str, Path]) -> Iterator[Any]:
    opened: list[Visit] = []

    def make(viewport: str = "desktop", script: bool = True) -> Visit:
        opened.append(Visit(browser, served[0], viewport, script))
        return opened[-1]

    yield make
    for one in opened:
        assert one.errors == [], one.errors
        one.close()


def audio_time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def on_screen(box: dict[str, float] | None, height: float) -> bool:
    """Whether a bounding box lies within the first `height` pixels of the viewport."""
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def wait_time(page: Any, low: float, high: float) -> None:
    page.wait_for_function(
        "([low, high]) => { const a = document.getElementById('player');"
        " return a.readyState > 0 && a.currentTime >= low && a.currentTime <= high; }",
        arg=[low, high], timeout=20_000)


# -- privacy --------------------------------------------------------------------------------


@BOTH
@EVERY
def test_nothing_from_another_host_before_a_click(visit: Any, lang: str,
                                                  viewport: str) -> None:
    tab = visit(viewport)
    page = tab.open(lang)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images too
    page.wait_for_load_state("networkidle")
    assert tab.elsewhere() == []
    with page.expect_request(lambda r: "youtube-nocookie.com/embed/" in r.url):
        page.click("a.facade.youtube")
    assert page.locator("iframe.embed").count() == 1
    assert all(urlsplit(u).hostname == "www.youtube-nocookie.com" for u in tab.elsewhere())


def test_without_javascript_the_facades_are_plain_links(visit: Any) -> None:
    tab = visit(script=False)
    page = tab.open("fa")
    page.wait_for_load_state("networkidle")
    assert tab.elsewhere() == []
    assert page.locator("audio[controls]").is_visible()
    hrefs = page.eval_on_selector_all("a.facade", "links => links.map(a => a.href)")
    assert hrefs == ["https://open.spotify.com/episode/6Fa9Tr2Qw8Er5Ty1Ui3Op7",
                     "https://www.youtube.com/watch?v=Fa4Rz8Kq1Ts"]
    chapters = page.eval_on_selector_all(".chapter-list a",
                                         "links => links.map(a => a.getAttribute('href'))")
    assert chapters[:3] == ["#t=0", "#t=13", "#t=19"]


# -- languages --------------------------------------------------------------------------------


def _english_words(lang: str) -> list[str]:
    """The interface messages that `lang` translates otherwise: their English must not show.
    (A placeholder splits a message; its longest literal part is what is looked for.)"""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    words: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                continue
            parts = re.split(r"%\([a-z]+\)s", english)
            words.append(max((p.strip(" :.") for p in parts), key=len))
    return [w for w in words if w]


@pytest.mark.parametrize("lang", ["ka", "ar", "fa", "es"])
def test_no_english_interface_word(visit: Any, lang: str) -> None:
    tab = visit()
    page = tab.open(lang)
    text = page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('[aria-label],[title],[placeholder],[alt],option,'
            + '[data-play],[data-pause],[data-copied],[data-found]')].flatMap(e =>
            ['aria-label', 'title', 'placeholder', 'alt', 'data-play', 'data-pause',
             'data-copied', 'data-found'].map(n => e.getAttribute(n) || '')
            .concat(e.tagName === 'OPTION' ? [e.textContent] : []))].join('\\n')""")
    words = _english_words(lang)
    assert len(words) > 40
    found = [w for w in words if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)]
    assert found == [], found
    assert page.locator('[lang="en"]').count() == 0  # nothing is marked as English either


@BOTH
@pytest.mark.parametrize("lang", ["ka", "ar", "fa", "es"])
def test_dates_are_the_pages_and_numbers_keep_to_their_labels(visit: Any, lang: str,
                                                             viewport: str) -> None:
    page = visit(viewport).open(lang)
    stamp = page.locator(".facts time").first
    day = date.fromisoformat(stamp.get_attribute("datetime") or "")
    assert stamp.inner_text() == format_date(day, lang)
    script = {"ka": r"[\u10d0-\u10ff]", "ar": r"[\u0600-\u06ff]", "fa": r"[\u0600-\u06ff]",
              "es": r" de "}[lang]
    assert re.search(script, stamp.inner_text())
    if lang == "fa":  # CLDR's default numbering for Persian: Persian digits
        assert re.search(r"[\u06f0-\u06f9]", stamp.inner_text())
        assert not re.search(r"[0-9]", page.locator(".facts").inner_text())
    length = page.locator(".facts time").nth(1)  # the length, in words, and as ISO 8601
    assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", length.get_attribute("datetime") or "")
    bare = page.evaluate("""() => {
        const places = '.facts, .player, .chapter-list, .cues, .transcript-files, .neighbours';
        const found = [];
        for (const root of document.querySelectorAll(places)) {
            const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walk.nextNode()) {
                const node = walk.currentNode;
                if (!/[0-9\u0660-\u0669\u06f0-\u06f9]/.test(node.data)) continue;
                const isolated = node.parentElement.closest('bdi, [dir]');
                if (!isolated || isolated === document.documentElement) found.push(node.data);
            }
        }
        return found;
    }""")
    assert bare == []
    if lang in ("ar", "fa"):  # a label and its value read right to left, the label first
        label = page.locator(".facts dt").first.bounding_box()
        value = page.locator(".facts dd").first.bounding_box()
        assert label is not None
        assert value is not None
        assert abs((label["x"] + label["width"]) - (value["x"] + value["width"])) < 2


# -- the player --------------------------------------------------------------------------------


@BOTH
@EVERY
def test_title_and_play_control_on_the_first_screen(visit: Any, lang: str,
                                                    viewport: str) -> None:
    page = visit(viewport).open(lang)
    height = VIEWPORTS[viewport]["height"]
    for selector in ("h1", ".controls .play"):
        box = page.locator(selector).bounding_box()
        assert on_screen(box, height), (selector, box)
    assert page.locator(".controls .total").inner_text() != localize_digits("0:00", lang)


FIRST_SCREEN = 600  # px from the top at 390x844: what a phone shows under its browser's bars


def test_the_player_is_in_a_phones_first_screen_on_every_episode_page(
        visit: Any, served: tuple[str, Path]) -> None:
    """Whatever an episode has (a picture, a video facade, a long title), the play button's
    bottom edge is within `FIRST_SCREEN` px of the top on a phone: every example page."""
    slugs = sorted(p.parent.name for p in (served[1] / "episodes").glob("*/index.html"))
    assert len(slugs) >= len(PAGES)
    page = visit("phone").page
    bottoms = {}
    for slug in slugs:
        page.goto(f"{served[0]}episodes/{slug}/", wait_until="load")
        box = page.locator(".controls .play, a.facade").first.bounding_box()
        assert box is not None, slug
        bottoms[slug] = box["y"] + box["height"]
    assert all(0 < bottom <= FIRST_SCREEN for bottom in bottoms.values()), bottoms


@BOTH
@EVERY
def test_a_chapter_click_seeks_through_serve_and_the_player_stays_in_view(
        visit: Any, lang: str, viewport: str) -> None:
    tab = visit(viewport)
    page = tab.open(lang)
    link = page.locator(".chapter-list a").nth(2)
    start = float((link.get_attribute("href") or "").removeprefix("#t="))
    link.click()
    wait_time(page, start - 0.5, start + 8)
    assert link.get_attribute("aria-current") == "true"
    page.evaluate("document.getElementById('player').pause()")
    audio = page.evaluate("new URL(document.querySelector('#player source').src).pathname")
    assert any(status == 206 for url, status in tab.statuses if url.endswith(audio))
    height = VIEWPORTS[viewport]["height"]
    assert on_screen(page.locator(".controls").bounding_box(), height)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert on_screen(page.locator(".controls").bounding_box(), height)  # sticky


@BOTH
@pytest.mark.parametrize("lang", ["fa", "ar"])
def test_right_to_left_the_labels_follow_the_page_and_the_transport_does_not(
        visit: Any, lang: str, viewport: str) -> None:
    page = visit(viewport).open(lang)
    page.locator(".chapter-list a").nth(1).click()
    page.wait_for_function("document.querySelector('.chapter-now').textContent !== ''",
                           timeout=20_000)
    page.evaluate("document.getElementById('player').pause()")
    line = page.evaluate("""() => { const n = document.querySelector('.chapter-now');
        const text = document.createRange();
        text.selectNodeContents(n);
        return [getComputedStyle(n).direction, getComputedStyle(n.parentElement).direction,
                text.getBoundingClientRect().right, n.parentElement.getBoundingClientRect().right];
        }""")
    assert line[:2] == ["rtl", "ltr"]  # the chapter line follows the page; the transport not
    assert abs(line[2] - line[3]) < 2  # the chapter's name starts at the right edge
    speed = page.locator(".controls .speed")
    assert page.evaluate("getComputedStyle(document.querySelector('.speed')).direction") == "rtl"
    one = "\u06f1" if lang == "fa" else "1"  # CLDR: Persian digits for fa, Latin for ar
    assert speed.locator("option:checked").inner_text() == f"{one}×"


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_speed_and_skip_controls(visit: Any, lang: str) -> None:
    page = visit().open(lang)
    page.select_option(".controls .speed", "1.5")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.5
    length = float(page.get_attribute(".player", "data-duration") or 0)
    page.click(".controls [data-skip='30']")
    forward = min(30.0, length)
    wait_time(page, forward - 0.5, forward + 0.5)
    page.click(".controls [data-skip='-15']")
    wait_time(page, forward - 15.5, forward - 14.5)
    assert page.evaluate("document.getElementById('player').paused")  # skipping keeps it so
    clock = f"0:{int(audio_time(page)):02d}"  # in the page's digits (Persian for fa)
    assert page.locator(".controls .elapsed").inner_text() == localize_digits(clock, lang)


@pytest.mark.parametrize(("lang", "query"), [("fa", "بازار"), ("ka", "ზამთარში")])
def test_the_transcript_is_searched_and_a_line_seeks(visit: Any, lang: str,
                                                     query: str) -> None:
    page = visit().open(lang)
    assert page.locator(".transcript-search").is_visible()
    page.fill("#transcript-query", query)
    visible = page.locator(".cues p:not([hidden])")
    assert visible.count() == 1
    assert query in visible.inner_text()
    assert localize_digits("1", lang) in page.locator(".transcript-search .found").inner_text()
    start = float((visible.locator("a").get_attribute("href") or "").removeprefix("#t="))
    visible.locator("xpath=.").click(position={"x": 200, "y": 5})  # the line, not its time
    wait_time(page, start - 0.5, start + 6)
    page.wait_for_function("document.querySelector('.cues p.now') !== null")
    page.fill("#transcript-query", "")
    assert page.locator(".cues p:not([hidden])").count() > 1


def test_keyboard_only(visit: Any) -> None:
    page = visit().open("fa")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    rings: list[tuple[str, float]] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return [e.className || e.tagName, s.outlineStyle === 'none' ? 0 :
                    parseFloat(s.outlineWidth)]; }""")
        rings.append((focused[0], focused[1]))
        if "play" in focused[0].split():
            break
    assert rings[-1][0] == "play", rings
    assert all(width >= 2 for _name, width in rings), rings
    page.keyboard.press("Space")
    page.wait_for_function("!document.getElementById('player').paused", timeout=20_000)
    assert page.get_attribute(".controls .play", "aria-label") == "مکث"
    page.keyboard.press("Space")
    page.wait_for_function("document.getElementById('player').paused")
    for _ in range(10):  # on to the slider: arrows move 5 seconds
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('seek')"):
            break
    before = audio_time(page)
    page.keyboard.press("ArrowRight")
    wait_time(page, before + 4.5, before + 5.5)
    page.keyboard.press("ArrowLeft")
    wait_time(page, before - 0.5, before + 0.5)


def test_the_native_player_without_javascript_has_a_ring_too(visit: Any) -> None:
    page = visit(script=False).open("ka")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "AUDIO":
            break
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert width >= 2


def test_share_and_copy_rss_use_the_clipboard(browser: Any,
                                                 served: tuple[str, Path]) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{served[0]}episodes/astara/", wait_until="load")
        page.evaluate("delete Navigator.prototype.share")  # the copy path (no share sheet)
        page.locator(".chapter-list a").nth(3).click()
        start = float((page.locator(".chapter-list a").nth(3).get_attribute("href") or "")
                      .removeprefix("#t="))
        wait_time(page, start - 0.5, start + 8)
        page.evaluate("document.getElementById('player').pause()")
        at = int(audio_time(page))
        page.click(".controls .share")
        page.wait_for_function("document.querySelector('.player .status').textContent !== ''")
        assert page.locator(".player .status").inner_text() == "پیوند کپی شد."
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"https://podcasts.example.org/episodes/astara/#t={at}"
        page.goto(f"{served[0]}fa/", wait_until="load")  # the show's page: copy its feed
        page.click("a[data-copy]")
        page.wait_for_function(
            "document.querySelector('.subscribe .status').textContent !== ''")
        assert page.locator(".subscribe .status").inner_text() == "پیوند RSS کپی شد."
        assert page.evaluate("navigator.clipboard.readText()") == \
            "https://podcasts.example.org/fa/feed.xml"
        assert page.url == f"{served[0]}fa/"  # the link did not navigate
    finally:
        context.close()


def test_media_session_tells_the_lock_screen(visit: Any) -> None:
    page = visit().open("en")
    assert page.evaluate("navigator.mediaSession.metadata") is None  # nothing before a play
    page.locator(".chapter-list a").nth(1).click()
    page.wait_for_function("navigator.mediaSession.metadata !== null", timeout=20_000)
    meta = page.evaluate("""() => { const m = navigator.mediaSession.metadata;
        return [m.title, m.artist, m.album, m.artwork.length]; }""")
    assert meta == ["The night train from Tbilisi to Baku is running again. Who is on it?",
                    "The border", "Caucasus Desk Audio", 1]


def test_the_embed_plays_in_a_page_of_another_origin(
        visit: Any, served: tuple[str, Path], tmp_path: Path) -> None:
    """Another site (a second server: another port, another origin) pastes the episode
    page's snippet; its player loads and plays there, and its page loads nothing else."""
    tab = visit("phone")
    page = tab.open("fa")
    snippet = page.locator("#embed-snippet").input_value()
    local = snippet.replace("https://podcasts.example.org/", served[0])
    (tmp_path / "index.html").write_text(
        f"<!DOCTYPE html><html lang=en><title>Elsewhere</title><h1>Our news</h1>{local}",
        encoding="utf-8")
    with serve(tmp_path) as other:
        assert urlsplit(other).port != urlsplit(served[0]).port
        page.goto(other, wait_until="load")
        frame = page.frame_locator("iframe")
        frame.locator(".controls .play").click()
        player = next(f for f in page.frames if f.url.startswith(served[0]))
        player.wait_for_function(
            "document.getElementById('player').currentTime > 0.5", timeout=20_000)
        box = page.locator("iframe").bounding_box()
        assert box is not None
        inner = frame.locator(".controls .play").bounding_box()
        assert inner is not None
        assert inner["y"] + inner["height"] <= box["y"] + box["height"]  # fits its frame
    assert tab.elsewhere() == []


def test_the_player_script_is_small(served: tuple[str, Path]) -> None:
    script = served[1] / "assets" / "player.js"
    source = REPO / "src" / "companion" / "_render" / "theme" / "assets" / "player.js"
    assert script.stat().st_size <= PLAYER_BUDGET
    assert script.stat().st_size < source.stat().st_size  # published minified


# -- accessibility ------------------------------------------------------------------------------


@BOTH
@EVERY
def test_axe_core_finds_no_violation(visit: Any, lang: str, viewport: str) -> None:
    if not AXE.is_file():
        skip("accessibility", f"axe-core is not installed at {AXE} (scripts/node-deps "
                              "installs it with npm)")
    page = visit(viewport).open(lang)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []
    page.fill("#transcript-query", "x") if page.locator("#transcript-query").count() else None
    page.click("a.facade.youtube")  # and with a player loaded
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"]] == []
