"""Languages: validate a `lang:` tag, detect the language of a text, its direction.

Detection uses lingua restricted to the languages companion's producers write
in; Georgian and Armenian have scripts of their own, so they are recognised by
script before lingua is asked. The detector is built once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from companion._model import Direction
from companion._text import normalize_lang as normalize_lang

#: ISO 639-1 codes the detector chooses among.
DETECTABLE = ("ka", "hy", "az", "ar", "fa", "he", "ur", "tr", "ru", "uk", "en", "es", "fr",
              "de", "it", "pt", "nl", "pl", "zh", "ja")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "iw"})

_SCRIPTS = {"ka": ((0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F)),
            "hy": ((0x0530, 0x058F), (0xFB13, 0xFB17))}
_SAMPLE = 4000
_URL = re.compile(r"\(?(?:https?|mailto):\S+")


def primary(lang: str) -> str:
    """The primary language subtag: "pt-br" -> "pt"."""
    return lang.split("-", 1)[0].lower()


def direction(lang: str) -> Direction:
    """"rtl" for right-to-left languages (ar, fa, he, ur, ...), else "ltr"."""
    return "rtl" if primary(lang) in RTL_LANGUAGES else "ltr"


_SCRIPT_CHARS = {lang: re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges) + "]")
                 for lang, ranges in _SCRIPTS.items()}
_LETTERS = re.compile(r"[^\W\d_]")


def _script_language(letters: str) -> str | None:
    for lang, chars in _SCRIPT_CHARS.items():
        if len(chars.findall(letters)) * 2 > len(letters):
            return lang
    return None


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    wanted = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
              for code in DETECTABLE if code not in _SCRIPTS]
    return LanguageDetectorBuilder.from_languages(*wanted).build()


def _by_script(text: str) -> tuple[str, str | None, bool]:
    """(the sample lingua reads, the language its script tells, whether it is too short)."""
    sample = _URL.sub(" ", text)[:_SAMPLE]  # link targets are not the article's language
    letters = "".join(_LETTERS.findall(sample))
    if len(letters) < 3:
        return sample, None, True
    return sample, _script_language(letters), False


def _code(found: Any) -> str | None:
    return None if found is None else str(found.iso_code_639_1.name).lower()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language `text` is written in, or None if unsure."""
    sample, by_script, too_short = _by_script(text)
    if too_short or by_script:
        return by_script
    return _code(_detector().detect_language_of(sample))


def detect_languages(texts: list[str]) -> list[str | None]:
    """`detect_language` of each text, the detector running on every core at once (the
    matcher asks for thousands of video descriptions)."""
    found: list[str | None] = [None] * len(texts)
    pending: list[tuple[int, str]] = []
    for index, text in enumerate(texts):
        sample, by_script, too_short = _by_script(text)
        if by_script or too_short:
            found[index] = by_script
        else:
            pending.append((index, sample))
    if pending:
        answers = _detector().detect_languages_in_parallel_of([s for _i, s in pending])
        for (index, _sample), answer in zip(pending, answers, strict=True):
            found[index] = _code(answer)
    return found


# -- plain text: datelines and titles ------------------------------------------------------

_MONTHS: tuple[tuple[str, ...], ...] = (
    # en
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"),
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    # es, fr, de, it, pt
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"),
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "dezember"),
    ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
     "settembre", "ottobre", "novembre", "dicembre"),
    ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
     "outubro", "novembro", "dezembro"),
    # ar (two naming systems)
    ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
     "أكتوبر", "نوفمبر", "ديسمبر"),
    ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
     "تشرين الأول", "تشرين الثاني", "كانون الأول"),
    # ru (stems), ka, tr
    ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр",
     "ноябр", "декабр"),
    ("იანვარ", "თებერვალ", "მარტ", "აპრილ", "მაის", "ივნის", "ივლის", "აგვისტო", "სექტემბერ",
     "ოქტომბერ", "ნოემბერ", "დეკემბერ"),
    ("ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim",
     "kasım", "aralık"),
)
_STEMMED = (9, 10)  # Russian and Georgian month names take endings
_SENTENCE_END = re.compile(r"[.!?؟。…]+[\"”’»)]*(?=\s|$)")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col",
                            "lt", "sgt", "gov", "sen", "rep", "vs", "no", "etc", "e.g", "i.e",
                            "u.s", "u.k", "u.n", "jan", "feb", "mar", "apr", "jun", "jul",
                            "aug", "sep", "sept", "oct", "nov", "dec"})
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_DASHED = re.compile(r"^(.{4,80}?)\s+[—–-]{1,2}\s+(\S.*)$")
TITLE_MAX = 120


@dataclass(frozen=True)
class Dateline:
    """A news dateline ("TBILISI, 3 March 2025"): its text, its date when it has a year."""

    text: str
    date: date | None
    rest: str  # what follows the dateline on the same line ("" for a line of its own)

    @property
    def place(self) -> str:
        """The place it names ("BATUMI, 1 October 2025" -> "Batumi"; "باكو، 20 أكتوبر" ->
        "باكو"): capitals as a wire service writes them become a name's."""
        name = re.split(r"[,،]", self.text, maxsplit=1)[0].strip()
        return name.title() if name.isupper() else name


def _month(token: str) -> int | None:
    word = token.lower().rstrip(".")
    for index, names in enumerate(_MONTHS):
        for number, name in enumerate(names, start=1):
            stem_ok = index in _STEMMED and len(name) >= 3 and word.startswith(name)
            if word == name or stem_ok:
                return number
    return None


def _month_in(text: str) -> int | None:
    lowered = text.lower()
    for names in _MONTHS:  # two-word names first ("تشرين الأول")
        for number, name in enumerate(names, start=1):
            if " " in name and name in lowered:
                return number
    return next((m for token in re.findall(r"\w+", text) if (m := _month(token))), None)


def _date_of(text: str) -> tuple[bool, date | None]:
    """(looks like a day and month, the full date if a year is there too)."""
    month = _month_in(text)
    tokens = re.findall(r"\d+", text)
    days = [int(t) for t in tokens if len(t) <= 2 and 1 <= int(t) <= 31]
    years = [int(t) for t in tokens if len(t) == 4 and 1900 < int(t) < 2200]
    if month is None or not days:
        return False, None
    try:
        return True, date(years[0], month, days[0]) if years else None
    except ValueError:
        return True, None


def _is_place(text: str) -> bool:
    return 0 < len(text) <= 40 and len(text.split()) <= 4 and not re.search(r"\d", text)


def _dateline_of(text: str) -> Dateline | None:
    parts = re.split(r"[,،]", text, maxsplit=1)
    if len(parts) < 2 or not _is_place(parts[0].strip()):
        return None
    looks, when = _date_of(parts[1])
    return Dateline(text, when, "") if looks else None


#: What follows a wire service's dateline place: the agency in capitals ("Baku, AZERTAC").
_AGENCY = re.compile(r"^\s*[A-Z][A-Z.&-]{1,15}(?![\w])")


def dateline_place(body: str) -> str | None:
    """The place a news text opens with: a dated dateline's ("BATUMI, 1 October 2025") or
    a wire service's ("Baku, AZERTAC — ..."), in any article format."""
    found = find_dateline(body)
    if found is not None:
        return found.place
    line = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
    parts = re.split(r"[,،]", line, maxsplit=1)
    if len(parts) == 2 and _is_place(parts[0].strip()) and _AGENCY.match(parts[1]):
        return Dateline(line, None, "").place
    return None


def find_dateline(body: str) -> Dateline | None:
    """The dateline that opens a news text, alone on its line or before a dash."""
    line = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
    dashed = _DASHED.match(line)
    if dashed and (head := _dateline_of(dashed.group(1))):
        return Dateline(head.text, head.date, dashed.group(2))
    return _dateline_of(line) if len(line) <= 80 else None


def _first_sentence(paragraph: str) -> str:
    for match in _SENTENCE_END.finditer(paragraph):
        before = paragraph[:match.start()].rsplit(None, 1)[-1] if paragraph[:match.start()] \
            else ""
        word = before.lower().rstrip(".")
        if match.group(0).startswith(".") and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        return paragraph[:match.end()]
    return paragraph


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    """`text` cut to `limit` characters: at a clause boundary if one is near, else a word."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    if len(text) <= limit:
        return text
    head = text[:limit]
    clause = max(head.rfind(sep) for sep in (", ", "; ", " — ", " – ", "، ", ": "))
    if clause >= limit // 2:
        return head[:clause].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head[:limit - 1]).rstrip(" ,;:،") + "…"


def _heading(lines: list[str], index: int) -> str | None:
    line = lines[index].strip()
    if match := _HEADING.match(line):
        return match.group(1)
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if line and _UNDERLINE.match(following):
        return line
    return None


def _is_title_line(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
    ends_sentence = bool(re.search(r"[.!?؟。…:;,،]$", line))
    has_words = bool(re.search(r"[^\W\d_]{2}", line))
    stands_alone = not following or len(line) <= 60
    return has_words and len(line) <= TITLE_MAX and not ends_sentence and stands_alone


@dataclass(frozen=True)
class TitleGuess:
    """An inferred title, how it was found, and the body without its title line(s)."""

    title: str
    how: str
    body: str


def _without(lines: list[str], start: int, count: int) -> str:
    return "\n".join(lines[:start] + lines[start + count:]).strip("\n")


def infer_title(body: str, fmt: str) -> TitleGuess | None:
    """The title of a body without one; None if there is no way to tell.

    Markdown: the first heading. Text: a heading or underlined line, else a short
    first line, else the first sentence of the first paragraph; a dateline is skipped.
    A title taken from a line of its own is removed from the body.
    """
    lines = body.split("\n")
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        return None
    heading = _heading(lines, start)
    if heading and re.search(r"\w", heading):
        return TitleGuess(heading, "from the first heading",
                          _without(lines, start, 1 if heading != lines[start].strip() else 2))
    if fmt == "markdown":
        return None
    dateline = find_dateline(body)
    if dateline is not None and dateline.rest:  # "BATUMI, Oct 1 — The port ..."
        found = _title_from_text([dateline.rest, *lines[start + 1:]], 0, skipped=True)
        return TitleGuess(found[0], found[1], body) if found else None
    if dateline is not None:
        start = next((i for i in range(start + 1, len(lines)) if lines[i].strip()), None)
        if start is None:
            return None
    found = _title_from_text(lines, start, skipped=dateline is not None)
    if found is None:
        return None
    title, how, used = found
    return TitleGuess(title, how, _without(lines, start, used))


def _title_from_text(lines: list[str], start: int,
                     skipped: bool) -> tuple[str, str, int] | None:
    """(title, how, how many lines it used up) from the text starting at `start`."""
    after = " after the dateline" if skipped else ""
    heading = _heading(lines, start)
    if heading:
        used = 1 if _HEADING.match(lines[start].strip()) else 2
        return heading, f"from the first heading{after}", used
    if _is_title_line(lines, start):
        return lines[start].strip(), f"from the first line{after}", 1
    paragraph: list[str] = []
    for line in lines[start:]:
        if not line.strip():
            break
        paragraph.append(line.strip())
    title = shorten(_first_sentence(" ".join(paragraph)))
    if not re.search(r"[^\W\d_]", title):
        return None
    return title, f"from the first sentence{after}", 0
