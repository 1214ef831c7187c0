"""The limits of each place companion's text goes: one table, in bytes where the
platform counts bytes (Georgian and Arabic letters take 2 or 3 bytes each in UTF-8).

The same table is in the README ("Limits"); the sources:

- Apple Podcasts, RSS ``<description>`` of the show and of an episode: "The maximum
  amount of text allowed for this tag is 4000 bytes"
  (https://podcasters.apple.com/support/823-podcast-requirements; the text is quoted in
  the Podcast Index's copy, https://github.com/Podcastindex-org/podcast-namespace,
  ``itunes_reference.md``). Readers treat ``description`` as HTML, so the text is
  measured as it stands there: HTML-escaped.
- YouTube Data API, ``videos`` resource
  (https://developers.google.com/youtube/v3/docs/videos): ``snippet.description`` at most
  5,000 bytes, ``snippet.title`` at most 100 characters, neither may contain ``<`` or
  ``>``.
- Spotify reads the description from the feed; its specification
  (https://support.spotify.com/us/podcasters/article/podcast-specification-doc/) gives
  no figure we could find, so the Spotify text is held to Apple's 4,000 bytes.
- The ``podcast:`` namespace (https://github.com/Podcastindex-org/podcast-namespace,
  ``docs/tags/person.md``, ``docs/tags/funding.md``): ``podcast:person`` and
  ``podcast:funding`` "do not exceed 128 characters" or aggregators may truncate;
  transcripts (``docs/examples/transcripts/transcripts.md``): at most 2 lines per cue
  (SRT: 32 characters a line; WebVTT: 65 recommended). companion wraps both at 42, the
  broadcast line (32-42).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

#: What a forbidden character becomes when a text must do without it.
_STAND_INS = {"<": "‹", ">": "›"}


@dataclass(frozen=True)
class Limit:
    """How much text a field takes, counted the way its platform counts."""

    name: str
    max_bytes: int | None = None  # UTF-8 bytes
    max_chars: int | None = None  # characters (code points)
    forbidden: str = ""  # characters the platform refuses; replaced by look-alikes
    html: bool = False  # read as HTML: the text is HTML-escaped there, and measured so
    source: str = ""

    def prepare(self, text: str) -> str:
        """`text` without the characters this platform refuses."""
        for char in self.forbidden:
            text = text.replace(char, _STAND_INS.get(char, ""))
        return text

    def size(self, text: str) -> int:
        """The size of `text` as this platform counts it (bytes, else characters)."""
        shown = self.prepare(text)
        if self.html:
            shown = html.escape(shown, quote=False)
        return len(shown.encode("utf-8")) if self.max_bytes is not None else len(shown)

    @property
    def most(self) -> int:
        return self.max_bytes if self.max_bytes is not None else self.max_chars or 0

    @property
    def unit(self) -> str:
        return "bytes" if self.max_bytes is not None else "characters"

    def fits(self, text: str) -> bool:
        return self.size(text) <= self.most


_APPLE = "https://podcasters.apple.com/support/823-podcast-requirements"
_YOUTUBE = "https://developers.google.com/youtube/v3/docs/videos"
_SPOTIFY = "https://support.spotify.com/us/podcasters/article/podcast-specification-doc/"
_NAMESPACE = "https://github.com/Podcastindex-org/podcast-namespace"

APPLE_DESCRIPTION = Limit("Apple Podcasts <description>", max_bytes=4000, html=True,
                          source=_APPLE)
YOUTUBE_DESCRIPTION = Limit("YouTube description", max_bytes=5000, forbidden="<>",
                            source=_YOUTUBE)
YOUTUBE_TITLE = Limit("YouTube title", max_chars=100, forbidden="<>", source=_YOUTUBE)
SPOTIFY_DESCRIPTION = Limit("Spotify description", max_bytes=4000, source=_SPOTIFY)
PODCAST_PERSON = Limit("podcast:person", max_chars=128, source=_NAMESPACE)
PODCAST_FUNDING = Limit("podcast:funding", max_chars=128, source=_NAMESPACE)

#: Every limit, for the README's table and the tests.
LIMITS = (APPLE_DESCRIPTION, YOUTUBE_DESCRIPTION, YOUTUBE_TITLE, SPOTIFY_DESCRIPTION,
          PODCAST_PERSON, PODCAST_FUNDING)

#: Transcript cues: characters a line, lines a cue (see the module's sources).
CAPTION_LINE = 42
CAPTION_LINES = 2
