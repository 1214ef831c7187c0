"""Text as the matcher compares it: one normal form across the newsroom's scripts, tokens
(light stems), and sparse TF-IDF vectors.

The normal form folds case and compatibility forms (NFKC), strips accents and Arabic
diacritics (NFKD, combining marks out), removes tatweel and the zero-width non-joiner,
unifies alef and hamza seats, ta marbuta, alef maqsura, Persian and Arabic yeh and kaf,
and writes every digit as an ASCII one: "Ṭbilisi", "tbilisi" and "TBILISI" are one word,
and so are "مؤتمر" and "موتمر", "می‌خواهد" and "میخواهد"."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

_FOLD = str.maketrans({
    # tatweel, zero-width (non-)joiner, direction marks
    "\u0640": None, "\u200c": None, "\u200d": None, "\u200f": None, "\u200e": None,
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alef forms
    "\u0624": "\u0648", "\u0626": "\u064a", "\u0621": None,  # hamza seats
    "\u0629": "\u0647", "\u0649": "\u064a",  # ta marbuta, alef maqsura
    "\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c0": "\u0647",  # Persian yeh, kaf, heh
    "\u0451": "\u0435",  # Cyrillic yo
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
})
_WORD = re.compile(r"\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
#: Arabic proclitics ("al-", "wa-al-", "bi-al-", "li-l-") that a stem leaves out.
_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)(?=\w{3})")
STEM = 6  # letters of a word that its stem keeps: a light stem for inflected languages


#: Combining marks: Latin and Cyrillic accents (after NFKD), Arabic tashkeel and Quranic
#: marks, and the other combining blocks.
_MARKS = re.compile("[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670"
                    "\u06d6-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str) -> str:
    """`text` in the matcher's normal form (see the module's docstring)."""
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_FOLD)
    folded = unicodedata.normalize("NFKC", _MARKS.sub("", folded))
    return " ".join(_WORD.findall(folded.replace("_", " ")))


_STEMS: dict[str, str] = {}  # word -> stem: a newsroom's vocabulary is small


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        stem = word if word.isdigit() else _ARTICLE.sub("", word)[:STEM]
        if len(_STEMS) < 500_000:
            _STEMS[word] = stem
    return stem


#: A number written with separators ("330,000", "5.2", "۵٫۲", "1,6"), not a time ("12:30").
_NUMBER = re.compile(r"(?<![\d:])\d+(?:[.,\u066b\u066c]\d+)+(?![\d:])")
_NOT_DIGIT = re.compile(r"\D")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _joined(match: re.Match[str]) -> str:
    return _NOT_DIGIT.sub("", match.group(0))


def words(text: str) -> list[str]:
    """The stems of the words of `text` (URLs left out; one-letter words too); a number
    is one word whatever its separators ("330,000" and "330.000" are "330000")."""
    clean = normalize(_NUMBER.sub(_joined, _URL.sub(" ", text)))
    return [_stem(w) for w in clean.split() if len(w) > 1 or w.isdigit()]


def numbers(terms: Iterable[str]) -> frozenset[str]:
    """The numbers among `terms` (from `words`) that tell a story apart: two to seven
    digits (longer ones are dates written "01.10.2025", phone numbers), not a year."""
    return frozenset(t for t in terms
                     if t.isdigit() and 2 <= len(t) <= 7 and not _YEAR.fullmatch(t))


def char_grams(text: str, n: int = 4) -> list[str]:
    """Character n-grams of each word (padded), for the character TF-IDF option."""
    grams: list[str] = []
    for word in normalize(_URL.sub(" ", text)).split():
        padded = f" {word} "
        if len(padded) <= n:
            grams.append(padded)
        else:
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


Vector = dict[str, float]


def counts(tokens: Iterable[str]) -> Counter[str]:
    return Counter(tokens)


def tfidf(counted: Counter[str], idf: dict[str, float], default: float) -> Vector:
    """A unit-length TF-IDF vector: sublinear term frequency times the inverse document
    frequency (`default` for a term no document of the block has)."""
    vector = {t: (1.0 + math.log(c)) * idf.get(t, default) for t, c in counted.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def bm25(counted: Counter[str], idf: dict[str, float], default: float, length: float,
         k1: float = 1.2, b: float = 0.75) -> Vector:
    """A unit-length vector of BM25 term weights (`length`: the document's length over the
    average), so that BM25 ranks and scores stay comparable with the cosine."""
    norm_tf = k1 * (1.0 - b + b * length)
    vector = {t: idf.get(t, default) * c * (k1 + 1.0) / (c + norm_tf) for t, c in counted.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def idf_of(documents: Iterable[Iterable[str]]) -> tuple[dict[str, float], float]:
    """(idf per term, the idf of a term no document has) over `documents` (term sets)."""
    df: Counter[str] = Counter()
    total = 0
    for terms in documents:
        df.update(set(terms))
        total += 1
    return ({t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in df.items()},
            math.log(1 + total) + 1.0)
