"""`companion pair` with `[pair]` sources read from the network (local servers; yt-dlp's own
`process_ie_result` on recorded extractor shapes): a flat listing's candidates get their
full info, then the articles are matched again; the next run, offline, reads the cache."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion import load_project
from tests._catalogs import Replayed, local_options
from tests._httpserver import Reply, Server
from tests._pair_newsroom import ARTICLES, VIDEOS

CHANNEL = "https://www.youtube.com/@newsroom"
CHANNEL_ID = "UCnewsroom00000000000000"


def flat_listing() -> dict[str, Any]:
    """youtube:tab's flat answer for the channel: ids, titles, durations; no descriptions."""
    entries = [{"_type": "url", "ie_key": "Youtube", "id": v["id"], "title": v["title"],
                "url": v["webpage_url"], "duration": v["duration"], "description": None,
                "channel_id": CHANNEL_ID, "channel": "Caucasus Newsroom",
                "live_status": None, "availability": None} for v in VIDEOS]
    return {"_type": "playlist", "id": CHANNEL_ID, "title": "Caucasus Newsroom - Videos",
            "channel_id": CHANNEL_ID, "channel": "Caucasus Newsroom", "webpage_url": CHANNEL,
            "extractor": "youtube:tab", "extractor_key": "YoutubeTab", "entries": entries}


def test_flat_candidates_are_completed_then_matched_again(
        make_project: Callable[..., Path], server: Server) -> None:
    root = make_project(ARTICLES)
    with (root / "companion.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[pair]\nyoutube = ["{CHANNEL}"]\n')
    server.routes["/feeds/videos.xml"] = Reply(b"", "text/html", 404)
    options = local_options(server)
    lister = Replayed(answers={CHANNEL: flat_listing()})
    for video in VIDEOS:
        full = copy.deepcopy(video)
        full["extractor_key"] = "Youtube"
        lister.answers[options.youtube_watch.replace("{id}", str(video["id"]))] = full
    options = local_options(server, lister=lister)
    report = load_project(root).pair(options=options, environ={})
    assert report.completed >= 1
    by_slug = {p.slug: p for p in report.proposals}
    assert (by_slug["metro"].youtube.status, by_slug["metro"].youtube.id) == (
        "paired", "MetroTbs001")
    asked = len(lister.asked)
    again = load_project(root).pair(offline=True, options=options, environ={})
    assert len(lister.asked) == asked  # offline: yt-dlp asked nothing
    assert [p.as_json() for p in again.proposals] == [p.as_json() for p in report.proposals]
