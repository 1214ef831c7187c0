"""`companion init`."""

from __future__ import annotations

import click

from companion._commands._common import Ctx


@click.command("init")
@click.pass_obj
def command(ctx: Ctx) -> int:
    """(not yet implemented)"""
    ctx.err.print("companion init: not yet implemented")
    return 1
