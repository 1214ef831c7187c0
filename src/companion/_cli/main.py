"""The command line: parses, calls the API, prints. Nothing else lives here.

Exit codes: 0 ok, 1 problems found (or a user error), 2 usage error, 130 interrupted,
70 an internal error (a bug: companion says so in one line and writes the details to a
log file to report; it never shows a traceback).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import click

from companion._cli import (
    build,
    check,
    clean,
    completion,
    doctor,
    fetch,
    importer,
    init,
    new,
    notes,
    pair,
    publish,
    serve,
    version,
)
from companion._cli.common import Ctx, console, with_shared_options
from companion._errors import CompanionError, from_os_error
from companion._redact import redact
from companion._version import __version__

if TYPE_CHECKING:
    from companion._fetch import FetchOptions

INTERNAL_ERROR = 70  # EX_SOFTWARE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="companion")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """companion: pair articles with their YouTube and Spotify episodes, and publish
    podcast feeds, show notes and landing pages.

    The options below work before or after the command: `companion -C DIR build` and
    `companion build --project DIR` are the same.
    """
    ctx.ensure_object(Ctx)


COMMANDS = (init.command, new.command, check.command, pair.command, fetch.command,
            build.command, publish.command, serve.command, notes.command, clean.command,
            importer.command, completion.command, version.command, doctor.command)
with_shared_options(cli)
for _command in COMMANDS:
    cli.add_command(with_shared_options(_command))


def main(argv: list[str] | None = None, *, fetch_options: FetchOptions | None = None) -> int:
    """Run the CLI; turn a user's mistake into one message and a non-zero exit.

    `fetch_options` points `companion fetch` elsewhere (a mirror, a test's local server or
    transport); the command still sets the jobs and formats from its own options."""
    ctx = Ctx(fetch_options=fetch_options)
    shown_before, warnings.showwarning = warnings.showwarning, _show_warning
    last_before, logging.lastResort = logging.lastResort, _last_resort()
    try:
        return _run(ctx, argv)
    finally:
        warnings.showwarning = shown_before
        logging.lastResort = last_before


def _run(ctx: Ctx, argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="companion", standalone_mode=False, obj=ctx)
    except click.exceptions.Abort:
        ctx.tell("aborted")
        return 130
    except click.ClickException as exc:  # a usage error repeats what was typed: redacted
        shown = io.StringIO()
        exc.show(file=shown)
        click.echo(redact(shown.getvalue()), nl=False, err=True)
        return exc.exit_code if exc.exit_code else 2
    except CompanionError as exc:
        ctx.fail(exc)
        return 1
    except KeyboardInterrupt:
        ctx.tell("interrupted")
        return 130
    except BrokenPipeError:  # `companion check | head`: the reader has gone
        _quiet_stdout()
        return 1
    except OSError as exc:  # what the API did not turn into a CompanionError
        ctx.fail(from_os_error(exc))
        return 1
    except Exception:  # a bug: one line and a log to report, never a traceback
        return internal_error(argv)
    return result if isinstance(result, int) else 0


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """Python's warnings (a library's), printed as Python does but redacted."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    sys.stderr.write(redact(text))


class _Redacted(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _last_resort() -> logging.Handler:
    """What a library logs with no handler of its own (botocore's, urllib3's warnings),
    printed as Python's last resort prints it, but redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_Redacted())
    return handler


def _quiet_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def crash_log(text: str) -> Path | None:
    """Write `text` to a new log file (in the user's cache folder, else the temporary one)."""
    import tempfile  # a crash only: not imported by every command

    stamp = time.strftime("%Y%m%d-%H%M%S")
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(cache) / "companion", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"companion-error-{stamp}-", suffix=".log",
                                        dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8") as log:
                log.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def internal_error(argv: list[str] | None) -> int:
    """Report the exception being handled as an internal error: one line, and the details
    (version, command, traceback with the exception's text) in a log file, through the
    one redaction (`companion._redact`: credentials, tokens, signed URLs, secret values)."""
    details = (f"companion {__version__}, Python {sys.version.split()[0]}\n"
               f"command: companion {' '.join(argv if argv is not None else sys.argv[1:])}\n\n"
               f"{traceback.format_exc()}")
    log = crash_log(redact(details))
    where = f"the details are in {log}" if log else "the details could not be written"
    console(stderr=True).print(f"internal error: please report it ({where}); this is a bug "
                               "in companion, not a mistake of yours")
    return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
