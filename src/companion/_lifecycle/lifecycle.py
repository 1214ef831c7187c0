"""The episode lifecycle: the one decision of what is public, shared by build and check.

An article is *live* when it is not a draft (``published: false``, ``draft: true``
or a file under ``episodes/_drafts/``) and its date has come; a live article gets
its page, and it is an item of every feed that selects it once it has audio. A
draft waits for its author, a *scheduled* article for its date: neither reaches a
feed, a page, the sitemap or the bucket, unless a preview (``--drafts``,
``--future``) asks for them. ``hidden: true`` keeps the page out of the lists.

The clock has one seam, `clock_now`: ``--now`` or the ``COMPANION_NOW`` environment
variable, else the system clock, so a build can be reproduced for any moment.

Two articles may not share a slug or a GUID. `resolve_claims` settles it: the one
the ledger of published GUIDs knows keeps it, the other is left out (of the feeds,
for a GUID; of the site, for a slug); when neither was published, both are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from companion._errors import Problem
from companion._render.i18n import count
from companion._site_model import Clock, Standing, Status


def status_of(draft: bool, date: datetime | None, now: datetime) -> Status:
    if draft:
        return "draft"
    if date is not None and date > now:
        return "scheduled"
    return "live"


def included(status: Status, clock: Clock) -> bool:
    """Whether a build for `clock` renders an article of this status."""
    return (status == "live" or (status == "draft" and clock.drafts)
            or (status == "scheduled" and clock.future))


# -- one slug, one GUID -------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    source: str  # project-relative path of the article
    slug: str
    guid: str


@dataclass(frozen=True)
class Resolution:
    """Articles left out of the site (a slug clash) or of the feeds (a GUID clash)."""

    dropped: Mapping[str, Problem] = field(default_factory=dict)
    no_feed: Mapping[str, Problem] = field(default_factory=dict)

    def problems(self) -> list[Problem]:
        return [*self.dropped.values(), *self.no_feed.values()]


_GUID_FIX = ("give one of them its own guid: in the front matter (two articles of one video "
             "or Spotify episode share the GUID derived from it)")


def resolve_claims(claims: Iterable[Claim], published: Mapping[str, str]) -> Resolution:
    """Settle clashes; `published` maps each published GUID to its slug (the ledger)."""
    claims = sorted(claims, key=lambda c: c.source)
    dropped: dict[str, Problem] = {}
    for slug, group in _groups(claims, lambda c: c.slug).items():
        keeper = next((c for c in group if published.get(c.guid) == slug), None)
        for claim in group:
            if claim is not keeper:
                dropped[claim.source] = _clash(claim, group, keeper, "slug", slug,
                                               "left out of the site",
                                               f"give one of them its own slug (front "
                                               f"matter: slug: {slug}-2) or rename its file")
    no_feed: dict[str, Problem] = {}
    remaining = [c for c in claims if c.source not in dropped]
    for guid, group in _groups(remaining, lambda c: c.guid).items():
        keeper = next((c for c in group if published.get(guid) == c.slug), None)
        for claim in group:
            if claim is not keeper:
                no_feed[claim.source] = _clash(claim, group, keeper, "guid", guid,
                                               "left out of the feeds", _GUID_FIX)
    return Resolution(dropped, no_feed)


def _groups(claims: Sequence[Claim], key: Callable[[Claim], str]) -> dict[str, list[Claim]]:
    found: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        value = key(claim)
        if value:
            found[value].append(claim)
    return {k: v for k, v in found.items() if len(v) > 1}


def _clash(claim: Claim, group: Sequence[Claim], keeper: Claim | None, name: str, value: str,
           outcome: str, fix: str) -> Problem:
    others = [c.source for c in group if c is not claim]
    if keeper is not None:
        message = (f"same {name} {value!r} as {keeper.source}, which was published with it: "
                   f"this article is {outcome}")
    else:  # at most three named: a hundred articles of one title make a hundred lines, not
        # a hundred lines of a hundred names each
        named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3
                                         else "")
        message = (f"same {name} {value!r} as {named}: "
                   f"{'both' if len(others) == 1 else 'all'} are {outcome} until each has "
                   f"its own")
    return Problem("error", claim.source, message, fix, name)


# -- what became of each article ------------------------------------------------------------


#: `Standing.why` of an article that cannot be read (its selection is not known).
UNREADABLE = "it has errors"


def why_empty(feed: str, selection: str, standings: Iterable[Standing]) -> str:
    """Why a feed has no item: its selection, or what keeps its members out."""
    members = [s for s in standings if feed in s.selected]
    if not members:
        unread = sum(1 for s in standings if s.why == UNREADABLE)
        if unread:  # their selection is not known: they may be its episodes
            return (f"its selection ({selection}) matches no article that could be read; "
                    f"{count(unread, 'article')} could not be read (errors above)")
        return f"its selection ({selection}) matches no article"
    reasons: dict[str, list[str]] = defaultdict(list)
    for member in members:
        if member.status == "draft":
            reasons["draft"].append(member.slug)
        elif member.status == "scheduled":
            day = f" on {member.date:%Y-%m-%d}" if member.date else ""
            reasons["scheduled"].append(member.slug + day)
        else:
            reasons[member.why or "left out"].append(member.slug)
    parts = [f"{len(slugs)} {kind} ({', '.join(slugs[:3])}{', ...' if len(slugs) > 3 else ''})"
             for kind, slugs in sorted(reasons.items())]
    return f"none of its {count(len(members), 'article')} is ready: {'; '.join(parts)}"


def empty_feed_problem(where: str, feed: str, selection: str, standings: Iterable[Standing],
                       published: int) -> Problem:
    """A feed with no item is never written. For a show that was never published that is
    a warning (its first episode may be scheduled); for one that was, an error: publishing
    it empty would empty its subscribers' apps."""
    why = why_empty(feed, selection, standings)
    if published:
        return Problem("error", where, f"the feed would have no episode ({why}); it was "
                       f"published with {count(published, 'episode')}, and publishing it "
                       "empty would empty subscribers' apps",
                       "make one of its episodes ready again, or remove the feed definition to "
                       "retire the show", "select")
    return Problem("warning", where, f"no episode is ready for this feed, so it is left out "
                   f"of the site ({why})", "nothing to do if its first episode is scheduled; "
                   "otherwise check [select] and the episodes' audio", "select")
