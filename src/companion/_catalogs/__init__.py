"""In: the `[pair]` sources (channels and playlists through yt-dlp, the show through
Spotify's Web API, the show's own RSS) and saved catalog files. Out: `Catalog`s, cached under
`cache/catalogs/` so that matching is reproducible offline. Beside `_fetch`: it talks to the
network and never decides a pair.

The API `companion pair` calls::

    credentials = spotify_credentials(os.environ)     # SPOTIFY_CLIENT_ID/SECRET, or None
    read = read_catalogs(site, site.pair, offline=False, credentials=credentials,
                         progress=on_event,            # CatalogEvent(source, stage, done, total)
                         complete_ids=ids_to_complete) # files read -> video ids (optional)
    for file in read.files:                           # CatalogFile(source, origin, path, ...)
        catalogs += parse_catalog(file.path.read_bytes(), file.origin)
    problems = read.notes                             # for `check`: what the Web API would add
    complete_videos(site, ids)                        # later, separately: full infos cached

- `read_catalogs(site, settings, *, offline, credentials, options=None, progress=None,
  complete_ids=None, again=False) -> CatalogsRead` reads each source asking only for what
  is new (`again`: all of it), writes ``<cache>/catalogs/`` and its ``index.json``, and
  returns the files in `[pair]`'s order (then ``youtube-completed.jsonl`` when it exists).
  `offline`: the cache only, not one request; a source never read raises. Without
  `credentials`, the show is not asked and `notes` says what the Web API would add.
- `complete_videos(site, ids, *, options=None, progress=None, again=False) ->
  list[Problem]` fetches the full info of those videos (the candidates of some unpaired
  article), in place of their flat entries; a private or deleted video is a warning.
- `spotify_credentials(environ) -> SpotifyCredentials | None`.
- `CatalogOptions.from_environ()`: the services' addresses (``COMPANION_SPOTIFY_API``,
  ``COMPANION_SPOTIFY_ACCOUNTS``, ``COMPANION_YOUTUBE_FEEDS``, ``COMPANION_YOUTUBE_WATCH``),
  timeouts, retries, the size cap, the yt-dlp seam.

Every failure is one `CatalogSourceError` (a `FetchError`) naming the source and what to
do; the Spotify secret is never in a message or a file. The cache layout is
`_catalogs.store`'s docstring.
"""

from companion._catalogs.options import (
    CatalogEvent,
    CatalogFile,
    CatalogOptions,
    CatalogsRead,
)
from companion._catalogs.read import complete_videos, read_catalogs
from companion._catalogs.spotify import SpotifyCredentials, spotify_credentials

__all__ = ["CatalogEvent", "CatalogFile", "CatalogOptions", "CatalogsRead",
           "SpotifyCredentials", "complete_videos", "read_catalogs", "spotify_credentials"]
