"""`companion init DIR`: scaffold a new, working project (`companion.init_project`)."""

from __future__ import annotations

from pathlib import Path

import click

from companion._api import init_project
from companion._cli.common import Ctx


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@click.pass_obj
def command(ctx: Ctx, directory: Path | None) -> int:
    """Create a new project in DIRECTORY: settings, an example article and a feed,
    a .gitignore and Git LFS rules (.gitattributes) for the cache's audio and images.

    DIRECTORY defaults to the --project folder (the current folder).
    """
    directory = directory or ctx.project
    written = init_project(directory)
    if ctx.json:
        ctx.print_json({"ok": True, "created": [str(p) for p in written], "problems": []})
        return 0
    for path in written:
        ctx.say(f"created {path}")
    ctx.say(f"next: cd {directory} && companion check")
    return 0
