"""In: articles and the catalogs of the newsroom's channel and show (already read: never the
network). Out: proposals, one per article and side (`paired`, `ambiguous`, `unmatched`,
`already`), assigned one to one. Pure: it reads no file, writes nothing and never decides
from anything but what it is given; `_catalogs` fills the catalogs, the API applies what a
producer accepts."""

from companion._match.catalog import Catalog, CatalogEntry
from companion._match.engine import match, normal_url, orphans, show_episodes
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
           "Proposal", "Side", "SideProposal", "Status", "match", "normal_url", "orphans",
           "parse_catalog", "show_episodes"]
