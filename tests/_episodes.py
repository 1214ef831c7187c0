"""A factory of example `Episode` objects for tests (no files, no network).

`make_episode(...)` builds one episode with sensible defaults; every field of
the `Article` can be overridden by keyword. `sample_episodes()` gives one
episode per example language (ka, ar, es, en, fa), mirroring the example project.
`media_for(episode)` gives the `ItemParts` a build would hand to `render_feed`, and
`show_for(feed, site)` the `Show` (artwork placed at a URL of the site's).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from companion import Article, Audio, Chapter, Episode, FeedDefinition, Site, Transcript
from companion._config.feeds import show_of
from companion._model import ArtworkUrl, FileUrl, MediaUrl, PageUrl
from companion._render.rss import ItemParts, TranscriptRef
from companion._site_model import Neighbour, PlacedImage, PlacedMedia, Show

BASE_URL = "https://podcasts.example.org/"

SAMPLES: dict[str, dict[str, Any]] = {
    "ka": {"slug": "tbilisi-night-metro", "title": "თბილისის ღამის მეტრო",
           "description": "რეპორტაჟი ღამის ცვლის მუშებზე.", "author": "ნინო ბერიძე",
           "date": datetime(2025, 9, 2, 8, 0, tzinfo=UTC)},
    "ar": {"slug": "caspian-ports", "title": "موانئ بحر قزوين",
           "description": "كيف تغيّرت التجارة في موانئ بحر قزوين.", "author": "ليلى حسن",
           "date": datetime(2025, 9, 10, 8, 0, tzinfo=UTC)},
    "es": {"slug": "cafe-de-altura", "title": "Café de altura",
           "description": "Productores de café en las montañas.", "author": "Lucía Gómez",
           "date": datetime(2025, 9, 18, 8, 0, tzinfo=UTC)},
    "en": {"slug": "night-trains", "title": "Night trains across the Caucasus",
           "description": "Riding the sleeper from Tbilisi to Baku.", "author": "Sam Reed",
           "date": datetime(2025, 9, 25, 8, 0, tzinfo=UTC)},
    "fa": {"slug": "astara", "title": "آستارا؛ شهری که مرز از میانش می‌گذرد",
           "description": "از پل مرزی، بازار و راه‌آهن آستارا.", "author": "مریم احمدی",
           "date": datetime(2025, 10, 15, 8, 0, tzinfo=UTC)},
}

DEFAULT_CHAPTERS = (Chapter(0.0, "Intro"), Chapter(62.5, "The story"), Chapter(3725.25, "End"))


def make_article(slug: str = "night-trains", **fields: Any) -> Article:
    values: dict[str, Any] = {
        "path": Path(f"/project/episodes/{slug}.md"),
        "relpath": f"episodes/{slug}.md",
        "slug": slug,
        "title": slug.replace("-", " ").title(),
        "body": "Body text.",
        "format": "markdown",
        "lang": "en",
        "direction": "ltr",
        "date": datetime(2025, 9, 25, 8, 0, tzinfo=UTC),
    }
    values.update(fields)
    if values["lang"] in ("ar", "fa", "he", "ur") and "direction" not in fields:
        values["direction"] = "rtl"
    return Article(**values)


def make_audio(slug: str, duration: float = 3754.4, size: int = 4_503_210,
               mime_type: str = "audio/mpeg") -> Audio:
    sha = hashlib.sha256(slug.encode()).hexdigest()
    ext = "mp3" if mime_type == "audio/mpeg" else "m4a"
    return Audio(Path(f"/project/cache/audio/{sha}.{ext}"), sha, size, mime_type, duration)


def make_episode(slug: str = "night-trains", *, guid: str | None = None, audio: bool = True,
                 chapters: tuple[Chapter, ...] = DEFAULT_CHAPTERS,
                 transcripts: tuple[str, ...] | None = None, **article_fields: Any) -> Episode:
    """An episode; `transcripts` lists caption languages (default: the article's language)."""
    article = make_article(slug, **article_fields)
    langs = (article.lang,) if transcripts is None else transcripts
    return Episode(
        article=article,
        guid=guid or f"urn:companion:{slug}",
        audio=make_audio(slug) if audio else None,
        chapters=chapters,
        transcripts=tuple(Transcript(lang, Path(f"/c/{slug}.{lang}.vtt"),
                                     Path(f"/c/{slug}.{lang}.srt")) for lang in langs),
    )


def sample_episode(lang: str, **overrides: Any) -> Episode:
    fields = {"lang": lang, **SAMPLES[lang], **overrides}
    return make_episode(**fields)


def sample_episodes() -> list[Episode]:
    """One episode per example language, oldest first (ka, ar, es, en, fa)."""
    return [sample_episode(lang) for lang in SAMPLES]


def media_for(episode: Episode, base_url: str = BASE_URL, *, html: str | None = None,
              text: str | None = None) -> ItemParts:
    """The ItemParts a build would make for `episode` (audio required)."""
    assert episode.audio is not None
    slug, audio = episode.slug, episode.audio
    folder = f"{base_url}episodes/{slug}/"
    path = f"media/{audio.sha256[:32]}.{audio.extension}"
    return ItemParts(
        media=PlacedMedia(path, MediaUrl(base_url + path), audio.size, audio.mime_type,
                          audio.duration, audio.sha256, audio.path),
        image_url=f"{base_url}artwork/{audio.sha256[:32]}.jpg",
        chapters_url=FileUrl(f"{folder}chapters.json") if episode.chapters else None,
        transcripts=tuple(
            TranscriptRef(f"{folder}transcript.{t.lang}.{kind}", mime, t.lang)
            for t in episode.transcripts
            for kind, mime in (("vtt", "text/vtt"), ("srt", "application/x-subrip"))
        ),
        page_url=PageUrl(folder),
        description_text=text if text is not None else (episode.article.description or ""),
        description_html=html if html is not None else
        f"<p>{episode.article.description or ''}</p>",
    )


def media_map(episodes: list[Episode], base_url: str = BASE_URL) -> dict[str, ItemParts]:
    return {e.guid: media_for(e, base_url) for e in episodes if e.audio is not None}


def show_for(feed: FeedDefinition, site: Site, artwork_url: str | None = None) -> Show:
    """The show as the build places it; its artwork at `artwork_url`, else the site's copy
    of a local file (``artwork/<slug>.jpg``), else the feed's own URL."""
    show = show_of(feed, site)
    url = artwork_url or (feed.artwork if feed.artwork and "://" in feed.artwork else
                          site.url(f"artwork/{feed.slug}.jpg") if feed.artwork else None)
    return Show(show.definition, show.feed_url, show.page_url, show.guid,
                PlacedImage(ArtworkUrl(url)) if url else None)


def page_for(site: Site, episode: Episode, *, shows: tuple[Show, ...] = (),
             audio_url: str | None = None, audio_length: int = 1,
             image_url: str | None = None, image_size: tuple[int, int] | None = None,
             chapters_url: str | None = None,
             cues: tuple[tuple[float, float, str], ...] = (),
             transcripts: tuple[tuple[str, str, str], ...] = (),
             article_url: str | None = None,
             neighbours: tuple[Neighbour, ...] = ()) -> bytes:
    """An episode page as the build renders it, with what was placed given by URL:
    `transcripts` as (language, kind, URL); the image is also the page's picture (and the
    video's, when there is a video)."""
    from companion._render.pages import PageRenderer
    from companion._render.shownotes import show_notes
    from companion._site_model import Cue, PlacedTranscript, RenderEpisode

    media = {}
    if audio_url is not None:
        placed = PlacedMedia("media/a.mp3", MediaUrl(audio_url), audio_length, "audio/mpeg",
                             3.0, "0" * 64, Path("/nowhere/a.mp3"))
        media = {show.slug: placed for show in shows} or {"": placed}
    page_url = site.episode_url(episode.slug)
    image = PlacedImage(ArtworkUrl(image_url), image_size) if image_url else None
    rep = RenderEpisode(
        episode, page_url, shows, media, image,
        tuple(PlacedTranscript(lang, kind, f"episodes/{episode.slug}/t.{kind}",  # type: ignore[arg-type]
                               FileUrl(url), "text/vtt", b"") for lang, kind, url in transcripts),
        tuple(Cue(*cue) for cue in cues), picture=(image,) if image else (),
        video_picture=(image,) if image and episode.youtube else (), neighbours=neighbours)
    notes = show_notes(episode, site, page_url=page_url,
                       feed_url=shows[0].feed_url if shows else None, article_url=article_url)
    del chapters_url  # pages no longer link the chapters file (feeds do)
    return PageRenderer(site).episode(rep, notes)
