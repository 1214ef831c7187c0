"""The page left at an old address: an HTML fallback for hosts that do not redirect.

An object store's website endpoint (S3's `x-amz-website-redirect-location`) or a web server
configured as the README says answers an old page address with a 301; a host that does
neither serves this page, which sends browsers on at once (``<meta http-equiv=refresh>``)
and tells search engines where the page lives now (``<link rel=canonical>``), with a plain
link for everyone else. It carries no interface words: the link is the page's own title.
"""

from __future__ import annotations

import html

from companion._text import xml_text


def redirect_page(location: str, title: str, lang: str) -> bytes:
    """The fallback page of an old address that now lives at `location`."""
    url = html.escape(xml_text(location), quote=True)
    name = html.escape(xml_text(title) or location, quote=False)
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang, quote=True)}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{name}</title>\n'
        f'<link rel="canonical" href="{url}">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        '<meta name="robots" content="noindex">\n</head>\n'
        f'<body>\n<p dir="auto"><a href="{url}">{name}</a></p>\n</body>\n</html>\n'
    ).encode()
