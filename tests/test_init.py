"""`companion init DIR`: a new project that works at once, and never overwrites one."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from companion._cli.main import main


def test_init_makes_a_working_project(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "show"
    assert main(["init", str(root)]) == 0
    assert "companion.toml" in capsys.readouterr().out
    for rel in ("companion.toml", "feeds/show.toml", "feeds/artwork/show.png",
                "templates/README.md", "cache/.gitkeep"):
        assert (root / rel).is_file(), rel
    assert len(list((root / "episodes").glob("*.md"))) == 1
    assert "override" in (root / "templates/README.md").read_text(encoding="utf-8")
    assert (root / "feeds/artwork/show.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    assert main(["--project", str(root), "check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["title"] for e in data["episodes"]] == ["Welcome to the show"]
    # A fresh project has a stable GUID and a short audio file: its feed has a real item.
    assert data["problems"] == []
    assert [e["state"] for e in data["episodes"]] == ["published"]
    assert main(["--project", str(root), "check", "--strict"]) == 0


def test_feed_definition_shape(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    feed = tomllib.loads((tmp_path / "p/feeds/show.toml").read_text(encoding="utf-8"))
    assert {"title", "description", "author", "language", "artwork", "explicit", "type",
            "owner", "categories", "select"} <= set(feed)
    assert feed["owner"]["name"]
    assert feed["owner"]["email"]
    assert feed["categories"] == [["News", "Politics"]]
    assert feed["select"] == {"languages": ["en"]}
    assert (tmp_path / "p" / feed["artwork"]).is_file()


def test_init_refuses_an_existing_project(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "companion.toml").write_text("[site]\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "companion.toml" in err
    assert "Traceback" not in err
    assert (tmp_path / "companion.toml").read_text(encoding="utf-8") == "[site]\n"
    assert not (tmp_path / "episodes").exists()


def test_init_keeps_existing_files(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "README.md").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "templates" / "README.md").read_text(encoding="utf-8") == "mine"


def test_init_into_a_file_is_an_error(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_init_defaults_to_the_project_folder(tmp_path: Path) -> None:
    assert main(["--project", str(tmp_path / "here"), "init"]) == 0
    assert (tmp_path / "here" / "companion.toml").is_file()
