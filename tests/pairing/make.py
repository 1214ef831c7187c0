"""Writes the pairing evaluation set from the stories in stories_*.py:

- project/: a companion project (companion.toml) with the articles in episodes/: Jekyll
  posts (front matter), plain-text articles with a title line, and plain-text wire
  stories that open with a dateline (their title is inferred);
- catalogs/: the channel and the show in the sources' own formats: yt-dlp `-j` output
  (channel-videos.jsonl, full info dicts), yt-dlp `-J --flat-playlist` of the channel
  (channel-flat.json: Videos, Shorts and Live tabs, flat entries), Spotify's "Get Show
  Episodes" pages (show-episodes.json, a list of pages), and the show's RSS feed in the
  shape Spotify for Creators writes (show.xml);
- truth.json: for each article, the expected video, Spotify episode and audio (null when
  none, "ambiguous" when no pair may be made), its language, traps and split.

The decoys a real channel has, per story's `traps`:
  link          the video's description links the article's page (or its canonical URL)
  show_differ   the show's episode title differs from the video's
  short         a #shorts clip of the story (45 s, /shorts/ URL)
  live          a live stream about the story (was_live), a week later an upcoming premiere
  before        the video appeared two days before the article
  reupload      the video was uploaded twice (same title and description): ambiguous
  parts         the story is two videos, part 1 and part 2: ambiguous
  desc_only     the video's title shares no word with the article; its description does
  flat          the video is only in the flat listing (no description, no date)
  none          no video and no episode
  xlang         no video in the article's language, only in another (`also`): unmatched
  also          besides its own, a video of the story in another language
  show_rss_only / show_spotify_only   the episode is only in the RSS feed / on Spotify
and, from stories_followups.py, videos on an article's subject that are another story (a
follow-up, an earlier report) and one-off digests with titles of their own; and, for
every language, "week in review" round-ups (near-identical titles, descriptions
listing the week's headlines) and news bulletins quoting two stories' first sentences,
on the channel and in the show. Run: python tests/pairing/make.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stories_ar_fa import STORIES as AR_FA  # noqa: E402
from stories_en_es import STORIES as EN_ES  # noqa: E402
from stories_followups import DIGESTS, FOLLOWUPS  # noqa: E402
from stories_ru_ka import STORIES as RU_KA  # noqa: E402

STORIES: list[dict[str, Any]] = EN_ES + RU_KA + AR_FA
BASE_URL = "https://pod.caucasusdesk.example/"
NEWSROOM = "https://caucasusdesk.example/"
CHANNEL = "Caucasus Desk"
START = datetime(2025, 9, 1, 8, tzinfo=UTC)
LANGS = ["en", "es", "ru", "ka", "ar", "fa"]
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

BOILERPLATE = {
    "en": "Subscribe to Caucasus Desk for news from Georgia, Armenia and Azerbaijan.",
    "es": "Suscríbete a Caucasus Desk para noticias de Georgia, Armenia y Azerbaiyán.",
    "ru": "Подписывайтесь на Caucasus Desk: новости Грузии, Армении и Азербайджана.",
    "ka": "გამოიწერეთ Caucasus Desk: ამბები საქართველოდან, სომხეთიდან და აზერბაიჯანიდან.",
    "ar": "اشترك في قناة Caucasus Desk لأخبار جورجيا وأرمينيا وأذربيجان.",
    "fa": "در Caucasus Desk مشترک شوید: خبرهای گرجستان، ارمنستان و آذربایجان.",
}
ROUNDUP = {"en": "Week in review", "es": "Resumen de la semana", "ru": "Итоги недели",
           "ka": "კვირის მიმოხილვა", "ar": "حصاد الأسبوع", "fa": "مرور هفته"}
BULLETIN = {"en": "News bulletin", "es": "Boletín informativo", "ru": "Выпуск новостей",
            "ka": "საინფორმაციო გამოშვება", "ar": "نشرة الأخبار", "fa": "بخش خبری"}
PART = {"en": "part", "es": "parte", "ru": "часть", "ka": "ნაწილი", "ar": "الجزء",
        "fa": "قسمت"}
LIVE = {"en": "LIVE", "es": "EN DIRECTO", "ru": "ПРЯМОЙ ЭФИР", "ka": "პირდაპირი ეთერი",
        "ar": "بث مباشر", "fa": "پخش زنده"}


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def video_id(name: str) -> str:
    return "".join(_B64[b % 64] for b in _digest("v" + name)[:11])


def spotify_id(name: str) -> str:
    return "".join(_B62[b % 62] for b in _digest("s" + name)[:22])


def _article_date(story: dict[str, Any]) -> datetime:
    lang_order = LANGS.index(story["lang"])
    number = [s["key"] for s in STORIES if s["lang"] == story["lang"]].index(story["key"])
    return START + timedelta(days=number * 6 + lang_order)


def _slug(story: dict[str, Any]) -> str:
    return str(story["key"])


def _first_sentence(body: str) -> str:
    text = body.split("\n\n")[-1]
    for mark in (". ", "。", "؟ "):
        if mark in text:
            return text.split(mark)[0] + "."
    return text


# -- articles -------------------------------------------------------------------------------

def write_article(story: dict[str, Any], episodes: Path) -> str:
    date = _article_date(story)
    stem = f"{date:%Y-%m-%d}-{_slug(story)}"
    if story["fmt"] == "md":
        lines = ["---", "layout: post", f"title: {json.dumps(story['title'], ensure_ascii=False)}",
                 f"lang: {story['lang']}", "categories: [news]"]
        if "link" in story["traps"]:
            lines += [f"permalink: /news/{_slug(story)}/",
                      f"canonical_url: {NEWSROOM}news/{_slug(story)}/"]
        text = "\n".join(lines) + "\n---\n\n" + story["body"] + "\n"
        name = stem + ".md"
    elif story["fmt"] == "dateline":
        text = story["body"] + "\n"
        name = stem + ".txt"
    else:
        text = story["title"] + "\n\n" + story["body"] + "\n"
        name = stem + ".txt"
    (episodes / name).write_text(text, encoding="utf-8")
    return f"episodes/{name}"


def article_link(story: dict[str, Any]) -> str:
    if story["fmt"] == "md":
        return f"{NEWSROOM}news/{_slug(story)}?utm_source=youtube&utm_medium=video"
    return f"{BASE_URL}episodes/{_slug(story)}/"


# -- the channel ----------------------------------------------------------------------------

def _info(vid: str, title: str, description: str, when: datetime | None, duration: float,
          lang: str | None, number: int, **extra: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": vid, "title": title, "description": description,
        "duration": duration, "channel": CHANNEL, "channel_id": "UCcaucasusdesk0000000000",
        "uploader": CHANNEL, "webpage_url": f"https://www.youtube.com/watch?v={vid}",
        "original_url": f"https://www.youtube.com/watch?v={vid}",
        "thumbnail": f"https://i.ytimg.com/vi/{vid}/maxresdefault.jpg",
        "extractor": "youtube", "extractor_key": "Youtube", "availability": "public",
        "live_status": "not_live", "was_live": False, "media_type": "video",
        "_type": "video",
    }
    if when is not None:
        info["timestamp"] = int(when.timestamp())
        info["upload_date"] = when.strftime("%Y%m%d")
    if lang is not None:  # declared (the audio's language), captions, or neither
        style = number % 4
        if style in (0, 3):
            info["language"] = lang
        elif style == 1:
            info["automatic_captions"] = {f"{lang}-orig": [{"ext": "vtt", "url": "x"}],
                                          "en": [{"ext": "vtt", "url": "x"}]}
    info.update(extra)
    return info


def channel(stories: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                     list[dict[str, Any]], dict[str, Any]]:
    """(full info dicts, flat-only entries, expected video per story key)."""
    full: list[dict[str, Any]] = []
    flat_only: list[dict[str, Any]] = []
    expected: dict[str, Any] = {}
    for number, story in enumerate(stories):
        lang, key, traps = story["lang"], story["key"], story["traps"]
        date = _article_date(story)
        when = date + timedelta(days=-2 if "before" in traps else number % 3, hours=5)
        duration = 240 + (number * 97) % 1300
        for other, (title, text) in story.get("also", {}).items():
            full.append(_info(video_id(key + other), title, f"{text}\n\n{BOILERPLATE[other]}",
                              when + timedelta(hours=3), duration + 31, other, number + 1))
        if story["video"] is None:
            expected[key] = None
            continue
        title, text = story["video"]
        description = f"{text}\n\n{BOILERPLATE[lang]}"
        if "link" in traps:
            description += f"\n{article_link(story)}"
        vid = video_id(key)
        expected[key] = vid
        if "parts" in traps:
            expected[key] = "ambiguous"
            for part in (1, 2):
                full.append(_info(video_id(f"{key}-part{part}"), f"{title} ({PART[lang]} {part})",
                                  description, when + timedelta(hours=part), duration / 2,
                                  lang, number))
        elif "flat" in traps:
            flat_only.append({"_type": "url", "ie_key": "Youtube", "id": vid,
                              "url": f"https://www.youtube.com/watch?v={vid}", "title": title,
                              "duration": duration, "channel": CHANNEL, "live_status": None,
                              "thumbnails": [{"url": f"https://i.ytimg.com/vi/{vid}/hq.jpg"}]})
        else:
            full.append(_info(vid, title, description, when, duration, lang, number))
        if "reupload" in traps:
            expected[key] = "ambiguous"
            full.append(_info(video_id(key + "-again"), title, description,
                              when + timedelta(days=1), duration, lang, number))
        if "short" in traps:
            sid = video_id(key + "-short")
            full.append(_info(sid, f"{title} #shorts", text, when + timedelta(hours=2), 45,
                              lang, number, media_type="short",
                              webpage_url=f"https://www.youtube.com/shorts/{sid}"))
        if "live" in traps:
            full.append(_info(video_id(key + "-live"), f"{LIVE[lang]}: {title}", description,
                              when - timedelta(hours=6), 5400, lang, number,
                              live_status="was_live", was_live=True, media_type="livestream"))
            full.append(_info(video_id(key + "-premiere"), title, description, None, 0, lang,
                              number, live_status="is_upcoming",
                              release_timestamp=int((when + timedelta(days=7)).timestamp())))
    return full, flat_only, expected


def digests(stories: list[dict[str, Any]]) -> list[tuple[str, str, str, datetime]]:
    """(name, title, description, date) of the round-ups and bulletins of each language."""
    made = []
    for lang in LANGS:
        own = sorted((s for s in stories if s["lang"] == lang), key=_article_date)
        day = START + timedelta(days=6)
        while day < START + timedelta(days=80):
            week = [s for s in own if day - timedelta(days=7) <= _article_date(s) < day]
            if week:
                lines = "\n".join(f"— {s['title']}" for s in week)
                made.append((f"{lang}-roundup-{day:%m%d}", f"{ROUNDUP[lang]} | {day:%d.%m.%Y}",
                             f"{lines}\n\n{BOILERPLATE[lang]}", day + timedelta(hours=10)))
            near = [s for s in own if abs((_article_date(s) - day).days) <= 5]
            if len(near) >= 2:
                quoted = " ".join(_first_sentence(s["body"]) for s in near[:2])
                made.append((f"{lang}-bulletin-{day:%m%d}",
                             f"{BULLETIN[lang]} {day:%d.%m}", quoted, day + timedelta(hours=19)))
            day += timedelta(days=3)
    return made


def flat_listing(full: list[dict[str, Any]], flat_only: list[dict[str, Any]]) -> dict[str, Any]:
    def flat(info: dict[str, Any]) -> dict[str, Any]:
        url = info["webpage_url"]
        return {"_type": "url", "ie_key": "Youtube", "id": info["id"], "url": url,
                "title": info["title"], "duration": info["duration"] or None,
                "channel": CHANNEL, "live_status": info.get("live_status"),
                "thumbnails": [{"url": info["thumbnail"]}]}
    shorts = [flat(i) for i in full if i.get("media_type") == "short"]
    lives = [flat(i) for i in full if i.get("media_type") == "livestream"
             or i.get("live_status") == "is_upcoming"]
    videos = [flat(i) for i in full if flat(i) not in shorts + lives] + flat_only
    tab = {"_type": "playlist", "ie_key": "YoutubeTab", "channel": CHANNEL,
           "uploader": CHANNEL, "webpage_url": "https://www.youtube.com/@caucasusdesk"}
    return {**tab, "id": "UCcaucasusdesk0000000000", "title": f"{CHANNEL}",
            "entries": [{**tab, "id": "UCcaucasusdesk0000000000", "title": f"{CHANNEL} - {name}",
                         "entries": entries}
                        for name, entries in (("Videos", videos), ("Shorts", shorts),
                                              ("Live", lives))]}


# -- the show -------------------------------------------------------------------------------

def show(stories: list[dict[str, Any]], full: list[dict[str, Any]],
         flat_only: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                   dict[str, tuple[str | None, str | None]]]:
    """(Spotify episodes, RSS items, expected (spotify id, audio) per story key)."""
    spotify: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    expected: dict[str, tuple[str | None, str | None]] = {}
    infos = {i["id"]: i for i in full + flat_only}
    for number, story in enumerate(stories):
        key, lang = story["key"], story["lang"]
        if story["video"] is None:
            expected[key] = (None, None)
            continue
        video = infos.get(video_id(key)) or infos[video_id(f"{key}-part1")]
        title = story.get("show_title") or story["video"][0]
        when = datetime.fromtimestamp(video.get("timestamp") or 0, UTC) if \
            video.get("timestamp") else _article_date(story) + timedelta(days=1)
        seconds = int(video["duration"] * (2 if "parts" in story["traps"] else 1)) - 7
        description = story["video"][1]
        sid = spotify_id(key)
        audio = f"https://anchor.fm/s/cd00/podcast/play/{number}/{key}.mp3"
        on_spotify = "show_rss_only" not in story["traps"]
        in_rss = "show_spotify_only" not in story["traps"]
        expected[key] = (sid if on_spotify else None, audio if in_rss else None)
        if on_spotify:
            spotify.append(_spotify_item(sid, title, description, when, seconds, lang))
        if in_rss:
            items.append(_rss_item(key, title, description, when + timedelta(hours=2), seconds,
                                   audio))
    for name, title, description, when in digests(stories):
        if "roundup" in name:
            seconds = 1500 + len(name) * 7
            spotify.append(_spotify_item(spotify_id(name), title, description, when, seconds,
                                         name[:2]))
            items.append(_rss_item(name, title, description, when + timedelta(hours=2),
                                   seconds, f"https://anchor.fm/s/cd00/podcast/play/{name}.mp3"))
    return spotify, items, expected


def _spotify_item(sid: str, title: str, description: str, when: datetime, seconds: int,
                  lang: str) -> dict[str, Any]:
    return {
        "audio_preview_url": None, "description": description,
        "html_description": f"<p>{escape(description)}</p>", "duration_ms": seconds * 1000,
        "explicit": False, "external_urls": {"spotify": f"https://open.spotify.com/episode/{sid}"},
        "href": f"https://api.spotify.com/v1/episodes/{sid}", "id": sid,
        "images": [{"url": f"https://i.scdn.co/image/{sid}", "height": 640, "width": 640}],
        "is_externally_hosted": False, "is_playable": True, "language": lang,
        "languages": [lang], "name": title, "release_date": when.strftime("%Y-%m-%d"),
        "release_date_precision": "day", "type": "episode", "uri": f"spotify:episode:{sid}",
    }


def _rss_item(key: str, title: str, description: str, when: datetime, seconds: int,
              audio: str) -> dict[str, Any]:
    return {"key": key, "title": title, "description": description, "when": when,
            "seconds": seconds, "audio": audio}


def spotify_pages(items: list[dict[str, Any]], size: int = 50) -> list[dict[str, Any]]:
    show_id = "4cD5kEsKZ0showCaucasus"
    base = f"https://api.spotify.com/v1/shows/{show_id}/episodes"
    newest = sorted(items, key=lambda i: i["release_date"], reverse=True)
    pages = []
    for offset in range(0, len(newest), size):
        following = offset + size
        pages.append({
            "href": f"{base}?offset={offset}&limit={size}", "items": newest[offset:following],
            "limit": size,
            "next": f"{base}?offset={following}&limit={size}" if following < len(newest) else None,
            "offset": offset,
            "previous": f"{base}?offset={max(0, offset - size)}&limit={size}" if offset else None,
            "total": len(newest)})
    return pages


def rss(items: list[dict[str, Any]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0" '
           'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           'xmlns:anchor="https://anchor.fm/xmlns">',
           "<channel>", "<title><![CDATA[Caucasus Desk]]></title>",
           "<description><![CDATA[News from the South Caucasus, in six languages.]]>"
           "</description>", "<link>https://podcasters.spotify.com/pod/show/caucasusdesk</link>",
           "<generator>Anchor Podcasts</generator>", "<language><![CDATA[en]]></language>",
           "<itunes:author>Caucasus Desk</itunes:author>"]
    for item in sorted(items, key=lambda i: i["when"], reverse=True):
        seconds = item["seconds"]
        duration = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        out += ["<item>", f"<title><![CDATA[{item['title']}]]></title>",
                f"<description><![CDATA[<p>{escape(item['description'])}</p>]]></description>",
                "<link>https://podcasters.spotify.com/pod/show/caucasusdesk/episodes/"
                f"{item['key']}</link>",
                f'<guid isPermaLink="false">{_digest(item["key"]).hex()[:8]}-{item["key"]}'
                "</guid>",
                "<dc:creator><![CDATA[Caucasus Desk]]></dc:creator>",
                f"<pubDate>{format_datetime(item['when'])}</pubDate>",
                f"<enclosure url={quoteattr(item['audio'])} length=\"{seconds * 16000}\" "
                'type="audio/mpeg"/>',
                f"<itunes:duration>{duration}</itunes:duration>",
                "<itunes:explicit>false</itunes:explicit>", "</item>"]
    out += ["</channel>", "</rss>"]
    return "\n".join(out) + "\n"


def main() -> None:
    project = HERE / "project"
    episodes = project / "episodes"
    catalogs = HERE / "catalogs"
    episodes.mkdir(parents=True, exist_ok=True)
    catalogs.mkdir(exist_ok=True)
    for old in episodes.iterdir():
        old.unlink()
    (project / "companion.toml").write_text(
        '[site]\ntitle = "Caucasus Desk"\nbase_url = "' + BASE_URL + '"\nlanguage = "en"\n',
        encoding="utf-8")
    full, flat_only, videos = channel(STORIES)
    for number, (name, title, description, when) in enumerate(digests(STORIES)):
        full.append(_info(video_id(name), title, description, when, 1500 + number, name[:2],
                          number))
    by_key = {s["key"]: s for s in STORIES}
    for number, (lang, key, days, title, text) in enumerate(FOLLOWUPS + DIGESTS):
        when = _article_date(by_key[key]) + timedelta(days=days, hours=6)
        full.append(_info(video_id(f"other-{number}"), title, f"{text}\n\n{BOILERPLATE[lang]}",
                          when, 300 + number * 17, lang, number))
    spotify, items, episodes_expected = show(STORIES, full, flat_only)
    for number, (lang, key, days, title, text) in enumerate(FOLLOWUPS + DIGESTS):
        if number % 2:
            continue  # half of them are in the show too
        when = _article_date(by_key[key]) + timedelta(days=days, hours=7)
        spotify.append(_spotify_item(spotify_id(f"other-{number}"), title, text, when,
                                     293 + number * 17, lang))
        items.append(_rss_item(f"other-{number}", title, text, when + timedelta(hours=2),
                               293 + number * 17,
                               f"https://anchor.fm/s/cd00/podcast/play/other-{number}.mp3"))
    truth = {}
    for story in STORIES:
        path = write_article(story, episodes)
        sid, audio = episodes_expected[story["key"]]
        truth[path] = {"key": story["key"], "lang": story["lang"], "traps": list(story["traps"]),
                       "youtube": videos[story["key"]], "spotify": sid, "audio": audio,
                       "split": "tune" if int(_digest(story["key"]).hex(), 16) % 2 else "test"}
    lines = "\n".join(json.dumps(i, ensure_ascii=False) for i in full) + "\n"
    (catalogs / "channel-videos.jsonl").write_text(lines, encoding="utf-8")
    (catalogs / "channel-flat.json").write_text(
        json.dumps(flat_listing(full, flat_only), ensure_ascii=False, indent=1), encoding="utf-8")
    (catalogs / "show-episodes.json").write_text(
        json.dumps(spotify_pages(spotify), ensure_ascii=False, indent=1), encoding="utf-8")
    (catalogs / "show.xml").write_text(rss(items), encoding="utf-8")
    (HERE / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                     encoding="utf-8")
    print(f"{len(truth)} articles, {len(full) + len(flat_only)} videos, {len(spotify)} Spotify "
          f"episodes, {len(items)} RSS items")


if __name__ == "__main__":
    main()
