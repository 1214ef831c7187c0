"""`companion serve`."""

from __future__ import annotations

import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from companion._cli.build import summary
from companion._cli.check import print_problems
from companion._cli.common import Ctx
from companion._errors import CompanionError
from companion._redact import redact

if TYPE_CHECKING:
    from companion._serve.server import ServeEvent


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
    themselves) and listing each build's problems as `check` does. Ctrl-C stops.

    With --json, each event is one line of JSON: the first build (and each rebuild) as
    `build --json` prints it with "event": "built", then {"event": "serving", "url": ...};
    a build that could not run is {"event": "failed", "ok": false, "problems": [...]}.
    """
    project = ctx.load()
    folder = out or project.site.out_dir
    show = _json_events(ctx, folder) if ctx.json else _text_events(ctx, folder, open_browser)
    try:
        project.serve(out=folder, host=host, port=port, watch=watch, on_event=show,
                      drafts=drafts, future=future)
    except KeyboardInterrupt:
        ctx.tell("stopped")
    except OSError as exc:
        ctx.fail(CompanionError(f"cannot listen on {host}:{port}: {exc.strerror}",
                                where="companion serve", fix="choose another port with --port"))
        return 1
    return 0


def _text_events(ctx: Ctx, folder: Path, open_browser: bool) -> Callable[[ServeEvent], None]:
    def show(event: ServeEvent) -> None:
        if event.kind == "serving":
            ctx.out.print(redact(f"serving {folder} at {event.url} (Ctrl-C to stop)"))
            if open_browser and not webbrowser.open(event.url):
                ctx.tell(f"no web browser to open: open {event.url}")
        elif event.kind == "failed" and event.error is not None:
            ctx.problem(event.error.problem())
        elif event.result is not None:
            print_problems(ctx, event.result.problems)
            changed = f" after {', '.join(event.changed[:3])}" if event.changed else ""
            ctx.say(f"{summary(event.result, folder)}{changed}")
        sys.stdout.flush()

    return show


def _json_events(ctx: Ctx, folder: Path) -> Callable[[ServeEvent], None]:
    def show(event: ServeEvent) -> None:
        data: dict[str, Any] = {"event": event.kind, "changed": list(event.changed)}
        if event.kind == "serving":
            data.update(url=event.url, ok=True, problems=[])
        elif event.error is not None:
            data.update(event="failed", ok=False, problems=[event.error.problem().to_json()])
        elif event.result is not None:
            data.update(event="built", **event.result.to_json(folder.absolute()))
        ctx.print_json_line(data)

    return show
