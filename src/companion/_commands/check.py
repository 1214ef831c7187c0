"""`companion check`."""

from __future__ import annotations

import click

from companion._commands._common import Ctx


@click.command("check")
@click.pass_obj
def command(ctx: Ctx) -> int:
    """(not yet implemented)"""
    ctx.err.print("companion check: not yet implemented")
    return 1
