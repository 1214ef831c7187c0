"""Languages (tags, detection, direction) and plain-text inference (datelines, titles)."""

from __future__ import annotations

from datetime import date

import pytest

from companion._read.lang import (
    detect_language,
    direction,
    find_dateline,
    infer_title,
    normalize_lang,
    shorten,
)


@pytest.mark.parametrize(("tag", "norm"), [
    ("en", "en"), ("pt-BR", "pt-br"), ("EN-us", "en-us"), ("zh-Hant-TW", "zh-hant-tw"),
    ("ka", "ka"), ("es-419", "es-419"), ("ckb", "ckb"), ("pt_BR", "pt-br"),
])
def test_normalize_lang(tag: str, norm: str) -> None:
    assert normalize_lang(tag) == norm


@pytest.mark.parametrize("tag", ["", "english", "e", "en-", "en--us", "12", "en us", "ka-ge-"])
def test_normalize_lang_rejects_malformed(tag: str) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        normalize_lang(tag)


@pytest.mark.parametrize(("lang", "way"), [
    ("ar", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("ps", "rtl"), ("ckb", "rtl"),
    ("yi", "rtl"), ("ar-eg", "rtl"), ("en", "ltr"), ("ka", "ltr"), ("es", "ltr"), ("tr", "ltr"),
])
def test_direction(lang: str, way: str) -> None:
    assert direction(lang) == way


@pytest.mark.parametrize(("text", "lang"), [
    ("თბილისის მეტრო ღამით მუშაობს და მგზავრები კმაყოფილები არიან.", "ka"),
    ("Երևանի մետրոն գիշերը աշխատում է, և ուղևորները գոհ են։", "hy"),
    ("The night train from Tbilisi to Baku is running again after five years.", "en"),
    ("يعود سوق الكتب القديمة في باكو إلى الحياة كل صباح سبت.", "ar"),
    ("El tren nocturno entre Tiflis y Bakú vuelve a circular después de cinco años.", "es"),
    ("Ночной поезд из Тбилиси в Баку снова курсирует после пяти лет перерыва.", "ru"),
    ("Le train de nuit entre Tbilissi et Bakou circule de nouveau après cinq ans.", "fr"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_needs_letters() -> None:
    assert detect_language("12 34 -- !!") is None


@pytest.mark.parametrize(("line", "when"), [
    ("باكو، 20 أكتوبر، أذرتاج", None),
    ("TBILISI, 3 March 2025", date(2025, 3, 3)),
    ("Tbilisi, March 3, 2025", date(2025, 3, 3)),
    ("BATUMI, Oct 1 (Reuters)", None),
    ("MADRID, 1 de octubre de 2025", date(2025, 10, 1)),
    ("თბილისი, 5 ოქტომბერი 2025", date(2025, 10, 5)),
])
def test_find_dateline(line: str, when: date | None) -> None:
    found = find_dateline(f"{line}\n\nThe text begins here.")
    assert found is not None
    assert found.date == when


@pytest.mark.parametrize("line", [
    "Recent developments highlight ongoing tensions, in 3 cases.",
    "A complex geopolitical context",
    "In Baku, officials met on 3 March 2025 and talked for a long time about the corridor "
    "and the ports.",
])
def test_ordinary_lines_are_not_datelines(line: str) -> None:
    assert find_dateline(line) is None


def test_dateline_before_a_dash_is_skipped_for_the_title() -> None:
    guess = infer_title("BATUMI, Oct 1 (Reuters) — Dock workers walked out. More later.", "text")
    assert guess is not None
    assert guess.title == "Dock workers walked out"
    assert "dateline" in guess.how


def test_title_from_a_title_line_leaves_the_body() -> None:
    guess = infer_title("\nThe market returns\n\nFirst paragraph. Second sentence.\n", "text")
    assert guess is not None
    assert (guess.title, guess.how) == ("The market returns", "from the first line")
    assert guess.body == "First paragraph. Second sentence."


def test_title_from_headings() -> None:
    atx = infer_title("## A heading ##\n\nText.", "text")
    setext = infer_title("Underlined title\n================\n\nText.", "text")
    assert atx is not None
    assert atx.title == "A heading"
    assert setext is not None
    assert setext.title == "Underlined title"
    assert setext.body == "Text."


def test_title_from_first_sentence_of_a_long_paragraph() -> None:
    body = ("Mr. Smith went to Batumi on Monday. He met dock workers there and listened to "
            "them for hours, long into the night, as the cranes stood still by the water.")
    guess = infer_title(body, "text")
    assert guess is not None
    assert guess.title == "Mr. Smith went to Batumi on Monday"
    assert guess.body == body


def test_long_sentences_are_cut_at_a_boundary() -> None:
    words = "word " * 60
    cut = shorten(words)
    assert len(cut) <= 121
    assert cut.endswith("…")
    assert "  " not in cut
    clause = shorten("A" * 70 + ", " + "b " * 60)
    assert clause == "A" * 70


def test_markdown_infers_only_from_a_heading() -> None:
    assert infer_title("Just a paragraph of text.", "markdown") is None
    guess = infer_title("# Heading\n\nText", "markdown")
    assert guess is not None
    assert guess.title == "Heading"


def test_nothing_to_infer() -> None:
    assert infer_title("\n\n", "text") is None
    assert infer_title("TBILISI, 3 March 2025\n", "text") is None
    assert infer_title("1234. 5678.", "text") is None
