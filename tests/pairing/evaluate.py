"""Runs the matcher on the evaluation set (made by make.py) and counts, per side and
language: right pairs, wrong pairs (a pair where none, another, or no automatic pair was
expected), misses, and held ambiguities. Used by tests/test_match_eval.py and
benchmarks/pair_bench.py --eval; run alone it prints the table:

    PYTHONPATH=src python tests/pairing/evaluate.py [method ...]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from companion._config.project import load_site
from companion._match import Catalog, MatchArticle, MatchSettings, Proposal, match, parse_catalog
from companion._read.articles import read_article

HERE = Path(__file__).resolve().parent
CATALOGS = ("channel-videos.jsonl", "channel-flat.json", "show-episodes.json", "show.xml")


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    missed: int = 0
    held: int = 0  # expected ambiguous or none, and not paired
    expected: int = 0  # articles with an expected pair
    wrongs: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.missed += other.missed
        self.held += other.held
        self.expected += other.expected
        self.wrongs += other.wrongs


def load() -> tuple[list[MatchArticle], list[Catalog], dict[str, Any]]:
    site = load_site(HERE / "project")
    truth: dict[str, Any] = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
    articles = []
    for path in truth:
        article = read_article(site.root / path, site)
        articles.append(MatchArticle.from_article(article, site.episode_url(article.slug)))
    catalogs = [c for name in CATALOGS
                for c in parse_catalog((HERE / "catalogs" / name).read_bytes(),
                                       f"tests/pairing/catalogs/{name}")]
    return articles, catalogs, truth


def without_own(catalogs: Sequence[Catalog], truth: dict[str, Any]) -> list[Catalog]:
    """The catalogs without any article's own video or episode (its re-upload and parts
    too): what a channel looks like to articles that have none. Nothing may be paired."""
    from make import STORIES, video_id  # the generator names the stories' own videos

    own = {w["spotify"] for w in truth.values() if w["spotify"]}
    audio = {w["audio"] for w in truth.values() if w["audio"]}
    for story in STORIES:
        if story["video"] is not None:
            own |= {video_id(story["key"] + end) for end in ("", "-part1", "-part2", "-again")}
    return [replace(c, entries=tuple(e for e in c.entries
                                     if e.id not in own and e.audio_url not in audio))
            for c in catalogs]


def own_entries(story_key: str, want: dict[str, Any]) -> set[str]:
    """The ids of an article's own video (its re-upload and parts too) and episode."""
    from make import video_id

    own = {video_id(story_key + end) for end in ("", "-part1", "-part2", "-again")}
    return own | ({want["spotify"]} if want["spotify"] else set())


def each_without_own(articles: Sequence[MatchArticle], catalogs: Sequence[Catalog],
                     truth: dict[str, Any], split: str | None = None,
                     settings: MatchSettings | None = None) -> list[str]:
    """Each article in turn, its own video and episode taken away (everything else
    there: the story in other languages, the other articles' videos): the pairs it still
    gets, all wrong."""
    wrong = []
    for number, article in enumerate(articles):
        want = truth[article.key]
        if (split is not None and want["split"] != split) or want["youtube"] is None:
            continue
        own = own_entries(want["key"], want)
        kept = [replace(c, entries=tuple(e for e in c.entries if e.id not in own and not (
            want["audio"] and e.audio_url == want["audio"]))) for c in catalogs]
        proposal = match(articles, kept, settings=settings or MatchSettings())[number]
        wrong += [f"{article.key}: {side.id}" for side in (proposal.youtube, proposal.show)
                  if side.status == "paired"]
    return wrong


def judge(proposals: Sequence[Proposal], truth: dict[str, Any],
          split: str | None = None) -> dict[tuple[str, str], Tally]:
    """(side, language) -> Tally; side is "youtube" or "show"."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for p in proposals:
        want = truth[p.key]
        if split is not None and want["split"] != split:
            continue
        video = tallies["youtube", want["lang"]]
        expected = want["youtube"]
        if expected not in (None, "ambiguous"):
            video.expected += 1
        if p.youtube.status == "paired":
            if p.youtube.id == expected:
                video.right += 1
            else:
                video.wrong += 1
                video.wrongs.append(f"{p.key}: video {p.youtube.id}, expected {expected}")
        elif expected in (None, "ambiguous"):
            video.held += 1
        else:
            video.missed += 1
        shows = tallies["show", want["lang"]]
        expected_show = (want["spotify"], want["audio"])
        if expected_show != (None, None):
            shows.expected += 1
        if p.show.status == "paired":
            if (p.spotify_id, p.audio) == expected_show:
                shows.right += 1
            else:
                shows.wrong += 1
                shows.wrongs.append(f"{p.key}: show {p.spotify_id} {p.audio}, expected "
                                    f"{expected_show}")
        elif expected_show == (None, None):
            shows.held += 1
        else:
            shows.missed += 1
    return tallies


def totals(tallies: dict[tuple[str, str], Tally], side: str | None = None) -> Tally:
    total = Tally()
    for (s, _lang), tally in tallies.items():
        if side is None or s == side:
            total.add(tally)
    return total


def run(settings: MatchSettings | None = None) -> tuple[list[Proposal], dict[str, Any]]:
    articles, catalogs, truth = load()
    return match(articles, catalogs, settings=settings or MatchSettings()), truth


def table(proposals: Sequence[Proposal], truth: dict[str, Any], split: str | None) -> str:
    tallies = judge(proposals, truth, split)
    rows = ["| side | language | right | wrong | missed | held | precision | recall |",
            "|---|---|---|---|---|---|---|---|"]
    for side in ("youtube", "show"):
        for lang in sorted({lang for s, lang in tallies if s == side}):
            t = tallies[side, lang]
            rows.append(f"| {side} | {lang} | {t.right} | {t.wrong} | {t.missed} | {t.held} | "
                        f"{t.precision:.2f} | {t.recall:.2f} |")
        t = totals(tallies, side)
        rows.append(f"| {side} | all | {t.right} | {t.wrong} | {t.missed} | {t.held} | "
                    f"{t.precision:.2f} | {t.recall:.2f} |")
    return "\n".join(rows)


def main(methods: list[str]) -> None:
    articles, catalogs, truth = load()
    for method in methods or ["tfidf"]:
        settings = replace(MatchSettings(), method=method)
        proposals = match(articles, catalogs, settings=settings)
        for split in (None, "tune", "test"):
            print(f"\n{method}, split {split or 'all'}:\n{table(proposals, truth, split)}")
        for line in totals(judge(proposals, truth)).wrongs:
            print("WRONG", line)
        alone = match(articles, without_own(catalogs, truth), settings=settings)
        paired = [f"{p.key}: {side.id}" for p in alone for side in (p.youtube, p.show)
                  if side.status == "paired"]
        print(f"without the articles' own entries: {len(paired)} pairs (all wrong)")
        for line in paired:
            print("WRONG", line)
        each = each_without_own(articles, catalogs, truth, settings=settings)
        print(f"each article without its own entries, one at a time: {len(each)} pairs")
        for line in each:
            print("WRONG", line)


if __name__ == "__main__":
    main(sys.argv[1:])
