"""Generate a companion project of N episodes shaped like the bundled example.

Georgian, Arabic, Spanish and English Jekyll posts (front matter with `video`
and `spotify` links), bodies of 3-40 KB with 10-40 source links each, and the
cache the pair stage reads (yt-dlp info JSON with chapters, Spotify oEmbed, an
audio record per video pointing at one shared MP3), plus one feed per language.
Everything is made up and deterministic (seeded); nothing touches the network.

    python benchmarks/corpus.py OUT --episodes 1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LANGS = ("ka", "ar", "es", "en")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

_WORD_TEXT = {
    "ka": "თბილისი მეტრო ღამე ქალაქი მგზავრი სადგური ხალხი მუშა ამბავი გზა წელი დრო "
          "საქართველო ზღვა მთა ბაზარი წიგნი ყავა მატარებელი ნავსადგური",
    "ar": "المدينة الميناء السوق الكتب الناس العمال القطار البحر الطريق الليل اليوم "
          "التاريخ الشتاء الصيف المحطة القهوة الجبل الحياة الأخبار",
    "es": "ciudad puerto mercado libros gente trabajo tren mar camino noche día historia "
          "invierno verano estación café montaña vida noticias agricultores",
    "en": "city harbour market books people work train sea road night day history "
          "winter summer station coffee mountain life news farmers",
}
WORDS = {lang: text.split() for lang, text in _WORD_TEXT.items()}
FEED_TITLES = {"ka": "კავკასიის მაგიდა", "ar": "مكتب القوقاز", "es": "Mesa del Cáucaso",
               "en": "Caucasus Desk"}


@dataclass(frozen=True)
class Post:
    index: int
    lang: str
    slug: str
    date: datetime
    title: str
    body: str
    youtube_id: str
    spotify_id: str

    @property
    def filename(self) -> str:
        return f"{self.date:%Y-%m-%d}-{self.slug}.md"


def ident(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:length])


def sentence(rng: random.Random, lang: str) -> str:
    words = rng.choices(WORDS[lang], k=rng.randint(6, 16))
    end = "؟" if lang == "ar" and rng.random() < 0.1 else "."
    return " ".join(words).capitalize() + end


def body(rng: random.Random, lang: str, index: int) -> str:
    """3-40 KB of paragraphs with 10-40 links."""
    size = rng.randint(3_000, 40_000)
    links = rng.randint(10, 40)
    paragraphs: list[str] = []
    length = 0
    while length < size or links:
        text = " ".join(sentence(rng, lang) for _ in range(rng.randint(2, 5)))
        if links:
            site = rng.randint(1, 60)
            url = f"https://news{site}.example.org/{lang}/{index}/{links}?utm_source=feed"
            text += f" [{rng.choice(WORDS[lang])}]({url})"
            links -= 1
        paragraphs.append(text)
        length += len(text.encode())
    return "\n\n".join(paragraphs) + "\n"


#: Posts are 7 hours apart from 2015 on, as many as fit before 2025 (about 12,000);
#: a larger corpus packs them closer, so that none is dated in the future (a build
#: leaves a future-dated article out as scheduled).
_FIRST = datetime(2015, 1, 1, 8, tzinfo=UTC)
_SPAN_MINUTES = 12_000 * 7 * 60


def step_minutes(size: int) -> int:
    """Minutes between two posts of a corpus of `size` posts."""
    return 7 * 60 if size <= 12_000 else _SPAN_MINUTES // size


def make_post(index: int, rng: random.Random, step: int = 7 * 60) -> Post:
    lang = LANGS[index % len(LANGS)]
    date = _FIRST + timedelta(minutes=step * index)
    title = " ".join(rng.choices(WORDS[lang], k=5)).capitalize() + f" {index}"
    return Post(index, lang, f"{lang}-episode-{index:05d}", date, title,
                body(rng, lang, index), ident(f"yt{index}", 11), ident(f"sp{index}", 22))


def post_text(post: Post) -> str:
    return (
        "---\n"
        "layout: post\n"
        f'title: "{post.title}"\n'
        "author: Caucasus Desk\n"
        f"lang: {post.lang}\n"
        f"categories: news {post.lang}-desk\n"
        f"tags: benchmark {WORDS[post.lang][post.index % 20]}\n"
        f"video: https://www.youtube.com/watch?v={post.youtube_id}\n"
        f"spotify: https://open.spotify.com/episode/{post.spotify_id}\n"
        "---\n\n" + post.body
    )


def info_json(post: Post) -> dict[str, object]:
    chapters = "\n".join(f"{m:02d}:00 {WORDS[post.lang][m]}" for m in range(0, 10, 2))
    return {
        "id": post.youtube_id, "title": post.title, "duration": 600,
        "description": f"{post.title}\n\n{chapters}",
        "channel": "Caucasus Desk", "channel_url": "https://www.youtube.com/channel/UCbench",
        "upload_date": f"{post.date:%Y%m%d}", "timestamp": int(post.date.timestamp()),
        "webpage_url": f"https://www.youtube.com/watch?v={post.youtube_id}",
        "tags": ["benchmark"], "subtitles": {}, "automatic_captions": {},
        "thumbnails": [{"url": f"https://i.ytimg.com/vi/{post.youtube_id}/maxresdefault.jpg",
                        "width": 1280, "height": 720}],
        "extractor": "youtube", "extractor_key": "Youtube",
    }


def oembed_json(post: Post) -> dict[str, object]:
    return {"type": "rich", "version": "1.0", "title": post.title, "provider_name": "Spotify",
            "thumbnail_url": f"https://i.scdn.co/image/{post.spotify_id}",
            "iframe_url": f"https://open.spotify.com/embed/episode/{post.spotify_id}"}


def shared_audio(cache: Path) -> dict[str, object]:
    """One MP3 of the example's audio records in cache/media that every episode's audio
    record points at (cache/media holds normalised copies too, which no record names)."""
    records = (json.loads(p.read_text()) for p in sorted((REPO / "cache" / "audio").glob("*.json")))
    mp3 = min((v for record in records for v in record["files"].values()
               if v["file"].endswith(".mp3")), key=lambda v: v["size"])
    source = REPO / "cache" / mp3["file"]
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    target = cache / "media" / f"{sha}.mp3"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return {**mp3, "file": f"media/{sha}.mp3", "sha256": sha, "size": len(data)}


def write_json(path: Path, data: dict[str, object]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")


def shared_thumbnails(cache: Path) -> list[dict[str, object]]:
    """The example cache's YouTube thumbnails (1280x720 JPEGs) in cache/images, as the
    records `companion fetch` puts in an info JSON; episodes take them in turn."""
    records: list[dict[str, object]] = []
    for source in sorted((REPO / "cache" / "images").glob("*.jpg")):
        data = source.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        target = cache / "images" / f"{sha}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        records.append({"file": f"images/{sha}.jpg", "sha256": sha, "width": 1280,
                        "height": 720})
    return records


def thumbnail_for(post: Post, thumbnails: list[dict[str, object]]) -> dict[str, object]:
    return {"_companion_thumbnail": thumbnails[post.index % len(thumbnails)]} if thumbnails \
        else {}


def add_thumbnails(root: Path, posts: list[Post]) -> None:
    """Give an older corpus (made before builds used cached thumbnails) its thumbnails."""
    cache = root / "cache"
    thumbnails = shared_thumbnails(cache)
    for post in posts:
        write_json(cache / "youtube" / f"{post.youtube_id}.info.json",
                   {**info_json(post), **thumbnail_for(post, thumbnails)})


def write_cache(cache: Path, post: Post, audio: dict[str, object],
                thumbnails: list[dict[str, object]] | None = None) -> None:
    write_json(cache / "youtube" / f"{post.youtube_id}.info.json",
               {**info_json(post), **thumbnail_for(post, thumbnails or [])})
    write_json(cache / "spotify" / f"{post.spotify_id}.json", oembed_json(post))
    write_json(cache / "audio" / f"youtube-{post.youtube_id}.json",
               {"source": f"youtube:{post.youtube_id}", "original": "mp3",
                "files": {"mp3": audio}})


def write_project(root: Path) -> None:
    (root / "companion.toml").write_text(
        '[site]\ntitle = "Benchmark Desk"\nbase_url = "https://podcasts.example.org/"\n'
        'language = "en"\n', encoding="utf-8")
    feeds = root / "feeds"
    (feeds / "artwork").mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        src = REPO / "feeds" / f"{lang}.toml"
        text = src.read_text(encoding="utf-8")
        feeds.joinpath(f"{lang}.toml").write_text(text, encoding="utf-8")
    for art in (REPO / "feeds" / "artwork").iterdir():
        shutil.copy(art, feeds / "artwork" / art.name)


def make_corpus(root: Path, episodes: int, seed: int = 7) -> list[Post]:
    """Write a project of `episodes` posts into `root` (which should be empty)."""
    rng = random.Random(seed)
    write_project(root)
    cache = root / "cache"
    for folder in ("youtube", "spotify", "audio"):
        (cache / folder).mkdir(parents=True, exist_ok=True)
    (root / "episodes").mkdir(exist_ok=True)
    audio = shared_audio(cache)
    thumbnails = shared_thumbnails(cache)
    posts = []
    for index in range(episodes):
        post = make_post(index, rng, step_minutes(episodes))
        (root / "episodes" / post.filename).write_text(post_text(post), encoding="utf-8")
        write_cache(cache, post, audio, thumbnails)
        posts.append(post)
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_corpus(args.out, args.episodes, args.seed)


if __name__ == "__main__":
    main()
