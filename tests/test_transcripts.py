"""Captions: YouTube's rolling automatic captions collapse into clean cues; VTT and SRT."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion import PairError
from companion._pair.cache import Cache
from companion._pair.transcripts import (
    Cue,
    cached,
    captions,
    clean_cues,
    collapse_rolling,
    convert,
    layout,
    parse_vtt,
    read_cues,
    store,
    to_srt,
)

# The shape YouTube serves for automatic captions (fmt=vtt): each cue repeats the
# previous line above the new words, words carry <timestamp><c> tags, and a 10 ms
# cue shows the finished line alone.
ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.160 --> 00:00:02.270 align:start position:0%
·
dock<00:00:00.560><c> workers</c><00:00:00.960><c> at</c><00:00:01.120><c> batumi</c>

00:00:02.270 --> 00:00:02.280 align:start position:0%
dock workers at batumi
·

00:00:02.280 --> 00:00:04.630 align:start position:0%
dock workers at batumi
walked<00:00:02.720><c> off</c><00:00:03.040><c> the</c><00:00:03.200><c> job</c>

00:00:04.630 --> 00:00:04.640 align:start position:0%
walked off the job
·

00:00:04.640 --> 00:00:07.110 align:start position:0%
walked off the job
on<00:00:04.880><c> wednesday</c><00:00:05.360><c> morning</c><00:00:05.840><c> &amp;</c>⏎
<00:00:06.000><c> stayed</c>

00:00:07.110 --> 00:00:09.000 align:start position:0%
on wednesday morning &amp; stayed
·
""".replace("·", " ").replace("⏎\n", "")  # cues hold one-space lines; ⏎ joins


def test_rolling_captions_collapse_into_clean_cues() -> None:
    cues = collapse_rolling(parse_vtt(ROLLING))
    assert [c.text for c in cues] == [
        "dock workers at batumi", "walked off the job", "on wednesday morning & stayed"]
    assert [(c.start, c.end) for c in cues] == [(0.16, 2.27), (2.28, 4.63), (4.64, 7.11)]


def test_collapsed_captions_have_no_tags_and_no_repeats() -> None:
    vtt, srt = convert(ROLLING, "en", automatic=True)
    assert "<c>" not in vtt
    assert "<00:" not in vtt
    assert vtt.count("walked off the job") == 1
    assert vtt.startswith("WEBVTT\n\n00:00:00.160 --> 00:00:02.270\n")
    assert srt.startswith("1\n00:00:00,160 --> 00:00:02,270\ndock workers at batumi\n\n2\n")


def test_manual_captions_keep_their_cues() -> None:
    text = ("WEBVTT\n\nintro\n00:00.000 --> 00:02.500\n<i>თბილისის</i> მეტრო\nღამით\n\n"
            "00:02.500 --> 00:04.000\n\n\n00:04.000 --> 00:05.000\nბოლო\n")
    cues = clean_cues(parse_vtt(text))
    assert cues == [Cue(0.0, 2.5, "თბილისის მეტრო\nღამით"), Cue(4.0, 5.0, "ბოლო")]
    assert to_srt(cues).splitlines()[:3] == ["1", "00:00:00,000 --> 00:00:02,500",
                                             "თბილისის მეტრო"]


def test_store_and_read_back(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    store(cache, "vid", [("en", ROLLING, True)])
    (transcript,) = cached(cache, "vid", "ep")
    assert transcript.lang == "en"
    assert transcript.automatic
    assert "walked off the job" in transcript.vtt.read_text(encoding="utf-8")
    assert transcript.srt.read_text(encoding="utf-8").startswith("1\n")
    assert cached(cache, "other", "ep") == ()


def test_a_damaged_transcript_record_is_a_clear_error(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    store(cache, "vid", [("en", ROLLING, True)])
    record = tmp_path / "transcripts" / "vid.json"
    record.write_text('{"transcripts": [{"lang": 5}]}', encoding="utf-8")
    with pytest.raises(PairError) as caught:
        cached(cache, "vid", "my-episode")
    assert str(record) in str(caught.value)
    assert "companion fetch --refresh my-episode" in caught.value.fix


def test_layout_wraps_at_42_and_two_lines_and_shares_the_time() -> None:
    long = ("This is a long spoken sentence that runs on and on, far past what one caption "
            "card can show, so it has to be split into more than one cue on the screen.")
    cues = layout([Cue(10.0, 20.0, long), Cue(20.0, 21.0, "Short.")], 42, 2)
    assert [c.text for c in cues][-1] == "Short."
    split = cues[:-1]
    assert len(split) == 2
    assert all(len(line) <= 42 for c in split for line in c.text.split("\n"))
    assert all(len(c.text.split("\n")) <= 2 for c in split)
    assert " ".join(c.text.replace("\n", " ") for c in split) == long
    assert split[0].start == 10.0
    assert split[-1].end == 20.0
    assert split[0].end == split[1].start
    chars = [len(c.text) for c in split]
    share = (split[0].end - 10.0) / 10.0
    assert abs(share - chars[0] / sum(chars)) < 0.001  # time in proportion to characters


def test_georgian_lines_are_balanced_and_within_42() -> None:
    text = "ექთნები, მცხობლები და სტუდენტები ღამის მეტროში ერთად მგზავრობენ ყოველ საღამოს."
    (cue, *rest) = layout([Cue(0.0, 4.0, text)], 42, 2)
    assert rest == []
    lines = cue.text.split("\n")
    assert len(lines) == 2
    assert max(map(len, lines)) <= 42
    assert abs(len(lines[0]) - len(lines[1])) < 12
    assert layout([Cue(0.0, 1.0, "Four vessels waited at anchor.")], 42, 2)[0].text \
        == "Four vessels waited at anchor."  # what fits on one line stays on one


def test_written_captions_have_a_bare_signature_and_escape_cue_text() -> None:
    vtt, srt = captions([Cue(0.0, 1.5, "Tom & Jerry <b> --> x"), Cue(1.5, 3.25, "two")])
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")
    assert "Tom &amp; Jerry &lt;b&gt; --&gt; x" in vtt
    assert read_cues(vtt)[0].text == "Tom & Jerry <b> --> x"
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,500\nTom & Jerry <b> --> x\n\n2\n")
    assert srt.endswith("two\n\n")
