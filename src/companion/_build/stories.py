"""One story in several languages, as the build links it: the articles that share a `ref:`,
and those a sidecar's `translations:` names by slug, are editions of one story, and each
edition's page names the others (`Nav` entries ("lang:<lang>", slug, title), beside its
older and newer neighbours)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from companion._build.seam import Nav
from companion._build.state import EpisodeState
from companion._site_model import Identity


def sister_nav(paged: Sequence[str], identities: Mapping[str, Identity | None],
               states: Mapping[str, EpisodeState]) -> dict[str, Nav]:
    """The sister-language editions of each of `paged` (sources with a page this time, in
    `states`): for each source in a story of two or more, the others, by language."""
    story = {source: source for source in paged}

    def find(source: str) -> str:
        while story[source] != source:
            story[source] = story[story[source]]
            source = story[source]
        return source

    by_slug = {states[s].slug: s for s in paged}
    first_of_ref: dict[str, str] = {}
    for source in paged:
        identity = identities.get(source)
        if identity is None:
            continue
        others = [by_slug[slug] for slug in identity.translations if slug in by_slug]
        if identity.ref:
            others.append(first_of_ref.setdefault(identity.ref, source))
        for other in others:
            story[find(other)] = find(source)
    stories: dict[str, list[str]] = {}
    for source in paged:
        stories.setdefault(find(source), []).append(source)
    found: dict[str, Nav] = {}
    for members in stories.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda s: (states[s].lang, states[s].slug))
        for source in members:
            found[source] = tuple((f"lang:{states[m].lang}", states[m].slug, states[m].title)
                                  for m in members if m != source)
    return found
