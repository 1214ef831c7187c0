"""`companion new "Title"`: a new article, dated, a draft (`companion.Project.new`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from companion._cli.common import Ctx

if TYPE_CHECKING:  # the article reader (YAML, Markdown): imported when the command runs
    from companion._project.new import NewArticle


@click.command("new")
@click.argument("title")
@click.option("--lang", "-l", metavar="TAG",
              help="The article's language (BCP 47: en, ka, ar, es...; default: [site] "
                   "language).")
@click.option("--video", metavar="URL", help="Its YouTube video.")
@click.option("--spotify", metavar="URL", help="Its Spotify episode.")
@click.option("--date", metavar="TIME",
              help="Its date (ISO 8601, e.g. 2026-01-05 or 2026-01-05T09:00+04:00; "
                   "default: now). A date to come schedules it.")
@click.option("--publish", is_flag=True,
              help="Write it ready to publish, not as a draft.")
@click.option("--now", metavar="TIME", help="As if it were this moment (default: now, or "
                                           "COMPANION_NOW).")
@click.pass_obj
def command(ctx: Ctx, title: str, lang: str | None, video: str | None, spotify: str | None,
            date: str | None, publish: bool, now: str | None) -> int:
    """Write a new article in episodes/, named YYYY-MM-DD-slug.md after its date and TITLE,
    as a draft (draft: true) unless --publish; print its path and the feeds that select it.

    Like `hugo new` and jekyll-compose: edit the article, remove `draft: true`, publish.
    """
    made = ctx.load().new(title, lang=lang, video=video, spotify=spotify, date=date,
                          publish=publish, now=now)
    if ctx.json:
        ctx.print_json(made.to_json())
        return 0
    for line in lines(made):
        ctx.say(line)
    return 0


def lines(made: NewArticle) -> list[str]:
    """What `new` tells: the file, its state, the feeds, what it still needs."""
    state = {"draft": "a draft", "scheduled": f"scheduled for {made.date:%Y-%m-%d %H:%M %z}",
             "live": "ready to publish"}[made.status]
    feeds = ", ".join(made.feeds) or "none"
    found = [f"created {made.relpath} ({state})", f"  feeds that select it: {feeds}"]
    if made.needs:
        found.append("  before a feed carries it:")
        found += [f"  - {need}" for need in made.needs]
    return found
