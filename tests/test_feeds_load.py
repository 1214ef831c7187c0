"""Feed definitions: loading, validation messages, selection."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

try:
    from tests._episodes import make_episode, sample_episodes
except ImportError:  # tests/ run as a plain folder
    from _episodes import make_episode, sample_episodes  # type: ignore[no-redef]
from companion._config.feeds import (
    load_feeds,
    podcast_guid_for,
    select_episodes,
    show_of,
)
from companion._config.project import load_site
from companion._model import FeedSelection
from companion._text import is_language

REPO = Path(__file__).resolve().parent.parent

GOOD = """
title = "Show"
description = "About things."
language = "en"
artwork = "https://cdn.example.org/show.jpg"
categories = [["News", "Politics"], ["Technology"]]
[owner]
name = "Owner"
email = "podcasts@example.org"
"""


def _load(make_project, text: str):  # type: ignore[no-untyped-def]
    root = make_project({"feeds/show.toml": text})
    return load_feeds(load_site(root))


def test_example_feeds_load_without_problems() -> None:
    result = load_feeds(load_site(REPO))
    assert [f.slug for f in result.feeds] == ["ar", "en", "es", "fa", "ka", "video"]
    assert result.problems == []
    for feed in result.feeds:
        assert feed.owner.email == "podcasts@example.org"
        assert feed.select.languages == (feed.language,)
        assert feed.categories


def test_good_definition(make_project) -> None:  # type: ignore[no-untyped-def]
    result = _load(make_project, GOOD)
    assert result.problems == []
    (feed,) = result.feeds
    assert feed.slug == "show"
    assert feed.categories == (("News", "Politics"), ("Technology", None))
    assert feed.locked is True
    assert feed.author == "Owner"


@pytest.mark.parametrize(("text", "field", "words"), [
    ('colour = "red"\n' + GOOD, "colour", "known settings are"),
    (GOOD.replace('title = "Show"', ""), "title", "missing"),
    (GOOD.replace('email = "podcasts@example.org"', ""), "owner.email", "missing"),
    (GOOD.replace("podcasts@example.org", "not-an-email"), "owner.email", "not a valid"),
    (GOOD.replace('["Technology"]', '["Tech"]'), "categories", "not an Apple"),
    (GOOD.replace('"Politics"', '"Elections"'), "categories", "not a subcategory"),
    (GOOD.replace('language = "en"', 'language = "english!"'), "language", "well-formed"),
    (GOOD.replace('language = "en"', 'language = "en"\ntype = "daily"'), "type", "not one of"),
    (GOOD + "[select]\nlang = ['en']\n", "select.lang", "unknown"),
])
def test_invalid_definitions_name_file_and_field(make_project, text: str, field: str,
                                                 words: str) -> None:  # type: ignore[no-untyped-def]
    result = _load(make_project, text)
    errors = [p for p in result.problems if p.severity == "error"]
    assert result.feeds == []
    assert any(p.field == field and words in p.message + p.fix and p.where == "feeds/show.toml"
               for p in errors), errors
    assert all(p.fix for p in errors)


def test_category_typo_suggests_the_right_spelling(make_project) -> None:  # type: ignore[no-untyped-def]
    result = _load(make_project, GOOD.replace('"Politics"', '"politics"'))
    assert "'Politics'" in result.problems[0].fix


def test_broken_toml_is_a_problem_not_a_crash(make_project) -> None:  # type: ignore[no-untyped-def]
    result = _load(make_project, "title = ")
    assert result.feeds == []
    assert "TOML" in result.problems[0].message


@pytest.mark.parametrize("code", ["en", "ka", "ar", "es", "pt-BR", "zh-Hant-TW", "es-419"])
def test_language_codes_accepted(code: str) -> None:
    assert is_language(code)


@pytest.mark.parametrize("code", ["", "e", "english", "en_US", "en-", "12"])
def test_language_codes_rejected(code: str) -> None:
    assert not is_language(code)


def test_podcast_guid_test_vector() -> None:
    assert podcast_guid_for("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid_for("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid_for("podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_configured_podcast_guid_wins(make_project) -> None:  # type: ignore[no-untyped-def]
    guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    root = make_project({"feeds/show.toml": f'podcast_guid = "{guid}"\n' + GOOD})
    site = load_site(root)
    (feed,) = load_feeds(site).feeds
    assert show_of(feed, site).guid == guid
    other = dataclasses.replace(feed, podcast_guid=None)
    assert show_of(other, site).guid == podcast_guid_for("https://pod.example.org/show/feed.xml")


def _feed(make_project, select: FeedSelection):  # type: ignore[no-untyped-def]
    feed = _load(make_project, GOOD).feeds[0]
    return dataclasses.replace(feed, select=select)


def test_select_by_language_newest_first(make_project) -> None:  # type: ignore[no-untyped-def]
    episodes = sample_episodes()
    feed = _feed(make_project, FeedSelection(languages=("ar", "es")))
    assert [e.slug for e in select_episodes(feed, episodes)] == ["cafe-de-altura",
                                                                 "caspian-ports"]


def test_select_orders_by_date_then_slug_undated_last(make_project) -> None:  # type: ignore[no-untyped-def]
    same = datetime(2025, 1, 1, tzinfo=UTC)
    episodes = [make_episode("b", date=same), make_episode("a", date=same),
                make_episode("old", date=datetime(2020, 1, 1, tzinfo=UTC)),
                make_episode("undated", date=None),
                make_episode("new", date=datetime(2026, 1, 1, tzinfo=UTC))]
    feed = _feed(make_project, FeedSelection())
    assert [e.slug for e in select_episodes(feed, episodes)] == ["new", "a", "b", "old",
                                                                 "undated"]


def test_select_by_category_tag_list_and_hidden(make_project) -> None:  # type: ignore[no-untyped-def]
    episodes = [make_episode("a", categories=("Politics",), tags=("rail",)),
                make_episode("b", categories=("culture",), tags=("food",)),
                make_episode("c", categories=("politics",), hidden=True)]
    pick = lambda **kw: [e.slug for e in select_episodes(  # noqa: E731
        _feed(make_project, FeedSelection(**kw)), episodes)]
    assert pick(categories=("politics",)) == ["a", "c"]
    assert pick(categories=("politics",), include_hidden=False) == ["a"]
    assert pick(tags=("FOOD",)) == ["b"]
    assert pick(episodes=("c", "b")) == ["b", "c"]


def test_select_language_matches_regional_variants(make_project) -> None:  # type: ignore[no-untyped-def]
    episodes = [make_episode("br", lang="pt-br"), make_episode("pt", lang="pt"),
                make_episode("en", lang="en")]
    feed = _feed(make_project, FeedSelection(languages=("pt",)))
    assert sorted(e.slug for e in select_episodes(feed, episodes)) == ["br", "pt"]
