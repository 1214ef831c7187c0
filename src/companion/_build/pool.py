"""The build's worker processes: a large build renders its changed articles in chunks,
in a process pool, and stores what each hands back (the parent alone writes the parts
store)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from companion._build.seam import E, EpisodeBuild, Flags, I, Renderer, Stages
from companion._build.state import Parts, pack
from companion._errors import CompanionError
from companion._model import FeedDefinition
from companion._site_model import Site

if TYPE_CHECKING:
    from concurrent.futures import Future

CHUNK = 24  # articles per worker task


#: What an episode's render hands back: the build (without its parts, which are on disk)
#: and the digests of its entry and of its item.
Done = tuple[EpisodeBuild[E, I], tuple[str, str]]


class _Worker:
    """What a worker process keeps between tasks."""

    renderer: Renderer[object, object] | None = None


_WORKER = _Worker()
Job = tuple[Path, Flags]


def _init_worker(site: Site, stages: Stages[object, object],
                 feeds: list[FeedDefinition]) -> None:
    _WORKER.renderer = stages.renderer(site, feeds)


#: A build as a worker hands it back: without its entry and item, which come pickled
#: (None: the article has no page).
Packed = tuple[EpisodeBuild[E, I], tuple[bytes, bytes] | None]


def _work(jobs: list[Job]) -> list[Packed[object, object]] | _Failure:
    """Render a chunk; its parts go back pickled: the parent alone writes the parts store
    (two writers of one SQLite file take turns, and a turn waited for is time lost), and
    stores the bytes as they come (decoding and encoding them again made the parent the
    bottleneck of a parallel build)."""
    assert _WORKER.renderer is not None
    try:
        return render_packed(_WORKER.renderer, jobs)
    except CompanionError as exc:
        return _Failure(type(exc), exc.message, exc.where, exc.field, exc.fix)


def render_packed(renderer: Renderer[E, I], jobs: list[Job]) -> list[Packed[E, I]]:
    """Render a chunk with `renderer`, each build's parts pickled apart from it."""
    return [(dataclasses.replace(b, entry=None, item=None), pack(b.entry, b.item))
            if b.entry is not None else (b, None)
            for b in renderer.episodes(jobs)]


@dataclass(frozen=True)
class _Failure:
    """A `CompanionError` raised in a worker, carried back whole (with where and fix)."""

    kind: type[CompanionError]
    message: str
    where: str
    field: str | None
    fix: str

    def error(self) -> CompanionError:
        return self.kind(self.message, where=self.where, field=self.field, fix=self.fix)


def save_items(parts: Parts[E, I], builds: Iterable[EpisodeBuild[E, I]]
                ) -> Iterator[Done[E, I]]:
    """Store each episode's parts on disk; hand back the build without them (memory stays
    flat: feeds and index pages read them back when needed) and their digests. An article
    without a page (a draft, a broken one) has no parts."""
    done = list(builds)  # a batch: its parts go in one transaction
    parts.drop_many(b.source for b in done if b.entry is None)
    saved = iter(parts.save_many([(b.source, b.entry, b.item) for b in done
                                  if b.entry is not None]))
    for build in done:
        if build.entry is None:
            yield build, ("", "")
        else:
            yield dataclasses.replace(build, entry=None, item=None), next(saved)


def save_packed(parts: Parts[E, I], done: Sequence[Packed[E, I]]) -> Iterator[Done[E, I]]:
    """`save_items` for a chunk a worker rendered: its parts come pickled."""
    parts.drop_many(build.source for build, packed in done if packed is None)
    saved = iter(parts.save_packed([(build.source, *packed) for build, packed in done
                                    if packed is not None]))
    for build, packed in done:
        yield build, (next(saved) if packed is not None else ("", ""))


def parallel(site: Site, stages: Stages[E, I], feeds: list[FeedDefinition], jobs: list[Job],
             workers: int, local: Renderer[E, I]) -> Iterator[list[Packed[E, I]]]:
    """Render in `workers` processes, the calling one included: `workers - 1` in a pool,
    at most 2 chunks each in flight, and this process renders a chunk with `local`
    whenever no chunk is waiting to be stored (so no more processes are busy than there
    are cores: this one also stores and writes what comes back). Each chunk's builds are
    streamed in completion order (memory stays flat however many articles there are).
    The workers' renderer is `stages`' own, so what comes back is of its types."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from functools import partial

    chunks = iter([jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)])
    start = partial(_init_worker, site, cast("Stages[object, object]", stages), feeds)
    helpers = max(1, workers - 1)
    with ProcessPoolExecutor(helpers, initializer=start) as pool:
        pending: set[Future[list[Packed[object, object]] | _Failure]] = set()

        def refill() -> None:
            while len(pending) < 2 * helpers:
                chunk = next(chunks, [])
                if not chunk:
                    return
                pending.add(pool.submit(_work, chunk))

        refill()
        while pending:
            done = {future for future in pending if future.done()}
            if not done:
                chunk = next(chunks, []) if workers > 1 else []
                if chunk:  # nothing to store: render a chunk here meanwhile
                    yield render_packed(local, chunk)
                    continue
                done, _running = wait(pending, return_when=FIRST_COMPLETED)
            pending -= done
            for future in done:
                result = future.result()
                if isinstance(result, _Failure):
                    raise result.error()
                yield cast("list[Packed[E, I]]", result)
            refill()
