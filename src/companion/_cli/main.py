"""The command line: parses, calls a stage, prints. Nothing else lives here.

Exit codes: 0 ok, 1 problems found (or a user error), 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from companion._cli import build, check, fetch, init, notes, publish, serve
from companion._cli.common import Ctx
from companion._errors import CompanionError
from companion._version import __version__

if TYPE_CHECKING:
    from companion._fetch import FetchOptions


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="companion")
@click.option("--project", "-C", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="The project folder (holds companion.toml).")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.pass_context
def cli(ctx: click.Context, project: Path, quiet: bool) -> None:
    """companion: pair articles with their YouTube and Spotify episodes, and publish
    podcast feeds, show notes and landing pages."""
    ctx.obj = Ctx(project=project, quiet=quiet, fetch_options=ctx.obj)  # `main` hands them in


for _command in (init.command, check.command, fetch.command, build.command, publish.command,
                 serve.command, notes.command):
    cli.add_command(_command)


def main(argv: list[str] | None = None, *, fetch_options: FetchOptions | None = None) -> int:
    """Run the CLI; turn a user's mistake into one message and a non-zero exit.

    `fetch_options` points `companion fetch` elsewhere (a mirror, a test's local server or
    transport); the command still sets the jobs and formats from its own options."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        result = cli.main(args=argv, prog_name="companion", standalone_mode=False,
                          obj=fetch_options)
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code if exc.exit_code else 2
    except CompanionError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        return 1
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
