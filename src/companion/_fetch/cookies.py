"""The `[fetch] cookies` file, checked before yt-dlp reads it.

yt-dlp prints a cookies-file line it cannot read, value and all, straight to stderr
(yt_dlp/cookies.py, ``YoutubeDLCookieJar.load``: "skipping cookie file entry due to ...").
So companion reads the file first with the same rules (`bad_lines`) and refuses one
with such lines, naming only their numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

from companion._errors import FetchError
from companion._site_model import FetchSettings

HTTPONLY = "#HttpOnly_"
EXPORT_FIX = ("export the cookies of a signed-in YouTube session again (a browser extension "
              "that writes cookies.txt), or remove those lines")


def cookies_path(settings: FetchSettings, root: Path | None) -> Path | None:
    """The cookies file `[fetch] cookies` names (relative: in the project), or None."""
    if not settings.cookies:
        return None
    path = Path(settings.cookies).expanduser()
    return path if path.is_absolute() or root is None else root / path


def bad_lines(text: str) -> list[int]:
    """The numbers of the lines yt-dlp would skip (and print): not a comment, not empty,
    not 7 tab-separated fields, or an expiry that is not a number."""
    bad = []
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.removeprefix(HTTPONLY)
        if entry.startswith("#") or not entry.strip():
            continue
        fields = entry.split("\t")
        if len(fields) != 7 or (fields[4] and not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?",
                                                               fields[4])):
            bad.append(number)
    return bad


def check_cookies(settings: FetchSettings, root: Path | None) -> None:
    """Raise `FetchError` when the cookies file cannot be read or has lines yt-dlp would
    print; the error names the file and the line numbers, never their text."""
    path = cookies_path(settings, root)
    if path is None:
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FetchError(f"the cookies file cannot be read ({exc.strerror or exc})",
                         where=settings.cookies, fix="correct [fetch] cookies (or --cookies)"
                         ) from None
    bad = bad_lines(text)
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (", ..." if len(bad) > 10 else "")
        what = (f"line {shown} of the cookies file is not a Netscape cookie line"
                if len(bad) == 1 else
                f"lines {shown} of the cookies file are not Netscape cookie lines")
        raise FetchError(what, where=settings.cookies, fix=EXPORT_FIX)
