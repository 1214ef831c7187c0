"""`companion completion bash|zsh|fish`: the shell completion script (click's)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

from companion._cli.common import Ctx

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_obj
def command(ctx: Ctx, shell: str) -> int:
    """Print the script that completes companion's commands and options in SHELL.

    \b
    bash:  eval "$(companion completion bash)"        (in ~/.bashrc)
    zsh:   eval "$(companion completion zsh)"         (in ~/.zshrc)
    fish:  companion completion fish > ~/.config/fish/completions/companion.fish
    """
    root = click.get_current_context().find_root().command
    kind = get_completion_class(shell)
    assert kind is not None  # click has bash, zsh and fish
    script = kind(root, {}, "companion", "_COMPANION_COMPLETE").source()
    if ctx.json:
        ctx.print_json({"ok": True, "shell": shell, "script": script, "problems": []})
    else:
        click.echo(script)
    return 0
