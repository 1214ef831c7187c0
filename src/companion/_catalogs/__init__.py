"""In: the `[pair]` sources (channels and playlists through yt-dlp, the show through
Spotify's Web API, the show's own RSS) and saved catalog files. Out: `Catalog`s, cached under
`cache/catalogs/` so that matching is reproducible offline. Beside `_fetch`: it talks to the
network and never decides a pair."""

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
