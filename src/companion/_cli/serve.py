"""`companion serve`."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

import click

from companion._cli.build import summary
from companion._cli.check import print_problems
from companion._cli.common import Ctx

if TYPE_CHECKING:
    from companion._build.serve import ServeEvent


@click.command("serve")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; the default is reachable from this computer only.")
@click.option("--watch/--no-watch", default=True, show_default=True,
              help="Rebuild when an article, feed, template, the cache or companion.toml changes.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder to build into and serve (default: [site] out).")
@click.option("--drafts", is_flag=True, help="Show drafts too, marked as such.")
@click.option("--future", is_flag=True, help="Show scheduled episodes too, marked as such.")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the site in the web browser once it is served.")
@click.pass_obj
def command(ctx: Ctx, port: int, host: str, watch: bool, out: Path | None, drafts: bool,
            future: bool, open_browser: bool) -> int:
    """Build the site and serve it locally, rebuilding on change (open pages reload
    themselves) and listing each build's problems as `check` does. Ctrl-C stops."""
    project = ctx.load()
    folder = out or project.site.out_dir

    def show(event: ServeEvent) -> None:
        if event.kind == "serving":
            ctx.out.print(f"serving {folder} at {event.url} (Ctrl-C to stop)", markup=False)
            if open_browser and not webbrowser.open(event.url):
                ctx.err.print(f"no web browser to open: open {event.url}", markup=False)
        elif event.kind == "failed" and event.error is not None:
            ctx.err.print(f"error: {event.error}", markup=False, highlight=False)
        elif event.result is not None:
            print_problems(ctx, event.result.problems)
            changed = f" after {', '.join(event.changed[:3])}" if event.changed else ""
            ctx.say(f"{summary(event.result, folder)}{changed}")
        sys.stdout.flush()

    try:
        project.serve(out=folder, host=host, port=port, watch=watch, on_event=show,
                      drafts=drafts, future=future)
    except KeyboardInterrupt:
        ctx.err.print("stopped")
    except OSError as exc:
        ctx.err.print(f"error: cannot listen on {host}:{port}: {exc.strerror} "
                      "(choose another port with --port)", markup=False)
        return 1
    return 0
