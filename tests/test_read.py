"""The read stage: article files become Articles; every bad input is a clear problem."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from companion import ReadError, Site
from companion._cli.main import main
from companion._config.project import load_site
from companion._read.articles import read_article, read_project

MakeProject = Any

GOOD = """\
---
layout: post
title:  "Night trains"
author: ketevan
categories: [ travel, rail ]
tags: rail georgia
video: https://www.youtube.com/embed/02el3F-AjQw
spotify: https://open.spotify.com/embed/episode/4XgHKQm17uIi39qzDIrs99
description:
featured: true
hidden: false
lang: en
season: 1
episode: 2
mood: sleepy
---

Read the [timetable](https://rail.example.org/t?utm_source=x) and
[more](https://rail.example.org/more).
"""


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def read_one(root: Path, rel: str) -> Any:
    return read_article(root / rel, load_site(root))


# -- good input ----------------------------------------------------------------------------


def test_jekyll_article(make_project: MakeProject) -> None:
    root = make_project({"episodes/2025-09-25-night-trains.md": GOOD})
    article = read_one(root, "episodes/2025-09-25-night-trains.md")
    assert article.slug == "night-trains"
    assert article.relpath == "episodes/2025-09-25-night-trains.md"
    assert article.date == datetime(2025, 9, 25, tzinfo=UTC)
    assert article.title == "Night trains"
    assert article.categories == ("travel", "rail")
    assert article.tags == ("rail", "georgia")  # space-separated, Jekyll style
    assert article.description is None
    assert article.featured is True
    assert article.hidden is False
    assert (article.youtube_id, article.spotify_id) == ("02el3F-AjQw", "4XgHKQm17uIi39qzDIrs99")
    assert (article.season, article.episode) == (1, 2)
    assert article.layout == "post"
    assert article.extra == {"mood": "sleepy"}
    assert article.format == "markdown"
    assert article.body.startswith("Read the")
    assert [link.url for link in article.links] == [
        "https://rail.example.org/t", "https://rail.example.org/more"]
    assert article.inferred == ()


def test_front_matter_date_time_zone_and_lang_case(make_project: MakeProject) -> None:
    text = ('---\ntitle: T\ndate: 2025-09-02 18:30:00 +04:00\nlang: pt-BR\n'
            'slug: Minha História\nguid: abc-1\nexplicit: true\nepisode_type: Bonus\n---\nText\n')
    root = make_project({"episodes/anything.md": text})
    article = read_one(root, "episodes/anything.md")
    assert article.date == datetime(2025, 9, 2, 18, 30, tzinfo=timezone(timedelta(hours=4)))
    assert article.lang == "pt-br"
    assert article.direction == "ltr"
    assert article.slug == "minha-historia"
    assert (article.guid, article.explicit, article.episode_type) == ("abc-1", True, "bonus")


def test_utf8_bom_and_crlf(make_project: MakeProject) -> None:
    data = "\ufeff---\r\ntitle: Café\r\nlang: fr\r\n---\r\nBonjour.\r\n".encode()
    root = make_project({"episodes/2025-01-02-cafe.md": data})
    article = read_one(root, "episodes/2025-01-02-cafe.md")
    assert article.title == "Café"
    assert article.body == "Bonjour."


def test_plain_text_with_sidecar(make_project: MakeProject) -> None:
    root = make_project({
        "episodes/2025-10-01-strike.txt": "---\ntitle: In file\nauthor: A\n---\nBody text.\n",
        "episodes/2025-10-01-strike.yml": "title: From sidecar\nvideo: https://youtu.be/02el3F-AjQw\n",
    })
    article = read_one(root, "episodes/2025-10-01-strike.txt")
    assert article.title == "From sidecar"  # the sidecar overrides
    assert article.author == "A"
    assert article.youtube_id == "02el3F-AjQw"


def test_plain_text_inferences(make_project: MakeProject) -> None:
    text = ("TBILISI, 3 March 2025\n\nThe city opened a new night bus line on Monday. "
            "Drivers said the first week was busy, and passengers asked for more routes.\n")
    root = make_project({"episodes/night-bus.txt": text})
    article = read_one(root, "episodes/night-bus.txt")
    assert article.format == "text"
    assert article.title == "The city opened a new night bus line on Monday"
    assert article.lang == "en"
    assert article.date == datetime(2025, 3, 3, tzinfo=UTC)
    assert {(i.field, i.how) for i in article.inferred} == {
        ("title", "from the first sentence after the dateline"),
        ("lang", "detected from the text"), ("date", "from the dateline")}


def test_georgian_and_arabic_file_names_make_latin_slugs(make_project: MakeProject) -> None:
    root = make_project({
        "episodes/2025-09-02-თბილისის-ღამის-მეტრო.md": "---\ntitle: მეტრო\n---\nტექსტი\n",
        "episodes/2025-10-08-سوق-الكتب.txt": "سوق الكتب\n\nنص المقال هنا.\n",
    })
    result = read_project(load_site(root))
    assert [a.slug for a in result.articles] == ["tbilisis-ghamis-metro", "swq-alktb"]
    assert result.articles[1].direction == "rtl"
    assert result.articles[1].title == "سوق الكتب"


def test_script_in_title_is_kept_literally(make_project: MakeProject) -> None:
    title = "Ports <script>alert('x')</script> & docks"
    root = make_project({"episodes/x.md": f"---\ntitle: \"{title}\"\nlang: en\n---\nText\n"})
    assert read_one(root, "episodes/x.md").title == title


def test_project_order_skips_and_collects(make_project: MakeProject) -> None:
    root = make_project({
        "episodes/2025-02-01-b.md": "---\ntitle: B\nlang: en\n---\nx\n",
        "episodes/sub/2025-01-01-c.md": "---\ntitle: C\nlang: en\n---\nx\n",
        "episodes/2025-02-01-a.md": "---\ntitle: A\nlang: en\n---\nx\n",
        "episodes/undated.md": "---\ntitle: U\nlang: en\n---\nx\n",
        "episodes/.hidden.md": "not read",
        "episodes/.drafts/2025-01-01-d.md": "not read",
        "episodes/notes.pdf": b"%PDF-1.4",
        "episodes/orphan.yml": "title: x\n",
        "episodes/bad.md": "---\ntitle: [\n---\n",
    })
    result = read_project(load_site(root))
    assert [a.slug for a in result.articles] == ["undated", "c", "a", "b"]
    assert [(p.severity, p.where) for p in result.problems] == [
        ("error", "episodes/bad.md"), ("warning", "episodes/orphan.yml")]


def test_missing_episodes_folder(tmp_path: Path) -> None:
    site = Site(root=tmp_path, title="t", base_url="https://x.org/")
    result = read_project(site)
    assert result.problems[0].where == "episodes"


# -- bad input: each names the file and field, and check exits 1 without a traceback -------

BAD: list[tuple[str, str | bytes, str | None, str]] = [
    ("broken-yaml.md", "---\ntitle: ok\nauthor: [unclosed\nlang: en\n---\nText\n",
     "front matter", "line 4"),
    ("not-mapping.md", "---\n- one\n- two\n---\nText\n", "front matter", "mapping"),
    ("unclosed.md", "---\ntitle: x\nText without end\n", "front matter", "not closed"),
    ("no-title.md", "---\nauthor: x\nlang: en\n---\nJust a paragraph.\n", "title", "no title"),
    ("empty-title.md", "---\ntitle: ''\nlang: en\n---\nJust a paragraph.\n", "title",
     "no title"),
    ("no-title.txt", "1234 5678\n", "title", "no title"),
    ("vimeo.md", "---\ntitle: x\nlang: en\nvideo: https://vimeo.com/1234\n---\nx\n", "video",
     "not a YouTube video URL"),
    ("yt-channel.md", "---\ntitle: x\nlang: en\nvideo: https://www.youtube.com/@chan\n---\nx\n",
     "video", "not a YouTube video URL"),
    ("show.md", "---\ntitle: x\nlang: en\nspotify: https://open.spotify.com/show/"
     "4XgHKQm17uIi39qzDIrs99\n---\nx\n", "spotify", "Spotify show URL, not an episode"),
    ("not-spotify.md", "---\ntitle: x\nlang: en\nspotify: https://example.org/ep\n---\nx\n",
     "spotify", "not a Spotify URL"),
    ("bad-date.md", "---\ntitle: x\nlang: en\ndate: 2025-13-45\n---\nx\n", "date",
     "not a date"),
    ("word-date.md", "---\ntitle: x\nlang: en\ndate: yesterday\n---\nx\n", "date", "not a date"),
    ("2025-02-30-no-such-day.md", "---\ntitle: x\nlang: en\n---\nx\n", "date", "does not exist"),
    ("season.md", "---\ntitle: x\nlang: en\nseason: 0\n---\nx\n", "season", "whole number"),
    ("episode.md", "---\ntitle: x\nlang: en\nepisode: three\n---\nx\n", "episode", "whole number"),
    ("bool-episode.md", "---\ntitle: x\nlang: en\nepisode: true\n---\nx\n", "episode",
     "whole number"),
    ("lang.md", "---\ntitle: x\nlang: english please\n---\nx\n", "lang", "not a language tag"),
    ("featured.md", "---\ntitle: x\nlang: en\nfeatured: maybe\n---\nx\n", "featured",
     "true or false"),
    ("audio.md", "---\ntitle: x\nlang: en\naudio: ../../etc/a.mp3\n---\nx\n", "audio",
     "neither an http(s) URL"),
    ("type.md", "---\ntitle: x\nlang: en\nepisode_type: teaser\n---\nx\n", "episode_type",
     "not full, trailer or bonus"),
    ("latin1.md", "---\ntitle: Café\nlang: fr\n---\nCafé crème\n".encode("latin-1"), None,
     "not UTF-8"),
    ("cp1252.txt", "“Quoted” text – with dashes\n".encode("cp1252"), None, "not UTF-8"),
    ("utf16.md", "---\ntitle: x\n---\nx\n".encode("utf-16"), None, "UTF-16"),
    ("empty.md", b"", None, "empty"),
    ("blank.txt", b"  \n\n", None, "empty"),
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary"),
]


@pytest.mark.parametrize(("name", "content", "field", "words"), BAD,
                         ids=[case[0] for case in BAD])
def test_bad_input(make_project: MakeProject, capsys: pytest.CaptureFixture[str], name: str,
                   content: str | bytes, field: str | None, words: str) -> None:
    root = make_project({f"episodes/{name}": content,
                         "episodes/2025-01-01-fine.md": "---\ntitle: Fine\nlang: en\n---\nx\n"})
    with pytest.raises(ReadError) as caught:
        read_one(root, f"episodes/{name}")
    assert caught.value.where == f"episodes/{name}"
    assert caught.value.field == field
    assert words in caught.value.message
    assert caught.value.fix
    if "UTF-8" in words or "UTF-16" in words:
        assert "UTF-8" in caught.value.fix

    code, out, err = check(root, capsys)
    assert code == 1
    assert "Traceback" not in err
    line = next(ln for ln in out.splitlines() if ln.startswith("error:"))
    assert f"episodes/{name}" in line
    assert words in line
    if field:
        assert f": {field}: " in line
    assert "fine  en  2025-01-01" in out  # the other article still reads


def test_problems_of_one_file_are_all_listed(make_project: MakeProject) -> None:
    root = make_project({"episodes/x.md": "---\nlang: en\nseason: -1\n"
                                          "video: https://vimeo.com/1\n---\nText\n"})
    result = read_project(load_site(root))
    assert sorted(p.field or "" for p in result.problems) == ["season", "title", "video"]
    assert result.articles == []


def test_duplicate_slugs_name_both_files(make_project: MakeProject,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({
        "episodes/2025-01-01-same.md": "---\ntitle: One\nlang: en\n---\nx\n",
        "episodes/2025-02-01-same.md": "---\ntitle: Two\nlang: en\n---\nx\n",
    })
    result = read_project(load_site(root))  # both are read; check and build settle it
    assert [a.slug for a in result.articles] == ["same", "same"]
    from companion._project.check import check_project

    problems = [p for p in check_project(load_site(root)).problems if p.field == "slug"]
    assert sorted(p.where for p in problems) == ["episodes/2025-01-01-same.md",
                                                 "episodes/2025-02-01-same.md"]
    assert "episodes/2025-02-01-same.md" in str(problems[0])
    code, out, err = check(root, capsys)
    assert code == 1
    assert "Traceback" not in err
    assert "2025-01-01-same.md" in out
    assert "2025-02-01-same.md" in out


def test_duplicate_guids_name_both_files(make_project: MakeProject,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({
        "episodes/one.md": "---\ntitle: One\nlang: en\nguid: g-1\n---\nx\n",
        "episodes/two.md": "---\ntitle: Two\nlang: en\nguid: g-1\n---\nx\n",
    })
    code, out, err = check(root, capsys)
    assert code == 1
    assert "Traceback" not in err
    line = next(ln for ln in out.splitlines() if ln.startswith("error:"))
    assert "guid" in line
    assert "episodes/one.md" in line
    assert "episodes/two.md" in line


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_outside_the_project_is_refused(make_project: MakeProject, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "outside.md"
    secret.write_text("---\ntitle: Secret\nlang: en\n---\nsecret\n", encoding="utf-8")
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "y.md").write_text("---\ntitle: Y\n---\ny\n", encoding="utf-8")
    root = make_project({"episodes/real.md": "---\ntitle: Real\nlang: en\n---\nx\n",
                         "notes/inside.md": "---\ntitle: Inside\nlang: en\n---\nx\n"})
    (root / "episodes" / "link.md").symlink_to(secret)
    (root / "episodes" / "dir-link").symlink_to(tmp_path / "outside-dir")
    (root / "episodes" / "inside-link.md").symlink_to(root / "notes" / "inside.md")
    with pytest.raises(ReadError, match="outside the project"):
        read_one(root, "episodes/link.md")
    result = read_project(load_site(root))
    assert sorted(a.title for a in result.articles) == ["Inside", "Real"]
    assert sorted(p.where for p in result.problems) == ["episodes/dir-link", "episodes/link.md"]
    code, out, err = check(root, capsys)
    assert code == 1
    assert "Traceback" not in err
    assert "Secret" not in out
    assert "outside the project" in out


def test_two_sidecars_are_an_error(make_project: MakeProject) -> None:
    root = make_project({"episodes/a.txt": "Title\n\nText here.\n", "episodes/a.yml": "lang: en\n",
                         "episodes/a.yaml": "lang: en\n"})
    with pytest.raises(ReadError, match="two sidecars"):
        read_one(root, "episodes/a.txt")


def test_sidecar_with_broken_yaml_names_the_sidecar(make_project: MakeProject) -> None:
    root = make_project({"episodes/a.txt": "Title\n\nText here.\n",
                         "episodes/a.yml": "lang: en\ntags: [x\n"})
    with pytest.raises(ReadError) as caught:
        read_one(root, "episodes/a.txt")
    assert caught.value.where == "episodes/a.yml"
    assert "line 3" in caught.value.message or "line 2" in caught.value.message
