"""The seed articles (real shapes from producers) read as expected.

The seeds live outside the repository (``../shared/seeds``); they are copied into
a temporary project at test time and never into the project itself.
"""

from __future__ import annotations

import shutil

import pytest

from companion import Article
from companion._config.project import load_site
from companion._read.articles import read_project
from tests.conftest import seeds_or_skip


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    found = seeds_or_skip()  # skipped where the seeds are not, a failure in CI
    root = tmp_path_factory.mktemp("seeds")
    (root / "companion.toml").write_text(
        '[site]\ntitle = "Seeds"\nbase_url = "https://pod.example.org/"\n', encoding="utf-8")
    (root / "episodes").mkdir()
    for seed in found:
        shutil.copy(seed, root / "episodes" / seed.name)
    result = read_project(load_site(root))
    assert [p for p in result.problems if p.severity == "error"] == []
    return {a.path.name[:3]: a for a in result.articles}


def test_five_seeds_read(seeds: dict[str, Article]) -> None:
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]


def test_georgian_seed(seeds: dict[str, Article]) -> None:
    article = seeds["000"]
    assert article.title.startswith("როგორ გაუთამამდა აზერბაიჯანი რუსეთს")
    assert article.lang == "ka"
    assert article.direction == "ltr"
    assert article.youtube_id == "02el3F-AjQw"
    assert article.spotify_id == "4XgHKQm17uIi39qzDIrs99"
    assert article.format == "markdown"
    assert article.description is None
    assert article.featured
    assert article.hidden
    assert article.categories == ("რუსეთი", "სამხრეთ კავკასია")
    assert article.image == "assets/images/Russia-Azerbaijan.jpeg"
    assert article.inferred == (article.inferred[0],)
    assert article.inferred[0].field == "lang"


def test_georgian_seed_links(seeds: dict[str, Article]) -> None:
    links = seeds["000"].links
    assert len(links) == 35
    assert len({link.url for link in links}) == 35
    for link in links:
        assert "utm_source" not in link.url, link.url
        assert "ab_channel" not in link.url, link.url
        assert link.url.startswith("https://")
        assert link.text
        assert link.domain
    assert not any("02el3F-AjQw" in link.url or "open.spotify.com" in link.url for link in links)
    texts = [link.url for link in links if "#:~:text=" in link.url]
    assert len(texts) == 3  # text fragments survive untouched


@pytest.mark.parametrize(("seed", "lang", "start"), [
    ("001", "en", "Recent developments highlight ongoing tensions"),
    ("002", "en", "Vladimir Putin’s visit to Azerbaijan"),
    ("003", "ar", "تتركز العلاقات الاقتصادية"),
    ("004", "es", "En el contexto de las nuevas tensiones"),
])
def test_plain_text_seeds(seeds: dict[str, Article], seed: str, lang: str, start: str) -> None:
    article = seeds[seed]
    assert article.format == "text"
    assert article.lang == lang
    assert article.title.startswith(start)
    assert 20 <= len(article.title) <= 121
    assert article.date is None
    assert {guess.field for guess in article.inferred} == {"title", "lang"}


def test_arabic_dateline_is_not_the_title(seeds: dict[str, Article]) -> None:
    article = seeds["003"]
    assert "أذرتاج" not in article.title
    assert article.direction == "rtl"
    assert article.body.startswith("باكو، 20 أكتوبر، أذرتاج")
