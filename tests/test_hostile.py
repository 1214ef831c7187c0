"""Hostile and careless input, through the real command line.

Every case runs `companion check` and/or `companion build` on a small project
and asserts the exit code, a clear message naming the file and field, and no
traceback; and that what is built carries no executable markup and stays
well-formed XML.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from companion._cli.main import main

REPO = Path(__file__).resolve().parent.parent
ART = REPO / "feeds" / "artwork" / "es.png"
MP3 = REPO / "media" / "night-trains.mp3"

FEED = """\
title = {title}
description = "A show about things."
author = "Desk"
language = "en"
artwork = "feeds/artwork/show.png"
explicit = false
categories = [["News"]]

[owner]
name = "Desk"
email = "desk@example.org"
"""
SITE = '[site]\ntitle = "Test Show"\nbase_url = "https://pod.example.org/"\nlanguage = "en"\n'


def article(front: str = "", body: str = "Some words of the article.\n",
            title: str = '"An episode"') -> str:
    return (f"---\ntitle: {title}\nlang: en\naudio: media/a.mp3\n"
            f"guid: 6b1f0a0e-0000-4000-8000-000000000000\n{front}---\n{body}")


def make(root: Path, files: dict[str, str | bytes], *, feed_title: str = '"Test Show"',
         site: str = SITE) -> Path:
    (root / "episodes").mkdir(parents=True)
    (root / "feeds" / "artwork").mkdir(parents=True)
    (root / "media").mkdir()
    shutil.copy(ART, root / "feeds" / "artwork" / "show.png")
    shutil.copy(MP3, root / "media" / "a.mp3")
    (root / "companion.toml").write_text(site, encoding="utf-8")
    (root / "feeds" / "show.toml").write_text(FEED.format(title=feed_title), encoding="utf-8")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text, text
    return code, text


def build(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    return run(root, capsys, "build", "--out", str(root / "out"))


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error")]


def assert_refused(text: str, *needles: str) -> None:
    lines = error_lines(text)
    assert lines, text
    assert any(all(n.lower() in line.lower() for n in needles) for line in lines), (needles, text)


def built_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "out").rglob("*") if p.is_file())


def assert_nothing_executable(root: Path) -> None:
    """No script but the project's own (JSON-LD and the theme's player script, by URL), no
    on* attributes, no javascript:/data:/vbscript: URLs, no frame, and facades that load
    only the two players, in any page; feeds parse as XML 1.0."""
    pages = [p for p in built_files(root) if p.suffix == ".html"]
    assert pages
    for page in pages:
        doc = lxml.html.document_fromstring(page.read_bytes())
        for script in doc.iter("script"):
            if script.get("type") == "application/ld+json":
                json.loads(script.text or "")
                assert "</" not in (script.text or "")
                continue
            assert re.fullmatch(r"(\.\./)*assets/player\.js\?v=[0-9a-f]{10}",
                                script.get("src") or ""), page  # the theme's script only
            assert not (script.text or "").strip(), page
        for elem in doc.iter():
            if not isinstance(elem.tag, str):
                continue
            for name, value in elem.attrib.items():
                assert not name.lower().startswith("on"), (page, elem.tag, name)
                if name.lower() in ("href", "src", "action", "formaction", "srcset", "poster",
                                    "data", "content"):
                    squeezed = "".join(value.split()).lower()
                    assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), (
                        page, elem.tag, value)
        assert not doc.xpath("//object|//embed|//form|//base|//meta[@http-equiv]"), page
        assert not doc.xpath("//iframe"), page  # the players load on a click (facades)
        embeds = doc.xpath("//@data-embed")
        assert all(src.startswith(("https://www.youtube-nocookie.com/embed/",
                                   "https://open.spotify.com/embed/episode/"))
                   for src in embeds), embeds
    for feed in (p for p in built_files(root) if p.name == "feed.xml"):
        root_el = etree.fromstring(feed.read_bytes())
        for encoded in root_el.iter("{http://purl.org/rss/1.0/modules/content/}encoded"):
            frag = lxml.html.fragment_fromstring(encoded.text or "", create_parent="div")
            assert not frag.xpath("//script|//iframe|//object|//embed|//@*[starts-with("
                                  "translate(name(), 'ON', 'on'), 'on')]")
            for value in frag.xpath("//@href|//@src"):
                assert not "".join(value.split()).lower().startswith(
                    ("javascript:", "data:", "vbscript:")), value


# -- YAML ---------------------------------------------------------------------------------


def test_python_tags_are_refused_and_never_run(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(
        title=f'!!python/object/apply:os.system ["touch {marker}"]')})
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1
        assert_refused(text, "episodes/2025-01-01-a.md", "front matter")
    assert not marker.exists()


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize("where", ["title", "extra"])
def test_yaml_bomb_neither_hangs_nor_eats_memory(tmp_path: Path, where: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    if where == "title":
        text = f"---\n{BOMB}title: *i\nlang: en\naudio: media/a.mp3\n---\nBody.\n"
    else:
        text = f"---\n{BOMB}title: Bomb\nlang: en\naudio: media/a.mp3\n---\nBody.\n"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": text})
    started = time.monotonic()
    code, text_out = run(root, capsys, "check")
    assert code == 1
    assert_refused(text_out, "episodes/2025-01-01-a.md")
    code, text_out = build(root, capsys)
    assert code == 1
    assert_refused(text_out, "episodes/2025-01-01-a.md")
    assert time.monotonic() - started < 30


def test_deeply_nested_front_matter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = "[" * 50_000 + "]" * 50_000
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(f"tags: {nested}\n")})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "front matter")
    code, text = build(root, capsys)
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "front matter")


def test_an_enormous_single_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = ("word " * 4_000_000).encode()  # 20 MB on one line
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article().encode() + line})
    started = time.monotonic()
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "too large")
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(("value", "code", "needle"), [
    ("[a, b]", 1, "title"),
    ("{a: 1}", 1, "title"),
    ("42", 0, ""),
    ("2025-01-01", 0, ""),
    ("true", 0, ""),
])
def test_title_of_another_type(tmp_path: Path, value: str, code: int, needle: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(title=value)})
    got, text = run(root, capsys, "check")
    assert got == code, text
    if needle:
        assert_refused(text, "episodes/2025-01-01-a.md", needle)
    else:
        got, text = build(root, capsys)
        assert got == 0, text


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "yesterday", "[2025]"])
def test_a_date_that_does_not_exist(tmp_path: Path, value: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(f"date: {value}\n")})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "date")
    code, text = build(root, capsys)
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "date")


def test_a_file_name_date_that_does_not_exist(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-02-30-a.md": article()})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-02-30-a.md", "date")


@pytest.mark.parametrize("value", ['"../../etc"', '"en/../../x"', '"<script>"', "[en]"])
def test_a_language_that_is_not_one(tmp_path: Path, value: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = article().replace("lang: en\n", f"lang: {value}\n")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": text})
    code, out = run(root, capsys, "check")
    assert code == 1
    assert_refused(out, "episodes/2025-01-01-a.md", "lang")


# -- names and slugs ----------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "2025-01-01-..md", "2025-01-01-a b c.md", "2025-01-01-🎙️ show 🎧.md",
    "2025-01-01-abc\u202egpj.md", "2025-01-01-..%2f..%2fetc.md", "2025-01-01-a\u200b.md",
])
def test_awkward_file_names_give_safe_slugs(tmp_path: Path, name: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {f"episodes/{name}": article()})
    code, text = build(root, capsys)
    if code == 1:
        assert_refused(text, "slug")
        return
    assert code == 0, text
    pages = [p.relative_to(root / "out").as_posix()
             for p in (root / "out" / "episodes").rglob("index.html")
             if p.parent.name != "embed"]  # the episode's embeddable player beside it
    assert len(pages) == 1
    assert all(part and part not in (".", "..") for part in pages[0].split("/"))
    slug = pages[0].split("/")[1]
    assert slug.isascii()
    assert slug.replace("-", "").isalnum()


@pytest.mark.parametrize("slug", ['"../../etc"', '"a/b"', '"\u202eevil"', '"..."'])
def test_an_explicit_slug_is_made_safe_or_refused(tmp_path: Path, slug: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(f"slug: {slug}\n")})
    code, text = build(root, capsys)
    assert code in (0, 1), text
    if code == 1:
        assert_refused(text, "episodes/2025-01-01-a.md", "slug")
    for path in built_files(root):
        assert path.resolve().is_relative_to((root / "out").resolve())
    assert not (root / "etc").exists()
    assert not (tmp_path / "etc").exists()


def test_nul_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article().encode() + b"a\x00b"})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md")


# -- links in front matter ----------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
    "https://evil.example/?u=https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
    "data:text/html,<script>alert(1)</script>",
])
def test_video_that_is_not_youtube(tmp_path: Path, url: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md":
                                 article(f"video: {json.dumps(url)}\n")})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "video")
    code, text = build(root, capsys)
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "video")


@pytest.mark.parametrize(("url", "needle"), [
    ("https://open.spotify.com/show/2mTUnDkuKUkhiueKcVWoP0", "show"),
    ("https://open.spotify.com.evil.example/episode/7Hj6Gf5Ds4Aq3Wz2Xc1Vb0", "spotify"),
    ("javascript:alert(1)", "spotify"),
])
def test_spotify_that_is_not_an_episode(tmp_path: Path, url: str, needle: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md":
                                 article(f"spotify: {json.dumps(url)}\n")})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "spotify", needle)


@pytest.mark.parametrize("value", [
    "../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "media/../../../etc/passwd",
    "FILE:///etc/passwd", "ftp://example.org/a.mp3", "javascript:alert(1)",
    "media/outside.mp3",  # a symbolic link to a file outside the project
])
def test_audio_outside_the_project_is_refused(tmp_path: Path, value: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = article().replace("audio: media/a.mp3", f"audio: {json.dumps(value)}")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": text})
    outside = tmp_path / "secret.mp3"
    shutil.copy(MP3, outside)
    os.symlink(outside, root / "media" / "outside.mp3")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, out = run(root, capsys, *args)
        assert code == 1, out
        assert_refused(out, "episodes/2025-01-01-a.md", "audio")
    assert not list((root / "out" / "media").glob("*")) if (root / "out").exists() else True


@pytest.mark.parametrize("value", [
    "../../etc/passwd", "/etc/hostname", "file:///etc/passwd", "javascript:alert(1)",
    "data:image/png;base64,iVBORw0KGgo=", "feeds/outside.png",
])
def test_image_outside_the_project_is_refused(tmp_path: Path, value: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md":
                                 article(f"image: {json.dumps(value)}\n")})
    os.symlink(ART, root / "feeds" / "outside.png")  # ART lives outside this project
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, out = run(root, capsys, *args)
        assert code == 1, out
        assert_refused(out, "episodes/2025-01-01-a.md", "image")


def test_an_episode_linked_from_outside_the_project(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(article(), encoding="utf-8")
    root = make(tmp_path / "p", {})
    os.symlink(outside, root / "episodes" / "2025-01-01-linked.md")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1, text
        assert_refused(text, "episodes/2025-01-01-linked.md", "symbolic link")


# -- companion.toml -----------------------------------------------------------------------


@pytest.mark.parametrize(("site", "needle"), [
    ('[site]\ntitle = "T"\nbase_url = "javascript:alert(1)"\n', "base_url"),
    ('[site]\ntitle = "T"\nbase_url = "https://user:hunter2@pod.example.org/"\n', "base_url"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/\\"><script>x</script>"\n',
     "base_url"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/?a=1"\n', "base_url"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n'
     '[publish]\naws_secret_access_key = "hunter2"\n', "credentials"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n'
     '[publish]\nendpoint_url = "https://AKIA:hunter2@r2.example.com"\n', "endpoint_url"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n'
     '[publish]\ntarget = "s3://AKIA:hunter2@bucket/prefix"\n', "target"),
    ('aws_secret_access_key = "hunter2"\n[site]\ntitle = "T"\n'
     'base_url = "https://pod.example.org/"\n', "credentials"),
    ('[site]\ntitle = "T"\nbase_url = "https://pod.example.org/"\n'
     '[aws]\naws_secret_access_key = "hunter2"\n', "credentials"),
])
def test_a_bad_companion_toml(tmp_path: Path, site: str, needle: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()}, site=site)
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1, text
        assert "companion.toml" in text, text
        assert needle in text, text
        assert "hunter2" not in text  # a secret is never echoed back
    assert not (root / "out").exists()


# -- untrusted text in feeds and pages ----------------------------------------------------


def test_html_in_a_feed_title_is_escaped(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    title = '"<script>alert(1)</script><img src=x onerror=alert(2)>"'
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()}, feed_title=title)
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)
    feed = etree.parse(str(root / "out" / "show" / "feed.xml")).getroot()
    assert feed.findtext("channel/title") == "<script>alert(1)</script><img src=x onerror=alert(2)>"
    index = lxml.html.document_fromstring((root / "out" / "show" / "index.html").read_bytes())
    assert "<script>alert(1)</script>" in index.xpath("string(//h1)")


CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff"


def test_control_characters_leave_xml_well_formed(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    title = json.dumps(f"Ti{CONTROL}tle")  # YAML double-quoted escapes
    description = json.dumps(f"De{CONTROL}scription")
    body = f"Bo{CONTROL.replace(chr(0), '')}dy text of the article.\n"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(
        f"description: {description}\nauthor: {json.dumps('Au' + CONTROL + 'thor')}\n",
        body=body, title=title)})
    code, text = build(root, capsys)
    assert code == 0, text
    feed = (root / "out" / "show" / "feed.xml").read_bytes()
    parsed = etree.fromstring(feed)
    assert parsed.findtext("channel/item/title") == "Title"
    for page in (p for p in built_files(root) if p.suffix in (".html", ".xml", ".json")):
        data = page.read_text(encoding="utf-8")
        assert not any(ch in data for ch in CONTROL.replace("\x1b", "")), page
    assert_nothing_executable(root)


def test_cdata_end_in_show_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "Before ]]> after, and ]]]]><![CDATA[> and <![CDATA[ x ]]>.\n"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(body=body)})
    code, text = build(root, capsys)
    assert code == 0, text
    feed = etree.fromstring((root / "out" / "show" / "feed.xml").read_bytes())
    encoded = feed.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
    assert encoded is not None
    assert "Before ]]&gt; after" in encoded
    assert "after" in (feed.findtext("channel/item/description") or "")


HOSTILE_MARKDOWN = """\
Opening words of the article.

<img src=x onerror=alert(1)> <iframe src="https://evil.example/"></iframe>
<a href="javascript:alert(2)">raw link</a> <svg onload=alert(3)></svg>

[one](javascript:alert(4)) [two](JaVaScRiPt:alert(5)) [three](data:text/html,<b>x</b>)
[four](  javascript:alert(6)) [five](java&#x09;script:alert(7)) [six](vbscript:msgbox(8))
<math><mi xlink:href="javascript:alert(9)">m</mi></math> <form action="javascript:x"><input></form>
<style>body{background:url(javascript:alert(10))}</style> <base href="javascript:/">
<object data="javascript:alert(11)"></object> <embed src="javascript:alert(12)">
<meta http-equiv="refresh" content="0;url=javascript:alert(13)">
<div style="x:expression(alert(14))" onclick="alert(15)">div</div>

<script>alert(16)</script>

Closing words.
"""


def test_hostile_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(body=HOSTILE_MARKDOWN)})
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)
    page = (root / "out" / "episodes" / "a" / "index.html").read_text(encoding="utf-8")
    assert "Opening words" in page  # the show notes carry the lead paragraph


def test_hostile_plain_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {
        "episodes/2025-01-01-a.txt": HOSTILE_MARKDOWN,
        "episodes/2025-01-01-a.yml": "title: Plain\nlang: en\naudio: media/a.mp3\n",
    })
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)


def test_hostile_front_matter_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = json.dumps("</script><script>alert(1)</script><img src=x onerror=alert(2)>")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(
        f"description: {evil}\nauthor: {evil}\ncategories: [{evil}]\ntags: [{evil}]\n",
        title=evil)})
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)


def test_hostile_youtube_description(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    video = "Hb3Kd9Lp2Qs"
    info = REPO / "cache" / "youtube" / f"{video}.info.json"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(
        f"video: https://www.youtube.com/watch?v={video}\n", body="")})
    data = json.loads(info.read_text(encoding="utf-8"))
    data["description"] = HOSTILE_MARKDOWN.replace("Opening words", "Opening\x01 words")
    data["title"] = "<script>alert(1)</script>\x0b"
    data["chapters"] = [{"start_time": 0, "end_time": 5, "title": "<img src=x onerror=alert(1)>"}]
    data["thumbnail"] = "javascript:alert(1)"
    data["thumbnails"] = [{"url": "javascript:alert(2)", "width": 1280, "height": 720},
                          {"url": "data:image/svg+xml,<svg onload=alert(3)>"}]
    data["uploader"] = data["channel"] = "<script>alert(4)</script>"
    data["webpage_url"] = "javascript:alert(5)"
    (root / "cache" / "youtube").mkdir(parents=True)
    (root / "cache" / "youtube" / f"{video}.info.json").write_text(json.dumps(data),
                                                                   encoding="utf-8")
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)
    page = (root / "out" / "episodes" / "a" / "index.html").read_text(encoding="utf-8")
    assert "Opening words" in page  # the video's description is the show notes
    for path in built_files(root):
        if path.suffix in (".html", ".xml", ".json"):
            data = path.read_text(encoding="utf-8")
            assert "\x01" not in data, path
            assert "\x0b" not in data, path


# -- duplicates ---------------------------------------------------------------------------


def test_one_guid_twice_is_refused_by_check(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(),
                                 "episodes/2025-01-02-b.md": article()})
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "episodes/2025-01-02-b.md", "guid")


def test_one_guid_twice_is_refused_by_build(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(),
                                 "episodes/2025-01-02-b.md": article()})
    code, text = build(root, capsys)
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "episodes/2025-01-02-b.md", "guid")
    assert "Traceback" not in text


def test_one_guid_twice_is_refused_by_an_incremental_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first article is unchanged since the last build (carried over, not read
    again): its GUID, remembered in the build state, is still claimed."""
    other = article().replace("0000-4000", "0000-4001")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(),
                                 "episodes/2025-01-02-b.md": other})
    code, text = build(root, capsys)
    assert code == 0, text
    feeds = {p: p.read_bytes() for p in (root / "out").rglob("*.xml")}
    (root / "episodes/2025-01-02-b.md").write_text(article(), encoding="utf-8")
    code, text = build(root, capsys)
    assert code == 1, text
    assert_refused(text, "episodes/2025-01-01-a.md", "episodes/2025-01-02-b.md", "guid")
    assert "Traceback" not in text
    assert feeds  # there were feeds: now neither article is in one (neither was published)
    for feed in (root / "out").rglob("feed.xml"):
        assert b"6b1f0a0e-0000-4000" not in feed.read_bytes()
    assert (root / "out" / "episodes" / "a" / "index.html").exists()  # pages stay


def _one_video_twice(tmp_path: Path) -> Path:
    video = "\nvideo: https://youtu.be/Qp7Rs3Tu9Vw\n"
    one = article().replace("guid: 6b1f0a0e-0000-4000-8000-000000000000\n", video)
    return make(tmp_path / "p", {"episodes/2025-01-01-a.md": one,
                                 "episodes/2025-01-02-b.md": one})


def test_one_derived_guid_twice_is_refused_by_check(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = _one_video_twice(tmp_path)
    code, text = run(root, capsys, "check")
    assert code == 1
    assert_refused(text, "episodes/2025-01-01-a.md", "episodes/2025-01-02-b.md", "guid")


def test_one_derived_guid_twice_is_refused_by_build(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = _one_video_twice(tmp_path)
    code, text = build(root, capsys)
    assert code == 1
    assert_refused(text, "guid")


def test_one_slug_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {
        "episodes/2025-01-01-same.md": article(),
        "episodes/2025-01-02-same.md": article().replace("0000-4000", "0000-4001")})
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1
        assert_refused(text, "episodes/2025-01-01-same.md", "episodes/2025-01-02-same.md", "slug")


def test_no_traceback_from_a_subprocess(tmp_path: Path) -> None:
    import subprocess

    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": "---\ntitle: [\n---\nx\n"})
    done = subprocess.run([sys.executable, "-m", "companion", "-C", str(root), "check"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "episodes/2025-01-01-a.md" in done.stderr + done.stdout


# -- feed definitions ---------------------------------------------------------------------


@pytest.mark.parametrize(("line", "needle"), [
    ('artwork = "../../etc/passwd"', "artwork"),
    ('artwork = "/etc/passwd"', "artwork"),
    ('artwork = "file:///etc/passwd"', "artwork"),
    ('artwork = "feeds/outside.png"', "artwork"),  # a symbolic link out of the project
    ('link = "javascript:alert(1)"', "link"),
    ('link = "https://pod.example.org/\\"><script>alert(1)</script>"', "link"),
    ('link = "https://user:hunter2@pod.example.org/"', "link"),
    ('apple_podcasts_url = "data:text/html,x"', "apple_podcasts_url"),
])
def test_a_bad_feed_definition(tmp_path: Path, line: str, needle: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()})
    os.symlink(ART, root / "feeds" / "outside.png")
    feed = root / "feeds" / "show.toml"
    text = feed.read_text(encoding="utf-8").replace('artwork = "feeds/artwork/show.png"\n', "")
    key = line.split(" ", 1)[0]
    if key != "artwork":
        text = 'artwork = "feeds/artwork/show.png"\n' + text
    feed.write_text(f"{line}\n{text}", encoding="utf-8")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, out = run(root, capsys, *args)
        assert code == 1, out
        assert_refused(out, "feeds/show.toml", needle)
        assert "hunter2" not in out


def test_hostile_feed_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()},
                feed_title='"Show\\u0001\\u001f\\ufffe <script>alert(1)</script>"')
    feed = root / "feeds" / "show.toml"
    feed.write_text(feed.read_text(encoding="utf-8").replace(
        '"A show about things."', '"About\\u0000 <img src=x onerror=alert(1)>"').replace(
        'name = "Desk"', 'name = "Desk\\u0007 <b>"'), encoding="utf-8")
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)
    parsed = etree.fromstring((root / "out" / "show" / "feed.xml").read_bytes())
    assert parsed.findtext("channel/title") == "Show <script>alert(1)</script>"
    for path in built_files(root):
        if path.suffix in (".html", ".xml"):
            data = path.read_text(encoding="utf-8")
            assert not any(ch in data for ch in "\x00\x01\x07\x1f\ufffe"), path


@pytest.mark.parametrize("name", ["a b.toml", "caf\u00e9.toml", "x\u202egpj.toml"])
def test_a_feed_file_name_that_is_no_url(tmp_path: Path, name: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()})
    (root / "feeds" / "show.toml").rename(root / "feeds" / name)
    code, text = run(root, capsys, "check")
    assert code == 1, text
    assert_refused(text, "feeds/", "file name")


def test_a_feed_linked_from_outside_the_project(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()})
    outside = tmp_path / "show.toml"
    (root / "feeds" / "show.toml").rename(outside)
    os.symlink(outside, root / "feeds" / "show.toml")
    code, text = run(root, capsys, "check")
    assert code == 1, text
    assert_refused(text, "feeds/show.toml", "symbolic link")


def test_hostile_site_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = ('[site]\ntitle = "Site\\u0001 <script>alert(1)</script>"\n'
            'description = "<img src=x onerror=alert(1)>\\u0000"\n'
            'base_url = "https://pod.example.org/"\nlanguage = "en"\n')
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()}, site=site)
    code, text = build(root, capsys)
    assert code == 0, text
    assert_nothing_executable(root)
    home = lxml.html.document_fromstring((root / "out" / "index.html").read_bytes())
    assert "<script>alert(1)</script>" in home.xpath("string(//h1)")
    for path in built_files(root):
        if path.suffix in (".html", ".xml"):
            data = path.read_text(encoding="utf-8")
            assert "\x01" not in data, path
            assert "\x00" not in data, path


@pytest.mark.parametrize("language", ["../../etc", "en<script>", "e n"])
def test_a_site_language_that_is_not_one(tmp_path: Path, language: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = SITE.replace('language = "en"', f"language = {json.dumps(language)}")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()}, site=site)
    code, text = run(root, capsys, "check")
    assert code == 1, text
    assert "companion.toml" in text, text
    assert "language" in text, text


# -- cost ---------------------------------------------------------------------------------


def test_adjacent_urls_do_not_take_quadratic_time(tmp_path: Path) -> None:
    import subprocess

    body = "[a](http://x.example/" * 8000  # 168 kB, far below the size limit
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(body=body)})
    try:  # a hang guard, generous: the linear pass takes well under a second
        done = subprocess.run([sys.executable, "-m", "companion", "-C", str(root), "check"],
                              capture_output=True, timeout=60, check=False, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail("check took more than 60 s on a 168 kB article")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 episode: 1 in feeds" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_sidecar_linked_from_outside_the_project(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "secret.yml"
    outside.write_text("title: Secret\nlang: en\naudio: media/a.mp3\n", encoding="utf-8")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.txt": "Words of the article.\n"})
    os.symlink(outside, root / "episodes" / "2025-01-01-a.yml")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1, text
        assert_refused(text, "episodes/2025-01-01-a.yml", "symbolic link")


def test_a_folder_linked_from_outside_the_project(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2025-01-01-x.md").write_text(article(), encoding="utf-8")
    root = make(tmp_path / "p", {})
    os.symlink(outside, root / "episodes" / "linked")
    code, text = run(root, capsys, "check")
    assert code == 1, text
    assert_refused(text, "episodes/linked", "symbolic link")
    code, text = build(root, capsys)
    assert not (root / "out" / "episodes" / "x").exists()


def test_a_pipe_in_episodes_does_not_hang(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()})
    os.mkfifo(root / "episodes" / "2025-01-02-pipe.md")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, text = run(root, capsys, *args)
        assert code == 1, text
        assert_refused(text, "episodes/2025-01-02-pipe.md", "not a regular file")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {})
    with (root / "episodes" / "2025-01-01-a.md").open("wb") as handle:
        handle.write(article().encode())
        handle.truncate(8_000_000_000)  # sparse: 8 GB that take no disk
    code, text = run(root, capsys, "check")
    assert code == 1, text
    assert_refused(text, "episodes/2025-01-01-a.md", "too large")


@pytest.mark.parametrize(("rel", "needle"), [
    ("feeds/pipe.toml", "feeds/pipe.toml"),
    ("media/pipe.mp3", "audio"),
    ("episodes/images/pipe.png", "image"),
    ("feeds/artwork/pipe.png", "artwork"),
])
def test_pipes_named_as_inputs_do_not_hang(tmp_path: Path, rel: str, needle: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    front = {"media/pipe.mp3": "", "episodes/images/pipe.png": "image: episodes/images/pipe.png\n"}
    text = article(front.get(rel, ""))
    if rel == "media/pipe.mp3":
        text = text.replace("audio: media/a.mp3", "audio: media/pipe.mp3")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": text})
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / rel)
    if rel == "feeds/artwork/pipe.png":
        feed = root / "feeds" / "show.toml"
        feed.write_text(feed.read_text(encoding="utf-8").replace("show.png", "pipe.png"),
                        encoding="utf-8")
    for args in (("check",), ("build", "--out", str(root / "out"))):
        code, out = run(root, capsys, *args)
        assert code == 1, out
        assert_refused(out, needle)


def test_headings_in_an_article_keep_one_h1_per_page(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    body = ("# A heading\n\nLead words <h1>raw one</h1> and <h2>raw two</h2>.\n\n"
            "<h1>Block heading</h1>\n\n## Second\n\nMore words.\n")
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(body=body)})
    code, text = build(root, capsys)
    assert code == 0, text
    for page in (p for p in built_files(root) if p.suffix == ".html"):
        doc = lxml.html.document_fromstring(page.read_bytes())
        assert len(doc.xpath("//h1")) == 1, page
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (page, levels)


def test_markup_after_a_valid_video_or_spotify_id(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    video = json.dumps('https://www.youtube.com/watch?v=Qp7Rs3Tu9Vw&x="><script>alert(1)</script>')
    spotify = json.dumps('https://open.spotify.com/episode/7Hj6Gf5Ds4Aq3Wz2Xc1Vb0?si="><svg '
                         'onload=alert(2)>')
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md":
                                 article(f"video: {video}\nspotify: {spotify}\n")})
    code, text = build(root, capsys)
    assert code in (0, 1), text
    if code == 1:
        assert_refused(text, "episodes/2025-01-01-a.md")
        return
    assert_nothing_executable(root)
    for path in built_files(root):
        if path.suffix in (".html", ".xml"):
            assert "<script>alert" not in path.read_text(encoding="utf-8")
            assert "<svg" not in path.read_text(encoding="utf-8")
