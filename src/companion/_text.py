"""Text helpers every stage shares: characters XML forbids, language tags, "did you mean".

One regular expression for the characters XML 1.0 (and so HTML and RSS) forbid,
used wherever untrusted text enters the model or leaves as a page; one for BCP 47
language tags; and one way to suggest the nearest known name for a misspelt key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

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
