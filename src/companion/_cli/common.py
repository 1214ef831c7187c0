"""What every command shares: the options every command takes, the consoles, JSON output.

The options `--project/-C`, `--quiet/-q`, `--verbose/-v` and `--json` are attached to
the group and to every command (`with_shared_options`), so they work before or after
the subcommand, as git's and Hugo's do: ``companion -C DIR build`` and ``companion build
--project DIR`` are the same. Given after the subcommand, an option wins.

What is printed is printed literally: the consoles parse no markup and no emoji codes,
so a title holding ``[/]``, ``[link=...]`` or ``:smile:`` prints as written; the
program's own styling (the red of "error:") is attached as styles, never as markup.
Every line, and every string in the JSON, goes through the one redaction
(`companion._redact`): URL credentials, secret query parameters and ``key=value`` pairs,
the credential environment variables' values, cookies and tokens become ``***``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource
from rich.console import Console
from rich.text import Text

from companion._api import Project, load_project
from companion._errors import CompanionError, Problem
from companion._redact import redact, redact_obj

if TYPE_CHECKING:  # the fetch stage (and httpx) is imported only when `fetch` runs
    from companion._fetch import FetchOptions

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def console(*, stderr: bool = False) -> Console:
    """A console that prints text as it is: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)


@dataclass
class Ctx:
    """One run of the command line: its options and its consoles."""

    project: Path = Path(".")
    quiet: bool = False
    verbose: bool = False
    json: bool = False
    out: Console = field(default_factory=console)
    err: Console = field(default_factory=lambda: console(stderr=True))
    fetch_options: FetchOptions | None = None  # where `fetch` asks; None: the real services

    def load(self) -> Project:
        """The project the command works on (its companion.toml read and validated)."""
        return load_project(self.project)

    @property
    def chatty(self) -> bool:
        """Whether the report's ordinary lines are printed (not with -q or --json)."""
        return not (self.quiet or self.json)

    def say(self, text: str) -> None:
        """A line of the command's report, on standard output."""
        if self.chatty:
            self.out.print(redact(text))

    def tell(self, text: str) -> None:
        """A line about the run itself ("stopped"), on standard error (not with --json)."""
        if not self.json:
            self.err.print(redact(text))

    def problem(self, problem: Problem, *, to_out: bool = False) -> None:
        """One problem, its severity styled and its text as written (not with --json)."""
        if self.json or (problem.severity == "info" and self.quiet):
            return
        line = Text.assemble((f"{problem.severity}:", STYLES[problem.severity]), " ",
                             redact(str(problem)))
        (self.out if to_out else self.err).print(line)

    def fail(self, exc: CompanionError) -> None:
        """The one error that stopped the command: a line, or with --json a document."""
        if self.json:
            self.print_json({"ok": False, "problems": [exc.problem().to_json()]})
        else:
            self.problem(exc.problem())

    def print_json(self, data: Any) -> None:
        """One JSON document on standard output (every secret redacted)."""
        self.out.file.write(json.dumps(redact_obj(data), ensure_ascii=False, indent=2) + "\n")
        self.out.file.flush()

    def print_json_line(self, data: Any) -> None:
        """One JSON document on one line (a stream of events, as `serve --json` prints)."""
        self.out.file.write(json.dumps(redact_obj(data), ensure_ascii=False) + "\n")
        self.out.file.flush()


def _store(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """An option's callback: the value goes into the run's `Ctx`, when the user gave it."""

    def store(context: click.Context, param: click.Parameter, value: Any) -> None:
        if context.get_parameter_source(param.name or "") in (None, ParameterSource.DEFAULT):
            return
        setattr(context.ensure_object(Ctx), name, value)

    return store


def shared_options() -> list[click.Parameter]:
    """The options every command takes (and the group, before the subcommand)."""
    return [
        click.Option(["--project", "-C"], type=click.Path(file_okay=False, path_type=Path),
                     default=None, metavar="DIR", expose_value=False,
                     callback=_store("project"),
                     help="The project folder, holding companion.toml (default: the current "
                          "folder)."),
        click.Option(["--quiet", "-q"], is_flag=True, expose_value=False,
                     callback=_store("quiet"), help="Print only problems."),
        click.Option(["--verbose", "-v"], is_flag=True, expose_value=False,
                     callback=_store("verbose"), help="Print more: paths, notes, each episode."),
        click.Option(["--json"], is_flag=True, expose_value=False, callback=_store("json"),
                     help="Print the result as one JSON document (see the README)."),
    ]


def with_shared_options(command: click.Command) -> click.Command:
    """`command` taking the shared options too."""
    command.params.extend(shared_options())
    return command
