"""Interface words through gettext, and dates, numbers and durations through Babel's CLDR.

The words of pages and show notes are gettext messages: `pybabel extract` (its
settings are in pyproject.toml) collects them from the templates (`_()`,
`{% trans %}`) and the code (`t(lang, "...")`, `tn(...)`) into
``locale/messages.pot``; each language has its catalog,
``locale/<lang>/LC_MESSAGES/messages.po``, kept in the repository.

A catalog is compiled when a build first needs it, in memory, by Babel (`read_po`,
`write_mo`), once per process: no compiled ``.mo`` file is kept in the repository
(where it would drift from its ``.po``) or made at install time (an editable install
or a plain checkout would miss it), and an edited ``.po`` shows in the next build.
Compiling one takes a few milliseconds.

A language without a catalog gets the English words (the messages themselves);
`has_catalog` says whether one exists, so `check` can name such articles and the
pages can mark the English words as English.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from companion import _paths

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
LOCALE_DIR = _paths.LOCALE_DIR
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language the messages are written in


class _Words:
    """The gettext calls a template or the code makes; what `translations` gives."""

    def __init__(self, compiled: bytes | None) -> None:
        from babel.support import NullTranslations, Translations

        self.catalog: NullTranslations = (
            Translations(io.BytesIO(compiled), domain=DOMAIN) if compiled is not None
            else NullTranslations())


def primary(lang: str) -> str:
    """The primary language subtag, lower case: "pt-BR" -> "pt"."""
    return lang.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=1)
def catalog_languages() -> frozenset[str]:
    """The languages with a catalog in ``locale/`` (lower case, "-" for "_")."""
    if not LOCALE_DIR.is_dir():
        return frozenset()
    return frozenset(path.parent.parent.name.replace("_", "-").lower()
                     for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def catalog_of(lang: str) -> str | None:
    """The catalog a language uses: its own, else its primary subtag's; None when neither."""
    wanted = lang.replace("_", "-").lower()
    known = catalog_languages()
    return next((code for code in (wanted, primary(wanted)) if code in known), None)


def has_catalog(lang: str) -> bool:
    return catalog_of(lang) is not None


def ui_language(lang: str) -> str:
    """The language a page's interface is in (its words, and the dates and numbers next to
    them): the page's when it has a catalog, else English."""
    return lang if has_catalog(lang) else SOURCE_LANGUAGE


@lru_cache(maxsize=32)
def translations(lang: str) -> _Words:
    """The compiled catalog for `lang` (see the module docstring); the messages as they are
    (English) for a language without one."""
    code = catalog_of(lang)
    if code is None:
        return _Words(None)
    return _Words(compile_catalog(_po_path(code), code))


def _po_path(code: str) -> Path:
    folder = next(p for p in LOCALE_DIR.iterdir()
                  if p.name.replace("_", "-").lower() == code)
    return folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(po: Path, code: str) -> bytes:
    """A ``.po`` file compiled to ``.mo`` bytes, in memory (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code.replace("-", "_"), domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def t(lang: str, message: str) -> str:
    """`message` (English) in `lang`; English when `lang` has no catalog or no translation."""
    return str(translations(lang).catalog.gettext(message))


def tn(lang: str, singular: str, plural: str, count: int) -> str:
    """The plural form for `count` (CLDR's rules, from the catalog), with ``%(num)s``
    replaced by the number as `lang` writes it."""
    text = str(translations(lang).catalog.ngettext(singular, plural, count))
    return text % {"num": format_number(count, lang)}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and an English noun in the form that agrees with it, through the plural forms of
    the interface's catalog: count(1, "episode") == "1 episode", never "1 episode(s)"."""
    return tn("en", f"%(num)s {singular}", f"%(num)s {plural or singular + 's'}", n)


def direction(lang: str) -> str:
    """"rtl" for right-to-left scripts, else "ltr"."""
    return "rtl" if primary(lang) in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=64)
def locale(lang: str) -> Locale:
    """The babel locale for a BCP 47 tag, English when babel does not know it."""
    parts = lang.replace("_", "-").split("-")
    full = "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])
    for tag in (full, primary(lang)):
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


#: The first digit of each CLDR numbering system of the "numeric" kind that a locale may
#: have as its default (CLDR's numberingSystems.xml: ten consecutive code points from it).
_ZERO = {"arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6", "deva": "\u0966",
         "mymr": "\u1040", "olck": "\u1c50", "adlm": "\U0001e950", "mtei": "\uabf0",
         "tibt": "\u0f20", "nkoo": "\u07c0", "rohg": "\U00010d30", "cakm": "\U00011136",
         "sund": "\u1bb0", "java": "\ua9d0", "hmnp": "\U0001e140"}


@lru_cache(maxsize=64)
def _digit_table(lang: str) -> dict[int, str]:
    """ASCII digit -> the digit of `lang`'s default numbering system (CLDR, through Babel:
    Persian digits for fa, Arabic-Indic for ar-EG, Latin for ar and ar-MA); empty when
    that is Latin."""
    zero = _ZERO.get(locale(lang).default_numbering_system)
    return {} if zero is None else {ord("0") + i: chr(ord(zero) + i) for i in range(10)}


def localize_digits(text: str, lang: str) -> str:
    """`text` with its ASCII digits written in `lang`'s default numbering system."""
    return text.translate(_digit_table(lang))


def format_date(value: date | datetime, lang: str) -> str:
    """A long, localized date ("20 July 2025", "20 ივლისი, 2025", "۱۵ اکتبر ۲۰۲۵")."""
    day = value.date() if isinstance(value, datetime) else value
    return localize_digits(str(_babel_format_date(day, format="long", locale=locale(lang))),
                           lang)


def format_number(value: float, lang: str) -> str:
    """A number as `lang` writes it, its digits and signs ("1.5", "1,5", "۱٫۵")."""
    return localize_digits(
        str(format_decimal(value, locale=locale(lang), numbering_system="default")), lang)


def _duration_parts(seconds: float) -> list[tuple[int, str]]:
    """(count, CLDR unit) for hours, minutes and seconds; seconds only under an hour, and
    nothing that is zero (but "0 seconds")."""
    whole = max(0, round(seconds))
    if whole >= 3600:
        whole = round(whole / 60) * 60
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    found = [(n, unit) for n, unit in ((hours, "duration-hour"), (minutes, "duration-minute"),
                                        (secs, "duration-second")) if n]
    return found or [(0, "duration-second")]


def format_duration(seconds: float, lang: str) -> str:
    """A duration in CLDR's words, in full so a screen reader reads it as it is said:
    "45 seconds", "18 minutes 5 seconds", "1 hour 3 minutes" (in `lang`, its digits). The
    parts are joined by a space: Babel's list patterns for units fail for some languages
    (a KeyError for es and hy, a repeated item for ar, Babel 2.19)."""
    where = locale(lang)
    return localize_digits(" ".join(
        str(format_unit(n, unit, "long", locale=where, numbering_system="default"))
        for n, unit in _duration_parts(seconds)), lang)


def iso_duration(seconds: float) -> str:
    """The same duration as ISO 8601, for `<time datetime>`: "PT18M5S", "PT1H3M"."""
    letters = {"duration-hour": "H", "duration-minute": "M", "duration-second": "S"}
    return "PT" + "".join(f"{n}{letters[unit]}" for n, unit in _duration_parts(seconds))


def language_name(code: str, lang: str) -> str:
    """The name of language `code` in `lang` ("Georgian", "ქართული"); the code itself
    when CLDR has no name for it."""
    try:
        name = locale(code).get_display_name(locale(lang))
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code
