"""Chapters: yt-dlp's list, description timestamp lines, JSON chapters, text lines, PSC."""

from __future__ import annotations

import json

import pytest

from companion import Chapter
from companion._pair.chapters import (
    chapters_json,
    episode_chapters,
    from_description,
    from_info,
    parse_timestamp_line,
    psc,
    timestamp_lines,
)


@pytest.mark.parametrize(("line", "expected"), [
    ("00:00 Intro", (0.0, "Intro")),
    ("1:02:03 - Title", (3723.0, "Title")),
    ("(12:30) Title", (750.0, "Title")),
    ("[01:05] შესავალი", (65.0, "შესავალი")),
    ("12:30 – مقدمة", (750.0, "مقدمة")),
    ("• 3:07: El clima", (187.0, "El clima")),
])
def test_timestamp_lines_are_parsed(line: str, expected: tuple[float, str]) -> None:
    assert parse_timestamp_line(line) == expected


@pytest.mark.parametrize("line", ["Intro 00:00", "no time here", "00:61 Bad", "12:30"])
def test_non_timestamp_lines_are_ignored(line: str) -> None:
    assert parse_timestamp_line(line) is None


DESCRIPTION = """Our trip east.

0:00 Platform one
02:15 - The border
(1:04:03) Arrival
Thanks for listening. 3:00 is not a chapter line"""


def test_description_chapters_start_at_zero_and_ascend() -> None:
    chapters = from_description(DESCRIPTION, duration=4000)
    assert [(c.start, c.title, c.end) for c in chapters] == [
        (0.0, "Platform one", 135.0), (135.0, "The border", 3843.0),
        (3843.0, "Arrival", 4000.0)]


def test_description_chapters_follow_youtube_rules() -> None:
    assert from_description("0:10 Late start\n1:00 Next") == ()
    assert from_description("0:00 A\n2:00 B\n1:00 C") == ()
    assert from_description("0:00 Only one") == ()
    assert from_description("0:00 A\n5:00 B", duration=120) == ()


def test_yt_dlp_chapters_win_over_description() -> None:
    info = [{"start_time": 0.0, "end_time": 30.0, "title": "Intro"},
            {"start_time": 30, "end_time": 60.0, "title": "Rest"}]
    assert episode_chapters(info, DESCRIPTION, 60) == from_info(info)
    assert from_info(info)[1] == Chapter(30.0, "Rest", 60.0)
    assert episode_chapters(None, DESCRIPTION, 4000)[0].title == "Platform one"


def test_chapters_json_is_podcasting_2_and_deterministic() -> None:
    chapters = (Chapter(0, "შესავალი", 12.5), Chapter(12.5, "Café", None, "https://x.example/"))
    data = chapters_json(chapters, title="Ep")
    assert data == chapters_json(chapters, title="Ep")
    doc = json.loads(data.decode("utf-8"))
    assert doc == {"version": "1.2.0", "title": "Ep", "chapters": [
        {"startTime": 0, "endTime": 12.5, "title": "შესავალი"},
        {"startTime": 12.5, "title": "Café", "url": "https://x.example/"}]}
    assert "შესავალი".encode() in data
    assert "title" not in json.loads(chapters_json(chapters))


def test_timestamp_lines_use_hours_only_when_needed() -> None:
    assert timestamp_lines([Chapter(0, "A"), Chapter(75.9, "B")]) == ["00:00 A", "01:15 B"]
    assert timestamp_lines([Chapter(0, "A"), Chapter(3723, "B")]) == ["0:00:00 A", "1:02:03 B"]


def test_psc_start_is_normal_play_time() -> None:
    assert psc([Chapter(0, "A"), Chapter(3723.25, "B")]) == [
        ("00:00:00.000", "A"), ("01:02:03.250", "B")]
