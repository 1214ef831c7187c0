"""Chooses the pairing's text similarity by measurement, on the evaluation set
(tests/pairing): for each method, the threshold and margin are tuned on the "tune" half
(no wrong pair there, and none for those articles once their own videos and episodes
are taken away; then the most right ones), and reported on the held-out "test"
half and on the whole set, per side; a second row per method shows the loosest setting
tried (threshold 0.4, margin 0.1): how far each method is from its first wrong pair.

Methods: "tfidf" (cosine of TF-IDF over light word stems), "tfidf-char" (cosine of
TF-IDF over character 4-grams), "bm25" (BM25 term weights, unit-normalised), "fuzz"
(rapidfuzz's token set ratio of the normal forms; needs `pip install rapidfuzz`).

    PYTHONPATH=src python benchmarks/pair_methods.py [method ...]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "pairing"))

from evaluate import judge, load, totals, without_own

from companion._match import MatchSettings, match

THRESHOLDS = (0.4, 0.5, 0.55, 0.6, 0.65, 0.7)
MARGINS = (0.1, 0.15, 0.2)


def main(methods: list[str]) -> None:
    articles, catalogs, truth = load()
    alone = without_own(catalogs, truth)
    tune = {p for p, w in truth.items() if w["split"] == "tune"}
    print("| method | threshold | margin | side | tune P | tune R | test P | test R | all P | "
          "all R | wrong (all) | paired without own | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for method in methods or ["tfidf", "tfidf-char", "bm25", "fuzz"]:
        runs = []
        for threshold in THRESHOLDS:
            for margin in MARGINS:
                settings = replace(MatchSettings(), method=method, threshold=threshold,
                                   margin=margin)
                start = time.perf_counter()
                proposals = match(articles, catalogs, settings=settings)
                seconds = time.perf_counter() - start
                tuned = totals(judge(proposals, truth, "tune"))
                strays = [p for p in match(articles, alone, settings=settings)
                          if "paired" in (p.youtube.status, p.show.status)]
                safe = tuned.wrong == 0 and not any(p.key in tune for p in strays)
                runs.append((safe, tuned.right, threshold, margin, proposals, seconds,
                             len(strays)))
        safe = [r for r in runs if r[0]] or runs
        chosen = max(safe, key=lambda r: (r[1], r[2], r[3]))
        loosest = min(runs, key=lambda r: (r[2], r[3]))
        for _ok, _right, threshold, margin, proposals, seconds, strays in (chosen, loosest):
            _rows(method, threshold, margin, proposals, truth, seconds, strays)


def _rows(method: str, threshold: float, margin: float, proposals: list[Any],
          truth: dict[str, Any], seconds: float, strays: int) -> None:
    for side in ("youtube", "show"):
        cells = []
        for split in ("tune", "test", None):
            t = totals(judge(proposals, truth, split), side)
            cells += [f"{t.precision:.2f}", f"{t.recall:.2f}"]
        wrong = totals(judge(proposals, truth), side).wrong
        print(f"| {method} | {threshold} | {margin} | {side} | " + " | ".join(cells)
              + f" | {wrong} | {strays} | {seconds:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
