"""Interface words through gettext: the catalogs are complete, current and compile; plurals,
dates, numbers and durations come from CLDR; a language without a catalog gets English
words, marked as English, and `check` names its articles."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

import companion
from companion import Site
from companion._render.i18n import (
    LOCALE_DIR,
    catalog_languages,
    compile_catalog,
    format_date,
    format_duration,
    format_number,
    iso_duration,
    localize_digits,
    t,
    tn,
    ui_language,
)
from tests._episodes import make_episode, page_for
from tests.conftest import REPO

NEWSROOM = {"en", "ka", "ar", "es", "fa", "ru", "fr", "az", "hy", "tr", "uk", "de"}
TEMPLATE = LOCALE_DIR / "messages.pot"
_PLACEHOLDER = re.compile(r"%\(([a-z]+)\)s")


def catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def po(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def ids(path: Path) -> set[object]:
    return {m.id for m in catalog(path) if m.id}


def test_every_language_of_the_newsroom_has_a_catalog() -> None:
    assert catalog_languages() == NEWSROOM


def test_the_template_is_what_pybabel_extracts(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`pybabel extract`, with the settings in pyproject.toml, gives the committed template:
    no message of the templates or the code is missing from the catalogs."""
    monkeypatch.chdir(REPO)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(fresh)])
    assert ids(fresh) == ids(TEMPLATE)
    assert len(ids(TEMPLATE)) > 40
    for lang in sorted(NEWSROOM):  # and `pybabel update` was run: every catalog has them all
        assert ids(po(lang)) == ids(TEMPLATE), lang


@pytest.mark.parametrize("lang", sorted(NEWSROOM - {"en"}))
def test_every_message_is_translated(lang: str) -> None:
    found = catalog(po(lang))
    assert found.locale is not None
    for message in found:
        if not message.id:
            continue
        assert not message.fuzzy, (lang, message.id)
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple):
            assert len(strings) == found.num_plurals, (lang, message.id)
        wanted = set(_PLACEHOLDER.findall(english[-1]))
        for text in strings:
            assert text.strip(), (lang, message.id)
            if "%(num)s" not in english[0] or found.num_plurals == 1 or "%" in text:
                assert set(_PLACEHOLDER.findall(text)) == wanted, (lang, message.id, text)
            # a translation is put in pages as it is: nothing that would read as markup
            assert not set(text) & set('<>&"'), (lang, message.id, text)
    assert [e for _m, e in found.check()] == []


@pytest.mark.parametrize(("lang", "word"), [
    ("en", "Play"), ("ka", "დაკვრა"), ("ar", "تشغيل"), ("es", "Reproducir"), ("fa", "پخش"),
    ("ru", "Воспроизвести"), ("fr", "Lecture"), ("az", "Oxut"), ("hy", "Նվագարկել"),
    ("tr", "Oynat"), ("uk", "Відтворити"), ("de", "Abspielen"),
])
def test_catalogs_compile_and_speak(lang: str, word: str) -> None:
    assert compile_catalog(po(lang), lang).startswith(b"\xde\x12\x04\x95")  # a .mo file
    assert t(lang, "Play") == word


def test_plurals_follow_cldr() -> None:
    episodes = ("%(num)s episode", "%(num)s episodes")
    assert [tn("ru", *episodes, n) for n in (1, 2, 5, 11, 21)] == [
        "1 выпуск", "2 выпуска", "5 выпусков", "11 выпусков", "21 выпуск"]
    assert [tn("uk", *episodes, n) for n in (1, 3, 12)] == ["1 випуск", "3 випуски",
                                                            "12 випусків"]
    assert [tn("ar", *episodes, n) for n in (1, 2, 3, 11, 100)] == [
        "حلقة واحدة", "حلقتان", "3 حلقات", "11 حلقة", "100 حلقة"]
    assert tn("en", *episodes, 1) == "1 episode"
    assert tn("de", *episodes, 1_234) == "1.234 Folgen"  # and the number as CLDR writes it


def test_durations_and_fallbacks() -> None:
    # in full words (a screen reader reads them as said), the locale's own digits
    assert format_duration(45, "en") == "45 seconds"
    assert format_duration(1085, "en") == "18 minutes 5 seconds"
    assert iso_duration(1085) == "PT18M5S"
    assert format_duration(754, "es") == "12 minutos 34 segundos"
    assert format_duration(3754, "en") == "1 hour 3 minutes"
    assert iso_duration(3754) == "PT1H3M"
    assert format_duration(3754, "fa") == "۱ ساعت ۳ دقیقه"
    assert format_duration(18, "ka") == "18 წამი"
    assert t("xx", "Chapters") == "Chapters"
    assert t("fa-IR", "Chapters") == "بخش‌ها"  # a region falls back to its language
    assert (ui_language("ja"), ui_language("pt-BR"), ui_language("es-MX")) == ("en", "en",
                                                                                "es-MX")


def test_each_locale_writes_numbers_with_its_own_digits_and_signs() -> None:
    """CLDR's default numbering system, through Babel: Persian digits for fa, Arabic-Indic
    for ar-EG, Latin for ar (CLDR 42 on) and ar-MA; the decimal sign goes with them."""
    assert format_number(0.1, "fa") == "۰٫۱"
    assert format_number(1234.5, "ar-EG") == "١٬٢٣٤٫٥"
    assert format_number(0.1, "ar") == "0.1"
    assert format_number(0.1, "ar-MA") == "0,1"
    assert format_number(0.1, "ka") == "0,1"
    assert format_date(date(2025, 2, 5), "fa") == "۵ فوریه ۲۰۲۵"
    assert format_date(date(2025, 2, 5), "ar-EG") == "٥ فبراير ٢٠٢٥"
    assert format_date(date(2025, 2, 5), "ar") == "5 فبراير 2025"
    assert localize_digits("0:55", "en") == "0:55"
    assert tn("fa", "%(num)s episode", "%(num)s episodes", 12).startswith("۱۲")


def test_a_language_without_a_catalog_gets_english_words_marked_as_such(
        tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url="https://pod.example.org/")
    episode = make_episode("tokyo", lang="ja", title="東京の夜",
                           date=datetime(2025, 7, 20, 9, tzinfo=UTC))
    doc = lxml.html.fromstring(page_for(site, episode, audio_url=site.url("media/a.mp3")))
    assert doc.get("lang") == "ja"  # the content keeps its language
    assert doc.xpath("string(//h1)") == "東京の夜"
    (facts,) = doc.xpath('//dl[@class="facts"]')
    assert (facts.get("lang"), facts.get("dir")) == ("en", "ltr")
    assert facts.xpath("string(.//time)") == "July 20, 2025"  # with its English label
    for heading in doc.xpath("//h2"):
        assert heading.get("lang") == "en", heading.text_content()
    assert doc.xpath('//a[@class="skip-link"]/@lang') == ["en"]


def test_check_names_articles_whose_language_has_no_catalog(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({
        "episodes/2025-01-01-tokyo.md": "---\ntitle: 東京\nlang: ja\ndate: 2025-01-01\n---\n"
                                        "本文です。\n",
        "episodes/2025-01-02-tbilisi.md": "---\ntitle: თბილისი\nlang: ka\ndate: 2025-01-02\n"
                                          "---\nტექსტი.\n"})
    result = companion.load_project(root).check(now="2026-01-01")
    notes = [p for p in result.problems if p.field == "lang" and "catalog" in p.message]
    assert [(p.where, p.severity) for p in notes] == [("episodes/2025-01-01-tokyo.md", "info")]
    assert "'ja'" in notes[0].message
    assert "ja/LC_MESSAGES/messages.po" in notes[0].fix


def test_a_changed_catalog_renders_the_pages_again(tmp_path: Path) -> None:
    """The catalogs are inputs of every page: an edited translation is not left unbuilt."""
    from companion._build.stages import RealStages

    site = Site(root=tmp_path, title="T", base_url="https://pod.example.org/")
    inputs = RealStages().page_inputs(site)
    assert {po(lang) for lang in NEWSROOM} <= set(inputs)
