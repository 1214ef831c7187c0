"""`companion check`: read every episode and list what is wrong or was guessed.

Checks run in order over the articles that could be read: reading first (its
problems come straight from the read stage), then every function in `CHECKERS`.
Other stages append their own rules there (pairing, feed rules)::

    from companion._commands import check
    check.CHECKERS.append(my_checker)   # (site, articles) -> list[Problem]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from companion._commands._common import Ctx
from companion._errors import CompanionError, Problem
from companion._model import Article, Site

Checker = Callable[[Site, list[Article]], list[Problem]]



def article_notes(site: Site, articles: list[Article]) -> list[Problem]:
    """The read stage's notes on the articles (imported when `check` runs, not at start-up)."""
    from companion._read import article_notes as notes

    return notes(site, articles)


def pairing_and_feeds(site: Site, articles: list[Article]) -> list[Problem]:
    """Pair every article from the cache (what `build` would see), then the feed rules."""
    from companion._pair import pair_project
    from companion._rules import check_feeds

    try:
        paired = pair_project(articles, site)
    except CompanionError as exc:  # a damaged cache file: name it, go on with the rest
        return [exc.problem()]
    return [*paired.problems, *check_feeds(site, articles, paired.episodes)]


#: Run after reading, in order; each returns its problems. Append to extend `check`.
CHECKERS: list[Checker] = [article_notes, pairing_and_feeds]

_ORDER = {"error": 0, "warning": 1, "info": 2}


def run_checks(site: Site) -> tuple[list[Article], list[Problem]]:
    """Read the project and run every checker; problems in the order found."""
    from companion._read import read_project

    result = read_project(site)
    problems = list(result.problems)
    for checker in CHECKERS:
        problems.extend(checker(site, result.articles))
    return result.articles, problems


def episode_json(article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "path": article.relpath,
        "lang": article.lang,
        "date": article.date.isoformat() if article.date else None,
        "youtube_id": article.youtube_id,
        "spotify_id": article.spotify_id,
        "title": article.title,
    }


def episode_line(article: Article) -> str:
    when = article.date.date().isoformat() if article.date else "no date"
    return "  ".join((article.slug, article.lang, when, f"youtube:{article.youtube_id or '-'}",
                      f"spotify:{article.spotify_id or '-'}", article.title))


def failed(problems: list[Problem], strict: bool) -> bool:
    """Errors fail the check; with --strict, warnings too."""
    bad = {"error", "warning"} if strict else {"error"}
    return any(p.severity in bad for p in problems)


def _report(ctx: Ctx, articles: list[Article], problems: list[Problem]) -> None:
    for article in articles:
        ctx.say(episode_line(article))
    for problem in sorted(problems, key=lambda p: _ORDER[p.severity]):
        if problem.severity != "info" or not ctx.quiet:
            ctx.out.print(f"{problem.severity}: {problem}", markup=False)
    counts = {s: sum(p.severity == s for p in problems) for s in _ORDER}
    ctx.say(f"{len(articles)} episode(s), {counts['error']} error(s), "
            f"{counts['warning']} warning(s), {counts['info']} note(s)")


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print episodes and problems as JSON.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_obj
def command(ctx: Ctx, as_json: bool, strict: bool) -> int:
    """Read every episode and list problems, warnings and guesses to confirm.

    Exits 1 if there is any error (with --strict, any warning too).
    """
    articles, problems = run_checks(ctx.site())
    if as_json:
        ctx.print_json({"episodes": [episode_json(a) for a in articles],
                        "problems": [p.to_json() for p in problems]})
    else:
        _report(ctx, articles, problems)
    return 1 if failed(problems, strict) else 0
