"""Article bodies to safe HTML and to plain text.

`render_markdown` is CommonMark with tables and strikethrough (pulldown-cmark, compiled,
through `pyromark`), with bare URLs linked by linkify-it (`_read.links.FastLinkify`, the
same rule as plain text); `render_text` turns a plain-text article into escaped
paragraphs with its bare URLs linked (`linkify_text` does it for one line of plain text,
such as a summary). Every link's URL, and every URL shown as a link's text, goes through
`_read.links.clean_url`: no tracking parameter reaches a page. Whatever comes out goes
through `sanitize_html` (nh3, an allow-list): no script, style, iframe or object, no
`on*` attributes, only http, https and mailto URLs, and `rel="noopener noreferrer"` on
every link. The parser and the cleaner are built once per process: a 10,000-page build
must not rebuild them per page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import nh3

from companion._read.links import (
    MARKDOWN,
    FastLinkify,
    clean_url,
    markdown_events,
    tag_name,
)

_LINKIFY = FastLinkify()
#: The blocks whose text is a block of `plain_blocks` (a tight list item has no paragraph).
_TEXT_BLOCKS = frozenset({"Paragraph", "Heading", "TableCell", "Item"})

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


def _clean_link(element: str, attribute: str, value: str) -> str:
    """nh3's attribute filter for article bodies: every link and image URL cleaned."""
    return clean_url(value) if attribute in ("href", "src") else value


def _cleaner(attribute_filter: Callable[[str, str, str], str] | None = None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template",
                            "noscript"},
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


_CLEANER = _cleaner()
#: The same allow-list for an article body, whose link and image URLs are also cleaned.
_BODY_CLEANER = _cleaner(_clean_link)

_BLOCK_BREAK = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"[ \t\r\f\v]+")
#: An HTML tag or comment (pulldown-cmark escapes every < of text, so a < opens one).
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
#: Elements whose text is never linked: a link already, code, or not text at all.
_NO_LINKIFY = frozenset({"a", "code", "pre", "script", "style", "textarea", "title"})
_SHOWN_URL = re.compile(r"(?:https?|ftp)://\S+\Z", re.IGNORECASE)


def sanitize_html(fragment: str) -> str:
    """The fragment with everything outside the allow-list removed."""
    return str(_CLEANER.clean(fragment))


def render_markdown(text: str) -> str:
    """CommonMark to sanitized HTML: bare URLs linked, every URL cleaned."""
    return str(_BODY_CLEANER.clean(_linkify_html(MARKDOWN.html(text))))


def _linkify_html(document: str) -> str:
    """pulldown-cmark's HTML with the URLs in its text linked (not inside a link, code or
    raw script), and the text of a link that shows a URL cleaned, as its href will be."""
    out: list[str] = []
    inside: list[str] = []  # open elements that forbid linking, innermost last
    for index, piece in enumerate(_TAG.split(document)):
        if index % 2:  # a tag
            out.append(piece)
            name = _TAG_NAME.match(piece)
            if name is None:
                continue
            tag = name.group(1).lower()
            if tag in _NO_LINKIFY and not piece.endswith("/>"):
                if piece[1] == "/":
                    if tag in inside:
                        del inside[len(inside) - 1 - inside[::-1].index(tag):]
                else:
                    inside.append(tag)
        elif not piece:
            continue
        elif not inside:
            out.append(linkify_text(html.unescape(piece)))
        elif inside[-1] == "a" and _SHOWN_URL.match(shown := html.unescape(piece)):
            out.append(html.escape(clean_url(shown)))
        else:
            out.append(piece)
    return "".join(out)


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
    """The text of each paragraph (and heading, list item, table cell) of a Markdown
    document; with ``paragraphs_only``, of its top-level paragraphs alone."""
    return list(_blocks(markdown, paragraphs_only))


def lead_blocks(markdown: str) -> Iterator[str]:
    """The top-level paragraphs of a Markdown document, in order, as `plain_blocks` gives
    them with ``paragraphs_only``. Lazy: the inline parsing of the rest of the document
    is done only as far as the blocks are consumed (pulldown-cmark is a pull parser)."""
    return _blocks(markdown, True)


def _blocks(markdown: str, paragraphs_only: bool) -> Iterator[str]:
    """Each text block's words (text and code; a line break is a space; no image's alt
    text, no raw HTML), spaces collapsed."""
    open_blocks: list[str] = []
    words: list[str] = []
    image = 0
    for kind, value in markdown_events(markdown):
        if kind in ("Text", "Code"):
            if not image and open_blocks and open_blocks[-1] in _TEXT_BLOCKS:
                words.append(value)
        elif kind in ("SoftBreak", "HardBreak"):
            words.append(" ")
        elif kind == "Start" or kind == "End":
            name = tag_name(value)
            if name == "Image":
                image += 1 if kind == "Start" else -1
            elif name not in _INLINE:
                yield from _flush(words, open_blocks, paragraphs_only)
                if kind == "Start":
                    open_blocks.append(name)
                elif open_blocks:
                    open_blocks.pop()


#: Inline elements: their start and end do not end a block of text.
_INLINE = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Superscript",
                     "Subscript"})


def _flush(words: list[str], open_blocks: list[str], paragraphs_only: bool) -> Iterator[str]:
    """The block of text gathered so far (if any, and if wanted); `words` emptied."""
    if not words:
        return
    text = _SPACES.sub(" ", "".join(words)).strip()
    words.clear()
    innermost = open_blocks[-1] if open_blocks else ""
    if text and innermost in _TEXT_BLOCKS and (
            not paragraphs_only or (innermost == "Paragraph" and len(open_blocks) == 1)):
        yield text


def text_blocks(text: str) -> list[str]:
    """The paragraphs of a plain-text article, each on one line."""
    blocks = (_SPACES.sub(" ", " ".join(b.split())) for b in _BLOCK_BREAK.split(text))
    return [block for block in blocks if block]
