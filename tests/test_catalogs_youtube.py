"""Channels and playlists read into the catalogs' cache through yt-dlp's real code: its
generic extractor against a local page, and recorded YouTube extractor results (the shapes
its "youtube:tab" gives for a channel with tabs, and a watch page's full info) processed by
`YoutubeDL.process_ie_result`; the channel's Atom feed served locally."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from companion._catalogs import complete_videos, read_catalogs
from companion._catalogs.options import CatalogOptions
from companion._catalogs.store import Index, SourceRecord, read_index, read_lines
from companion._catalogs.youtube import feed_address, trim
from companion._catalogs.ytdlp import YtDlpLister, ytdlp_error
from companion._errors import CatalogSourceError
from companion._site_model import Site
from tests._catalogs import Events, Replayed, local_options, pair_site
from tests._httpserver import Call, Reply, Server

CHANNEL = "https://www.youtube.com/@tbilisidesk"
CHANNEL_ID = "UCdesk0000000000000000aa"
VIDEOS = [f"vid{n:02d}abcdef"[:11] for n in range(1, 9)]  # newest first
SHORTS = ["shortAAAAA1", "shortAAAAA2"]


def flat(video: str, n: int, *, short: bool = False) -> dict[str, Any]:
    """An entry of youtube:tab's flat listing (approximate date on)."""
    url = (f"https://www.youtube.com/shorts/{video}" if short
           else f"https://www.youtube.com/watch?v={video}")
    return {"_type": "url", "ie_key": "Youtube", "id": video, "url": url,
            "title": f"Report {n}" if not short else f"Clip {n}", "description": None,
            "duration": 40 if short else 600 + n, "channel_id": CHANNEL_ID,
            "channel": "Tbilisi Desk", "uploader_id": "@tbilisidesk",
            "thumbnails": [{"url": f"https://i.ytimg.com/vi/{video}/{k}.jpg", "height": h,
                            "width": h * 16 // 9} for k, h in
                           (("default", 90), ("mq", 180), ("hq", 360), ("sd", 480),
                            ("maxres", 720))],
            "timestamp": 1780000000 - n * 86400, "view_count": 1000 + n,
            "live_status": None, "availability": None}


def channel_listing(videos: list[str]) -> dict[str, Any]:
    """youtube:tab's answer for a channel's home: a playlist of its tabs."""
    def tab(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {"_type": "playlist", "id": CHANNEL_ID, "title": f"Tbilisi Desk - {name}",
                "channel_id": CHANNEL_ID, "channel": "Tbilisi Desk",
                "webpage_url": f"{CHANNEL}/{name.lower()}", "extractor": "youtube:tab",
                "extractor_key": "YoutubeTab", "entries": entries}

    return {"_type": "playlist", "id": CHANNEL_ID, "title": "Tbilisi Desk",
            "channel": "Tbilisi Desk", "channel_id": CHANNEL_ID, "uploader_id": "@tbilisidesk",
            "webpage_url": CHANNEL, "extractor": "youtube:tab", "extractor_key": "YoutubeTab",
            "entries": [tab("Videos", [flat(v, n) for n, v in enumerate(videos)]),
                        tab("Shorts", [flat(s, n, short=True)
                                       for n, s in enumerate(SHORTS)])]}


def atom(videos: list[str]) -> bytes:
    """The channel's feeds/videos.xml with `videos`, newest first."""
    entries = "".join(
        f"<entry><id>yt:video:{v}</id><yt:videoId>{v}</yt:videoId>"
        f"<yt:channelId>{CHANNEL_ID}</yt:channelId><title>Report {v}</title>"
        f'<link rel="alternate" href="https://www.youtube.com/watch?v={v}"/>'
        f"<author><name>Tbilisi Desk</name>"
        f"<uri>https://www.youtube.com/channel/{CHANNEL_ID}</uri></author>"
        f"<published>2026-05-{20 - n:02d}T09:30:00+00:00</published>"
        f"<updated>2026-05-21T00:00:00+00:00</updated>"
        f"<media:group><media:title>Report {v}</media:title>"
        f'<media:content url="https://www.youtube.com/v/{v}?version=3" '
        f'type="application/x-shockwave-flash" width="640" height="390"/>'
        f'<media:thumbnail url="https://i1.ytimg.com/vi/{v}/hqdefault.jpg" width="480" '
        f'height="360"/>'
        f"<media:description>ანგარიში {v}: full description from the feed.</media:description>"
        f'<media:community><media:starRating count="3" average="5.00" min="1" max="5"/>'
        f'<media:statistics views="4321"/></media:community></media:group></entry>\n'
        for n, v in enumerate(videos))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
            f'xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
            f'<link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id='
            f'{CHANNEL_ID}"/><id>yt:channel:desk</id><yt:channelId>{CHANNEL_ID}</yt:channelId>'
            f"<title>Tbilisi Desk</title>\n{entries}</feed>").encode()


@dataclass
class Channel:
    """A channel: its flat listing (replayed through yt-dlp) and its Atom feed (served)."""

    server: Server
    videos: list[str] = field(default_factory=lambda: list(VIDEOS))
    feed_size: int = 5
    lister: Replayed = field(default_factory=Replayed)

    def __post_init__(self) -> None:
        self.server.routes["/feeds/videos.xml"] = self.feed
        self.relist()

    def relist(self) -> None:
        self.lister.answers[CHANNEL] = channel_listing(self.videos)

    def feed(self, call: Call) -> Reply:
        asked = parse_qs(urlsplit(call.path).query).get("channel_id")
        if asked != [CHANNEL_ID]:
            return Reply(b"", "text/html", 404)
        return Reply(atom(self.videos[:self.feed_size]), "application/atom+xml")

    def feed_calls(self) -> int:
        return sum(c.path.startswith("/feeds/") for c in self.server.calls)

    def options(self) -> CatalogOptions:
        return local_options(self.server, lister=self.lister)


@pytest.fixture
def channel(server: Server) -> Channel:
    return Channel(server)


def desk_site(tmp_path: Path) -> Site:
    return pair_site(tmp_path / "p", 'youtube = "@tbilisidesk"\n')


def lines_of(site: Site) -> list[dict[str, Any]]:
    return read_lines(site.cache_dir / "catalogs" / "youtube-tbilisidesk.jsonl")


def test_a_channel_is_listed_flat_then_its_feed_fills_the_newest(tmp_path: Path,
                                                                 channel: Channel) -> None:
    site = desk_site(tmp_path)
    events = Events()
    (file,) = read_catalogs(site, site.pair, offline=False, credentials=None,
                            options=channel.options(), progress=events).files
    assert file.path.name == "youtube-tbilisidesk.jsonl"
    assert file.title == "Tbilisi Desk"  # the -j lines name no channel: the index does
    lines = lines_of(site)
    assert [line["id"] for line in lines] == VIDEOS + SHORTS  # tabs walked, in order
    newest, old = lines[0], lines[6]
    assert newest["description"] == f"ანგარიში {VIDEOS[0]}: full description from the feed."
    assert newest["upload_date"] == "20260520"
    assert newest["timestamp"] == 1779269400  # the feed's exact moment, not the listing's
    assert "_type" not in newest  # no longer a bare link
    assert old["_type"] == "url"
    assert newest["duration"] == 600  # from the listing
    assert newest["title"] == f"Report {VIDEOS[0]}"  # the feed's: the title as it is now
    assert old["title"] == "Report 6"
    assert old["description"] is None
    assert old["timestamp"] == 1780000000 - 6 * 86400  # approximate: no upload_date
    assert "upload_date" not in old
    assert lines[-1]["url"] == f"https://www.youtube.com/shorts/{SHORTS[1]}"
    assert all(len(line["thumbnails"]) == 3 for line in lines[:8])
    assert all(not k.startswith("__") for line in lines for k in line)
    assert lines[0]["ie_key"] == "Youtube"  # yt-dlp's own fields, as it gives them
    record = read_index(site).sources[CHANNEL]
    assert record.feed == local_options(channel.server).youtube_feeds + \
        f"?channel_id={CHANNEL_ID}"
    assert record.title == "Tbilisi Desk"
    assert set(record.ids) == set(VIDEOS + SHORTS)
    assert channel.lister.asked == [CHANNEL]
    assert channel.feed_calls() == 1
    assert {e.stage for e in events.seen} >= {"start", "listing", "feed", "done"}


def test_the_next_run_reads_what_is_new_from_the_feed_alone(tmp_path: Path,
                                                            channel: Channel) -> None:
    site = desk_site(tmp_path)
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    channel.videos[:0] = ["newAAAAAAA1", "newAAAAAAA2"]
    channel.relist()
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    assert channel.lister.asked == [CHANNEL]  # no second listing
    assert channel.feed_calls() == 2
    lines = lines_of(site)
    assert [line["id"] for line in lines[:3]] == ["newAAAAAAA1", "newAAAAAAA2", VIDEOS[0]]
    assert lines[0]["description"].endswith("full description from the feed.")
    assert lines[0]["timestamp"] == 1779269400  # 2026-05-20T09:30:00Z
    assert "newAAAAAAA1" in read_index(site).sources[CHANNEL].ids

    channel.videos[:0] = [f"burst{n:06d}" for n in range(6)]  # more than the feed holds
    channel.relist()
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    assert channel.lister.asked == [CHANNEL, CHANNEL]  # the feed could not vouch: listed again
    assert [line["id"] for line in lines_of(site)][:9] == channel.videos[:9]


def test_a_week_after_the_last_listing_the_channel_is_listed_again(
        tmp_path: Path, channel: Channel, monkeypatch: pytest.MonkeyPatch) -> None:
    site = desk_site(tmp_path)
    monkeypatch.setenv("COMPANION_NOW", "2026-06-01T08:00:00Z")
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    assert read_index(site).sources[CHANNEL].listed == "2026-06-01T08:00:00Z"
    monkeypatch.setenv("COMPANION_NOW", "2026-06-07T08:00:00Z")
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    assert channel.lister.asked == [CHANNEL]  # the feed serves for six days
    record = read_index(site).sources[CHANNEL]
    assert (record.read, record.listed) == ("2026-06-07T08:00:00Z", "2026-06-01T08:00:00Z")
    monkeypatch.setenv("COMPANION_NOW", "2026-06-08T08:00:00Z")
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    assert channel.lister.asked == [CHANNEL, CHANNEL]
    assert read_index(site).sources[CHANNEL].listed == "2026-06-08T08:00:00Z"


def test_complete_videos_puts_full_infos_in_place_of_flat_entries(tmp_path: Path,
                                                                  channel: Channel) -> None:
    site = desk_site(tmp_path)
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    target = VIDEOS[6]
    watch = local_options(channel.server).youtube_watch
    channel.lister.answers[watch.replace("{id}", target)] = full_info(target)
    channel.lister.answers[watch.replace("{id}", "elsewhere01")] = full_info("elsewhere01")
    events = Events()
    problems = complete_videos(site, [target, "elsewhere01", "missing0001"],
                               options=channel.options(), progress=events)
    (problem,) = problems
    assert problem.severity == "warning"
    assert "missing0001" in problem.where
    lines = lines_of(site)
    assert [line["id"] for line in lines] == VIDEOS + SHORTS  # same place, same order
    info = lines[6]
    assert info["description"] == "Full description, with a link to https://desk.example.org/a"
    assert info["automatic_captions"] == {"ka-orig": [], "en": []}
    assert info["subtitles"] == {"ka": []}
    for bulky in ("formats", "requested_formats", "http_headers", "url"):
        assert bulky not in info
    assert len(info["thumbnails"]) == 3
    assert info["upload_date"] == "20260503"
    assert read_index(site).sources[CHANNEL].full == (target,)
    extra = read_lines(site.cache_dir / "catalogs" / "youtube-completed.jsonl")
    assert [line["id"] for line in extra] == ["elsewhere01"]
    asked = len(channel.lister.asked)
    complete_videos(site, [target], options=channel.options())
    assert len(channel.lister.asked) == asked  # complete already: not asked again
    assert events.seen[-1].stage == "details"

    channel.videos.insert(0, "afterAAAAA1")  # a later full listing keeps the full info
    channel.relist()
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options(),
                  again=True)
    assert next(line for line in lines_of(site) if line["id"] == target) == info
    files = read_catalogs(site, site.pair, offline=True, credentials=None,
                          options=channel.options()).files
    assert [f.path.name for f in files] == ["youtube-tbilisidesk.jsonl",
                                            "youtube-completed.jsonl"]


def test_a_network_failure_while_completing_keeps_what_was_fetched(
        tmp_path: Path, channel: Channel) -> None:
    site = desk_site(tmp_path)
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    watch = local_options(channel.server).youtube_watch
    channel.lister.answers[watch.replace("{id}", VIDEOS[4])] = full_info(VIDEOS[4])
    channel.lister.failures[watch.replace("{id}", VIDEOS[5])] = (
        "ERROR: [youtube] x: Unable to download API page: <urlopen error [Errno 111] "
        "Connection refused>")
    with pytest.raises(CatalogSourceError, match="no network connection"):
        complete_videos(site, [VIDEOS[4], VIDEOS[5]], options=channel.options())
    assert lines_of(site)[4]["_type"] == "video"
    assert read_index(site).sources[CHANNEL].full == (VIDEOS[4],)


def test_read_catalogs_completes_what_the_caller_names(tmp_path: Path,
                                                       channel: Channel) -> None:
    site = desk_site(tmp_path)
    watch = local_options(channel.server).youtube_watch
    channel.lister.answers[watch.replace("{id}", VIDEOS[7])] = full_info(VIDEOS[7])
    seen: list[list[str]] = []

    def wanted(files: Any) -> list[str]:
        seen.append([f.path.name for f in files])
        return [VIDEOS[7]]

    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options(),
                  complete_ids=wanted)
    assert seen == [["youtube-tbilisidesk.jsonl"]]
    assert lines_of(site)[7]["_type"] == "video"


def full_info(video: str) -> dict[str, Any]:
    """A watch page's extractor result (the fields companion keeps, and the bulky ones)."""
    caption = [{"ext": "vtt", "url": f"https://www.youtube.com/api/timedtext?v={video}&sig=x"}]
    return {"id": video, "title": "Full title", "extractor": "youtube",
            "extractor_key": "Youtube", "webpage_url": f"https://www.youtube.com/watch?v={video}",
            "description": "Full description, with a link to https://desk.example.org/a",
            "duration": 606, "timestamp": 1777800000, "channel_id": CHANNEL_ID,
            "channel": "Tbilisi Desk", "live_status": "not_live", "media_type": "video",
            "categories": ["News & Politics"], "tags": ["tbilisi"],
            "automatic_captions": {"ka-orig": caption, "en": caption},
            "subtitles": {"ka": caption},
            "thumbnails": [{"url": f"https://i.ytimg.com/vi/{video}/{n}.jpg", "preference": n}
                           for n in range(8)],
            "formats": [{"format_id": "140", "url": "https://rr1.googlevideo.com/a?sig=1",
                         "ext": "m4a", "acodec": "mp4a.40.2", "vcodec": "none", "abr": 129,
                         "language": "ka", "http_headers": {"User-Agent": "x"}},
                        {"format_id": "137", "url": "https://rr1.googlevideo.com/v?sig=2",
                         "ext": "mp4", "vcodec": "avc1.640028", "acodec": "none",
                         "height": 1080, "width": 1920}]}


def test_trim_keeps_field_names_and_drops_bulk() -> None:
    info = {**full_info("abcdefghijk"), "__x_forwarded_for_ip": None, "url": "https://rr1/x",
            "requested_formats": [{}], "http_headers": {"a": "b"}, "_type": "video"}
    kept = trim(info)
    info["epoch"] = 1796592049
    assert set(info) - set(kept) == {"__x_forwarded_for_ip", "url", "requested_formats",
                                     "http_headers", "formats", "epoch"}
    assert kept["thumbnails"] == info["thumbnails"][-3:]
    entry = flat("abcdefghijk", 1)
    assert trim(entry)["url"] == entry["url"]  # a flat entry's URL is its watch page


def test_a_local_page_of_embeds_is_a_flat_listing_through_the_generic_extractor(
        tmp_path: Path, server: Server) -> None:
    ids = ["AAAAAAAAAA1", "BBBBBBBBBB2", "CCCCCCCCCC3"]
    server.routes["/desk.html"] = Reply(
        ("<html><head><title>Desk picks</title></head><body>" + "".join(
            f'<iframe src="https://www.youtube.com/embed/{i}"></iframe>' for i in ids)
         + "</body></html>").encode())
    site = pair_site(tmp_path / "p", f'youtube = "{server.url("/desk.html")}"\n')
    (file,) = read_catalogs(site, site.pair, offline=False, credentials=None,
                            options=local_options(server)).files
    assert file.path.name.startswith("youtube-127-0-0-1-desk-html-")
    lines = read_lines(file.path)
    assert [line["id"] for line in lines] == ids
    assert all(line["ie_key"] == "Youtube" and line["_type"] == "url" for line in lines)
    assert server.requests == ["/desk.html"]  # flat: no video asked, no feed for this page
    record = read_index(site).sources[server.url("/desk.html")]
    assert (record.feed, record.title) == (None, "Desk picks")


def test_a_page_that_is_one_video_is_not_a_channel(tmp_path: Path, server: Server) -> None:
    server.routes["/one.html"] = Reply(b'<html><head><title>One</title></head><body>'
                                       b'<video src="/media/one.mp4"></video></body></html>')
    site = pair_site(tmp_path / "p", f'youtube = "{server.url("/one.html")}"\n')
    with pytest.raises(CatalogSourceError, match="is a video, not a channel or playlist"):
        read_catalogs(site, site.pair, offline=False, credentials=None,
                      options=local_options(server))
    assert not (site.cache_dir / "catalogs").exists()


def test_a_missing_channel_is_one_message_naming_it(tmp_path: Path, server: Server) -> None:
    site = pair_site(tmp_path / "p", f'youtube = "{server.url("/gone")}"\n')
    with pytest.raises(CatalogSourceError) as caught:
        read_catalogs(site, site.pair, offline=False, credentials=None,
                      options=local_options(server))
    assert caught.value.message.startswith(f"no such channel or playlist: {server.url('/gone')}")
    assert caught.value.where == server.url("/gone")
    assert "[pair] youtube" in caught.value.fix


def test_complete_videos_through_the_generic_extractor(tmp_path: Path, server: Server) -> None:
    site = pair_site(tmp_path / "p", "")
    server.routes["/watch/pageVideo1"] = Reply(
        b'<html><head><title>x</title><meta property="og:title" content="A report">'
        b'<meta property="og:description" content="What the report says">'
        b'<meta property="og:video" content="/media/pageVideo1.mp4"></head></html>')
    problems = complete_videos(site, ["pageVideo1"],
                               options=local_options(server, lister=YtDlpLister(5, 0)))
    assert problems == []
    (line,) = read_lines(site.cache_dir / "catalogs" / "youtube-completed.jsonl")
    assert (line["id"], line["title"], line["description"]) == (
        "pageVideo1", "A report", "What the report says")
    assert server.requests == ["/watch/pageVideo1"]


@pytest.mark.parametrize(("message", "words"), [
    ("ERROR: [youtube:tab] PLx: The playlist does not exist.", "no such channel or playlist"),
    ("ERROR: [youtube:tab] PLx: This playlist is private", "private or needs a sign-in"),
    ("ERROR: [youtube:tab] @x: Unable to download API page: <urlopen error [Errno -3] "
     "Temporary failure in name resolution>", "no network connection"),
    ("ERROR: [youtube:tab] @x: Read timed out.", "did not answer in time"),
    ("ERROR: something new", "yt-dlp could not read"),
])
def test_yt_dlp_s_words_become_one_message(message: str, words: str) -> None:
    error = ytdlp_error(message, "https://www.youtube.com/playlist?list=PLx")
    assert words in error.message
    assert "https://www.youtube.com/playlist?list=PLx" in error.message
    assert error.fix


def test_offline_makes_no_request_and_asks_yt_dlp_nothing(tmp_path: Path,
                                                          channel: Channel) -> None:
    site = desk_site(tmp_path)
    read_catalogs(site, site.pair, offline=False, credentials=None, options=channel.options())
    calls, asked = len(channel.server.calls), len(channel.lister.asked)
    before = json.dumps(lines_of(site))
    read_catalogs(site, site.pair, offline=True, credentials=None, options=channel.options())
    assert (len(channel.server.calls), len(channel.lister.asked)) == (calls, asked)
    assert json.dumps(lines_of(site)) == before


def test_the_feed_of_a_playlist_a_channel_or_nothing() -> None:
    feeds = "https://www.youtube.com/feeds/videos.xml"
    assert feed_address(feeds, "https://www.youtube.com/playlist?list=PLdesk1") == \
        f"{feeds}?playlist_id=PLdesk1"
    assert feed_address(feeds, f"https://www.youtube.com/channel/{CHANNEL_ID}/videos") == \
        f"{feeds}?channel_id={CHANNEL_ID}"
    assert feed_address(feeds, CHANNEL) is None  # a handle: the listing names the channel
    assert feed_address(feeds, CHANNEL, {"channel_id": CHANNEL_ID}) == \
        f"{feeds}?channel_id={CHANNEL_ID}"
    assert feed_address(feeds, CHANNEL, {"channel_id": "not a channel id"}) is None


def test_two_sources_never_share_a_file(tmp_path: Path) -> None:
    index = Index(tmp_path / "index.json")
    first = index.file_for("youtube", "https://www.youtube.com/@desk")
    assert first == "youtube-desk.jsonl"
    index.sources["https://www.youtube.com/@desk"] = SourceRecord(
        "https://www.youtube.com/@desk", "youtube", first, "2026-01-01T00:00:00Z")
    assert index.file_for("youtube", "https://www.youtube.com/@desk") == first
    other = index.file_for("youtube", "https://m.youtube.com/@desk")
    assert other.startswith("youtube-desk-")
    assert other.endswith(".jsonl")
    assert other != first
    assert index.file_for("spotify", f"https://open.spotify.com/show/{'a' * 22}") == \
        f"spotify-{'a' * 22}.json"


def test_fetch_s_yt_dlp_options_reach_the_listing_beside_its_own() -> None:
    lister = Replayed(answers={CHANNEL: channel_listing(VIDEOS)}, ytdlp_options={
        "extractor_args": {"youtubetab": {"skip": ["webpage"]},
                           "youtube": {"player_client": ["web"]}},
        "sleep_interval_requests": 1.5})
    lister.listing(CHANNEL)
    (params,) = lister.params
    assert params["extractor_args"] == {
        "youtubetab": {"skip": ["webpage"], "approximate_date": [""]},
        "youtube": {"player_client": ["web"]}}
    assert params["sleep_interval_requests"] == 1.5
    assert params["extract_flat"] == "in_playlist"


def test_a_video_in_a_channel_and_a_playlist_is_completed_in_both(tmp_path: Path,
                                                                  channel: Channel) -> None:
    playlist = "https://www.youtube.com/playlist?list=PLdeskElections"
    channel.lister.answers[playlist] = {
        "_type": "playlist", "id": "PLdeskElections", "title": "Elections",
        "webpage_url": playlist, "extractor": "youtube:tab", "extractor_key": "YoutubeTab",
        "entries": [flat(VIDEOS[2], 2), flat(VIDEOS[3], 3)]}
    site = pair_site(tmp_path / "p", f'youtube = ["@tbilisidesk", "{playlist}"]\n')
    files = read_catalogs(site, site.pair, offline=False, credentials=None,
                          options=channel.options()).files
    assert [f.path.name for f in files] == ["youtube-tbilisidesk.jsonl",
                                            "youtube-PLdeskElections.jsonl"]
    watch = local_options(channel.server).youtube_watch
    channel.lister.answers[watch.replace("{id}", VIDEOS[2])] = full_info(VIDEOS[2])
    assert complete_videos(site, [VIDEOS[2]], options=channel.options()) == []
    for file in files:
        (line,) = [line for line in read_lines(file.path) if line["id"] == VIDEOS[2]]
        assert line["_type"] == "video"
        assert read_index(site).sources[file.origin].full == (VIDEOS[2],)
    asked = len(channel.lister.asked)
    complete_videos(site, [VIDEOS[2]], options=channel.options())
    assert len(channel.lister.asked) == asked
