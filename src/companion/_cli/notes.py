"""`companion notes SLUG --for youtube|spotify|apple [--copy]`: the paste-ready show notes.

The text is `Project.notes`; this command prints it, or hands it to the first clipboard
tool the machine has (`wl-copy` under Wayland, `xclip` or `xsel` under X11, `pbcopy`
on macOS).
"""

from __future__ import annotations

import os

import click

from companion._cli.common import Ctx
from companion._redact import redact
from companion._render.i18n import count

#: Clipboard tools, each with the display it needs ("" for none) and its arguments.
CLIPBOARDS = (
    ("wl-copy", "WAYLAND_DISPLAY", ()),
    ("xclip", "DISPLAY", ("-selection", "clipboard")),
    ("xsel", "DISPLAY", ("--clipboard", "--input")),
    ("pbcopy", "", ()),
)


def clipboard() -> list[str] | None:
    """The command that copies its standard input to the clipboard here, if any."""
    import shutil  # --copy only: not imported by every command

    for name, display, args in CLIPBOARDS:
        tool = shutil.which(name)
        if tool and (not display or os.environ.get(display)):
            return [tool, *args]
    return None


#: What each platform's text leaves out or keeps, for the line above the text.
_TAKES = {
    "youtube": "no < or >, no link to the video itself, a chapter list only when YouTube "
               "takes it (at least 3, the first at 00:00, each 10 s or more)",
    "spotify": "no link to the Spotify episode itself; chapters as 00:00 lines",
    "apple": "the feed's plain-text description, every home and chapter line",
}


@click.command("notes")
@click.argument("slug")
@click.option("--for", "target", type=click.Choice(["youtube", "spotify", "apple"]),
              default="youtube", show_default=True,
              help="Where the text goes: a YouTube or Spotify description, or the feed's "
                   "(Apple Podcasts) description.")
@click.option("--copy", is_flag=True, help="Copy the text to the clipboard instead of printing it.")
@click.pass_obj
def command(ctx: Ctx, slug: str, target: str, copy: bool) -> int:
    """Print an episode's show notes ready to paste into YouTube or Spotify (drafts and
    scheduled episodes too), within the platform's limit; a cut text says so on stderr."""
    fitted = ctx.load().notes(slug, target)
    if ctx.json:
        ctx.print_json({"ok": True, "problems": [], "slug": slug, "for": target,
                        "text": fitted.text, "bytes": len(fitted.text.encode("utf-8")),
                        "limit": {"name": fitted.limit.name, "most": fitted.limit.most,
                                  "unit": fitted.limit.unit},
                        "cut": fitted.cut, "sources_left": fitted.sources_left,
                        "chapters_refused": fitted.chapters_refused or None})
        return 0
    size = fitted.limit.size(fitted.text)
    ctx.tell(f"{fitted.limit.name}: {size:,} of {fitted.limit.most:,} {fitted.limit.unit}; "
             f"{_TAKES[target]}")
    if fitted.cut:
        ctx.tell(f"note: cut to fit {fitted.limit.name}'s {fitted.limit.most:,} "
                 f"{fitted.limit.unit}" + (f"; {count(fitted.sources_left, 'source')} left out"
                                           if fitted.sources_left else ""))
    if fitted.chapters_refused:
        ctx.tell(f"note: no chapter list: {fitted.chapters_refused}")
    if not copy:
        ctx.out.file.write(redact(fitted.text) + "\n")  # printed: redacted (--copy: as is)
        return 0
    tool = clipboard()
    if tool is None:
        ctx.err.print("error: no clipboard here: --copy needs wl-copy (Wayland), xclip or "
                      "xsel (X11) or pbcopy (macOS); run without --copy and copy the printed "
                      "text", markup=False)
        return 1
    import subprocess

    subprocess.run(tool, input=fitted.text.encode("utf-8"), check=True, timeout=30)
    ctx.say(f"copied the {target} notes of {slug} to the clipboard "
            f"({len(fitted.text.encode('utf-8')):,} bytes)")
    return 0
