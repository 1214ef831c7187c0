"""`read_catalogs`: every `[pair]` source into its cached catalog; `complete_videos`: the full
info of the videos that could be some unpaired article's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from companion._catalogs import rss, spotify, youtube
from companion._catalogs.http import client
from companion._catalogs.options import CatalogEvent, CatalogFile, CatalogOptions, CatalogsRead
from companion._catalogs.spotify import SpotifyCredentials, show_url
from companion._catalogs.store import (
    COMPLETED,
    COMPLETED_FILE,
    Index,
    Kind,
    SourceRecord,
    catalog_dir,
    now_utc,
    read_index,
    read_lines,
    write_lines,
)
from companion._catalogs.ytdlp import unavailable
from companion._errors import CatalogSourceError, Problem
from companion._site_model import PairSettings, Site

if TYPE_CHECKING:
    import httpx

Progress = Callable[[CatalogEvent], None]
#: Given the catalogs just read, the ids of the videos to complete (see `complete_videos`).
CompleteIds = Callable[[Sequence[CatalogFile]], Sequence[str]]
_SAVE_EVERY = 25  # completed videos between two writes of the cache (an interrupted run
# keeps what it fetched)


def _quiet(event: CatalogEvent) -> None:
    """No progress bar."""


def _sources(settings: PairSettings) -> list[tuple[Kind, str]]:
    """(kind, URL) of every source, in the order of `[pair]`."""
    show: list[tuple[Kind, str]] = (
        [("spotify", show_url(settings.spotify_show))] if settings.spotify_show else [])
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
    it). `offline`: the cached catalogs only, no request at all (`complete_ids` is not
    called); a source never read is an error. Without `credentials` the Spotify show is not
    asked (its cached catalog still serves) and a note says what the Web API would add.
    `complete_ids`, given the files just read, names the videos whose full info to fetch
    (`complete_videos`). The index is written after each source, so a failure keeps what was
    read before it. Raises
    `CatalogSourceError` naming the source that failed.
    """
    opts = options or CatalogOptions.from_environ()
    tell = progress or _quiet
    index = read_index(site)
    folder = catalog_dir(site)
    notes = [_NO_CREDENTIALS] if settings.spotify_show and credentials is None else []
    plan = [(kind, url) for kind, url in _sources(settings)
            if kind != "spotify" or credentials is not None or url in index.sources]
    if offline or not plan:
        files = [_cached(index, folder, kind, url) for kind, url in plan]
        return _result(index, files + _completed(index, folder, fresh=False), notes)
    with client(opts) as http:
        files = [_read_source(index, folder, kind, url, (number, len(plan)),
                              _Asking(opts, http, credentials, settings.market, tell, again))
                 for number, (kind, url) in enumerate(plan)]
    wanted = complete_ids(files) if complete_ids is not None else ()
    if wanted:
        notes += complete_videos(site, wanted, options=opts, progress=tell)
        index = read_index(site)
        files = [_file(index.sources[f.origin], folder, fresh=f.fresh) for f in files]
    return _result(index, files + _completed(index, folder, fresh=bool(wanted)), notes)


_NO_CREDENTIALS = Problem(
    "info", "companion.toml",
    "the show's Spotify episodes were not read: the Web API needs an app's credentials; "
    "with them, each paired article also gets its Spotify episode id (its Spotify link and "
    "embed)", field="pair.spotify_show",
    fix="set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (an app at "
        "https://developer.spotify.com/dashboard) and run `companion pair` again")


@dataclass(frozen=True)
class _Asking:
    """How this run asks: the options, the client, the credentials, the progress bar."""

    opts: CatalogOptions
    http: httpx.Client
    credentials: SpotifyCredentials | None
    market: str | None
    tell: Progress
    again: bool


def _read_source(index: Index, folder: Path, kind: Kind, url: str, place: tuple[int, int],
                 asking: _Asking) -> CatalogFile:
    """One source read from the network into its file; the index written at once."""
    number, total = place
    asking.tell(CatalogEvent(url, "start", number, total))
    record = index.sources.get(url)
    if kind == "spotify" and asking.credentials is None:
        return _cached(index, folder, kind, url)
    path = folder / index.file_for(kind, url)
    opts, http, tell, again = asking.opts, asking.http, asking.tell, asking.again
    if kind == "youtube":
        record = youtube.refresh(url, record, path, opts, http, tell, again=again)
    elif kind == "spotify" and asking.credentials is not None:
        record = spotify.refresh(url.rsplit("/", 1)[-1], record, path, opts, http,
                                 asking.credentials, asking.market, tell, again=again)
    else:
        record = rss.refresh(url, record, path, opts, http, tell, again=again)
    index.sources[url] = record
    index.write()
    tell(CatalogEvent(url, "done", number + 1, total))
    return _file(record, folder, fresh=True)


def _result(index: Index, files: list[CatalogFile], notes: list[Problem]) -> CatalogsRead:
    """The files that hold something; a source that lists nothing is a note."""
    empty = [f for f in files if not index.sources[f.origin].ids]
    notes = notes + [Problem("warning", f.origin, "it lists no videos or episodes",
                             fix="check the address in [pair]") for f in empty]
    return CatalogsRead(tuple(f for f in files if f not in empty), tuple(notes))


def _completed(index: Index, folder: Path, *, fresh: bool) -> list[CatalogFile]:
    """The file of full infos no source lists, when there is one."""
    record = index.sources.get(COMPLETED)
    return [_file(record, folder, fresh=fresh)] if record is not None else []


def _file(record: SourceRecord, folder: Path, *, fresh: bool) -> CatalogFile:
    return CatalogFile(record.kind, record.url, folder / record.file, record.read, fresh,
                       record.title)


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
    flat entry (in every catalog that lists it); a video no `[pair]` source lists goes to
    ``youtube-completed.jsonl``.

    A video that is private or gone is a warning in the returned list (its flat entry
    stays); a failed network raises `CatalogSourceError`. The cache is written every few
    videos, so an interrupted run keeps what it fetched.
    """
    opts = options or CatalogOptions.from_environ()
    tell = progress or _quiet
    books = _Books(read_index(site), catalog_dir(site))
    todo = [i for i in dict.fromkeys(ids) if again or not books.complete(i)]
    problems: list[Problem] = []
    try:
        for number, video in enumerate(todo):
            tell(CatalogEvent("youtube", "details", number, len(todo)))
            problem = books.put(video, opts)
            if problem is not None:
                problems.append(problem)
            if (number + 1) % _SAVE_EVERY == 0:
                books.save()
        tell(CatalogEvent("youtube", "details", len(todo), len(todo)))
    finally:  # an interrupted run keeps what it fetched
        books.save()
    return problems


class _Books:
    """The YouTube catalog files, read once, with full infos put in place of flat entries."""

    def __init__(self, index: Index, folder: Path) -> None:
        self.index, self.folder = index, folder
        records = [r for url, r in sorted(index.sources.items())
                   if r.kind == "youtube" and url != COMPLETED]
        records.append(index.sources.get(COMPLETED) or SourceRecord(
            COMPLETED, "youtube", COMPLETED_FILE, now_utc()))
        self.records = {r.url: r for r in records}
        self.lines = {r.url: read_lines(folder / r.file) for r in records}
        self.full = {r.url: set(r.full) for r in records}
        self.owners: dict[str, list[str]] = {}  # a video in a channel and a playlist: both
        for url, lines in self.lines.items():
            for line in lines:
                self.owners.setdefault(line["id"], []).append(url)
        self.changed: set[str] = set()

    def complete(self, video: str) -> bool:
        return all(video in self.full[url] for url in self.owners.get(video, [COMPLETED]))

    def put(self, video: str, opts: CatalogOptions) -> Problem | None:
        """Fetch `video`'s full info into its place; a video gone or private -> a warning."""
        url = opts.youtube_watch.replace("{id}", video)
        try:
            info = youtube.trim(opts.lister.video(url))
        except CatalogSourceError as exc:
            if not unavailable(exc):
                raise
            return Problem("warning", url, f"the video's details could not be read: "
                                           f"{exc.message}",
                           fix="it stays a weaker candidate (no description, no date)")
        if info.get("id") != video:
            return Problem("warning", url, f"{url} answered for another video "
                                           f"({info.get('id')!r})")
        for owner in self.owners.setdefault(video, [COMPLETED]):
            lines = self.lines[owner]
            place = next((n for n, line in enumerate(lines) if line["id"] == video),
                         len(lines))
            lines[place:place + 1] = [info]
            self.full[owner].add(video)
            self.changed.add(owner)
        return None

    def save(self) -> None:
        """The changed files, and the index."""
        for url in sorted(self.changed):
            record = self.records[url]
            write_lines(self.folder / record.file, self.lines[url])
            self.index.sources[url] = record.with_ids(
                (str(line["id"]) for line in self.lines[url]),
                full=tuple(sorted(self.full[url])))
        if self.changed:
            self.index.write()
        self.changed.clear()
