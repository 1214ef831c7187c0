"""The CLI surface: every command exists, has help, and usage errors exit 2."""

from __future__ import annotations

import pytest

from companion._cli.main import cli, main

COMMANDS = ["init", "new", "check", "build", "fetch", "publish", "serve", "notes", "clean",
            "import", "completion", "version", "doctor"]


def test_every_command_is_listed_and_documented() -> None:
    assert sorted(cli.commands) == sorted(COMMANDS)
    for name in COMMANDS:
        help_text = cli.commands[name].help or ""
        assert help_text.strip(), f"{name} has no help text"
        assert "not yet" not in help_text.lower(), f"{name} is still a stub"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_exits_zero(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_unknown_command_is_usage_error() -> None:
    assert main(["no-such-command"]) == 2


def test_missing_project_is_a_clear_error(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--project", str(tmp_path), "check"]) == 1
    err = capsys.readouterr().err
    assert "companion.toml" in err
    assert "Traceback" not in err
