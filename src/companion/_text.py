"""Text helpers every stage shares: characters XML forbids, language tags, "did you mean",
numbers read from text, credentials in URLs.

One regular expression for the characters XML 1.0 (and so HTML and RSS) forbid,
used wherever untrusted text enters the model or leaves as a page; one for BCP 47
language tags; one way to suggest the nearest known name for a misspelt key; one
reading of a number a user or a remote wrote (ASCII digits, a sane range, finite); and
the test for a URL's ``user:password@`` (the redaction of every secret is `_redact`).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable

from companion import _redact

#: Characters XML 1.0 forbids (C0 controls but tab and newlines, DEL, U+FFFE/U+FFFF,
#: lone surrogates): dropped as text is read, so feeds stay well-formed and pages valid.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without the characters XML 1.0 and HTML forbid."""
    return NOT_XML.sub("", text)


#: A well-formed BCP 47 language tag: language (+ extlang), script, region, variants.
LANGUAGE_TAG = re.compile(
    r"[a-z]{2,3}(?:-[a-z]{3}){0,3}"  # language (+ extlang); 4-8 letter ones are unused
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*",  # variants
    re.IGNORECASE,
)


def is_language(tag: str) -> bool:
    """A well-formed BCP 47 tag ("en", "pt-BR", "zh-Hant-TW", "es-419")."""
    return bool(LANGUAGE_TAG.fullmatch(tag))


def normalize_lang(tag: str) -> str:
    """A well-formed BCP 47 tag, lower case ("pt-BR" -> "pt-br"); ValueError otherwise."""
    text = tag.strip().replace("_", "-")
    if not is_language(text):
        raise ValueError(f"{tag!r} is not a BCP 47 language tag")
    return text.lower()


def nearest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name` (a typo's likely meaning), or None."""
    choices = sorted(known)
    folded = {c.casefold().replace("-", "_"): c for c in choices}
    key = name.casefold().replace("-", "_")
    if key in folded:
        return folded[key]
    found = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.72)
    return folded[found[0]] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' did you mean `x`?' for the nearest known name, or ''."""
    hint = nearest(name, known)
    return f"did you mean `{hint}`?" if hint else ""


def whole_number(value: object, low: int, high: int) -> int | None:
    """`value` as a whole number from `low` to `high`: an int, or text of ASCII digits;
    None for anything else ("²", "٣", "1e3", a bool, a float, a number out of range or
    longer than `high`, which never reaches int()'s 4,300-digit limit)."""
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
            return None
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def finite_number(value: object, low: float, high: float) -> float | None:
    """`value` (an int or a float, never text or a bool) from `low` to `high`, finite; None
    for NaN, the infinities, a number out of range or too large for a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def has_userinfo(url: str) -> bool:
    """Whether `url` carries a user name or password (``user:password@host``), read the
    way any parser reads it, or holds an "@" at all (a password with a "/" in it moves the
    rest into the path: still a secret)."""
    return "@" in url


#: The one redaction lives in `companion._redact`; the name stays here for older imports.
redact = _redact.redact


_ILLEGAL_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (controls, lone surrogates, FFFE)."""
    return _ILLEGAL_XML.sub("", text)
