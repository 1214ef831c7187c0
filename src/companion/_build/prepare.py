"""The build's side effects, named: what it makes before the (pure) render.

For a show: its compliant artwork copy (`_pair.artwork`, kept in
``.companion/artwork/``) and the small copies its pages use (a square, favicons).
For an episode: a tagged copy of its audio per show, in the show's format
(`_pair.tagging`, kept in ``cache/published/``), its MP4 when a show it is in is a video
feed (as `fetch` made it: one file, which every show of the episode then offers), its
compliant image and its page's picture, and its transcripts: WebVTT and SRT written from
the cached cues, wrapped at the caption limits of `_render.limits`. What comes out is the
model the render takes: `Show` and `RenderEpisode`, every file placed (path, and the URL
each show gives it: behind the show's analytics prefix, if it has one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from companion import _paths
from companion._config.feeds import enclosure_url, show_of
from companion._errors import CompanionError, Problem
from companion._model import (
    Article,
    AudioSettings,
    Episode,
    FeedDefinition,
    MediaUrl,
    RemoteAudio,
    Transcript,
)
from companion._site_model import (
    Cue,
    Neighbour,
    PlacedMedia,
    PlacedTranscript,
    RenderEpisode,
    Show,
    Sister,
    Site,
    Status,
)

TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}


@dataclass(frozen=True)
class PreparedShow:
    show: Show
    problems: tuple[Problem, ...] = ()


class Preparer:
    """One per process: places shows once, and each episode's files as it comes."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._shows: dict[str, PreparedShow] = {}

    def show(self, feed: FeedDefinition) -> PreparedShow:
        """The show with its artwork placed (a compliant copy of a local file)."""
        from companion._pair.artwork import person_pictures, show_artwork

        known = self._shows.get(feed.slug)
        if known is None or known.show.definition != feed:
            art = show_artwork(feed, self.site)
            people, portraits, trouble = person_pictures(feed.people, f"feeds/{feed.slug}.toml",
                                                         self.site)
            known = self._shows[feed.slug] = PreparedShow(
                replace(show_of(feed, self.site), artwork=art.image, thumb=art.thumb,
                        icons=art.icons, people=people, portraits=portraits),
                (*art.problems, *trouble))
        return known

    def episode(self, episode: Episode, feeds: Sequence[FeedDefinition],
                problems: list[Problem], mark: Status = "live",
                neighbours: Sequence[Neighbour] = (),
                sisters: Sequence[Sister] = ()) -> RenderEpisode:
        """Place what the episode's page and items need; what fails is added to `problems`
        (an episode whose audio cannot be tagged for a show is not in that show).
        `neighbours` are its older and newer episodes in its first show, for its page."""
        from companion._pair.artwork import episode_artwork, person_pictures

        people, portraits, trouble = person_pictures(episode.article.people,
                                                     episode.article.relpath, self.site)
        problems.extend(trouble)
        if people != episode.article.people:  # the feed's podcast:person img: the site's copy
            episode = replace(episode, article=replace(episode.article, people=people))
        page_url = self.site.episode_url(episode.slug)
        shows = [self.show(feed).show for feed in feeds]
        media = self._media(episode, shows, page_url, problems)
        video = self._video(episode, shows, media, problems)
        image = episode_artwork(episode, self.site)
        problems.extend(image.problems)
        transcripts = self._transcripts(episode)
        return RenderEpisode(episode, page_url, tuple(s for s in shows if s.slug in media),
                             media, image.image, transcripts, _cues(episode), mark,
                             image.picture, image.video_picture, tuple(neighbours), video,
                             tuple(sisters), portraits)

    def _media(self, episode: Episode, shows: Sequence[Show], page_url: str,
               problems: list[Problem]) -> dict[str, PlacedMedia]:
        """A tagged copy of the audio per show (its title, format and artwork); an episode
        in no show gets one for its page's player, tagged with the site's title."""
        from companion._pair.tagging import published_audio

        if episode.remote_audio is not None:
            return remote_media(episode.remote_audio, [s.slug for s in shows])
        if episode.audio is None:
            return {}
        wanted: list[tuple[str, str, str, bytes | None, AudioSettings]] = [
            (s.slug, s.title, s.definition.audio_format, _art(s),
             s.definition.audio or self.site.audio) for s in shows]
        wanted = wanted or [("", self.site.title, _own_format(episode), None, self.site.audio)]
        placed: dict[str, PlacedMedia] = {}
        by_slug = {s.slug: s for s in shows}
        for slug, title, fmt, art, sound in wanted:
            try:
                audio = published_audio(episode, self.site, show_title=title, fmt=fmt,
                                        page_url=page_url, artwork=art,
                                        sound=_sound(sound, episode, problems))
            except CompanionError as exc:
                problems.append(exc.problem())
                continue
            key = _paths.enclosure_key(episode.guid, slug, episode.slug, episode.audio.sha256)
            path = _paths.media(key, audio.extension)
            url = (enclosure_url(by_slug[slug], self.site, path) if slug in by_slug
                   else self.site.media_url(path))
            placed[slug] = PlacedMedia(path, url, audio.size, audio.mime_type, audio.duration,
                                       audio.sha256, audio.path, bitrate=audio.bitrate)
        return placed

    def _video(self, episode: Episode, shows: Sequence[Show], media: dict[str, PlacedMedia],
               problems: list[Problem]) -> dict[str, PlacedMedia]:
        """The episode's MP4, for every show it is in, when one of them is a video feed; a
        video feed without it leaves the episode out (taken out of `media`), with a warning."""
        wanted = [s.slug for s in shows if s.definition.medium == "video" and s.slug in media]
        file = episode.video_file
        if not wanted:
            return {}
        if file is None:
            dropped = [media.pop(slug) for slug in wanted]
            if not media:  # the page keeps a player: the audio, at its own address
                media[""] = replace(dropped[0], url=self.site.media_url(dropped[0].path))
            problems.append(no_video_problem(episode.article, wanted))
            return {}
        key = _paths.enclosure_key(episode.guid, "video:", episode.slug, file.sha256)
        path = _paths.media(key, "mp4")
        return {s.slug: PlacedMedia(path, enclosure_url(s, self.site, path), file.size,
                                    file.mime_type, file.duration, file.sha256, file.path,
                                    bitrate=file.bitrate, height=file.height)
                for s in shows if s.slug in media}

    def _transcripts(self, episode: Episode) -> tuple[PlacedTranscript, ...]:
        placed: list[PlacedTranscript] = []
        for transcript in episode.transcripts:
            files = dict(zip(("vtt", "srt"), published_captions(transcript), strict=True))
            for kind in ("vtt", "srt"):
                path = _paths.transcript(episode.slug, transcript.lang, kind)
                placed.append(PlacedTranscript(transcript.lang, kind, path,
                                               self.site.file_url(path),
                                               TRANSCRIPT_TYPES[kind], files[kind]))
        return tuple(placed)


def remote_media(remote: RemoteAudio, shows: Sequence[str]) -> dict[str, PlacedMedia]:
    """An enclosure kept at its own URL (`remote_audio: true`): the same in every show,
    nothing placed in the site."""
    placed = PlacedMedia("", MediaUrl(remote.url), remote.size, remote.mime_type,
                         remote.duration, "", Path(), remote=True)
    return {slug: placed for slug in shows or [""]}


def published_captions(transcript: Transcript) -> tuple[bytes, bytes]:
    """The WebVTT and SRT bytes to publish, written from the cached cues."""
    from companion._pair.transcripts import captions, layout, read_cues
    from companion._render.limits import CAPTION_LINE, CAPTION_LINES

    cues = layout(read_cues(transcript.vtt.read_text(encoding="utf-8")), CAPTION_LINE,
                  CAPTION_LINES)
    vtt, srt = captions(cues)
    return vtt.encode("utf-8"), srt.encode("utf-8")


def _sound(sound: AudioSettings, episode: Episode, problems: list[Problem]
           ) -> AudioSettings | None:
    """`[audio]` as it can be done here: without ffmpeg the audio is published as it is,
    with a warning (a project that built before keeps building)."""
    from companion._pair.loudness import available

    if not sound.processes or available():
        return sound
    warning = Problem("warning", episode.article.relpath, "the audio is published as it is, "
                      "not normalised: ffmpeg is not installed", "install ffmpeg (Debian/"
                      "Ubuntu: apt install ffmpeg), or set loudness = false under [audio] in "
                      "companion.toml", "audio")
    if warning not in problems:
        problems.append(warning)
    return None


def _art(show: Show) -> bytes | None:
    file = show.artwork.file if show.artwork else None
    return file.data if file is not None else None


def _own_format(episode: Episode) -> str:
    ext = episode.audio.extension if episode.audio else "mp3"
    return ext if ext in ("mp3", "m4a") else "mp3"


def _cues(episode: Episode) -> tuple[Cue, ...]:
    """The transcript in the episode's language (else the first), for its page."""
    from companion._pair.transcripts import read_cues

    if not episode.transcripts:
        return ()
    lang = episode.article.lang
    chosen = next((t for t in episode.transcripts if t.lang.split("-")[0] == lang),
                  episode.transcripts[0])
    return tuple(read_cues(chosen.vtt.read_text(encoding="utf-8")))


def no_video_problem(article: Article, feeds: Sequence[str]) -> Problem:
    """The warning for an episode that video feeds select but that has no fetched MP4."""
    return Problem("warning", article.relpath, "no video: the episode is left out of "
                   f"{', '.join(feeds)} (a video feed)", "run `companion fetch`" + (
                       "" if article.youtube_id else " after giving `video:` a YouTube link"),
                   "video")
