"""Slugs: stable, URL-safe names (a-z, 0-9, hyphens) made from file names.

Georgian and Arabic are transliterated with tables of their own (unidecode's
Georgian output carries apostrophes and backticks that would split words);
everything else goes through python-slugify/unidecode.
"""

from __future__ import annotations

import re

from slugify import slugify

_GEORGIAN = dict(zip(
    "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ",
    ["a", "b", "g", "d", "e", "v", "z", "t", "i", "k", "l", "m", "n", "o", "p", "zh", "r", "s",
     "t", "u", "p", "k", "gh", "q", "sh", "ch", "ts", "dz", "ts", "ch", "kh", "j", "h"],
    strict=True,
))
_ARABIC = dict(zip(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآءئؤپچژگک",
    ["a", "b", "t", "th", "j", "h", "kh", "d", "dh", "r", "z", "s", "sh", "s", "d", "t", "z",
     "", "gh", "f", "q", "k", "l", "m", "n", "h", "w", "y", "a", "a", "a", "i", "a", "", "",
     "", "p", "ch", "zh", "g", "k"],
    strict=True,
))
_TABLE = str.maketrans({**_GEORGIAN, **_ARABIC})
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def make_slug(text: str) -> str:
    """A URL-safe slug of `text` ("" when nothing is left)."""
    return str(slugify(text.translate(_TABLE), lowercase=True, max_length=80,
                       word_boundary=True, regex_pattern=r"[^a-z0-9]+"))


def split_jekyll_name(stem: str) -> tuple[tuple[int, int, int] | None, str]:
    """("2025-09-02-title") -> ((2025, 9, 2), "title"); no date prefix -> (None, stem)."""
    match = _JEKYLL_DATE.match(stem)
    if not match:
        return None, stem
    year, month, day, rest = match.groups()
    return (int(year), int(month), int(day)), rest
