"""The published transcripts of the example build, read by an independent parser.

companion writes WebVTT with webvtt-py and SRT with srt; pycaption (another
implementation) reads every file back here, and the WebVTT syntax the W3C gives for
the file's start is checked line by line.
"""

from __future__ import annotations

import re

from pycaption import SRTReader, WebVTTReader

from companion import BuildResult, Site

#: WebVTT's file start: the signature, an optional title after a space or tab, then a
#: blank line (https://www.w3.org/TR/webvtt1/#file-structure).
SIGNATURE = re.compile(r"\AWEBVTT(?:[ \t][^\n]*)?\n\n")


def test_every_vtt_of_the_example_build_passes_an_independent_parser(
        built_example: tuple[Site, BuildResult]) -> None:
    site, _result = built_example
    files = sorted(site.out_dir.rglob("*.vtt"))
    assert len(files) == 4  # the ka, es, en and fa examples with captions
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert SIGNATURE.match(text), f"{path}: {text[:40]!r}"
        assert WebVTTReader().detect(text)
        captions = WebVTTReader().read(text)
        (lang,) = captions.get_languages()
        cues = captions.get_captions(lang)
        srt = SRTReader().read(path.with_suffix(".srt").read_text(encoding="utf-8"))
        srt_cues = srt.get_captions(srt.get_languages()[0])
        assert len(cues) == len(srt_cues) > 0
        assert [(c.start, c.end) for c in cues] == [(c.start, c.end) for c in srt_cues]
        assert all(c.start < c.end for c in cues)
        for cue in cues:
            lines = cue.get_text().split("\n")
            assert len(lines) <= 2, (path, lines)
            assert max(map(len, lines)) <= 42, (path, lines)


def test_the_feed_says_each_transcripts_language_and_kind(
        built_example: tuple[Site, BuildResult]) -> None:
    site, _result = built_example
    raw = b"".join(p.read_bytes() for p in sorted(site.out_dir.glob("*/feed.xml")))
    found = re.findall(rb"<podcast:transcript [^>]*>", raw)
    assert len(found) >= 2
    assert all(b' language="' in tag and b' rel="captions"' in tag for tag in found)
