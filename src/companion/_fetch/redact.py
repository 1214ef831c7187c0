"""The secrets fetch handles (cookies, PO tokens, a proxy's password, Spotify's secret and
access token), kept out of everything fetch and doctor report.

`Secrets.of(settings, root)` collects the values of `[fetch]` (and the cookies file's) and
registers each with the project's one redaction (`companion._redact`), so that every line
printed, every JSON document, crash log and cache record hides them too, not only fetch's
report; `Secrets.redact(text)` is that redaction. A value shorter than `MIN_SECRET`
characters is never searched for (it would blank out common words).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from companion._redact import redact as redact_all
from companion._redact import register_secret
from companion._site_model import FetchSettings

MASK = "***"
MIN_SECRET = 6
SECRET_VARIABLES = ("SPOTIFY_CLIENT_SECRET",)
#: yt-dlp's po_token form, CLIENT.CONTEXT+TOKEN (extractor/youtube/_video.py
#: _get_config_po_token): the token after the "+" is hidden wherever it appears.
_PO_TOKEN = re.compile(r"\b([a-z][a-z0-9_]*(?:\.[a-z]+)?)\+[A-Za-z0-9_\-=%/+]{6,}")
#: An HTTP credential as a header carries it (an answer may echo the request's).
_SCHEME = re.compile(r"\b(Basic|Bearer)(\s+)[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE)


class Secrets:
    """A growing set of secret values; thread-safe."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        for value in values:
            self.add(value)

    @classmethod
    def of(cls, settings: FetchSettings, root: Path | None = None) -> Secrets:
        """The secrets in `settings`, the cookies file's values, and the environment's."""
        found = cls(os.environ.get(name, "") for name in SECRET_VARIABLES)
        found.add_proxy(settings.proxy)
        for args in settings.extractor_args.values():
            for name, values in args.items():
                if "token" in name.lower() or "cookie" in name.lower():
                    for value in values:
                        found.add(value)
                        found.add(value.partition("+")[2])
        if settings.cookies:
            path = Path(settings.cookies)
            found.add_cookies(path if path.is_absolute() or root is None else root / path)
        return found

    def add(self, value: str | None) -> None:
        if value and len(value.strip()) >= MIN_SECRET:
            with self._lock:
                self._values.add(value.strip())
            register_secret(value.strip())

    def add_proxy(self, proxy: str) -> None:
        try:
            parts = urlsplit(proxy)
            password = parts.password
        except ValueError:
            return
        if password:
            self.add(password)
            self.add(unquote(password))

    def add_cookies(self, path: Path) -> None:
        """Every cookie value of a Netscape cookies file (unreadable: nothing to add)."""
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        for line in text.splitlines():
            fields = line.split("\t")
            if len(fields) == 7 and (not line.startswith("#") or line.startswith("#HttpOnly_")):
                self.add(fields[6])

    def redact(self, text: str) -> str:
        """`text` with every secret hidden."""
        if not text:
            return text
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            for form in {value, quote(value, safe="")}:
                text = text.replace(form, MASK)
        text = _SCHEME.sub(rf"\1\2{MASK}", text)
        return redact_all(_PO_TOKEN.sub(rf"\1+{MASK}", text))
