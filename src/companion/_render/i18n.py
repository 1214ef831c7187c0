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


def format_date(value: date | datetime, lang: str) -> str:
    """A long, localized date ("20 July 2025", "20 ივლისი, 2025")."""
    day = value.date() if isinstance(value, datetime) else value
    return str(_babel_format_date(day, format="long", locale=locale(lang)))


def format_number(value: float, lang: str) -> str:
    """A number as `lang` writes it ("1.5", "1,5")."""
    return str(format_decimal(value, locale=locale(lang)))


def format_duration(seconds: float, lang: str) -> str:
    """A duration in CLDR's short units: "45 sec", "12 min", "1 hr 3 min" (in `lang`). The
    hours and minutes are joined by a space: Babel's list patterns for units fail for some
    languages (a KeyError for es and hy, a repeated item for ar, Babel 2.19)."""
    whole = max(0, round(seconds))
    where = locale(lang)
    if whole < 60:
        return str(format_unit(whole, "duration-second", "short", locale=where))
    hours, minutes = divmod(round(whole / 60), 60)
    parts = [str(format_unit(hours, "duration-hour", "short", locale=where))] if hours else []
    if minutes or not hours:
        parts.append(str(format_unit(minutes, "duration-minute", "short", locale=where)))
    return " ".join(parts)


def language_name(code: str, lang: str) -> str:
    """The name of language `code` in `lang` ("Georgian", "ქართული"); the code itself
    when CLDR has no name for it."""
    try:
        name = locale(code).get_display_name(locale(lang))
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code
