"""In: articles and the catalogs of the newsroom's channel and show (already read: never the
network). Out: proposals, one per article and side (`paired`, `ambiguous`, `unmatched`,
`already`), assigned one to one. Pure: it reads no file, writes nothing and never decides
from anything but what it is given; `_catalogs` fills the catalogs, the API applies what a
producer accepts."""

# Use (what `companion pair` does):
#
#     catalogs = [c for path in files for c in parse_catalog(path.read_bytes(), rel(path))]
#     articles = [MatchArticle.from_article(a, site.episode_url(a.slug)) for a in read]
#     proposals = match(articles, catalogs, decisions=Decisions(chosen=..., rejected=...),
#                       settings=MatchSettings(live=site_pair_live))
#     [p.as_json() for p in proposals]          # what `pair --json` prints, per article
#     p.youtube.status/.id/.entry/.candidates   # the table; p.spotify_id, p.audio, p.rss
#     orphans(proposals, catalogs)              # `pair --orphans`
#     find_entry(catalogs, ID)                  # which source `--choose SLUG ID` names
#
# `--accept` writes p.youtube_id (status "paired") as `video:` and p.spotify_id as
# `spotify:`; p.audio (the show's MP3) and p.rss (its title, duration) when the show side
# is "paired". Warnings (an `already` id the catalogs do not know, or of another story):
# p.warnings.

from companion._match.catalog import Catalog, CatalogEntry
from companion._match.docs import find_entry, normal_url, orphans, show_episodes
from companion._match.engine import match
from companion._match.model import (
    Candidate,
    Decisions,
    MatchArticle,
    MatchSettings,
    Proposal,
    Side,
    SideProposal,
    Status,
)
from companion._match.parse import parse_catalog

__all__ = ["Candidate", "Catalog", "CatalogEntry", "Decisions", "MatchArticle", "MatchSettings",
           "Proposal", "Side", "SideProposal", "Status", "find_entry", "match", "normal_url",
           "orphans", "parse_catalog", "show_episodes"]
