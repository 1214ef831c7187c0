"""In: the `[pair]` sources (channels and playlists through yt-dlp, the show through
Spotify's Web API, the show's own RSS) and saved catalog files. Out: `Catalog`s, cached under
`cache/catalogs/` so that matching is reproducible offline. Beside `_fetch`: it talks to the
network and never decides a pair."""
