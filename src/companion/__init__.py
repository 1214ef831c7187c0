"""companion: a podcast and video companion publisher.

It pairs a newsroom's articles with their YouTube videos and Spotify episodes and
publishes podcast feeds, show notes and landing pages to a folder or S3-compatible
storage. The pipeline, one folder per stage::

    companion.toml, feeds/*.toml ─ _config ─┐
    episodes/* ─ _read ─▶ Article ─ _pair (the cache; _fetch fills it) ─▶ Episode
                 ─ _build (lifecycle, prepare) ─▶ RenderEpisode ─ _render ─▶ files
                 ─ _publish ─▶ a folder or a bucket

The API a newsroom scripts (the command line calls exactly this)::

    import companion

    project = companion.load_project("path/to/project")
    project.check()     # -> CheckResult
    project.fetch()     # -> FetchReport
    project.build()     # -> BuildResult
    project.publish("s3://bucket/shows", dry_run=True)   # -> PublishOutcome
"""

from typing import TYPE_CHECKING

from companion._api import Project, import_show, init_project, load_project
from companion._errors import (
    CompanionError,
    FeedError,
    FetchError,
    PairError,
    Problem,
    ProjectError,
    PublishError,
    ReadError,
    RenderError,
)
from companion._model import (
    Article,
    Audio,
    Chapter,
    Episode,
    FeedDefinition,
    Link,
    SpotifyEpisode,
    Transcript,
    YouTubeVideo,
)
from companion._site_model import Clock, OutputFile, Site, Standing
from companion._version import __version__

if TYPE_CHECKING:
    from companion._build.result import BuildResult
    from companion._fetch import FetchOptions, FetchReport
    from companion._fetch.importer import ImportReport
    from companion._project.check import CheckResult
    from companion._project.clean import CleanReport
    from companion._project.new import NewArticle
    from companion._publish.gate import PublishOutcome
    from companion._publish.run import PublishReport

#: The stages' result types, imported when first asked for: `import companion` stays light
#: (a command that builds from the cache never imports the network or storage stages).
_LAZY = {"CheckResult": "companion._project.check", "BuildResult": "companion._build.result",
         "CleanReport": "companion._project.clean", "NewArticle": "companion._project.new",
         "FetchOptions": "companion._fetch", "FetchReport": "companion._fetch",
         "ImportReport": "companion._fetch.importer",
         "PublishOutcome": "companion._publish.gate", "PublishReport": "companion._publish.run"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'companion' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)

__all__ = [
    "Article",
    "Audio",
    "BuildResult",
    "Chapter",
    "CheckResult",
    "CleanReport",
    "Clock",
    "CompanionError",
    "Episode",
    "FeedDefinition",
    "FeedError",
    "FetchError",
    "FetchOptions",
    "FetchReport",
    "ImportReport",
    "Link",
    "NewArticle",
    "OutputFile",
    "PairError",
    "Problem",
    "Project",
    "ProjectError",
    "PublishError",
    "PublishOutcome",
    "PublishReport",
    "ReadError",
    "RenderError",
    "Site",
    "SpotifyEpisode",
    "Standing",
    "Transcript",
    "YouTubeVideo",
    "__version__",
    "import_show",
    "init_project",
    "load_project",
]
