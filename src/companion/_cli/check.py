"""`companion check`: read every episode, say what becomes of it, list what is wrong.

The work is `_check.check_project`; this command only prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from companion._cli.common import Ctx
from companion._errors import Problem
from companion._model import Article
from companion._render.i18n import count
from companion._site_model import Standing

if TYPE_CHECKING:  # the pairing modules (images, subtitles) are imported by `check` only
    from companion._project.check import CheckResult

_ORDER = {"error": 0, "warning": 1, "info": 2}


def episode_json(article: Article, standing: Standing | None = None) -> dict[str, Any]:
    from companion._pair.episodes import audio_origin

    data: dict[str, Any] = {
        "slug": article.slug,
        "path": article.relpath,
        "lang": article.lang,
        "date": article.date.isoformat() if article.date else None,
        "youtube_id": article.youtube_id,
        "spotify_id": article.spotify_id,
        "title": article.title,
        "audio_source": audio_origin(article) or "none",
    }
    if standing is not None:
        data.update(standing.to_json())
    return data


def episode_line(article: Article, standing: Standing | None = None,
                 result: CheckResult | None = None) -> str:
    from companion._pair.episodes import audio_origin

    when = article.date.date().isoformat() if article.date else "no date"
    state = standing.label(article.date.tzinfo if article.date else None) if standing else ""
    return "  ".join(x for x in (
        article.slug, article.lang, when, f"youtube:{article.youtube_id or '-'}",
        f"spotify:{article.spotify_id or '-'}", f"audio:{audio_origin(article) or 'none'}",
        f"[{state}]" if state else "", article.title)
        if x)


def print_problems(ctx: Ctx, problems: Sequence[Problem]) -> None:
    """Problems as `check` lists them: errors, then warnings, then notes (not with -q)."""
    for problem in sorted(problems, key=lambda p: _ORDER[p.severity]):
        ctx.problem(problem, to_out=True)


def _report(ctx: Ctx, result: CheckResult) -> None:
    for article in result.articles:
        ctx.say(episode_line(article, result.standing(article)))
    problems = result.problems
    print_problems(ctx, problems)
    counts = {s: sum(p.severity == s for p in problems) for s in _ORDER}
    states = [s.status for s in result.standings]
    ready = sum(bool(s.feeds) for s in result.standings)
    ctx.say(f"{count(len(result.articles), 'episode')}: {ready} in feeds, "
            f"{count(states.count('draft'), 'draft')}, {states.count('scheduled')} scheduled; "
            f"{count(counts['error'], 'error')}, {count(counts['warning'], 'warning')}, "
            f"{count(counts['info'], 'note')}")


@click.command("check")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--now", metavar="TIME",
              help="Check as if it were this moment (ISO 8601); default: now, or "
                   "COMPANION_NOW.")
@click.pass_obj
def command(ctx: Ctx, strict: bool, now: str | None) -> int:
    """Read every episode, say what becomes of it (published, draft, scheduled, hidden,
    in no feed and why) and list problems, warnings and guesses to confirm.

    Exits 1 if there is any error (with --strict, any warning too).
    """
    result = ctx.load().check(now=now)
    if ctx.json:
        ctx.print_json({"ok": not result.failed(strict),
                        "episodes": [episode_json(a, result.standing(a))
                                     for a in result.articles],
                        "problems": [p.to_json() for p in result.problems]})
    else:
        _report(ctx, result)
    return 1 if result.failed(strict) else 0
