"""`companion check`: one line per episode, then every problem; --json, --strict, checkers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from companion._cli.main import main

MakeProject = Any
ARTICLE = "---\ntitle: {title}\nlang: en\nvideo: https://youtu.be/02el3F-AjQw\n---\nText.\n"


PLAIN = "---\ntitle: {title}\nlang: en\nguid: {title}\n---\nText.\n"


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_examples_pass(example_project: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(example_project, capsys, "check", "--json")
    assert code == 0, out + err
    data = json.loads(out)
    episodes = {e["path"].split("/")[-1]: e for e in data["episodes"]}
    expected = {
        "2025-09-02-თბილისის-ღამის-მეტრო.md": ("ka", "Xk3mT9aPq2E", "5pQm2Vw8rTn1YcLk4HdZs7"),
        "2025-09-10-caspian-ports.md": ("ar", "b7RnQ2xY0Zc", "1aB2cD3eF4gH5iJ6kL7mN8"),
        "2025-09-18-cafe-de-altura.md": ("es", "Lm4Nq8Rt2Ws", "3Zx9Yw8Vu7Ts6Rq5Po4Nm2"),
        "2025-09-25-night-trains.md": ("en", "Qp7Rs3Tu9Vw", "7Hj6Gf5Ds4Aq3Wz2Xc1Vb0"),
        "2025-10-01-harbour-strike.txt": ("en", "Hb3Kd9Lp2Qs", None),
        "2025-10-08-سوق-الكتب.txt": ("ar", "Ar5Bc6De7Fg", None),
        "2025-10-15-آستارا.md": ("fa", "Fa4Rz8Kq1Ts", "6Fa9Tr2Qw8Er5Ty1Ui3Op7"),
    }
    assert set(episodes) == set(expected)
    for name, (lang, video, spotify) in expected.items():
        episode = episodes[name]
        assert (episode["lang"], episode["youtube_id"], episode["spotify_id"]) == (
            lang, video, spotify), name
        assert episode["date"].startswith("2025-"), name
        assert episode["title"], name
    assert episodes["2025-09-02-თბილისის-ღამის-მეტრო.md"]["title"].startswith("თბილისის")
    assert not [p for p in data["problems"] if p["severity"] == "error"]


def test_bundled_examples_have_source_links_and_good_titles(example_project: Path) -> None:
    from companion._config.project import load_site
    from companion._read.articles import read_project

    result = read_project(load_site(example_project))
    assert len(result.articles) == 7
    for article in result.articles:
        assert 3 <= len(article.links) <= 8, article.relpath
        assert not any("utm_" in link.url or "fbclid" in link.url for link in article.links)
        assert article.author, article.relpath
        assert article.categories, article.relpath
        assert article.tags, article.relpath
        assert 150 <= len(article.body.split()) <= 400, article.relpath
    titles = {a.slug: a.title for a in result.articles}
    assert titles["harbour-strike"].startswith("Dock workers")
    assert titles["swq-alktb"] == "سوق الكتب القديمة في باكو يعود إلى الحياة"
    assert any(a.image for a in result.articles)
    night = next(a for a in result.articles if a.slug == "night-trains")
    assert night.audio == "media/night-trains.mp3"


def test_text_output_lists_episodes_then_problems(make_project: MakeProject,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"episodes/2025-03-01-one.md": PLAIN.format(title="One"),
                         "episodes/undated.txt": "Undated piece\n\nSome English text here.\n"})
    code, out, err = run(root, capsys, "check")
    assert code == 0
    assert not err
    lines = out.splitlines()
    assert lines[0] == ("undated  en  no date  youtube:-  spotify:-  audio:none  "
                        "[page only, in no feed (no feed selects it)]  Undated piece")
    assert lines[1] == ("one  en  2025-03-01  youtube:-  spotify:-  audio:none  "
                        "[page only, in no feed (no feed selects it)]  One")
    assert lines[2].startswith("warning: episodes/undated.txt: date: no date: ")
    assert "YYYY-MM-DD" in lines[2]
    assert any(ln.startswith("info: episodes/undated.txt: title: title from the first line")
               for ln in lines)
    for name in ("undated.txt", "2025-03-01-one.md"):  # nothing names their audio: pair
        assert any(ln.startswith(f"info: episodes/{name}: audio: no audio yet")
                   and "companion pair" in ln for ln in lines)
    assert lines[-1] == ("2 episodes: 0 in feeds, 0 drafts, 0 scheduled; 0 errors, "
                         "2 warnings, 4 notes")


def test_strict_makes_warnings_fail(make_project: MakeProject,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"episodes/undated.md": PLAIN.format(title="Undated")})
    assert run(root, capsys, "check")[0] == 0
    assert run(root, capsys, "check", "--strict")[0] == 1


def test_json_output(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"episodes/2025-03-01-one.md": ARTICLE.format(title="One"),
                         "episodes/bad.md": "---\ntitle: x\nseason: 0\n---\nx\n"})
    code, out, _ = run(root, capsys, "check", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["episodes"] == [{
        "slug": "one", "path": "episodes/2025-03-01-one.md", "lang": "en",
        "date": "2025-03-01T00:00:00+00:00", "youtube_id": "02el3F-AjQw", "spotify_id": None,
        "title": "One", "audio_source": "YouTube", "state": "page-only", "hidden": False,
        "feeds": [], "selected_by": [], "why": None}]
    assert data["problems"][0] == {
        "severity": "error", "where": "episodes/bad.md", "field": "season",
        "message": "season must be a whole number from 1 to 999,999, not 0",
        "fix": "write season: 1 (in the digits 0-9)"}
    assert data["ok"] is False


def test_quiet_prints_only_problems(make_project: MakeProject,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"episodes/2025-03-01-one.md": PLAIN.format(title="One"),
                         "episodes/undated.md": PLAIN.format(title="U")})
    code, out, _ = run(root, capsys, "--quiet", "check")
    assert code == 0
    assert out.splitlines() == [next(ln for ln in out.splitlines() if ln.startswith("warning"))]


def test_user_errors_are_not_tracebacks(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "companion.toml").write_text("[site\n", encoding="utf-8")
    code, _, err = run(tmp_path, capsys, "check")
    assert code == 1
    assert "Traceback" not in err
    assert "companion.toml" in err


def test_check_reports_pairing_and_feed_rules(make_project: MakeProject,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """An uncached video is named with the fetch to run; a broken feed definition too."""
    root = make_project({"episodes/2025-03-01-one.md": ARTICLE.format(title="One"),
                         "feeds/show.toml": 'title = "Show"\n'})
    code, out, _ = run(root, capsys, "check")
    assert code == 1
    assert "episodes/2025-03-01-one.md: YouTube video 02el3F-AjQw is not in the cache" in out
    assert "run `companion fetch one`" in out
    assert "feeds/show.toml: owner.email" in out
