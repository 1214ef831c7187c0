"""Paste-ready notes as files and as a command: every episode, drafts and scheduled ones
included, outside the site folder; ``companion notes`` prints them or copies them."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import companion
from companion._cli.main import main

DRAFT = "episodes/2025-09-25-night-trains.md"
NOW = "2025-10-20T12:00:00+00:00"


def _make_draft_and_scheduled(project: Path) -> None:
    path = project / DRAFT
    path.write_text(path.read_text(encoding="utf-8").replace(
        "layout: post\n", "layout: post\ndraft: true\n", 1), encoding="utf-8")
    later = project / "episodes" / "2026-03-01-caspian-ports.md"
    (project / "episodes" / "2025-09-10-caspian-ports.md").rename(later)


def test_the_build_writes_notes_for_every_episode_outside_the_site(
        example_project: Path) -> None:
    _make_draft_and_scheduled(example_project)
    project = companion.load_project(example_project)
    result = project.build(jobs=1, now=NOW)
    states = {s.slug: s.status for s in result.standings}
    assert states["night-trains"] == "draft"
    assert states["caspian-ports"] == "scheduled"
    folder = example_project / ".companion" / "notes"
    assert sorted(p.name for p in folder.iterdir()) == sorted(states)
    for slug in states:
        for target in ("youtube", "spotify"):
            text = (folder / slug / f"{target}.txt").read_text(encoding="utf-8")
            assert text == project.notes(slug, target).text + "\n"
    youtube = (folder / "night-trains" / "youtube.txt").read_text(encoding="utf-8")
    assert "Fifteen hours, one border and a samovar" in youtube
    assert "youtube.com/watch" not in youtube  # the video is where it is pasted
    site = project.site.out_dir
    assert not (site / "episodes" / "night-trains").exists()  # a draft is not published
    assert not [p for p in site.rglob("*.txt") if p.name != "robots.txt"]
    (example_project / DRAFT).unlink()  # an article that is gone takes its notes along
    project.build(jobs=1, now=NOW)
    assert not (folder / "night-trains").exists()
    assert (folder / "caspian-ports" / "youtube.txt").is_file()


def _fake_clipboard(folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text(f'#!/bin/sh\ncat > "{folder}/pasted"\n', encoding="utf-8")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return folder / "pasted"


def test_notes_copy_uses_the_clipboard_tool(example_project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pasted = _fake_clipboard(tmp_path / "bin", "xclip")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    args = ["--project", str(example_project), "notes", "night-trains", "--for", "spotify"]
    assert main([*args, "--copy"]) == 0
    assert "copied the spotify notes of night-trains" in capsys.readouterr().out
    assert pasted.read_text(encoding="utf-8") == companion.load_project(
        example_project).notes("night-trains", "spotify").text


def test_notes_copy_without_a_clipboard_says_so(example_project: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    args = ["--project", str(example_project), "notes", "night-trains", "--copy"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "no clipboard here" in err
    assert "xclip" in err
    assert "Traceback" not in err


def test_notes_of_an_unknown_slug_is_a_clear_error(example_project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(example_project), "notes", "no-such-slug"]) == 1
    err = capsys.readouterr().err
    assert "no episode 'no-such-slug'" in err
    assert "companion check" in err


def test_notes_takes_a_file_name_and_suggests_near_slugs(
        example_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a producer sees in episodes/ names an episode too; a typo gets a suggestion."""
    project = ["--project", str(example_project)]
    assert main([*project, "notes", "2025-09-25-night-trains.md", "--for", "apple"]) == 0
    by_file = capsys.readouterr().out
    assert main([*project, "notes", "night-trains", "--for", "apple"]) == 0
    assert capsys.readouterr().out == by_file
    assert main([*project, "notes", "night-train"]) == 1
    err = capsys.readouterr().err
    assert "did you mean `night-trains`?" in err
    assert "Traceback" not in err


def test_apple_notes_are_the_feed_description(example_project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(example_project), "notes", "harbour-strike",
                 "--for", "apple"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dock workers")
    assert "Caucasus Desk Audio (RSS feed): https://podcasts.example.org/en/feed.xml" in out


def test_notes_json(example_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(example_project), "notes", "night-trains", "--for", "youtube",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"]
    assert data["for"] == "youtube"
    assert data["bytes"] == len(data["text"].encode("utf-8")) <= data["limit"]["most"]
    assert "<" not in data["text"]


def test_the_scaffold_shows_what_each_platform_gets(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`companion init`'s episode has chapters and sources, so `--for` changes the text:
    YouTube refuses two chapters (and says so), the feed's text keeps them; each text says
    its platform's limit."""
    project = tmp_path / "show"
    assert main(["init", str(project)]) == 0
    capsys.readouterr()
    texts = {}
    for target in ("youtube", "spotify", "apple"):
        assert main(["--project", str(project), "notes", "welcome", "--for", target]) == 0
        captured = capsys.readouterr()
        texts[target] = captured.out
        assert " of 5,000 bytes" in captured.err if target == "youtube" else (
            " of 4,000 bytes" in captured.err)
    assert "00:00 Welcome" not in texts["youtube"]
    assert "00:00 Welcome\n00:03 What the show is about" in texts["apple"]
    assert "00:00 Welcome" in texts["spotify"]
    assert "utm_source" not in texts["apple"]  # the scaffold's tracked link, cleaned
    assert "My Show (RSS feed): https://" in texts["apple"]
    assert "RSS feed: My Show:" not in texts["apple"]


def test_article_chapters_that_do_not_fit_are_a_warning(make_project: Callable[..., Path]) -> None:
    """`chapters:` past the end of the audio, or not from 00:00, are not used: a warning
    names the field."""
    from companion import load_project

    root = make_project({"episodes/2025-01-01-a.md": (
        "---\ntitle: A\nchapters: [\"00:05 Late start\", \"00:10 Then\"]\n---\nBody.\n")})
    result = load_project(root).check()
    found = [p for p in result.problems if p.field == "chapters"]
    assert found
    assert found[0].severity == "warning"
    assert "first at 00:00" in found[0].message
