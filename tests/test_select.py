"""Naming an episode on the command line: by slug, by file name or path, with "did you
mean" for a typo (issue 27)."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion import load_project
from companion._errors import PairError
from companion._model import Article
from companion._read.articles import read_project
from companion._read.select import find_article, select_articles


@pytest.fixture
def articles(example_project: Path) -> list[Article]:
    return read_project(load_project(example_project).site).articles


@pytest.mark.parametrize("given", [
    "caspian-ports", "2025-09-10-caspian-ports.md", "2025-09-10-caspian-ports",
    "episodes/2025-09-10-caspian-ports.md", "./episodes/2025-09-10-caspian-ports.md",
])
def test_an_episode_is_named_by_slug_file_or_path(articles: list[Article], given: str) -> None:
    assert find_article(given, articles, "companion notes").slug == "caspian-ports"


def test_a_plain_text_article_by_its_file_name(articles: list[Article]) -> None:
    found = find_article("2025-10-01-harbour-strike.txt", articles, "companion notes")
    assert found.relpath == "episodes/2025-10-01-harbour-strike.txt"


def test_a_typo_suggests_the_nearest_slug(articles: list[Article]) -> None:
    with pytest.raises(PairError) as raised:
        find_article("caspian-port", articles, "companion notes")
    assert "did you mean `caspian-ports`?" in (raised.value.fix or "")
    assert raised.value.where == "companion notes"


def test_nothing_near_suggests_nothing(articles: list[Article]) -> None:
    with pytest.raises(PairError) as raised:
        find_article("zzzzzzzz", articles, "companion fetch")
    assert "did you mean" not in (raised.value.fix or "")
    assert "companion check" in (raised.value.fix or "")


def test_select_keeps_order_and_drops_repeats(articles: list[Article]) -> None:
    chosen = select_articles(["night-trains", "2025-09-10-caspian-ports.md", "caspian-ports"],
                             articles, "companion fetch")
    assert [a.slug for a in chosen] == ["night-trains", "caspian-ports"]
    assert select_articles([], articles, "x") == list(articles)
