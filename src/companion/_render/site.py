"""The files of the site, rendered from the model: pure (bytes and paths, nothing written).

- `render_episode`: an episode's page, chapters JSON, transcripts, placed media and
  image, and its ``<item>`` for each show it is in (kept by the build between runs),
  whose notes name and link that show's feed;
- `show_problems`, `show_images`, `render_show_page`: what a show adds to its feed
  (the feed itself is assembled from its items' rows and bytes by `rss.feed_chunks`);
- `render_home`: the home page, sitemap, robots.txt, the stylesheet, the player script
  and the site's favicon.ico;
- `relink_page`: an episode's page with other neighbours (older, newer), patched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from companion import _paths
from companion._content_types import CHAPTERS_TYPE, cache_policy, content_type
from companion._errors import Problem
from companion._model import Episode
from companion._render.pages import PageRenderer, home_show, listing
from companion._render.rss import (
    FeedItem,
    FeedRow,
    ItemParts,
    TranscriptRef,
    feed_row,
    newest_rows,
    render_item,
)
from companion._site_model import (
    Neighbour,
    OutputFile,
    PlacedImage,
    RenderEpisode,
    Show,
    Sister,
    Site,
)


def site_file(path: str, data: bytes) -> OutputFile:
    """A site file with the Content-Type and cache policy of `_content_types`."""
    return OutputFile(path, content_type(path), cache_policy(path), data=data)


def light(episode: Episode) -> Episode:
    """The episode without what only its own page needs (body, links, video description):
    enough for feed selection, feed items, index pages and the sitemap."""
    article = dataclasses.replace(episode.article, body="", links=(), extra={})
    video = episode.youtube and dataclasses.replace(episode.youtube, description="")
    return dataclasses.replace(episode, article=article, youtube=video)


@dataclass(frozen=True)
class EpisodeFiles:
    """What an episode renders to: its files, and per show slug its feed item."""

    files: tuple[OutputFile, ...]
    items: Mapping[str, FeedItem]
    parts: Mapping[str, ItemParts] = dataclasses.field(default_factory=dict)  # per show slug


def render_episode(rep: RenderEpisode, site: Site, pages: PageRenderer) -> EpisodeFiles:
    from companion._pair.chapters import chapters_json
    from companion._render.shownotes import for_feed, notes_html, notes_text, show_notes

    episode = rep.episode
    placed = {m.path: m for m in (*rep.media.values(), *rep.video.values())  # the MP4 once
              if not m.remote}
    files = [media.file() for media in placed.values()]
    files += image_files([rep.image, *rep.picture, *rep.video_picture, *rep.portraits])
    chapters_url = None
    if episode.chapters:
        path = _paths.chapters_json(episode.slug)
        files.append(OutputFile(path, CHAPTERS_TYPE, "page",
                                data=chapters_json(episode.chapters, episode.title)))
        chapters_url = site.file_url(path)
    files += [site_file(t.path, t.data) for t in rep.transcripts]
    notes = show_notes(episode, site, page_url=rep.page_url,
                       feeds=[(show.title, show.feed_url) for show in rep.shows])
    files.append(site_file(_paths.episode_page(episode.slug), pages.episode(rep, notes)))
    embed = pages.embed(rep, notes)
    if embed is not None:
        files.append(site_file(_paths.episode_embed(episode.slug), embed))
    items: dict[str, FeedItem] = {}
    shown: dict[str, ItemParts] = {}
    if rep.shows:
        refs = tuple(TranscriptRef(t.url, t.type, t.lang) for t in rep.transcripts)
        lightened = light(episode)  # what the feed stage sees of it
        for show in rep.shows:
            own = for_feed(notes, show.title, show.feed_url)
            parts = ItemParts(rep.enclosure(show), rep.page_url,
                              rep.image.url if rep.image else None, chapters_url, refs,
                              notes_text(own), notes_html(own), rep.renditions(show))
            items[show.slug] = (show_row(show, lightened, parts),
                                render_item(show, lightened, parts))
            shown[show.slug] = parts
    return EpisodeFiles(tuple(files), items, shown)


def show_row(show: Show, episode: Episode, parts: ItemParts) -> FeedRow:
    """The episode's `FeedRow` in `show`: the feed rules' verdict on its item, and its line
    on the show's page (unless it is hidden)."""
    from companion._render.rules import episode_problems

    line = None if episode.article.hidden else listing(episode, show.definition.language)
    return feed_row(episode, parts, episode_problems(episode, parts), line)


def show_problems(show: Show, rows: Sequence[FeedRow], feed_size: int) -> list[Problem]:
    """The feed rules' verdicts on the show's items (`rows`), and on its size (`feed_size`
    bytes: the feed's document)."""
    from companion._render.rules import size_problems

    problems = [p for row in newest_rows(rows) for p in row.problems]
    kept = min(len(rows), show.definition.max_items or len(rows))  # the feed's items
    return problems + size_problems(show.definition, feed_size, kept,
                                    f"feeds/{show.slug}.toml")


def show_images(show: Show) -> list[OutputFile]:
    """The show's artwork, as placed (each file once)."""
    return image_files([show.artwork, show.thumb, *show.icons, *show.portraits])


def render_show_page(show: Show, rows: Iterable[FeedRow], pages: PageRenderer) -> OutputFile:
    """The show's page: its episodes (`rows`, in any order) listed newest first, hidden
    ones left out."""
    listed = [row.listing for row in newest_rows(rows) if row.listing is not None]
    return site_file(_paths.feed_index(show.slug), pages.show_page(show, listed))


def render_home(site: Site, shows: Sequence[Show], episodes: Iterable[Episode],
                feeds_of: Sequence[Sequence[str]], pages: PageRenderer) -> tuple[OutputFile, ...]:
    """The home page (the shows, counting the episodes listed on their pages), the sitemap
    (every page but hidden ones), robots.txt, the stylesheet. `episodes` are read once,
    one at a time: only their addresses, dates and shows are kept."""
    listed = [(site.episode_url(e.slug), e.article.date, f)
              for e, f in zip(episodes, feeds_of, strict=True) if not e.article.hidden]
    counts = [(show, sum(show.slug in member for _u, _d, member in listed)) for show in shows]
    urls: list[tuple[str, datetime | None]] = [(site.home_url(), None)]
    urls += [(show.page_url, None) for show in shows]
    urls += [(url, date) for url, date, _f in listed]
    icon = home_show(shows, site.language)
    ico = next((i.file.data for i in (icon.icons if icon else ())
                if i.file is not None and i.file.data and i.file.path.endswith(".ico")), None)
    return (
        site_file(_paths.SITE_INDEX, pages.site_index(counts)),
        site_file(_paths.SITEMAP, pages.sitemap(urls)),
        site_file(_paths.ROBOTS, pages.robots()),
        site_file(_paths.STYLESHEET, pages.stylesheet()),
        site_file(_paths.PLAYER_SCRIPT, pages.player_script()),
        *([site_file(_paths.FAVICON, ico)] if ico else []),
    )


def image_files(images: Iterable[PlacedImage | None]) -> list[OutputFile]:
    """The files of the images we placed (a producer's URL has none), each once."""
    found: dict[str, OutputFile] = {}
    for image in images:
        if image is not None and image.file is not None:
            found.setdefault(image.file.path, image.file)
    return list(found.values())


def relink_page(pages: PageRenderer, slug: str, neighbours: Sequence[Neighbour],
                read: Callable[[str], bytes | None],
                sisters: Sequence[Sister] = ()) -> OutputFile | None:
    """An episode's page, as `read` gives it, with `neighbours` as its older and newer
    episodes; None when it is not there or cannot be patched (render it again: so it is
    when its sister-language editions changed)."""
    path = _paths.episode_page(slug)
    page = read(path)
    patched = pages.relink(page, neighbours, sisters) if page is not None else None
    return site_file(path, patched) if patched is not None else None
