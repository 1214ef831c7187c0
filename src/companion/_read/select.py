"""The episodes a command names: by slug, as `companion check` lists them, or by the
article's file, as a producer sees it in `episodes/` (`2025-09-10-caspian-ports.md`, the
same without its extension, or a path such as `episodes/2025-09-10-caspian-ports.md`). A
name that fits none is an error that suggests the nearest slugs."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import PurePosixPath

from companion._errors import PairError
from companion._model import Article


def _names(article: Article) -> set[str]:
    """Every way a producer may name `article`."""
    path = PurePosixPath(article.relpath)
    return {article.slug, article.relpath, path.name, path.stem,
            str(path.with_suffix("")), path.name.casefold(), path.stem.casefold()}


def nearest_slugs(given: str, articles: Sequence[Article], n: int = 3) -> list[str]:
    """The slugs nearest to `given` (compared with slugs and file stems alike)."""
    stem = PurePosixPath(given.replace("\\", "/")).stem or given
    by_key: dict[str, str] = {}
    for article in articles:
        by_key.setdefault(article.slug, article.slug)
        by_key.setdefault(PurePosixPath(article.relpath).stem, article.slug)
    close = difflib.get_close_matches(stem, list(by_key), n=n * 2, cutoff=0.6)
    close += [k for k in by_key if stem and stem in k and k not in close]
    return list(dict.fromkeys(by_key[k] for k in close))[:n]


def find_article(given: str, articles: Sequence[Article], where: str) -> Article:
    """The article `given` names (a slug, a file name with or without its extension, or a
    project-relative path); a `PairError` naming the nearest slugs when none fits."""
    text = given.strip().replace("\\", "/").removeprefix("./")
    for article in articles:
        if text in _names(article) or text.casefold() in _names(article):
            return article
    near = nearest_slugs(text, articles)
    hint = (f"did you mean {' or '.join(f'`{s}`' for s in near)}? " if near else "")
    raise PairError(f"no episode {given!r}", where=where,
                    fix=hint + "name an episode by its slug or its file in episodes/; "
                              "`companion check` lists them")


def select_articles(given: Sequence[str], articles: Sequence[Article],
                    where: str) -> list[Article]:
    """The articles `given` names, in order, each once (all of them when `given` is empty)."""
    if not given:
        return list(articles)
    found = [find_article(name, articles, where) for name in given]
    return list({a.relpath: a for a in found}.values())
