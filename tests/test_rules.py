"""Feed rules for `check`, and the published-GUID ledger."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

try:
    from tests._episodes import make_episode, media_for, media_map, sample_episodes
except ImportError:  # tests/ run as a plain folder
    from _episodes import make_episode, media_for, media_map, sample_episodes  # type: ignore[no-redef]
from companion import Episode, FeedDefinition, FeedError, Problem, Site
from companion._build.prepare import Preparer
from companion._config.feeds import load_feeds, select_episodes
from companion._config.project import load_site
from companion._lifecycle.ledger import (
    Ledger,
    LedgerEntry,
    PublishedItem,
    ledger_path,
    load_ledger,
    record_publish,
)
from companion._model import MediaUrl, Person
from companion._project.check import ledger_problems
from companion._render.rss import ItemParts
from companion._render.rules import feed_problems, feed_where

REPO = Path(__file__).resolve().parent.parent
SITE = Site(root=REPO, title="Test", base_url="https://podcasts.example.org/")


def make_feed(**changes: object) -> FeedDefinition:
    feed = FeedDefinition(
        slug="show", path=REPO / "feeds" / "show.toml", title="The Show",
        description="A show.", author="Desk", owner=Person("Desk", "podcasts@example.org"),
        language="en", artwork="https://cdn.example.org/show.jpg",
        categories=(("News", "Politics"),),
    )
    return dataclasses.replace(feed, **changes)  # type: ignore[arg-type]


def rules(feed: FeedDefinition, episodes: list[Episode], site: Site,
          media: dict[str, ItemParts], ledger: Ledger | None = None) -> list[Problem]:
    """What check says of a feed: its artwork placed as a build places it, then the rules
    (and, with a ledger, what the feed held at its last publish)."""
    prepared = Preparer(site).show(feed)
    where = feed_where(feed, site)
    found = feed_problems(prepared.show, episodes, media, where, prepared.problems)
    return found + (ledger_problems(ledger, episodes, where) if ledger is not None else [])


def problems_for(feed: FeedDefinition | None = None, episodes: list | None = None,  # type: ignore[type-arg]
                 media: dict | None = None, ledger: Ledger | None = None) -> list[Problem]:  # type: ignore[type-arg]
    episodes = sample_episodes() if episodes is None else episodes
    media = media_map(episodes) if media is None else media
    return rules(feed or make_feed(), episodes, SITE, media, ledger)


def only(problems: list[Problem], field: str) -> list[Problem]:
    return [p for p in problems if p.field == field]


def test_a_good_feed_has_no_problems() -> None:
    assert problems_for() == []


def test_example_feeds_have_no_errors_or_warnings() -> None:
    site = load_site(REPO)
    for feed in load_feeds(site).feeds:
        chosen = select_episodes(feed, sample_episodes())
        problems = rules(feed, chosen, site, media_map(chosen), Ledger(feed.slug))
        assert all(p.severity == "info" for p in problems), problems
        assert bool(problems) == (feed.slug == "en")  # the deliberately 1280x720 artwork


@pytest.mark.parametrize(("changes", "field"), [
    ({"description": ""}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"categories": ()}, "categories"),
    ({"artwork": None}, "artwork"),
    ({"owner": Person("Desk", "nobody")}, "owner.email"),
    ({"language": "english"}, "language"),
    ({"link": "ftp://example.org/"}, "link"),
])
def test_channel_errors(changes: dict[str, object], field: str) -> None:
    found = only(problems_for(make_feed(**changes)), field)
    assert [p.severity for p in found] == ["error"], found
    assert found[0].fix
    assert found[0].where == "feeds/show.toml"


def test_missing_owner_email_and_author_are_warnings() -> None:
    problems = problems_for(make_feed(owner=Person("Desk"), author=""))
    assert [p.severity for p in only(problems, "owner.email")] == ["warning"]
    assert [p.severity for p in only(problems, "author")] == ["warning"]


def test_http_is_a_warning() -> None:
    problems = problems_for(make_feed(artwork="http://cdn.example.org/show.png"))
    assert [p.severity for p in only(problems, "artwork")] == ["warning"]


def test_artwork_url_without_image_suffix_is_a_warning() -> None:
    problems = problems_for(make_feed(artwork="https://cdn.example.org/show.webp"))
    assert [p.severity for p in only(problems, "artwork")] == ["warning"]


def test_local_artwork_is_read(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url="https://podcasts.example.org/")
    (tmp_path / "art.png").write_bytes(b"garbage")
    feed = make_feed(artwork="art.png", path=tmp_path / "feeds" / "show.toml")
    episodes = sample_episodes()
    found = only(rules(feed, episodes, site, media_map(episodes)), "artwork")
    assert [p.severity for p in found] == ["error"]
    assert "not a readable image" in found[0].message
    missing = make_feed(artwork="nope.png", path=tmp_path / "feeds" / "show.toml")
    found = only(rules(missing, episodes, site, media_map(episodes)), "artwork")
    assert [p.severity for p in found] == ["error"]


def test_episode_rules() -> None:
    episode = make_episode("x")
    base = media_for(episode)
    media = dataclasses.replace(base.media, type="audio/ogg",
                                url=MediaUrl("http://cdn.example.org/x.ogg"))
    ref = dataclasses.replace(base, media=media, image_url="/relative.jpg",
                              description_text="y" * 4001)
    problems = problems_for(episodes=[episode], media={episode.guid: ref})
    by_field = {(p.field, p.severity) for p in problems}
    assert ("audio", "error") in by_field
    assert ("enclosure", "warning") in by_field
    assert ("image", "error") in by_field
    assert ("description", "warning") in by_field
    assert all(p.where == "episodes/x.md" for p in problems)


def test_episode_without_media_is_a_warning() -> None:
    episode = make_episode("x", audio=False)
    problems = problems_for(episodes=[episode], media={})
    assert [(p.field, p.severity) for p in problems] == [("audio", "warning")]


def test_empty_title_is_an_error() -> None:
    episode = make_episode("x", title="  ")
    assert [(p.field, p.severity) for p in problems_for(episodes=[episode])] == [
        ("title", "error")]


def test_duplicate_guids() -> None:
    episodes = [make_episode("a", guid="same"), make_episode("b", guid="same")]
    found = only(problems_for(episodes=episodes), "guid")
    assert [p.severity for p in found] == ["error"]
    assert "a, b" in found[0].message


# --- the ledger ------------------------------------------------------------------------


WHEN = datetime(2025, 11, 1, 12, tzinfo=UTC)


def items_of(episodes: list[Episode]) -> list[PublishedItem]:
    return [PublishedItem(e.guid, e.slug, e.title) for e in episodes]


def test_record_publish_records_and_is_stable(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url="https://podcasts.example.org/")
    episodes = sample_episodes()
    assert record_publish(site, "show", items_of(episodes), WHEN) is True
    path = ledger_path(site, "show")
    assert path == tmp_path / "cache" / "ledger" / "show.json"
    first = path.read_bytes()
    later = WHEN + timedelta(days=3)
    assert record_publish(site, "show", items_of(list(reversed(episodes))), later) is False
    assert path.read_bytes() == first
    data = json.loads(first)
    assert data["episodes"]["urn:companion:caspian-ports"] == {
        "slug": "caspian-ports", "title": "موانئ بحر قزوين", "published": "2025-11-01"}
    assert "موانئ" in first.decode("utf-8")
    # an episode that leaves the feed is marked removed, never dropped
    assert record_publish(site, "show", items_of(episodes[:1]), later) is True
    ledger = load_ledger(site, "show")
    assert set(ledger.entries) == {e.guid for e in episodes}
    assert set(ledger.live()) == {episodes[0].guid}
    removed = ledger.entries[episodes[1].guid]
    assert (removed.removed, removed.published) == ("2025-11-04", "2025-11-01")
    # and it comes back, keeping its first date
    assert record_publish(site, "show", items_of(episodes), later) is True
    back = load_ledger(site, "show").entries[episodes[1].guid]
    assert (back.removed, back.published) == ("", "2025-11-01")


def test_missing_ledger_is_empty(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url="https://podcasts.example.org/")
    assert load_ledger(site, "show") == Ledger("show")


def test_damaged_ledger_is_a_feed_error(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="T", base_url="https://podcasts.example.org/")
    path = ledger_path(site, "show")
    path.parent.mkdir(parents=True)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(FeedError) as info:
        load_ledger(site, "show")
    assert "git" in info.value.fix


def test_guid_changed_is_an_error_and_removed_a_warning() -> None:
    ledger = Ledger("show", {
        "old-guid": LedgerEntry("old-guid", "night-trains", "Night trains"),
        "gone": LedgerEntry("gone", "deleted-episode", "Deleted"),
    })
    problems = only(problems_for(ledger=ledger), "guid") + only(
        problems_for(ledger=ledger), "episodes")
    changed = [p for p in problems if p.severity == "error"]
    removed = [p for p in problems if p.severity == "warning"]
    assert len(changed) == 1
    assert "GUID changed" in changed[0].message
    assert changed[0].where == "episodes/night-trains.md"
    assert 'guid: "old-guid"' in changed[0].fix
    assert len(removed) == 1
    assert "leaves the feed" in removed[0].message
    assert "deleted-episode" in removed[0].message


def test_ledger_matching_the_feed_is_quiet() -> None:
    episodes = sample_episodes()
    ledger = Ledger("show").published(items_of(episodes), WHEN)
    assert problems_for(episodes=episodes, ledger=ledger) == []


def test_check_on_the_example_project(example_project: Path) -> None:
    from companion._project.check import check_project

    site = load_site(example_project)
    (example_project / "feeds" / "bad.toml").write_text('title = "Bad"\n', encoding="utf-8")
    problems = check_project(site).problems
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.where, p.field) for p in errors] == [("feeds/bad.toml", "owner.email")]
    assert {p.where for p in problems if p.severity == "info" and p.where.startswith(
        "feeds/")} == {"feeds/en.toml"}


def test_preview_parts() -> None:
    from companion._project.check import preview_parts

    episode = make_episode("x")
    m4a = make_feed(audio_format="m4a")
    ref = preview_parts(episode, m4a, SITE)
    assert ref is not None
    assert ref.url.startswith("https://podcasts.example.org/media/")
    assert ref.url.endswith(".m4a")  # the format the feed publishes, not the source's
    assert ref.mime_type == "audio/mp4"
    assert ref.length == episode.audio.size  # type: ignore[union-attr]
    assert preview_parts(make_episode("y", audio=False), m4a, SITE) is None
