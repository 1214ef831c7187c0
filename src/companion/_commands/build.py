"""`companion build`."""

from __future__ import annotations

import click

from companion._commands._common import Ctx


@click.command("build")
@click.pass_obj
def command(ctx: Ctx) -> int:
    """(not yet implemented)"""
    ctx.err.print("companion build: not yet implemented")
    return 1
