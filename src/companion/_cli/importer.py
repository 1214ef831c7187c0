"""`companion import FEED` and `companion import --jekyll SITE` (`companion.import_show`)."""

from __future__ import annotations

from pathlib import Path

import click

from companion._api import import_show
from companion._cli.common import Ctx
from companion._render.i18n import count


@click.command("import")
@click.argument("source", metavar="FEED")
@click.option("--jekyll", is_flag=True,
              help="SOURCE is a Jekyll site's folder: its _posts and _config.yml.")
@click.option("--feed", "feed", metavar="NAME",
              help="Name the imported show's feed definition (feeds/NAME.toml; default: "
                   "from its title).")
@click.option("--base-url", metavar="URL",
              help="Where the site will be served (needed when the project has no "
                   "companion.toml yet).")
@click.pass_obj
def command(ctx: Ctx, source: str, jekyll: bool, feed: str | None,
            base_url: str | None) -> int:
    """Turn an existing show into a companion project, keeping its subscribers.

    FEED is the show's RSS feed: a URL or a saved file. Every item becomes an article
    (title, date, description, its GUID exactly, its enclosure URL kept as it is with
    remote_audio: true); the channel becomes a feed definition. Importing again adds only
    what is new. The steps that move the subscribers are printed at the end.
    """
    report = import_show(source, ctx.project, feed=feed, base_url=base_url, jekyll=jekyll,
                         cwd=Path.cwd(), options=ctx.fetch_options)
    if ctx.json:
        ctx.print_json(report.to_json())
        return 0
    for path in report.written:
        ctx.say(f"created {path}")
    if report.kept:
        ctx.say(f"already in the project (same GUID), left as they are: "
                f"{count(report.kept, 'item')}")
    for line in report.skipped:
        ctx.tell(f"note: {line}")
    if report.steps:
        ctx.say("next, to move the subscribers:")
        for number, step in enumerate(report.steps, 1):
            ctx.say(f"  {number}. {step}")
    return 0
