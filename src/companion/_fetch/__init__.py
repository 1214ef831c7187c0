"""In: articles and the cache. Out: the cache filled (info JSON, oEmbed, audio, captions,
thumbnails) and a `FetchReport`. The only stage that uses the network."""

from companion._fetch.episodes import FetchEvent, FetchReport, fetch
from companion._fetch.job import FetchOptions

__all__ = ["FetchEvent", "FetchOptions", "FetchReport", "fetch"]
