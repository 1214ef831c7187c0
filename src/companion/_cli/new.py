"""`companion new "Title"`: a new article, dated, a draft (`companion.Project.new`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from companion._cli.common import Ctx

if TYPE_CHECKING:  # the article reader (YAML, Markdown): imported when the command runs
    from companion._project.new import NewArticle


@click.command("new")
@click.argument("title", required=False)
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
@click.option("--from-video", "from_video", metavar="URL",
              help="Draft the article from a video in the catalogs `companion pair` read: "
                   "its title, date, description and id (no TITLE then).")
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="With --from-video: a saved catalog to look the video up in (repeatable).")
@click.pass_obj
def command(ctx: Ctx, title: str | None, lang: str | None, video: str | None,
            spotify: str | None, date: str | None, publish: bool, now: str | None,
            from_video: str | None, catalogs: tuple[Path, ...]) -> int:
    """Write a new article in episodes/, named YYYY-MM-DD-slug.md after its date and TITLE,
    as a draft (draft: true) unless --publish; print its path and the feeds that select it.

    Like `hugo new` and jekyll-compose: edit the article, remove `draft: true`, publish.
    """
    if from_video:
        if title or video or spotify or date or lang:
            raise click.UsageError("--from-video takes the title, date, language and video "
                                   "from the video: give none of them")
        made = ctx.load().new_from_video(from_video, catalogs=catalogs, publish=publish,
                                         now=now)
    elif title is None:
        raise click.UsageError("give the article's TITLE, or --from-video URL")
    else:
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
