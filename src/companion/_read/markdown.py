"""Article bodies to safe HTML and to plain text.

`render_markdown` is CommonMark (markdown-it-py, with tables, strikethrough and
bare-URL linking); `render_text` turns a plain-text article into escaped
paragraphs with its bare URLs linked (`linkify_text` does it for one line of plain
text, such as a summary). Every link's URL, and the text of an autolink or a bare
URL, goes through `_read.links.clean_url`: no tracking parameter reaches a page.
Whatever comes out goes through `sanitize_html` (nh3, an allow-list): no script,
style, iframe or object, no `on*` attributes, only http, https and mailto URLs, and
`rel="noopener noreferrer"` on every link. The parser and the cleaner are built once per
process: a 10,000-page build must not rebuild them per page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from companion._read.links import FastLinkify, clean_url, linear_linkify


class _CleanLinks(MarkdownIt):
    """markdown-it whose link destinations, and the text of autolinks and bare URLs, are
    cleaned of tracking parameters."""

    def normalizeLink(self, url: str) -> str:  # markdown-it's hook, so its name
        return clean_url(str(super().normalizeLink(url)))

    def normalizeLinkText(self, link: str) -> str:  # only called on a URL shown as text
        return clean_url(str(super().normalizeLinkText(link)))


_MD = linear_linkify(_CleanLinks("commonmark", {"linkify": True, "html": True}).enable(
    ["table", "strikethrough", "linkify"]
))
_LINKIFY = FastLinkify()
#: The same parser with only the block rules: structure and reference definitions.
_BLOCKS = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(
    ["table", "strikethrough", "linkify"]
).disable(["inline", "linkify", "replacements", "smartquotes", "text_join"])
#: What `_MD` runs after its block rules, paragraph by paragraph (inline, linkify, ...).
_INLINE_RULES = [rule.fn for rule in _MD.core.ruler.__rules__
                 if rule.enabled and rule.name not in ("normalize", "block")]
_LEAD_BATCH = 4
_LEAD_PREFIX = 3000  # characters of a body whose blocks are parsed first for its lead
#: A blank line as CommonMark has it (spaces and tabs only): a paragraph ends there.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: A line that may define a link reference (a superset of those that do).
_DEFINITION = re.compile(r"^ {0,3}\[", re.MULTILINE)

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "abbr": {"title"},
    "*": {"lang", "dir"},
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_BLOCK_BREAK = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def sanitize_html(fragment: str) -> str:
    """The fragment with everything outside the allow-list removed."""
    return str(_CLEANER.clean(fragment))


def render_markdown(text: str) -> str:
    """CommonMark to sanitized HTML."""
    return sanitize_html(_MD.render(text))


def render_text(text: str) -> str:
    """A plain-text article to sanitized HTML: one `<p>` per block, bare URLs linked."""
    paragraphs = [block.strip() for block in _BLOCK_BREAK.split(text.strip())]
    parts = ["<p>" + "<br>\n".join(linkify_text(line) for line in block.splitlines())
             + "</p>" for block in paragraphs if block]
    return sanitize_html("\n".join(parts))


def render_body(text: str, fmt: str) -> str:
    """An article body in its format ("markdown" or "text") to sanitized HTML."""
    return render_text(text) if fmt == "text" else render_markdown(text)


def linkify_text(line: str) -> str:
    """Plain text as escaped HTML with its URLs linked (cleaned; ``&`` escaped in both the
    link and its text). Not sanitized: the caller sanitizes the document it builds."""
    matches = _LINKIFY.match(line) or []
    out: list[str] = []
    pos = 0
    for match in matches:
        out.append(html.escape(line[pos:match.index]))
        url = clean_url(match.url)
        text = clean_url(match.text) if match.text == match.raw else match.text
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>')
        pos = match.last_index
    out.append(html.escape(line[pos:]))
    return "".join(out)


def plain_text(markdown: str) -> str:
    """The text of a Markdown document: one line per block, blocks separated by a blank line."""
    return "\n\n".join(plain_blocks(markdown))


def plain_blocks(markdown: str, *, paragraphs_only: bool = False) -> list[str]:
    """The text of each paragraph (and heading, list item...) of a Markdown document."""
    blocks: list[str] = []
    tokens = _MD.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        opener = tokens[index - 1].type if index else ""
        if paragraphs_only and (opener != "paragraph_open" or token.level > 1):
            continue
        text = _inline_text(token.children or [])
        if text:
            blocks.append(text)
    return blocks


def lead_blocks(markdown: str) -> Iterator[str]:
    """The top-level paragraphs of a Markdown document, in order, as `plain_blocks` gives
    them with ``paragraphs_only``, parsing only as much of the document as is consumed.

    The blocks of a prefix that ends at a blank line are those of the whole document
    (block structure is decided line by line, and a blank line ends a paragraph), except
    for link references defined further on: when a line further on may define one, the
    block structure of the whole document is parsed instead (it is cheap; the inline
    rules are not). The inline rules (emphasis, links, linkify: most of the cost) run
    paragraph by paragraph, exactly as a whole parse runs them.
    """
    env: dict[str, Any] = {}
    end = len(markdown)
    if end > _LEAD_PREFIX:
        blank = _BLANK_LINE.search(markdown, _LEAD_PREFIX)
        if blank is not None and not _DEFINITION.search(markdown, blank.start()):
            end = blank.start() + 1
    tokens = _BLOCKS.parse(markdown[:end], env)
    given = 0
    while True:
        paragraphs = [token for index, token in enumerate(tokens)
                      if token.type == "inline" and token.level <= 1 and index
                      and tokens[index - 1].type == "paragraph_open"]
        for start in range(given, len(paragraphs), _LEAD_BATCH):
            batch = paragraphs[start:start + _LEAD_BATCH]
            state = StateCore("", _MD, env, batch)
            for rule in _INLINE_RULES:
                rule(state)
            for token in batch:
                text = _inline_text(token.children or [])
                if text:
                    yield text
        if end == len(markdown):
            return
        given, end, env = len(paragraphs), len(markdown), {}
        tokens = _BLOCKS.parse(markdown, env)  # the lead wants more than the prefix has


def _inline_text(children: Iterable[Token]) -> str:
    words: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
    return _SPACES.sub(" ", "".join(words)).strip()


def text_blocks(text: str) -> list[str]:
    """The paragraphs of a plain-text article, each on one line."""
    blocks = (_SPACES.sub(" ", " ".join(b.split())) for b in _BLOCK_BREAK.split(text))
    return [block for block in blocks if block]
