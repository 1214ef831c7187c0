"""The public Python API: what `import companion` offers, and that it does what the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import companion
from companion._cli.main import main

PUBLIC = [
    "Article", "Audio", "BuildResult", "Chapter", "CheckResult", "CleanReport", "Clock",
    "CompanionError", "Episode", "FeedDefinition", "FeedError", "FetchError", "FetchOptions",
    "FetchReport", "ImportReport", "Link", "NewArticle", "OutputFile", "PairError", "PairReport",
    "Problem",
    "Project",
    "ProjectError", "PublishError", "PublishOutcome", "PublishReport", "ReadError",
    "RenderError", "Site", "SpotifyEpisode", "Standing", "Transcript", "YouTubeVideo",
    "__version__", "import_show", "init_project", "load_project",
]


def test_the_public_surface_is_what_it_says() -> None:
    """A change here is a change of the public API: deliberate, and in the README."""
    assert sorted(companion.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        value = getattr(companion, name)
        if name != "__version__":
            assert value.__doc__, f"companion.{name} has no docstring"
    assert (Path(companion.__file__).parent / "py.typed").is_file()


def test_importing_companion_imports_no_network_or_storage_library() -> None:
    import subprocess
    import sys

    code = ("import sys, companion; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'httpx', 'yt_dlp', 'boto3', 'botocore', 'feedgen', 'PIL', 'jinja2'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_project_does_what_the_commands_do(example_project: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = companion.load_project(example_project)
    assert project.root == example_project.resolve()
    checked = project.check(now="2026-01-01")
    assert isinstance(checked, companion.CheckResult)
    assert not checked.failed(strict=True)
    assert [s.status for s in checked.standings] == ["live"] * 7
    built = project.build(now="2026-01-01", jobs=1)
    assert isinstance(built, companion.BuildResult)
    assert not built.errors
    assert built.feeds_written == ("ar", "en", "es", "fa", "ka", "video")
    outcome = project.publish(str(tmp_path / "out"), now="2026-01-01")
    assert isinstance(outcome, companion.PublishOutcome)
    assert outcome.ok
    assert outcome.report is not None
    assert len(outcome.report.sent) == built.written
    assert main(["-C", str(example_project), "publish", "--to", str(tmp_path / "out"),
                 "--json", "--now", "2026-01-01"]) == 0
    assert json.loads(capsys.readouterr().out)["sent"]["files"] == 0  # the same publish


def test_fetch_names_what_it_does_not_know(example_project: Path) -> None:
    project = companion.load_project(example_project)
    with pytest.raises(companion.PairError) as info:
        project.fetch(["no-such-episode"])
    assert "no-such-episode" in str(info.value)
    assert "companion check" in info.value.fix
    assert project.audio_formats() == ("mp3",)


def test_init_then_load(tmp_path: Path) -> None:
    written = companion.init_project(tmp_path / "show")
    assert tmp_path / "show" / "companion.toml" in written
    project = companion.load_project(tmp_path / "show")
    assert not project.check().failed(strict=True)
    with pytest.raises(companion.ProjectError):
        companion.init_project(tmp_path / "show")


def test_a_missing_project_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(companion.ProjectError) as info:
        companion.load_project(tmp_path)
    assert "companion init" in info.value.fix
