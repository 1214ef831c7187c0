"""One story in several languages: what `check` says of the `ref:` and `translations:` that
join articles (their pages link each other: see `_build.engine`'s nav pass)."""

from __future__ import annotations

from collections.abc import Sequence

from companion._errors import Problem
from companion._model import Article
from companion._read.identity import story_ref, translations_of


def story_problems(articles: Sequence[Article]) -> list[Problem]:
    """A `ref` that only one article has; two articles of one language in one story; a
    `translations:` slug that is no article's."""
    problems: list[Problem] = []
    slugs = {a.slug for a in articles}
    by_ref: dict[str, list[Article]] = {}
    for article in articles:
        ref = story_ref(article.extra)
        if ref:
            by_ref.setdefault(ref, []).append(article)
        for slug in translations_of(article.extra):
            if slug not in slugs:
                problems.append(Problem(
                    "warning", article.relpath, f"translations names {slug!r}, which is no "
                    "article's slug", "write the slugs of the other languages' articles (as "
                    "`companion check` lists them)", "translations"))
    for ref, members in by_ref.items():
        if len(members) == 1:
            problems.append(Problem(
                "warning", members[0].relpath, f"ref {ref!r} is this article's alone: no "
                "other language's article shares it", "give the same ref to the story's "
                "other editions, or remove it", "ref"))
            continue
        seen: dict[str, Article] = {}
        for article in members:
            first = seen.setdefault(article.lang, article)
            if first is not article:
                problems.append(Problem(
                    "warning", article.relpath, f"ref {ref!r}: this article and "
                    f"{first.relpath} are both in {article.lang}; a story has one article "
                    "per language", "give one of them another ref (or correct its lang)",
                    "ref"))
    return problems
