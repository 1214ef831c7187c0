"""One to one: each article gets at most one entry and each entry at most one article,
the total score as high as it can be (the Hungarian method, per connected group of
articles and entries; a group too large for it is assigned best first)."""

from __future__ import annotations

import math
from collections import defaultdict


def _hungarian(weights: list[list[float]]) -> list[int]:
    """For each row, the column it gets (-1 for none) maximising the total weight
    (rows <= columns; the classic O(n^2 m) shortest augmenting path)."""
    n, m = len(weights), len(weights[0]) if weights else 0
    top = max((w for row in weights for w in row), default=0.0)
    cost = [[top - w for w in row] for row in weights]
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    p, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [math.inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    result = [-1] * n
    for j in range(1, m + 1):
        if p[j]:
            result[p[j] - 1] = j - 1
    return result


_EXACT = 40_000  # rows x columns the exact assignment solves; larger groups go best first


def assign(edges: dict[int, dict[int, float]]) -> dict[int, int]:
    """Article -> document, one to one, maximising the total score of `edges`
    (article -> {document: score}); solved per connected component."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, row in edges.items():
        for d in row:
            parent[find(("a", a))] = find(("d", d))
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for a in edges:
        if edges[a]:
            groups[find(("a", a))].append(a)
    chosen: dict[int, int] = {}
    for rows in groups.values():
        columns = sorted({d for a in rows for d in edges[a]})
        if len(rows) == 1 or len(columns) == 1:
            best = max(((s, -d, a) for a in rows for d, s in edges[a].items()))
            chosen[best[2]] = -best[1]
            continue
        if len(rows) * len(columns) > _EXACT:  # too large to solve exactly: best first
            taken: set[int] = set()
            ranked = sorted(((w, art, doc) for art in rows for doc, w in edges[art].items()),
                            reverse=True)
            for weight, art, doc in ranked:
                if art not in chosen and doc not in taken and weight > 0:
                    chosen[art] = doc
                    taken.add(doc)
            continue
        # dummy columns let a row stay unassigned (weight 0)
        grid = [[edges[a].get(d, 0.0) for d in columns] + [0.0] * len(rows) for a in rows]
        for a, j in zip(rows, _hungarian(grid), strict=True):
            if 0 <= j < len(columns) and edges[a].get(columns[j], 0.0) > 0:
                chosen[a] = columns[j]
    return chosen
