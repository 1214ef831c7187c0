"""The matcher: normal forms per script, each kind of decoy, one-to-one assignment,
producers' decisions, `already` checks, the show side (Spotify and RSS joined), the JSON
record and orphans. The evaluation set is tests/test_match_eval.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from companion._match import (
    Catalog,
    CatalogEntry,
    Decisions,
    MatchArticle,
    MatchSettings,
    Proposal,
    SideProposal,
    find_entry,
    match,
    normal_url,
    orphans,
    show_episodes,
)
from companion._match.assign import assign
from companion._match.text import normalize, words

DAY = datetime(2025, 10, 6, 9, tzinfo=UTC)

FLOODS = ("Flash floods force evacuations in Batumi",
          "Heavy rain flooded several districts of Batumi overnight, and rescuers evacuated "
          "214 residents from houses along the Korolistskali river. The city closed schools "
          "for two days while pumps cleared the streets.")
HARVEST = ("Kakheti grape harvest breaks record despite late frost",
           "Farmers in Kakheti picked more than 330,000 tonnes of grapes this autumn, the "
           "largest harvest on record. A late frost in April had damaged vineyards near "
           "Telavi, but a warm September made up for the losses.")
BRIDGE = ("New pedestrian bridge opens over the Mtkvari in Tbilisi",
          "A pedestrian bridge linking Ortachala and the old town opened on Saturday. The "
          "180-metre bridge has bicycle lanes and lifts at both ends, and city hall says it "
          "will ease traffic at the Metekhi crossing.")


def article(story: tuple[str, str], slug: str = "floods", lang: str = "en",
            date: datetime | None = DAY, **extra: Any) -> MatchArticle:
    return MatchArticle(key=f"episodes/{slug}.txt", slug=slug, title=story[0],
                        title_inferred=False, text=story[1], lang=lang, date=date, **extra)


def video(vid: str, title: str, description: str = "", days: float = 1, **extra: Any
          ) -> CatalogEntry:
    values: dict[str, Any] = {"source": "youtube", "id": vid, "title": title,
                              "description": description, "date": DAY + timedelta(days=days),
                              "date_precision": "exact", "duration": 600.0,
                              "language": "en", "language_evidence": "declared"}
    values.update(extra)
    return CatalogEntry(**values)


def channel(*entries: CatalogEntry) -> list[Catalog]:
    return [Catalog("youtube", "channel.jsonl", entries)]


FLOODS_VIDEO = video("floodsvideo", "Batumi floods: 214 residents evacuated",
                     "Overnight rain flooded districts of Batumi. Rescuers moved 214 people "
                     "from homes by the Korolistskali river; schools are closed for two days.")
HARVEST_VIDEO = video("harvestvid1", "Record grape harvest in Kakheti",
                      "Kakheti's farmers brought in over 330,000 tonnes of grapes, a record, "
                      "after a frost in April and a warm September near Telavi.")


def one(story_article: MatchArticle, catalogs: list[Catalog],
        **settings: Any) -> Proposal:
    return match([story_article], catalogs, settings=replace(MatchSettings(), **settings))[0]


# -- normal forms ----------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("مُؤْتَمَرٌ صَحَفِيٌّ", "مؤتمر صحفي"),  # tashkeel, hamza seat
    ("ســيــول", "سيول"),  # tatweel
    ("إجلاء أهالي آلات", "اجلاء اهالي الات"),  # alef forms
    ("مدرسة", "مدرسه"),  # ta marbuta
    ("مستشفى", "مستشفي"),  # alef maqsura
    ("می‌خواهد", "میخواهد"),  # ZWNJ
    ("کتاب ایرانی", "كتاب ايراني"),  # Persian kaf and yeh
    ("۲۰۲۷ و ٣٤٠", "2027 و 340"),  # Persian and Arabic-Indic digits
    ("Ёлка В ТБИЛИСИ", "елка в тбилиси"),  # Cyrillic case, yo
    ("Tbilisí, ÁRBOL, Straße", "tbilisi arbol strasse"),  # accents, case folding
    ("ბათუმში  წყალდიდობა", "ბათუმში წყალდიდობა"),  # Georgian: spaces only
])
def test_normal_forms_agree_across_spellings(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
    assert words(a) == words(b)


def test_arabic_article_prefix_and_stems() -> None:
    assert words("والميناء") == words("ميناء")
    assert words("evacuations evacuation") == ["evacua", "evacua"]


def test_normal_url_ignores_scheme_www_tracking_and_trailing_slash() -> None:
    assert normal_url("http://www.News.example/a/b/?utm_source=yt&x=1#top") == \
        normal_url("https://news.example/a/b?x=1")


# -- decoys ----------------------------------------------------------------------------------

def test_the_right_video_is_paired() -> None:
    result = one(article(FLOODS), channel(FLOODS_VIDEO, HARVEST_VIDEO))
    assert (result.youtube.status, result.youtube.id) == ("paired", "floodsvideo")
    assert result.youtube.entry == FLOODS_VIDEO
    assert result.youtube.confidence >= MatchSettings().threshold


@pytest.mark.parametrize("kind", ["short", "live", "was_live", "upcoming"])
def test_shorts_and_live_streams_are_never_candidates(kind: str) -> None:
    clip = replace(FLOODS_VIDEO, kind=kind)
    result = one(article(FLOODS), channel(clip))
    assert result.youtube.status == "unmatched"
    assert result.youtube.candidates == ()


def test_live_recordings_with_the_live_setting_but_never_upcoming() -> None:
    recorded = one(article(FLOODS), channel(replace(FLOODS_VIDEO, kind="was_live")), live=True)
    assert recorded.youtube.status == "paired"
    upcoming = one(article(FLOODS), channel(replace(FLOODS_VIDEO, kind="upcoming")), live=True)
    assert upcoming.youtube.status == "unmatched"


def test_unavailable_videos_are_not_candidates() -> None:
    private = replace(FLOODS_VIDEO, extra={"availability": "private", "unavailable": "yes"})
    assert one(article(FLOODS), channel(private)).youtube.status == "unmatched"


def test_the_same_story_in_another_language_is_not_a_match() -> None:
    spanish = video("inundacion1", "Inundaciones en Batumi: 214 evacuados",
                    "La lluvia inundó barrios de Batumi durante la noche; los rescatistas "
                    "evacuaron a 214 vecinos junto al río Korolistskali.", language="es")
    undeclared = replace(spanish, id="inundacion2", language=None, language_evidence=None)
    result = one(article(FLOODS), channel(spanish, undeclared))
    assert result.youtube.status == "unmatched"


def test_a_reupload_is_ambiguous_with_both_listed() -> None:
    again = replace(FLOODS_VIDEO, id="floodsagain", date=FLOODS_VIDEO.date + timedelta(days=1))
    result = one(article(FLOODS), channel(FLOODS_VIDEO, again))
    assert result.youtube.status == "ambiguous"
    assert result.status == "ambiguous"
    assert {c.id for c in result.youtube.candidates} == {"floodsvideo", "floodsagain"}
    assert result.as_json()["youtube"] is None


def test_part_one_and_part_two_are_ambiguous() -> None:
    parts = [replace(FLOODS_VIDEO, id=f"floodspart{n}", title=f"{FLOODS_VIDEO.title} (part {n})")
             for n in (1, 2)]
    assert one(article(FLOODS), channel(*parts)).youtube.status == "ambiguous"


def test_a_video_posted_before_its_article_is_paired() -> None:
    early = replace(FLOODS_VIDEO, date=DAY - timedelta(days=2))
    assert one(article(FLOODS), channel(early)).youtube.status == "paired"


def test_a_video_months_away_is_not() -> None:
    late = replace(FLOODS_VIDEO, date=DAY + timedelta(days=200))
    assert one(article(FLOODS), channel(late)).youtube.status == "unmatched"


def test_missing_dates_are_unknown_not_bad() -> None:
    undated = replace(FLOODS_VIDEO, date=None, date_precision=None)
    assert one(article(FLOODS), channel(undated)).youtube.status == "paired"
    assert one(article(FLOODS, date=None), channel(FLOODS_VIDEO)).youtube.status == "paired"


def test_a_title_sharing_nothing_with_a_description_that_summarises() -> None:
    quiet = video("quietriver", "When the river came into town",
                  "Overnight rain flooded districts of Batumi and rescuers evacuated 214 "
                  "residents along the Korolistskali river; schools closed for two days.")
    result = one(article(FLOODS), channel(quiet, HARVEST_VIDEO))
    assert (result.youtube.status, result.youtube.id) == ("paired", "quietriver")


def test_a_flat_entry_is_weaker_evidence_but_ranked() -> None:
    flat = replace(FLOODS_VIDEO, description="", date=None, date_precision=None, flat=True)
    result = one(article(FLOODS), channel(flat))
    assert result.youtube.candidates[0].id == "floodsvideo"
    assert "flat listing: title only" in result.youtube.candidates[0].reasons
    full = one(article(FLOODS), channel(FLOODS_VIDEO))
    assert result.youtube.candidates[0].score < full.youtube.candidates[0].score


def test_a_link_to_the_article_is_decisive() -> None:
    vague = video("linkedvideo", "Our week on the coast", "More at "
                  "http://www.pod.example.org/episodes/floods?utm_source=youtube",
                  links=("http://www.pod.example.org/episodes/floods?utm_source=youtube",))
    digest = replace(FLOODS_VIDEO, id="otherstory1")
    art = article(FLOODS, urls=("https://pod.example.org/episodes/floods/",))
    result = one(art, channel(vague, digest))
    assert (result.youtube.status, result.youtube.id) == ("paired", "linkedvideo")
    assert "its description links the article" in result.youtube.candidates[0].reasons


def test_a_link_to_a_permalink_path_is_decisive_too() -> None:
    linked = video("permalinked", "Weekly notes", "https://caucasus.example/news/floods/",
                   links=("https://caucasus.example/news/floods/",))
    art = article(FLOODS, urls=("/news/floods/",))
    assert one(art, channel(linked)).youtube.id == "permalinked"


def test_an_unrelated_video_is_unmatched() -> None:
    result = one(article(BRIDGE, slug="bridge"), channel(FLOODS_VIDEO, HARVEST_VIDEO))
    assert result.youtube.status == "unmatched"
    assert result.status == "unmatched"


def test_round_ups_with_near_identical_titles_are_not_paired() -> None:
    roundups = [video(f"roundup{n:04d}", f"Week in review | {n:02d}.10.2025",
                      f"— {FLOODS[0]}\n— {HARVEST[0]}\n— {BRIDGE[0]}", days=n % 5)
                for n in range(1, 5)]
    result = one(article(FLOODS), channel(*roundups))
    assert result.youtube.status != "paired"


# -- one to one ------------------------------------------------------------------------------

def test_assignment_maximises_the_total() -> None:
    assert assign({0: {0: 0.9, 1: 0.8}, 1: {0: 0.85}}) == {0: 1, 1: 0}
    assert assign({0: {0: 0.9}, 1: {0: 0.5}}) == {0: 0}
    assert assign({0: {}, 1: {1: 0.7}}) == {1: 1}


def test_one_video_is_one_articles() -> None:
    follow_up = article((FLOODS[0] + " (update)", FLOODS[1]), slug="floods-update")
    results = match([article(FLOODS), follow_up], channel(FLOODS_VIDEO))
    assert [r.youtube.status for r in results].count("paired") <= 1
    assert all(r.youtube.status == "ambiguous" for r in results)


def test_each_article_gets_its_own() -> None:
    results = match([article(FLOODS), article(HARVEST, slug="harvest")],
                    channel(HARVEST_VIDEO, FLOODS_VIDEO))
    assert [r.youtube.id for r in results] == ["floodsvideo", "harvestvid1"]
    assert [r.key for r in results] == ["episodes/floods.txt", "episodes/harvest.txt"]


# -- decisions and `already` -----------------------------------------------------------------

def test_a_chosen_candidate_settles_an_ambiguous_article() -> None:
    again = replace(FLOODS_VIDEO, id="floodsagain")
    decisions = Decisions(chosen={"floods": {"youtube": "floodsagain"}})
    result = match([article(FLOODS)], channel(FLOODS_VIDEO, again), decisions=decisions)[0]
    assert (result.youtube.status, result.youtube.id) == ("paired", "floodsagain")


def test_a_chosen_video_is_no_other_articles_candidate() -> None:
    decisions = Decisions(chosen={"harvest": {"youtube": "floodsvideo"}})
    results = match([article(FLOODS), article(HARVEST, slug="harvest")],
                    channel(FLOODS_VIDEO), decisions=decisions)
    assert results[1].youtube.id == "floodsvideo"
    assert results[0].youtube.status == "unmatched"


def test_a_rejected_candidate_is_never_proposed_again() -> None:
    again = replace(FLOODS_VIDEO, id="floodsagain")
    decisions = Decisions(rejected={"floods": frozenset({("youtube", "floodsagain")})})
    result = match([article(FLOODS)], channel(FLOODS_VIDEO, again), decisions=decisions)[0]
    assert (result.youtube.status, result.youtube.id) == ("paired", "floodsvideo")
    assert "floodsagain" not in {c.id for c in result.youtube.candidates}


def test_a_carried_video_is_claimed_and_already() -> None:
    results = match([article(FLOODS, youtube_id="floodsvideo"),
                     article((FLOODS[0], FLOODS[1]), slug="copy")], channel(FLOODS_VIDEO))
    assert (results[0].youtube.status, results[0].youtube.warning) == ("already", None)
    assert results[0].status == "already"
    assert results[0].as_json()["youtube"] == "floodsvideo"
    assert results[1].youtube.status == "unmatched"


def test_already_with_an_id_the_catalog_does_not_know() -> None:
    result = one(article(FLOODS, youtube_id="zzzzzzzzzzz"), channel(FLOODS_VIDEO))
    assert result.youtube.status == "already"
    assert result.youtube.warning is not None
    assert "zzzzzzzzzzz" in result.youtube.warning
    assert "episodes/floods.txt" in \
        result.youtube.warning


def test_already_with_a_video_of_another_story() -> None:
    result = one(article(FLOODS, youtube_id="harvestvid1"), channel(HARVEST_VIDEO))
    warning = result.youtube.warning or ""
    assert "harvestvid1" in warning
    assert HARVEST_VIDEO.title in warning
    assert FLOODS[0] in warning


# -- the show side ---------------------------------------------------------------------------

def _show(title: str, description: str, days: float, seconds: float,
          lang: str = "en") -> tuple[CatalogEntry, CatalogEntry]:
    when = DAY + timedelta(days=days)
    spotify = CatalogEntry("spotify", ("S" + title.replace(" ", ""))[:22].ljust(22, "x"),
                           title, description, date=when.replace(hour=0), date_precision="day",
                           duration=seconds, language=lang, language_evidence="declared",
                           kind="episode")
    rss = CatalogEntry("rss", f"guid-{title}", title, description,
                       date=when + timedelta(hours=2), date_precision="exact",
                       duration=seconds, language="en", language_evidence="feed",
                       kind="episode", audio_url=f"https://anchor.fm/{len(title)}.mp3")
    return spotify, rss


def test_spotify_and_rss_are_joined_and_matched() -> None:
    spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    other_s, other_r = _show("Grapes and frost", HARVEST_VIDEO.description, 1, 900)
    catalogs = [Catalog("spotify", "show.json", (spotify, other_s)),
                Catalog("rss", "show.xml", (other_r, rss))]
    assert (spotify, rss) in show_episodes(catalogs)
    result = match([article(FLOODS)], channel(FLOODS_VIDEO) + catalogs)[0]
    assert result.show.status == "paired"
    assert (result.spotify_id, result.audio, result.rss) == (spotify.id, rss.audio_url, rss)
    record = result.as_json()
    assert list(record) == ["path", "status", "youtube", "spotify", "audio", "confidence",
                            "candidates"]
    assert record["status"] == "paired"
    assert record["youtube"] == "floodsvideo"
    assert (record["spotify"], record["audio"]) == (spotify.id, rss.audio_url)
    assert {c["source"] for c in record["candidates"]} == {"youtube", "spotify", "rss"}
    assert all(set(c) == {"source", "id", "title", "score"} for c in record["candidates"])
    assert 0 <= record["confidence"] <= 1


def test_rss_alone_gives_the_audio_and_no_spotify_id() -> None:
    _spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    result = match([article(FLOODS)], [Catalog("rss", "show.xml", (rss,))])[0]
    assert (result.show.status, result.spotify_id, result.audio) == (
        "paired", None, rss.audio_url)
    assert result.as_json()["youtube"] is None


def test_a_carried_spotify_id_is_already_and_gives_the_audio() -> None:
    spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    catalogs = [Catalog("spotify", "s", (spotify,)), Catalog("rss", "r", (rss,))]
    result = match([article(FLOODS, spotify_id=spotify.id)], catalogs)[0]
    assert (result.show.status, result.spotify_id, result.audio) == (
        "already", spotify.id, rss.audio_url)


def test_summary_status() -> None:
    paired = SideProposal("paired", "x", None, 0.8)
    ambiguous = SideProposal("ambiguous", None, None, 0.6)
    already = SideProposal("already", "y", None, 1.0)
    assert Proposal("k", "s", paired, ambiguous).status == "ambiguous"
    assert Proposal("k", "s", already, paired).status == "paired"
    assert Proposal("k", "s", already).status == "already"
    assert Proposal("k", "s").status == "unmatched"
    assert Proposal("k", "s", paired, already).confidence == 0.8


def test_orphans_are_what_no_article_claims() -> None:
    spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    short = video("shortclip01", "Batumi #shorts", kind="short")
    catalogs = [*channel(FLOODS_VIDEO, HARVEST_VIDEO, short),
                Catalog("spotify", "s", (spotify,)), Catalog("rss", "r", (rss,))]
    proposals = match([article(FLOODS)], catalogs)
    assert [e.id for e in orphans(proposals, catalogs)] == ["harvestvid1"]


def test_find_entry_names_the_source_of_an_id() -> None:
    spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    catalogs = [*channel(FLOODS_VIDEO), Catalog("spotify", "s", (spotify,)),
                Catalog("rss", "r", (rss,))]
    assert find_entry(catalogs, spotify.id) == spotify
    assert find_entry(catalogs, rss.id) == rss
    assert find_entry(catalogs, "floodsvideo") == FLOODS_VIDEO
    assert find_entry(catalogs, "nothing") is None


def test_a_short_title_in_an_undeclared_language_never_pairs() -> None:
    guess = replace(FLOODS_VIDEO, title="Batumi floods", description="", language=None,
                    language_evidence=None, flat=True, date=None, date_precision=None)
    result = one(article(FLOODS), channel(guess))
    assert result.youtube.status != "paired"
    assert "language unsure" in result.youtube.candidates[0].reasons


def test_a_chosen_show_episode_gives_its_audio() -> None:
    spotify, rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    catalogs = [Catalog("spotify", "s", (spotify,)), Catalog("rss", "r", (rss,))]
    decisions = Decisions(chosen={"floods": {"rss": rss.id}})
    result = match([article(BRIDGE, slug="floods")], catalogs, decisions=decisions)[0]
    assert (result.show.status, result.spotify_id, result.audio) == (
        "paired", spotify.id, rss.audio_url)


def test_from_article(tmp_path: Any) -> None:
    from companion._model import Inference
    from companion._site_model import Site

    try:
        from tests._fixtures_pair import make_article
    except ImportError:
        from _fixtures_pair import make_article  # type: ignore[no-redef]
    site = Site(root=tmp_path, title="Show", base_url="https://pod.example.org/")
    written = make_article(
        site, slug="floods", title="Floods", body="# Heading\n\nRain *fell* on [Batumi](https://x.example/).",
        lang="ka-GE", youtube_id="floodsvideo", extra={
            "permalink": "/news/floods/", "canonical_url": "https://news.example/floods/",
            "tags": ["x"]}, inferred=(Inference("title", "Floods", "first line"),))
    seen = MatchArticle.from_article(written, str(site.episode_url("floods")))
    assert seen.key == "episodes/floods.md"
    assert seen.lang == "ka"
    assert seen.title_inferred
    assert seen.urls == ("https://pod.example.org/episodes/floods/", "/news/floods/",
                         "https://news.example/floods/")
    assert "Rain fell on Batumi." in seen.text
    assert "*" not in seen.text
    assert (seen.youtube_id, seen.spotify_id, seen.date) == ("floodsvideo", None, written.date)


def test_a_chosen_spotify_id_the_catalog_lacks_is_kept_with_a_warning() -> None:
    spotify, _rss = _show("Why Batumi flooded again", FLOODS_VIDEO.description, 1, 593)
    decisions = Decisions(chosen={"floods": {"spotify": "Z" * 22}})
    result = match([article(FLOODS)], [Catalog("spotify", "s", (spotify,))],
                   decisions=decisions)[0]
    assert (result.show.status, result.spotify_id) == ("paired", "Z" * 22)
    assert result.show.warning is not None
    assert "Z" * 22 in result.show.warning


def test_an_unknown_carried_id_against_a_flat_listing_is_a_warning() -> None:
    flat = replace(FLOODS_VIDEO, description="", date=None, flat=True)
    catalogs = [Catalog("youtube", "flat.json", (flat,), complete=False)]
    result = match([article(FLOODS, youtube_id="zzzzzzzzzzz")], catalogs)[0]
    assert result.youtube.warning is not None


def test_a_large_group_is_assigned_best_first() -> None:
    edges = {a: {d: 0.6 + ((a * 7 + d * 3) % 10) / 100 for d in range(300)} for a in range(200)}
    chosen = assign(edges)
    assert len(chosen) == 200
    assert len(set(chosen.values())) == 200
