"""`read_catalogs`: every `[pair]` source into its cached catalog; `complete_videos`: the full
info of the videos that could be some unpaired article's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from companion._catalogs import rss, spotify, youtube
from companion._catalogs.http import client
from companion._catalogs.options import CatalogEvent, CatalogFile, CatalogOptions, CatalogsRead
from companion._catalogs.spotify import SpotifyCredentials, show_url
from companion._catalogs.store import (
    COMPLETED,
    COMPLETED_FILE,
    Index,
    SourceRecord,
    catalog_dir,
    now_utc,
    read_index,
    read_lines,
    write_lines,
)
from companion._errors import CatalogSourceError, Problem
from companion._model import PairSettings, Site

Progress = Callable[[CatalogEvent], None]
#: Given the catalogs just read, the ids of the videos to complete (see `complete_videos`).
CompleteIds = Callable[[Sequence[CatalogFile]], Sequence[str]]
_SAVE_EVERY = 25  # completed videos between two writes of the cache (an interrupted run
# keeps what it fetched)


def _quiet(event: CatalogEvent) -> None:
    """No progress bar."""


def _sources(settings: PairSettings) -> list[tuple[str, str]]:
    """(kind, URL) of every source, in the order of `[pair]`."""
    show = [("spotify", show_url(settings.spotify_show))] if settings.spotify_show else []
    return [("youtube", u) for u in settings.youtube] + show + [
        ("rss", u) for u in settings.show_rss]


def _field(kind: str) -> str:
    return {"youtube": "pair.youtube", "spotify": "pair.spotify_show"}.get(kind, "pair.show_rss")


def read_catalogs(site: Site, settings: PairSettings, *, offline: bool,
                  credentials: SpotifyCredentials | None,
                  options: CatalogOptions | None = None, progress: Progress | None = None,
                  complete_ids: CompleteIds | None = None, again: bool = False
                  ) -> CatalogsRead:
    """Read every `[pair]` source into ``<cache>/catalogs/`` and return the catalog files.

    Each source is asked only for what is new since the index's last read (`again`: all of
    it). `offline`: the cached catalogs only, no request at all; a source never read is an
    error. Without `credentials` the Spotify show is not asked (its cached catalog still
    serves) and a note says what the Web API would add. `complete_ids`, given the files just
    read, names the videos whose full info to fetch (`complete_videos`). The index is written
    after each source, so a failure keeps what was read before it. Raises
    `CatalogSourceError` naming the source that failed.
    """
    opts = options or CatalogOptions.from_environ()
    tell = progress or _quiet
    index = read_index(site)
    folder = catalog_dir(site)
    notes: list[Problem] = []
    files: list[CatalogFile] = []
    if settings.spotify_show and credentials is None:
        notes.append(Problem(
            "info", "companion.toml",
            "the show's Spotify episodes were not read: the Web API needs an app's "
            "credentials; with them, each paired article also gets its Spotify episode id "
            "(its Spotify link and embed)", field="pair.spotify_show",
            fix="set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app at "
                "https://developer.spotify.com/dashboard) and run `companion pair` again"))
    plan = [(kind, url) for kind, url in _sources(settings)
            if kind != "spotify" or credentials is not None or url in index.sources]
    if offline or not plan:
        files = [_cached(index, folder, kind, url) for kind, url in plan]
        return CatalogsRead(tuple(files + _completed(index, folder, fresh=False)),
                            tuple(notes))
    with client(opts) as http:
        for number, (kind, url) in enumerate(plan):
            tell(CatalogEvent(url, "start", number, len(plan)))
            record = index.sources.get(url)
            if kind == "spotify" and credentials is None:
                files.append(_cached(index, folder, kind, url))
                continue
            if kind == "youtube":
                record = youtube.refresh(url, record, folder, opts, http, tell, again=again)
            elif kind == "spotify" and credentials is not None:
                record = spotify.refresh(url.rsplit("/", 1)[-1], record, folder, opts, http,
                                         credentials, settings.market, tell, again=again)
            else:
                record = rss.refresh(url, record, folder, opts, http, tell, again=again)
            index.sources[url] = record
            index.write()
            files.append(_file(record, folder, fresh=True))
            tell(CatalogEvent(url, "done", number + 1, len(plan)))
    wanted = complete_ids(files) if complete_ids is not None else ()
    if wanted:
        notes += complete_videos(site, wanted, options=opts, progress=tell)
        index = read_index(site)
        files = [_file(index.sources[f.origin], folder, fresh=f.fresh) for f in files]
    return CatalogsRead(tuple(files + _completed(index, folder, fresh=bool(wanted))),
                        tuple(notes))


def _completed(index: Index, folder: Path, *, fresh: bool) -> list[CatalogFile]:
    """The file of full infos no source lists, when there is one."""
    record = index.sources.get(COMPLETED)
    return [_file(record, folder, fresh=fresh)] if record is not None else []


def _file(record: SourceRecord, folder: Path, *, fresh: bool) -> CatalogFile:
    return CatalogFile(record.kind, record.url, folder / record.file, record.read, fresh)


def _cached(index: Index, folder: Path, kind: str, url: str) -> CatalogFile:
    """A source's cached catalog; a source never read is an error naming it."""
    record = index.sources.get(url)
    if record is None or not (folder / record.file).is_file():
        raise CatalogSourceError(
            f"{url} has no cached catalog", where="companion.toml", field=_field(kind),
            fix="run `companion pair` with the network, or pass a saved catalog with "
                "--catalog FILE")
    return _file(record, folder, fresh=False)


def complete_videos(site: Site, ids: Sequence[str], *, options: CatalogOptions | None = None,
                    progress: Progress | None = None, again: bool = False) -> list[Problem]:
    """Fetch the full info of each video in `ids` (one yt-dlp extraction each; those already
    complete are skipped unless `again`) into the catalog that lists it, in place of its
    flat entry; a video no `[pair]` source lists goes to ``youtube-completed.jsonl``.

    A video that is private or gone is a warning in the returned list (its flat entry
    stays); a failed network raises `CatalogSourceError`. The cache is written every few
    videos, so an interrupted run keeps what it fetched.
    """
    opts = options or CatalogOptions.from_environ()
    tell = progress or _quiet
    index = read_index(site)
    folder = catalog_dir(site)
    owners = [r for url, r in sorted(index.sources.items())
              if r.kind == "youtube" and url != COMPLETED]
    extra = index.sources.get(COMPLETED) or SourceRecord(COMPLETED, "youtube", COMPLETED_FILE,
                                                         now_utc())
    books = {r.url: read_lines(folder / r.file) for r in [*owners, extra]}
    full = {r.url: set(r.full) for r in [*owners, extra]}
    where = {line["id"]: url for url, lines in books.items() for line in lines}
    todo = [i for i in dict.fromkeys(ids) if again or i not in full.get(where.get(i, ""), ())]
    problems: list[Problem] = []
    changed: set[str] = set()
    for number, video in enumerate(todo):
        tell(CatalogEvent("youtube", "details", number, len(todo)))
        url = opts.youtube_watch.replace("{id}", video)
        try:
            info = youtube.trim(opts.lister.video(url))
        except CatalogSourceError as exc:
            if not youtube.unavailable(exc):
                _save(index, folder, books, full, changed)
                raise
            problems.append(Problem("warning", url, f"the video's details could not be read: "
                                                    f"{exc.message}", field=None,
                                    fix="it stays a weaker candidate (no description, no "
                                        "date)"))
            continue
        if info.get("id") != video:
            problems.append(Problem("warning", url, f"{url} answered for another video "
                                                    f"({info.get('id')!r})"))
            continue
        owner = where.get(video, COMPLETED)
        lines = books[owner]
        position = next((n for n, line in enumerate(lines) if line["id"] == video), None)
        if position is None:
            lines.append(info)
        else:
            lines[position] = info
        full[owner].add(video)
        changed.add(owner)
        if len(changed) and (number + 1) % _SAVE_EVERY == 0:
            _save(index, folder, books, full, changed)
    tell(CatalogEvent("youtube", "details", len(todo), len(todo)))
    _save(index, folder, books, full, changed)
    return problems


def _save(index: Index, folder: Path, books: dict[str, list[dict[str, Any]]],
          full: dict[str, set[str]], changed: set[str]) -> None:
    if not changed:
        return
    for url in sorted(changed):
        record = index.sources.get(url) or SourceRecord(COMPLETED, "youtube", COMPLETED_FILE,
                                                        now_utc())
        lines = books[url]
        write_lines(folder / record.file, lines)
        index.sources[url] = record.with_ids((str(line["id"]) for line in lines),
                                             full=tuple(sorted(full[url])))
    index.write()
    changed.clear()
