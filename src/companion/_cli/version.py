"""`companion version`: the version (as `companion --version` and `-V` print it)."""

from __future__ import annotations

import click

from companion._cli.common import Ctx
from companion._version import __version__


@click.command("version")
@click.pass_obj
def command(ctx: Ctx) -> int:
    """Print companion's version."""
    if ctx.json:
        ctx.print_json({"ok": True, "version": __version__, "problems": []})
    else:
        click.echo(f"companion, version {__version__}")
    return 0
