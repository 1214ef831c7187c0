"""`companion clean`: remove what a build made (and with --cache, what fetch fetched)."""

from __future__ import annotations

import click

from companion._cli.common import Ctx


@click.command("clean")
@click.option("--cache", is_flag=True,
              help="Remove everything fetched too (run `companion fetch` again after); never "
                   "the ledger of published GUIDs, cache/ledger/.")
@click.pass_obj
def command(ctx: Ctx, cache: bool) -> int:
    """Remove the built site ([site] out), the build state (.companion/) and the tagged
    copies of the audio (cache/published/).

    The ledger of what was published (cache/ledger/) is never removed, by this or any
    command: it is the record of what subscribers have.
    """
    report = ctx.load().clean(cache=cache)
    if ctx.json:
        ctx.print_json(report.to_json())
        return 0
    for path in report.removed:
        ctx.say(f"removed {path}")
    if not report.removed:
        ctx.say("nothing to remove")
    for path in report.kept:
        ctx.say(f"kept {path} (the ledger of published episodes: commit it)")
    return 0
