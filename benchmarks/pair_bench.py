"""Pairing benchmark: 1,000 articles against a 5,000-video channel and a 1,000-episode show.

The catalogs are generated in the sources' own formats (yt-dlp `-j` JSON lines, Spotify
"Get Show Episodes" pages, a Spotify-for-Creators RSS feed) and parsed by
`parse_catalog`, so the time includes reading them. Articles are in six languages
(en, es, ru, ka, ar, fa); their words come from the evaluation set's stories
(tests/pairing), shuffled into new texts, each with a few names and numbers of its own.
Of the 5,000 videos, 1,000 are the articles' own (a paraphrase: some of the article's
words, a different title), the rest are other stories, shorts and live streams; 800 of
the articles have a show episode.

Prints wall time, CPU time (user + system) and peak memory (ru_maxrss) of each step and
of the whole, and how many articles came out paired right, paired wrong and unpaired.

    PYTHONPATH=src python benchmarks/pair_bench.py [--articles 1000 --videos 5000
                                                     --episodes 1000 --method tfidf]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "pairing"))

from make import STORIES  # noqa: E402

from companion._match import MatchArticle, MatchSettings, match, parse_catalog  # noqa: E402
from companion._match.text import normalize  # noqa: E402

LANGS = ("en", "es", "ru", "ka", "ar", "fa")
START = datetime(2024, 1, 1, 8, tzinfo=UTC)
T = TypeVar("T")


def vocabularies() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for story in STORIES:
        text = " ".join([story["title"], story["body"], *(story["video"] or ())])
        words[story["lang"]] += [w for w in text.split() if any(c.isalpha() for c in w)]
    return words


def _name(rng: random.Random, lang: str) -> str:
    """A made-up proper name in the language's script: what makes a story its own."""
    letters = {"en": "bcdfgklmnprstvz", "es": "bcdfglmnprstv", "ru": "бвгдклмнпрст",
               "ka": "ბგდვზთკლმნპრსტ", "ar": "بتجدرسطفقكلمن", "fa": "بپتجچدرزسشفکگلمن"}[lang]
    vowels = {"en": "aeiou", "es": "aeiou", "ru": "аеиоу", "ka": "აეიოუ", "ar": "اوي",
              "fa": "اوی"}[lang]
    return "".join(rng.choice(letters) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))


def story(rng: random.Random, lang: str, vocab: list[str]) -> tuple[str, str, list[str]]:
    names = [_name(rng, lang) for _ in range(3)] + [str(rng.randint(10, 99999))]
    title = " ".join(rng.sample(vocab, 6) + names[:2])
    body_words = rng.choices(vocab, k=110) + names * 3
    rng.shuffle(body_words)
    return title, " ".join(body_words) + ".", names


def paraphrase(rng: random.Random, title: str, body: str, vocab: list[str]) -> tuple[str, str]:
    words = body.split()
    kept = rng.sample(words, 30) + rng.choices(vocab, k=10)
    head = title.split()
    return " ".join(head[:3] + rng.sample(vocab, 3) + head[-2:]), " ".join(kept) + "."


def _info(vid: str, title: str, description: str, when: datetime | None, lang: str | None,
          **extra: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"id": vid, "title": title, "description": description,
                            "duration": 600, "extractor": "youtube", "channel": "Bench",
                            "webpage_url": f"https://www.youtube.com/watch?v={vid}",
                            "live_status": "not_live"}
    if when:
        info["timestamp"] = int(when.timestamp())
        info["upload_date"] = when.strftime("%Y%m%d")
    if lang:
        info["language"] = lang
    info.update(extra)
    return info


def generate(articles: int, videos: int, episodes: int, seed: int = 7) -> tuple[
        list[MatchArticle], bytes, bytes, bytes, dict[str, tuple[str, str | None]]]:
    rng = random.Random(seed)
    vocab = vocabularies()
    made: list[MatchArticle] = []
    infos: list[dict[str, Any]] = []
    spotify: list[dict[str, Any]] = []
    items: list[str] = []
    truth: dict[str, tuple[str, str | None]] = {}
    for n in range(articles):
        lang = LANGS[n % len(LANGS)]
        title, body, _names = story(rng, lang, vocab[lang])
        date = START + timedelta(hours=n * 13)
        key = f"episodes/{date:%Y-%m-%d}-a{n}.txt"
        made.append(MatchArticle(key, f"a{n}", title, n % 2 == 0, body, lang, date))
        vid = f"v{n:010d}"
        v_title, v_desc = paraphrase(rng, title, body, vocab[lang])
        when = date + timedelta(days=rng.choice((0, 0, 1, 2, 5, -1)))
        infos.append(_info(vid, v_title, v_desc, when, lang if n % 3 else None))
        sid = None
        if n < episodes * 0.8:
            sid = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
                          for _ in range(22))
            s_title, s_desc = paraphrase(rng, title, body, vocab[lang])
            spotify.append(_episode(sid, s_title, s_desc, when, lang))
            items.append(_item(f"g{n}", s_title, s_desc, when, f"https://a.example/{n}.mp3"))
        truth[key] = (vid, sid)
    for m in range(videos - articles):
        lang = LANGS[m % len(LANGS)]
        title, body, _ = story(rng, lang, vocab[lang])
        when = START + timedelta(hours=rng.randint(0, articles * 13))
        kind = {0: {"duration": 40}, 1: {"live_status": "was_live"}}.get(m % 10, {})
        infos.append(_info(f"d{m:010d}", title, body[:400], when, lang if m % 2 else None,
                           **kind))
    for m in range(episodes - len(spotify)):
        lang = LANGS[m % len(LANGS)]
        title, body, _ = story(rng, lang, vocab[lang])
        when = START + timedelta(hours=rng.randint(0, articles * 13))
        sid = f"X{m:021d}"
        spotify.append(_episode(sid, title, body[:400], when, lang))
        items.append(_item(f"x{m}", title, body[:400], when, f"https://a.example/x{m}.mp3"))
    jsonl = "\n".join(json.dumps(i, ensure_ascii=False) for i in infos).encode()
    pages = [{"href": "h", "items": spotify[o:o + 50], "limit": 50, "offset": o,
              "next": None, "previous": None, "total": len(spotify)}
             for o in range(0, len(spotify), 50)]
    rss = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:itunes='
           '"http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Bench</title>'
           "<language>en</language>" + "".join(items) + "</channel></rss>")
    return made, jsonl, json.dumps(pages, ensure_ascii=False).encode(), rss.encode(), truth


def _episode(sid: str, title: str, description: str, when: datetime,
             lang: str) -> dict[str, Any]:
    return {"id": sid, "name": title, "description": description, "duration_ms": 593000,
            "release_date": when.strftime("%Y-%m-%d"), "release_date_precision": "day",
            "languages": [lang], "type": "episode",
            "external_urls": {"spotify": f"https://open.spotify.com/episode/{sid}"}}


def _item(guid: str, title: str, description: str, when: datetime, audio: str) -> str:
    return (f"<item><title>{escape(title)}</title><guid>{guid}</guid>"
            f"<description>{escape(description)}</description>"
            f"<pubDate>{format_datetime(when)}</pubDate><itunes:duration>593</itunes:duration>"
            f'<enclosure url="{audio}" length="1" type="audio/mpeg"/></item>')


def timed(label: str, step: Callable[[], T]) -> T:
    before, cpu = time.perf_counter(), _cpu()
    result = step()
    print(f"{label:<28} wall {time.perf_counter() - before:6.2f} s   "
          f"cpu {_cpu() - cpu:6.2f} s")
    return result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--videos", type=int, default=5000)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--method", default="tfidf")
    args = parser.parse_args()
    articles, jsonl, pages, rss, truth = generate(args.articles, args.videos, args.episodes)
    normalize("warm the regex caches")
    print(f"{len(articles)} articles, {args.videos} videos ({len(jsonl) / 1e6:.1f} MB), "
          f"{args.episodes} episodes (Spotify {len(pages) / 1e6:.1f} MB, RSS "
          f"{len(rss) / 1e6:.1f} MB)")
    wall, cpu = time.perf_counter(), _cpu()
    catalogs = timed("parse the catalogs", lambda: [
        *parse_catalog(jsonl, "channel.jsonl"), *parse_catalog(pages, "show.json"),
        *parse_catalog(rss, "show.xml")])
    settings = replace(MatchSettings(), method=args.method)
    proposals = timed("match", lambda: match(articles, catalogs, settings=settings))
    total_wall, total_cpu = time.perf_counter() - wall, _cpu() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'total':<28} wall {total_wall:6.2f} s   cpu {total_cpu:6.2f} s   "
          f"peak memory {peak:.0f} MB")
    right = wrong = 0
    for p in proposals:
        vid, _sid = truth[p.key]
        if p.youtube.status == "paired":
            right, wrong = (right + 1, wrong) if p.youtube.id == vid else (right, wrong + 1)
    show_right = sum(1 for p in proposals if p.show.status == "paired"
                     and p.spotify_id == truth[p.key][1])
    show_wrong = sum(1 for p in proposals if p.show.status == "paired"
                     and p.spotify_id != truth[p.key][1])
    print(f"videos: {right} paired right, {wrong} wrong, {len(proposals) - right - wrong} "
          f"not paired; show: {show_right} right, {show_wrong} wrong")


if __name__ == "__main__":
    main()
