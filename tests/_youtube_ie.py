"""YouTube's answers, replayed through yt-dlp's own machinery on a local URL.

`RecordedYouTubeIE` is a real yt-dlp `InfoExtractor` for ``http://127.0.0.1:PORT/yt/ID``:
for each ID it answers as yt-dlp's YouTube extractor does (extractor/youtube/_video.py,
``_real_extract``: the playabilityStatus reason passed to `raise_no_formats`, the geo
subreason to `raise_geo_restricted` with the countries, the "sign in" login hint, the
SABR and missing-runtime warnings through `report_warning`), with YouTube's own texts.
So fetch meets the exact exceptions and warnings of a real YouTube run, with or without
``ignore_no_formats_error``, and no network.
"""

from __future__ import annotations

from typing import Any

from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import remove_end

#: YouTube's reasons (playabilityStatus.reason), as yt-dlp receives them.
REASONS = {
    "botcheck": "Sign in to confirm you\u2019re not a bot",  # a typographic apostrophe
    "age": "Sign in to confirm your age. This video may be inappropriate for some users.",
    "members": "Join this channel to get access to members-only content like this video, "
               "and other exclusive perks.",
    "private": "Private video. Sign in if you've been granted access to this video",
    "removed": "This video has been removed for violating YouTube's Terms of Service",
    "premiere": "Premieres in 3 hours",
    # _video.py adds its own sentence to this one (a rate limit of the session).
    "ratelimit": "This content isn't available, try again later",
}
#: extractor/youtube/_video.py's warnings, word for word.
SABR = ("Some tv client https formats have been skipped as they are missing a URL. YouTube "
        "may have enabled the SABR-only streaming experiment for the current session. See  "
        "https://github.com/yt-dlp/yt-dlp/issues/12482  for more details")
NO_RUNTIME = ("No supported JavaScript runtime could be found. Only deno is enabled by "
              "default; to use another runtime add  --js-runtimes RUNTIME[:PATH]  to your "
              "command/config. YouTube extraction without a JS runtime has been deprecated, "
              "and some formats may be missing. See  https://github.com/yt-dlp/yt-dlp/wiki/EJS"
              "  for details on installing one")
GEO = "The uploader has not made this video available in your country"


class RecordedYouTubeIE(InfoExtractor):
    IE_NAME = "recordedyoutube"
    _VALID_URL = r"https?://127\.0\.0\.1:\d+/yt/(?P<id>[\w-]+)"

    def _real_extract(self, url: str) -> dict[str, Any]:
        video_id = self._match_id(url)
        base = url.split("/yt/", 1)[0]
        info: dict[str, Any] = {"id": video_id, "title": f"Recorded {video_id}",
                                "duration": 2, "formats": [], "extractor_key": "Youtube"}
        kind = video_id.split("-", 1)[0]
        if kind in ("noruntime", "sabr"):
            self.report_warning(NO_RUNTIME if kind == "noruntime" else SABR, only_once=True)
        if kind == "fresh":  # uploaded 2026-01-05 09:00 UTC, with manual captions
            info.update(timestamp=1767603600, subtitles={"en": [
                {"url": f"{base}/subs/{video_id}.en.vtt", "ext": "vtt"}]})
        if video_id.endswith("-ok"):  # formats despite the warning
            info["formats"] = [{"format_id": "140", "url": f"{base}/media/{video_id}.m4a",
                                "ext": "m4a", "vcodec": "none", "acodec": "mp4a.40.2"}]
            return info
        if kind == "geo":
            self.raise_geo_restricted(GEO, ["GE", "AZ"], metadata_available=True)
            return info
        reason = REASONS.get(kind, "")
        if kind == "premiere":
            info.update(live_status="is_upcoming", release_timestamp=4102444800)
        if kind == "ratelimit":
            reason = (f"{remove_end(reason, '.')}. The current session has been rate-limited "
                      "by YouTube for up to an hour.")
        if "sign in" in reason.lower():  # _video.py: the login hint after the reason
            reason = f"{remove_end(reason.strip(), '.')}. {self._login_hint(method='cookies')}"
        if reason:
            self.raise_no_formats(reason, expected=True)
        return info
