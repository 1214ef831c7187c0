"""Article bodies to HTML: CommonMark, plain text, and the sanitizer's allow-list."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from companion._read.markdown import (
    lead_blocks,
    plain_blocks,
    plain_text,
    render_body,
    render_markdown,
    render_text,
    sanitize_html,
)

HOSTILE_MARKDOWN = """# Title

Hello <script>alert(1)</script> world <img src="x.png" onerror="alert(2)">

[click](javascript:alert(3)) and [data](data:text/html;base64,PHNjcmlwdD4=)
and <a href="JaVaScRiPt:alert(4)" onclick="alert(5)">upper</a>

<iframe src="https://evil.example/"></iframe><object data="x"></object>
<style>body{display:none}</style><svg onload="alert(6)"><circle/></svg>
<p style="color:red" onmouseover="alert(7)">styled</p>
<form action="https://evil.example/"><input name="x"></form>
![img](javascript:alert(8))

| a | b |
|---|---|
| <b onclick="x()">1</b> | 2 |
"""


def assert_inert(fragment: str) -> None:
    """No script elements, no event handler attributes, no javascript: URLs."""
    root = lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    assert root.xpath("//script|//style|//iframe|//object|//embed|//svg|//form") == []
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (name, value)
            assert name.lower() != "style"
            if name.lower() in ("href", "src", "action", "formaction", "data"):
                assert value.strip().lower().split(":")[0] in ("http", "https", "mailto") \
                    or ":" not in value, value


def test_commonmark_renders_basics() -> None:
    out = render_markdown("# Head\n\nSome *em* and **strong** ~~gone~~.\n\n- a\n- b\n")
    assert "<h1>Head</h1>" in out
    assert "<em>em</em>" in out
    assert "<strong>strong</strong>" in out
    assert "<del>gone</del>" in out or "<s>gone</s>" in out
    assert "<li>a</li>" in out


def test_tables_and_bare_urls_are_linked_with_rel() -> None:
    out = render_markdown("see https://example.org/a?b=1 now\n\n| x | y |\n|---|---|\n| 1 | 2 |")
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    links = root.xpath("//a")
    assert [a.get("href") for a in links] == ["https://example.org/a?b=1"]
    assert set(links[0].get("rel").split()) == {"noopener", "noreferrer"}
    assert root.xpath("//table//td")


def test_hostile_markdown_is_inert() -> None:
    out = render_markdown(HOSTILE_MARKDOWN)
    assert_inert(out)
    assert "<script" not in out
    assert "alert(1)" not in out
    assert "styled" in out
    assert "upper" in out


@pytest.mark.parametrize("fragment", [
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src=x onerror=alert(1)>',
    "<scr<script>ipt>alert(1)</script>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<div><iframe srcdoc="<script>alert(1)</script>"></iframe></div>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
])
def test_sanitizer_removes_executable_markup(fragment: str) -> None:
    assert_inert(sanitize_html(fragment))


def test_plain_text_article_becomes_escaped_paragraphs_with_links() -> None:
    text = "TBILISI — Dock <workers> struck.\nSee https://example.org/strike.\n\nSecond para."
    out = render_text(text)
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    assert len(root.xpath("//p")) == 2
    assert "&lt;workers&gt;" in out
    assert root.xpath("//a/@href") == ["https://example.org/strike"]
    assert render_body(text, "text") == out
    assert render_body("*x*", "markdown") == render_markdown("*x*")


def test_plain_text_article_with_javascript_is_not_linked() -> None:
    out = render_text('javascript:alert(1) <script>alert(2)</script> onerror="x"')
    assert_inert(out)
    assert "<script" not in out


def test_plain_text_of_markdown() -> None:
    md = "# Title\n\nFirst *para* with [a link](https://x.org).\n\n![pic](p.png)\n\nSecond."
    assert plain_text(md) == "Title\n\nFirst para with a link.\n\nSecond."
    assert plain_blocks(md, paragraphs_only=True) == ["First para with a link.", "Second."]


@pytest.mark.parametrize("md", [
    "# Title\n\nFirst *para* with [a link](https://x.org).\n\n![pic](p.png)\n\nSecond.",
    "Lead with [a reference][ref] and [a shortcut].\n\n" + "Filler. " * 600
    + "\n\n[ref]: https://r.example.org\n[a shortcut]: https://s.example.org",
    "[undefined][nowhere] stays bracketed.\n\n```\n\n[nowhere]: https://not.a.definition\n```",
    "> quoted\n\n- item\n\n  continued\n\nTop. See example.com, `code`, \\*escaped\\*.\n\n"
    + "\n\n".join(f"Paragraph {i}. With http://x.org/{i} and www.y.org." for i in range(30)),
    "\n\n".join(f"Paragraph {i} with [a link](http://x.org/{i}), *no* end" for i in range(300))
    + "\n\n```\nopen fence\n\nnot a paragraph\n```\n\n- item\n\n  more\n\nLast.",
])
def test_lead_blocks_are_the_paragraphs_of_a_whole_parse(md: str) -> None:
    assert list(lead_blocks(md)) == plain_blocks(md, paragraphs_only=True)


@pytest.mark.parametrize("render", [render_markdown, render_text])
def test_every_rendered_link_is_clean_and_its_ampersands_escaped(render: Any) -> None:
    body = ("See <https://example.org/x?fbclid=Iw&a=1&b=2> and https://e.org/?utm_source=n&q=1"
            " and [text](https://f.org/p?gclid=3&keep=yes).")
    out = render(body)
    assert "fbclid" not in out
    assert "utm_" not in out
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    hrefs = root.xpath("//a/@href")
    assert "https://example.org/x?a=1&b=2" in hrefs  # the autolink is a link, not text
    assert "https://e.org/?q=1" in hrefs
    assert "&b=2" not in out  # every & of an href or a shown URL is escaped
    assert root.xpath("//a[@href='https://example.org/x?a=1&b=2']/text()") == [
        "https://example.org/x?a=1&b=2"]


def test_urls_in_code_stay_text_and_raw_links_are_not_linked_again() -> None:
    out = render_markdown("`https://a.example/?utm_source=x` and <a href=\"https://b.example/\">"
                          "https://b.example/</a>\n\n    https://c.example/\n\nbut www.d.org "
                          "is, and ![alt www.e.example](https://f.example/p.png?gclid=1).")
    root = lxml.html.fragment_fromstring(out, create_parent="div")
    assert root.xpath("//a/@href") == ["https://b.example/", "http://www.d.org"]
    assert root.xpath("//code/text()")[0] == "https://a.example/?utm_source=x"
    assert root.xpath("//img/@src") == ["https://f.example/p.png"]
