"""render_feed: structure (lxml XPath), determinism, XML safety."""

from __future__ import annotations

import dataclasses
import html as html_lib
from pathlib import Path

import pytest
from lxml import etree

try:
    from tests._episodes import (
        make_episode,
        media_for,
        media_map,
        sample_episode,
        sample_episodes,
        show_for,
    )
except ImportError:  # tests/ run as a plain folder
    from _episodes import (  # type: ignore[no-redef]
        make_episode,
        media_for,
        media_map,
        sample_episode,
        sample_episodes,
        show_for,
    )
from companion import Chapter, Episode, FeedDefinition, Site
from companion._build.prepare import Preparer
from companion._config.feeds import load_feeds, podcast_guid_for, select_episodes
from companion._config.project import load_site
from companion._model import Funding, Person
from companion._render.rss import ItemParts, TranscriptRef, cdata_safe, render_feed

REPO = Path(__file__).resolve().parent.parent
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
SITE = Site(root=REPO, title="Test", base_url="https://podcasts.example.org/")


def make_feed(**changes: object) -> FeedDefinition:
    feed = FeedDefinition(
        slug="show", path=REPO / "feeds" / "show.toml", title="The Show",
        description="A show.", author="Desk", owner=Person("Desk", "podcasts@example.org"),
        language="en", artwork="https://cdn.example.org/show.jpeg",
        categories=(("News", "Politics"), ("News", "Daily News"), ("Society & Culture", None)),
        funding=(Funding("https://example.org/support", "Support us"),),
    )
    return dataclasses.replace(feed, **changes)  # type: ignore[arg-type]


def render(episodes: list[Episode] | None = None, **changes: object) -> etree._Element:
    episodes = sample_episodes() if episodes is None else episodes
    data = render_feed(show_for(make_feed(**changes), SITE), episodes, media_map(episodes))
    return etree.fromstring(data)


def xp(root: etree._Element, path: str) -> list:  # type: ignore[type-arg]
    return root.xpath(path, namespaces=NS)  # type: ignore[no-any-return]


def test_namespaces_are_bound_literally() -> None:
    root = render()
    for prefix, uri in NS.items():
        assert root.nsmap[prefix] == uri
    assert root.get("version") == "2.0"


def test_channel_tags() -> None:
    root = render()
    ch = "/rss/channel"
    assert xp(root, f"{ch}/title/text()") == ["The Show"]
    assert xp(root, f"{ch}/link/text()") == ["https://podcasts.example.org/show/"]
    self_link = xp(root, f"{ch}/atom:link")[0]
    assert self_link.get("rel") == "self"
    assert self_link.get("type") == "application/rss+xml"
    assert self_link.get("href") == "https://podcasts.example.org/show/feed.xml"
    assert xp(root, f"{ch}/language/text()") == ["en"]
    assert xp(root, f"{ch}/generator/text()") == ["companion"]
    assert xp(root, f"{ch}/itunes:author/text()") == ["Desk"]
    assert xp(root, f"{ch}/itunes:owner/itunes:email/text()") == ["podcasts@example.org"]
    assert xp(root, f"{ch}/itunes:owner/itunes:name/text()") == ["Desk"]
    assert xp(root, f"{ch}/itunes:type/text()") == ["episodic"]
    assert xp(root, f"{ch}/podcast:medium/text()") == ["podcast"]
    funding = xp(root, f"{ch}/podcast:funding")[0]
    assert (funding.get("url"), funding.text) == ("https://example.org/support", "Support us")
    locked = xp(root, f"{ch}/podcast:locked")[0]
    assert (locked.text, locked.get("owner")) == ("yes", "podcasts@example.org")


def test_jpeg_artwork_url_is_kept() -> None:
    root = render()
    assert xp(root, "/rss/channel/itunes:image/@href") == ["https://cdn.example.org/show.jpeg"]
    assert xp(root, "/rss/channel/image/url/text()") == ["https://cdn.example.org/show.jpeg"]


def test_categories_are_nested() -> None:
    root = render()
    top = xp(root, "/rss/channel/itunes:category/@text")
    assert top == ["News", "Society & Culture"]
    subs = xp(root, "/rss/channel/itunes:category[@text='News']/itunes:category/@text")
    assert subs == ["Politics", "Daily News"]


@pytest.mark.parametrize(("explicit", "text"), [(True, "true"), (False, "false")])
def test_explicit_is_true_or_false(explicit: bool, text: str) -> None:
    root = render(explicit=explicit)
    assert xp(root, "/rss/channel/itunes:explicit/text()") == [text]
    assert set(xp(root, "//item/itunes:explicit/text()")) == {text}


def test_episode_explicit_overrides_the_show() -> None:
    root = render([make_episode("x", explicit=True)])
    assert xp(root, "/rss/channel/itunes:explicit/text()") == ["false"]
    assert xp(root, "//item/itunes:explicit/text()") == ["true"]


def test_podcast_guid_vector() -> None:
    site = Site(root=REPO, title="T", base_url="https://podnews.net/")
    feed = make_feed(slug="rss")
    root = etree.fromstring(render_feed(show_for(feed, site), [], {}))
    expected = podcast_guid_for("https://podnews.net/rss/feed.xml")
    assert xp(root, "/rss/channel/podcast:guid/text()") == [expected]
    assert podcast_guid_for("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    configured = make_feed(podcast_guid="9b024349-ccf0-5f69-a609-6b82873eab3c")
    root = etree.fromstring(render_feed(show_for(configured, site), [], {}))
    assert xp(root, "/rss/channel/podcast:guid/text()") == [
        "9b024349-ccf0-5f69-a609-6b82873eab3c"]


def test_items_newest_first_with_episode_guids() -> None:
    episodes = sample_episodes()  # oldest first
    root = render(list(episodes))
    assert xp(root, "//item/guid/text()") == [e.guid for e in reversed(episodes)]
    assert set(xp(root, "//item/guid/@isPermaLink")) == {"false"}


def test_build_dates_come_from_content() -> None:
    root = render()
    newest = "Wed, 15 Oct 2025 08:00:00 +0000"  # the Persian sample, the newest
    assert xp(root, "/rss/channel/lastBuildDate/text()") == [newest]
    assert xp(root, "/rss/channel/pubDate/text()") == [newest]
    assert xp(root, "//item/pubDate/text()")[0] == newest


def test_rerender_is_byte_identical() -> None:
    episodes = sample_episodes()
    feed = make_feed()
    first = render_feed(show_for(feed, SITE), episodes, media_map(episodes))
    again = render_feed(show_for(feed, SITE), list(reversed(episodes)), media_map(episodes))
    assert first == again


def test_item_tags() -> None:
    episode = sample_episode("en", season=2, episode=7, episode_type="bonus")
    ref = media_for(episode)
    root = render([episode])
    item = xp(root, "//item")[0]
    assert xp(item, "title/text()") == [episode.title]
    assert xp(item, "link/text()") == [ref.page_url]
    enclosure = xp(item, "enclosure")[0]
    assert enclosure.attrib == {"url": ref.url, "length": str(ref.length), "type": "audio/mpeg"}
    assert xp(item, "itunes:duration/text()") == ["3754"]
    assert xp(item, "itunes:image/@href") == [ref.image_url]
    assert xp(item, "itunes:season/text()") == ["2"]
    assert xp(item, "itunes:episode/text()") == ["7"]
    assert xp(item, "itunes:episodeType/text()") == ["bonus"]
    assert xp(item, "podcast:season/text()") == ["2"]
    assert xp(item, "podcast:episode/text()") == ["7"]
    assert xp(item, "description/text()") == [episode.article.description]
    assert xp(item, "content:encoded/text()") == [ref.description_html]
    person = xp(item, "podcast:person")[0]
    assert (person.text, person.get("role")) == ("Sam Reed", "host")


def test_transcripts_and_chapters() -> None:
    episode = sample_episode("es")
    root = render([episode])
    item = xp(root, "//item")[0]
    transcripts = [(t.get("type"), t.get("language"), t.get("rel"))
                   for t in xp(item, "podcast:transcript")]
    assert transcripts == [("text/vtt", "es", "captions"),
                           ("application/x-subrip", "es", "captions")]
    chapters = xp(item, "podcast:chapters")[0]
    assert chapters.get("type") == "application/json+chapters"
    assert chapters.get("url").endswith("/episodes/cafe-de-altura/chapters.json")
    assert xp(item, "psc:chapters/@version") == ["1.2"]
    starts = xp(item, "psc:chapters/psc:chapter/@start")
    assert starts == ["00:00:00.000", "00:01:02.500", "01:02:05.250"]
    assert xp(item, "psc:chapters/psc:chapter/@title") == ["Intro", "The story", "End"]


def test_episode_without_media_is_left_out() -> None:
    with_audio, without = make_episode("a"), make_episode("b", audio=False)
    data = render_feed(show_for(make_feed(), SITE), [with_audio, without],
                       media_map([with_audio]))
    root = etree.fromstring(data)
    assert xp(root, "//item/guid/text()") == [with_audio.guid]


def test_description_is_cut_to_4000() -> None:
    episode = make_episode("long")
    ref = dataclasses.replace(media_for(episode), description_text="word " * 2000)
    root = etree.fromstring(render_feed(show_for(make_feed(), SITE), [episode],
                                        {episode.guid: ref}))
    text = xp(root, "//item/description/text()")[0]
    assert len(text.encode("utf-8")) <= 4000
    assert text.endswith("…")


def test_description_is_cut_to_4000_bytes_in_georgian() -> None:
    episode = make_episode("long")
    ref = dataclasses.replace(media_for(episode), description_text="სიტყვა & " * 800)
    root = etree.fromstring(render_feed(show_for(make_feed(), SITE), [episode],
                                        {episode.guid: ref}))
    text = xp(root, "//item/description/text()")[0]
    assert 3900 < len(text.encode("utf-8")) <= 4000  # bytes, escaped as it stands
    assert len(text) < 2200  # characters: far fewer than the bytes


NASTY = "Tom & Jerry <script>alert(1)</script> ]]> \x00\x01\x0b\x1f\ufffe end"
CLEAN = "Tom & Jerry <script>alert(1)</script> ]]>  end"


def test_untrusted_text_stays_text() -> None:
    episode = make_episode("nasty", title=NASTY, author=NASTY,
                           chapters=(Chapter(0, NASTY),))
    ref = media_for(episode, html=f"<p>{NASTY}</p>", text=NASTY)
    feed = make_feed(title=NASTY, description=NASTY)
    data = render_feed(show_for(feed, SITE), [episode], {episode.guid: ref})
    root = etree.fromstring(data)  # well-formed
    assert b"<title>Tom &amp; Jerry &lt;script&gt;" in data
    assert xp(root, "/rss/channel/title/text()") == [CLEAN]
    assert xp(root, "//item/title/text()") == [CLEAN]
    # description is read as HTML: its plain text is HTML-escaped (then XML-escaped)
    assert xp(root, "//item/description/text()") == [html_lib.escape(CLEAN, quote=False)]
    assert xp(root, "/rss/channel/description/text()") == [html_lib.escape(CLEAN, quote=False)]
    assert b"<description>Tom &amp;amp; Jerry &amp;lt;script&amp;gt;" in data
    assert xp(root, "//item/podcast:person/text()") == [CLEAN]
    assert xp(root, "//item/psc:chapters/psc:chapter/@title") == [CLEAN]
    html = xp(root, "//item/content:encoded/text()")[0]
    assert html == f"<p>{cdata_safe(CLEAN)}</p>"
    assert not xp(root, "//script")


def test_cdata_safe() -> None:
    assert cdata_safe("a]]>b") == "a]]&gt;b"


def test_example_feeds_render() -> None:
    site = load_site(REPO)
    episodes = sample_episodes()
    for feed in load_feeds(site).feeds:
        chosen = select_episodes(feed, episodes)
        assert [e.article.lang for e in chosen] == [feed.language]
        show = Preparer(site).show(feed).show  # the artwork placed as a build places it
        root = etree.fromstring(render_feed(show, chosen, media_map(chosen)))
        href = xp(root, "/rss/channel/itunes:image/@href")[0]
        assert href.startswith("https://podcasts.example.org/artwork/")
        assert href.endswith(".jpg" if feed.slug == "en" else ".png")
        assert xp(root, "/rss/channel/language/text()") == [feed.language]


def test_a_transcript_is_captions_unless_said_otherwise() -> None:
    episode = make_episode("t", transcripts=())
    ref = dataclasses.replace(media_for(episode), transcripts=(
        TranscriptRef("https://x.example.org/t.vtt", "text/vtt", "en"),))
    root = etree.fromstring(render_feed(show_for(make_feed(), SITE), [episode],
                                        {episode.guid: ref}))
    transcript = xp(root, "//podcast:transcript")[0]
    assert transcript.get("rel") == "captions"
    assert isinstance(ref, ItemParts)


def test_feed_file() -> None:
    from companion._render.rss import feed_file

    episodes = sample_episodes()
    out = feed_file(show_for(make_feed(), SITE), episodes, media_map(episodes))
    assert out.path == "show/feed.xml"
    assert out.cache == "feed"
    assert out.content_type.startswith("application/rss+xml")
    assert out.data == render_feed(show_for(make_feed(), SITE), episodes, media_map(episodes))


def assembled(feed: FeedDefinition, episodes: list[Episode], site: Site,
              media: dict[str, ItemParts]) -> bytes:
    from companion._render.rss import assemble_feed, render_item

    items = {e.guid: render_item(show_for(feed, site), e, media[e.guid])
             for e in episodes if e.guid in media}
    return assemble_feed(show_for(feed, site), episodes, media, items)


@pytest.mark.parametrize("changes", [{}, {"explicit": True}, {"title": NASTY,
                                                             "description": NASTY}])
def test_assembled_feed_is_byte_identical_to_a_rendered_one(changes: dict[str, object]) -> None:
    feed = make_feed(**changes)
    nasty = make_episode("nasty", title=NASTY, author=NASTY, chapters=(Chapter(0, NASTY),))
    episodes = [*sample_episodes(), nasty, make_episode("no-media", guid="nm")]
    media = media_map(episodes[:-1])
    media[nasty.guid] = media_for(nasty, html=f"<p>{NASTY}</p> <item>x</item>", text=NASTY)
    whole = render_feed(show_for(feed, SITE), episodes, media)
    assert assembled(feed, episodes, SITE, media) == whole
    assert assembled(feed, [], SITE, {}) == render_feed(show_for(feed, SITE), [], {})
    some = {g: b"" for g in list(media)[:1]}  # a missing item is rendered on the spot
    from companion._render.rss import assemble_feed
    assert assemble_feed(show_for(feed, SITE), episodes, media, some) == whole


def test_assembled_example_feeds_are_byte_identical() -> None:
    site = load_site(REPO)
    episodes = sample_episodes()
    for feed in load_feeds(site).feeds:
        chosen = select_episodes(feed, episodes)
        media = media_map(chosen)
        data = assembled(feed, chosen, site, media)
        assert data == render_feed(show_for(feed, site), chosen, media)
        item = data[data.index(b"<item>"):]
        assert b"xmlns" not in item  # namespaces are declared on the root only
