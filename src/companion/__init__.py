"""companion: a podcast and video companion publisher."""

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
    OutputFile,
    Site,
    SpotifyEpisode,
    Transcript,
    YouTubeVideo,
)

__version__ = "0.1.0"

__all__ = [
    "Article",
    "Audio",
    "Chapter",
    "CompanionError",
    "Episode",
    "FeedDefinition",
    "FeedError",
    "FetchError",
    "Link",
    "OutputFile",
    "PairError",
    "Problem",
    "ProjectError",
    "PublishError",
    "ReadError",
    "RenderError",
    "Site",
    "SpotifyEpisode",
    "Transcript",
    "YouTubeVideo",
    "__version__",
]
