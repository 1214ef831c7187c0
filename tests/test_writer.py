"""The writer: one root, no escapes, no path twice, write only what changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from companion import OutputFile, RenderError
from companion._build.writer import Writer, sha256_bytes


def page(path: str, data: bytes = b"<p>hi</p>") -> OutputFile:
    return OutputFile(path, "text/html", data=data)


@pytest.mark.parametrize("bad", ["/etc/passwd", "../x.html", "a/../../x", "a//b", "./a",
                                 "", "a\\..\\b"])
def test_refuses_paths_outside_root(tmp_path: Path, bad: str) -> None:
    writer = Writer(tmp_path / "site")
    with pytest.raises(RenderError, match="refusing"):
        writer.write(page(bad))


def test_refuses_a_symlink_leading_out(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "episodes").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "episodes" / "x").symlink_to(outside)
    with pytest.raises(RenderError, match="symlink"):
        Writer(root).write(page("episodes/x/index.html"))
    assert not list(outside.iterdir())


def test_refuses_one_path_twice(tmp_path: Path) -> None:
    writer = Writer(tmp_path)
    writer.write(page("a/index.html"))
    with pytest.raises(RenderError, match="same path"):
        writer.write(page("a/index.html", b"other"))


def test_same_content_addressed_file_twice_is_fine(tmp_path: Path) -> None:
    writer = Writer(tmp_path)
    art = OutputFile("artwork/abc.jpg", "image/jpeg", "immutable", data=b"jpeg")
    assert writer.write(art)
    assert not writer.write(art)
    with pytest.raises(RenderError):
        writer.write(OutputFile("artwork/abc.jpg", "image/jpeg", "immutable", data=b"other"))


def test_writes_only_when_bytes_differ(tmp_path: Path) -> None:
    first = Writer(tmp_path)
    assert first.write(page("a/index.html"))
    target = tmp_path / "a" / "index.html"
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    second = Writer(tmp_path)  # no previous records: compares the bytes
    assert not second.write(page("a/index.html"))
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert (second.written, second.unchanged) == (0, 1)
    third = Writer(tmp_path, second.records)
    assert third.write(page("a/index.html", b"new"))
    assert target.read_bytes() == b"new"
    assert (target.stat().st_mode & 0o777) == 0o644
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".tmp")]


def test_source_files_are_linked_once(tmp_path: Path) -> None:
    media = tmp_path / "cache" / "m.mp3"
    media.parent.mkdir()
    media.write_bytes(b"ID3" + b"x" * 1000)
    out = tmp_path / "site"
    file = OutputFile("media/m.mp3", "audio/mpeg", "immutable", source=media)
    first = Writer(out)
    assert first.write(file)
    assert (out / "media" / "m.mp3").read_bytes() == media.read_bytes()
    again = Writer(out, first.records)
    assert not again.write(file, sha256_bytes(media.read_bytes()))
    assert again.unchanged == 1


def test_keep_all_claims_unchanged_outputs(tmp_path: Path) -> None:
    first = Writer(tmp_path)
    first.write(page("a.html"))
    first.write(page("b.html", b"b"))
    sha_a, sha_b = first.records["a.html"][2], first.records["b.html"][2]
    second = Writer(tmp_path, first.records)
    assert second.keep_all({"a.html": sha_a, "b.html": sha_b})
    assert second.unchanged == 2
    (tmp_path / "b.html").write_bytes(b"edited by hand")
    third = Writer(tmp_path, first.records)
    assert not third.keep_all({"a.html": sha_a, "b.html": sha_b})
    assert third.records == {}


def test_removes_only_stale_outputs_it_wrote(tmp_path: Path) -> None:
    first = Writer(tmp_path)
    first.write(page("old/index.html"))
    first.write(page("kept.html"))
    (tmp_path / "mine.txt").write_text("not companion's")
    second = Writer(tmp_path, first.records)
    second.write(page("kept.html"))
    assert second.remove_stale() == ["old/index.html"]
    assert not (tmp_path / "old").exists()
    assert (tmp_path / "mine.txt").exists()
    assert second.counts().removed == 1
