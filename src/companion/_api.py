"""The public Python API: a project, and what the command line does with it.

    import companion

    project = companion.load_project("path/to/project")
    result = project.check()                 # CheckResult: articles, standings, problems
    project.fetch(["night-trains"])          # FetchReport: fetched, cached, failed
    built = project.build()                  # BuildResult: files written, problems
    text = project.notes("night-trains", "youtube").text   # paste-ready, within 5,000 bytes
    outcome = project.publish("s3://bucket/shows", dry_run=True)   # PublishOutcome

Each call returns the same typed result that ``companion <command> --json`` prints;
the command line is a thin layer over exactly these calls. A user's mistake raises a
`CompanionError` (with where and fix) or comes back as a `Problem` in the result; so does
a full disk, a folder without permission or a name too long (an `OSError` becomes one
error naming the path and the cause).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from companion._errors import (
    CompanionError,
    PairError,
    ProjectError,
    PublishError,
    RenderError,
    from_os_error,
)
from companion._model import Article, Episode
from companion._site_model import Clock, Site

if TYPE_CHECKING:  # each stage is imported when it is used (fetch pulls in httpx, publish boto3)
    import threading

    from companion._build.result import BuildResult
    from companion._doctor import DoctorOptions, DoctorReport
    from companion._fetch import FetchEvent, FetchOptions, FetchReport
    from companion._fetch.importer import ImportReport
    from companion._project.check import CheckResult
    from companion._project.clean import CleanReport
    from companion._project.new import NewArticle
    from companion._publish.gate import PublishOutcome
    from companion._publish.run import PublishEvent
    from companion._render.shownotes import Fitted
    from companion._serve.server import ServeEvent

Moment = datetime | str | None


@contextmanager
def _os_errors(kind: type[CompanionError], doing: str) -> Iterator[None]:
    """An `OSError` (a full disk, a permission, a name too long) as one `kind` error naming
    the path and the cause, never a traceback."""
    try:
        yield
    except OSError as exc:
        raise from_os_error(exc, kind, doing) from None


@dataclass(frozen=True)
class Project:
    """A companion project: companion.toml, episodes/, feeds/, templates/, cache/."""

    site: Site

    @property
    def root(self) -> Path:
        return self.site.root

    def now(self, when: Moment = None) -> datetime:
        """`when` (a datetime, or ISO 8601 text in the site's time zone), else
        ``COMPANION_NOW``, else the system clock."""
        from companion._clock import clock_now

        if isinstance(when, datetime):
            return when
        return clock_now(self.site.tz, when)

    def check(self, *, now: Moment = None) -> CheckResult:
        """Read every article, decide what a build would publish, list every problem."""
        from companion._project.check import check_project

        with _os_errors(ProjectError, "cannot check"):
            return check_project(self.site, now=self.now(now))

    def fetch(self, slugs: Sequence[str] = (), *, refresh: bool = False,
              formats: Sequence[str] | None = None, options: FetchOptions | None = None,
              progress: Callable[[FetchEvent], None] | None = None) -> FetchReport:
        """Fill the cache for the episodes named by `slugs` (default: every one): YouTube
        metadata, thumbnails, captions and audio, Spotify oEmbed. `formats`: the audio
        formats to have ready (default: what the feed definitions ask for)."""
        from companion._fetch import FetchOptions, fetch
        from companion._read.articles import read_project

        with _os_errors(PairError, "cannot fetch"):
            articles = _select(read_project(self.site).articles, slugs)
            chosen = tuple(formats) if formats else self.audio_formats()
            opts = replace(options or FetchOptions(), formats=chosen,
                           video_slugs=self.video_slugs(articles))
            return fetch(articles, self.site, refresh, progress, options=opts)

    def doctor(self, *, offline: bool = False,
               options: DoctorOptions | None = None) -> DoctorReport:
        """Whether this machine can fetch and publish this project: one `Check` a line,
        each with its fix (`offline`: no network check)."""
        from companion._doctor import DoctorOptions, run_doctor

        opts = options or DoctorOptions.from_environ()
        return run_doctor(self.site, replace(opts, offline=offline or opts.offline))

    def video_slugs(self, articles: Sequence[Article]) -> frozenset[str]:
        """The articles a video feed (``medium = "video"``) selects: the ones whose video
        `fetch` gets (the others never need the large file)."""
        from companion._config.feeds import load_feeds, selects
        from companion._read.identity import article_guid

        feeds = [f for f in load_feeds(self.site).feeds if f.medium == "video"]
        return frozenset(a.slug for a in articles
                         if any(selects(f.select, Episode(a, article_guid(a))) for f in feeds))

    def audio_formats(self) -> tuple[str, ...]:
        """The audio formats the feed definitions ask for (mp3 when there is no feed)."""
        from companion._config.feeds import load_feeds

        found = {feed.audio_format for feed in load_feeds(self.site).feeds}
        return tuple(sorted(found)) or ("mp3",)

    def build(self, out: Path | str | None = None, *, force: bool = False,
              jobs: int | None = None, drafts: bool = False, future: bool = False,
              now: Moment = None,
              progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
        """Render the site into `out` (default: ``[site] out``), incrementally. `drafts`
        and `future` make a preview, which is never published."""
        from companion._build.engine import build

        clock = Clock(self.now(now), drafts=drafts, future=future)
        with _os_errors(RenderError, "the build stopped"):
            return build(self.site, Path(out) if out is not None else None, force=force,
                         jobs=jobs, progress=progress, clock=clock)

    def notes(self, slug: str, target: str = "youtube") -> Fitted:
        """The paste-ready show notes of the episode `slug` for `target` ("youtube",
        "spotify", or "apple": the feed's description), within that platform's limit;
        `.text` is the text, `.cut` and `.sources_left` say what had to go for it to fit.
        A draft or scheduled episode has them too. The build also writes the YouTube and
        Spotify texts to ``.companion/notes/<slug>/``."""
        from companion._project.notes import notes_for

        return notes_for(self.site, slug, target)

    def publish(self, target: str | None = None, *, dry_run: bool = False,
                prune: bool = False, verify: bool = False, strict: bool = False,
                no_build: bool = False, endpoint_url: str | None = None,
                break_lock: bool = False, rebuild_manifest: bool = False,
                now: Moment = None, cwd: Path | None = None,
                progress: Callable[[PublishEvent], None] | None = None,
                build_progress: Callable[[str, int, int], None] | None = None,
                notify: bool = True) -> PublishOutcome:
        """Build, refuse when the build has errors (with `strict`, warnings), then send
        what changed to `target` (a folder relative to `cwd`, or ``s3://bucket/prefix``;
        default ``[publish] target``), record what was published and tell ``[notify]``'s
        services about each feed it sent (not with `notify` off). `rebuild_manifest`
        lists the target and writes its manifest anew first (the recovery from a damaged
        one)."""
        from companion._publish.gate import publish_project

        with _os_errors(PublishError, "cannot publish"):
            return publish_project(self.site, to=target, endpoint_url=endpoint_url,
                                   dry_run=dry_run, prune=prune, verify=verify,
                                   break_lock=break_lock, strict=strict, no_build=no_build,
                                   rebuild_manifest=rebuild_manifest, now=self.now(now),
                                   cwd=cwd, progress=progress, build_progress=build_progress,
                                   notify=notify)

    def new(self, title: str, *, lang: str | None = None, video: str | None = None,
            spotify: str | None = None, date: Moment = None, publish: bool = False,
            now: Moment = None) -> NewArticle:
        """Write a new article in ``episodes/``, dated `date` (default: now), a draft unless
        `publish`; what it wrote, its state and the feeds that select it."""
        from companion._project.new import new_article

        moment = self.now(now)
        when = date if isinstance(date, datetime) else (
            self._moment(date, "--date") if date else moment)
        with _os_errors(ProjectError, "cannot write the article"):
            return new_article(self.site, title, when, now=moment, lang=lang, video=video,
                               spotify=spotify, publish=publish)

    def clean(self, *, cache: bool = False) -> CleanReport:
        """Remove the site folder, ``.companion/`` and ``cache/published/``; with `cache`,
        everything fetched too. Never the ledger of published GUIDs (``cache/ledger/``)."""
        from companion._project.clean import clean

        with _os_errors(ProjectError, "cannot clean"):
            return clean(self.site, cache=cache)

    def _moment(self, text: str, where: str) -> datetime:
        from companion._clock import parse_moment

        return parse_moment(text, self.site.tz, where)

    def serve(self, *, out: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
              watch: bool = True, drafts: bool = False, future: bool = False,
              on_event: Callable[[ServeEvent], None] | None = None,
              stop: threading.Event | None = None) -> None:
        """Build, serve the site on `host`:`port` and rebuild on change until `stop`."""
        from companion._serve.server import serve

        serve(self.site, out=out, host=host, port=port, watch=watch, on_event=on_event,
              stop=stop, drafts=drafts, future=future)


def load_project(path: Path | str = ".") -> Project:
    """The project in `path` (its companion.toml read and validated)."""
    from companion._config.project import load_site

    with _os_errors(ProjectError, "cannot read the project"):
        return Project(load_site(Path(path)))


def init_project(path: Path | str) -> list[Path]:
    """Scaffold a new, working project in `path`; the files written (none overwritten)."""
    from companion._config.scaffold import init_project as scaffold

    return scaffold(Path(path))


def import_show(source: str, path: Path | str = ".", *, feed: str | None = None,
                base_url: str | None = None, jekyll: bool = False, cwd: Path | None = None,
                options: FetchOptions | None = None) -> ImportReport:
    """Turn an existing show into (or add it to) the project at `path`, subscribers kept:
    `source` is its feed (a URL or a file, relative to `cwd`) or, with `jekyll`, a Jekyll
    site's folder. `feed` names the feed definition; `base_url` is the new address, needed
    when the project has no companion.toml yet. Importing again adds only what is new."""
    root = Path(path).absolute()
    with _os_errors(ProjectError, "cannot import"):
        if jekyll:
            from companion._fetch.jekyll import import_jekyll

            return import_jekyll(root, (cwd or Path.cwd()) / source, base_url=base_url)
        from companion._fetch.importer import run_import

        return run_import(root, source, name=feed, base_url=base_url, cwd=cwd,
                          options=options)


def _select(articles: Sequence[Article], slugs: Sequence[str]) -> list[Article]:
    from companion._read.select import select_articles

    return select_articles(slugs, articles, "companion fetch")
