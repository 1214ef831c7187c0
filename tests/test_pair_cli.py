"""`companion pair` end to end, through the command line: a newsroom's plain-text articles
and saved catalogs -> `pair --accept` -> `fetch` (the show's MP3s, not YouTube's audio) ->
`build` -> feeds with the show's audio, the decoys held back. And the parts: --json's
shape, --choose and --reject kept in pairing.toml, --accept byte for byte and idempotent,
`already`, --orphans, `new --from-video`, `check`'s audio source and advice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from companion._cli.main import main
from companion._fetch import FetchOptions
from companion._fetch.video import YtDlpSource
from tests._fixtures_pair import media_page, tree
from tests._httpserver import Reply, Server
from tests._media import sine
from tests._pair_newsroom import (
    ARTICLES,
    DECOY,
    FEED,
    PAIRED,
    SHOW,
    SPLIT,
    SPOTIFY,
    write_catalogs,
)

MakeProject = Callable[..., Path]
EMBED = "https://www.youtube.com/embed/{}"
SPOTIFY_EMBED = "https://open.spotify.com/embed/episode/{}"


@pytest.fixture
def newsroom(make_project: MakeProject, tmp_path: Path, server: Server
             ) -> tuple[Path, list[str]]:
    """The project and the `--catalog` arguments; the show's MP3s served by `server`."""
    sizes = {}
    (tmp_path / "audio").mkdir()
    for item in SHOW:
        mp3 = sine(tmp_path / "audio" / f"{item.guid}.mp3", item.seconds)
        server.routes[f"/show/{item.guid}.mp3"] = Reply(mp3.read_bytes(), "audio/mpeg")
        sizes[item.guid] = mp3.stat().st_size
    root = make_project({**ARTICLES, "feeds/newsroom.toml": FEED})
    files = write_catalogs(tmp_path / "saved", server.url("/show/{guid}.mp3"), sizes)
    return root, [arg for f in files for arg in ("--catalog", str(f))]


def run(capsys: pytest.CaptureFixture[str], *args: str,
        fetch_options: FetchOptions | None = None) -> tuple[int, str, str]:
    code = main(list(args), fetch_options=fetch_options)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def pair_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str
              ) -> dict[str, dict[str, object]]:
    code, out, err = run(capsys, "-C", str(root), "pair", "--json", *args)
    assert code == 0, err
    return {Path(str(a["path"])).stem.split("-", 3)[-1]: a for a in json.loads(out)["articles"]}


def sidecar(root: Path, slug: str) -> Path:
    return next((root / "episodes").glob(f"*-{slug}.txt")).with_suffix(".yml")


def test_a_newsroom_s_plain_text_articles_are_paired_fetched_and_built_into_feeds(
        newsroom: tuple[Path, list[str]], server: Server, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    articles_before = {rel: (root / rel).read_bytes() for rel in ARTICLES}
    code, out, err = run(capsys, "-C", str(root), "pair", "--accept", *catalogs)
    assert code == 0, err
    assert "5 paired, 1 ambiguous, 1 unmatched, 0 already" in out
    for slug, (video, _guid, _seconds) in PAIRED.items():
        expected = f"video: {EMBED.format(video)}\n"
        if slug in SPOTIFY:
            expected += f"spotify: {SPOTIFY_EMBED.format(SPOTIFY[slug])}\n"
        assert sidecar(root, slug).read_text(encoding="utf-8") == expected
        assert f"wrote episodes/{sidecar(root, slug).name}" in out
    for held in (DECOY, SPLIT):  # the decoys get no ids
        assert not sidecar(root, held).exists()
    assert {rel: (root / rel).read_bytes() for rel in ARTICLES} == articles_before
    pairing = (root / "pairing.toml").read_text(encoding="utf-8")
    assert pairing.count("[[show]]") == 5
    assert f'audio = "{server.url("/show/show-metro.mp3")}"' in pairing

    code, out, err = run(capsys, "-C", str(root), "check", "--json")
    episodes = {e["slug"]: e for e in json.loads(out)["episodes"]}
    assert {s: episodes[s]["audio_source"] for s in [*PAIRED, DECOY, SPLIT]} == {
        **dict.fromkeys(PAIRED, "show RSS"), DECOY: "none", SPLIT: "none"}
    # a title inferred from the first line gives way to the episode's own
    assert episodes["metro"]["title"] == "A new metro station for Tbilisi's east"

    for video, _guid, _seconds in PAIRED.values():  # YouTube's pages: metadata only
        media_page(server, video, sine(tmp_path / "yt.m4a", 9.0).read_bytes())
    server.routes["/oembed"] = lambda call: Reply(json.dumps({
        "type": "rich", "title": "On Spotify", "html": "<iframe src=\"https://open.spotify"
        ".com/embed/episode/x\"></iframe>"}).encode(), "application/json")
    options = FetchOptions(youtube_url=server.url("/watch/{id}"),
                           oembed_url=server.url("/oembed"),
                           video=YtDlpSource(timeout=5, retries=0), retries=0, timeout=5)
    code, out, err = run(capsys, "-C", str(root), "fetch", fetch_options=options)
    assert code == 0, err
    assert "fetched 5 episodes" in out
    asked = [p.split("?")[0] for p in server.requests]
    assert all(f"/show/{guid}.mp3" in asked for _v, guid, _s in PAIRED.values())
    assert not [p for p in asked if p.startswith("/media/")]  # no YouTube download

    code, out, err = run(capsys, "-C", str(root), "build")
    assert code == 0, err
    (feed_file,) = [p for p in (root / "site").rglob("*.xml")
                    if b"<rss" in p.read_bytes()[:400]]
    feed = feedparser.parse(feed_file.read_bytes())
    items = {e.title: e for e in feed.entries}
    by_guid = {item.guid: item for item in SHOW}
    assert len(items) == 5
    for _video, guid, seconds in PAIRED.values():
        show_item = by_guid[guid]
        title = show_item.title
        entry = items[title]  # every paired article carries its episode's title
        assert entry.itunes_duration in (f"{int(seconds)}", f"00:00:{int(seconds):02d}",
                                         f"0:{int(seconds):02d}")
        assert entry.enclosures[0].type == "audio/mpeg"


def test_json_is_exactly_the_documented_shape(newsroom: tuple[Path, list[str]],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    code, out, err = run(capsys, "-C", str(root), "pair", "--json", *catalogs)
    assert code == 0, err
    data = json.loads(out)  # only the document on stdout
    assert list(data) == ["articles"]
    assert [a["path"] for a in data["articles"]] == sorted(ARTICLES)
    for record in data["articles"]:
        assert list(record) == ["path", "status", "youtube", "spotify", "audio",
                                "confidence", "candidates"]
        assert record["status"] in ("paired", "ambiguous", "unmatched", "already")
        assert 0 <= record["confidence"] <= 1
        for candidate in record["candidates"]:
            assert list(candidate) == ["source", "id", "title", "score"]
            assert candidate["source"] in ("youtube", "spotify", "rss")
            assert 0 <= candidate["score"] <= 1
    by = {Path(a["path"]).stem.split("-", 3)[-1]: a for a in data["articles"]}
    metro = by["metro"]
    assert (metro["status"], metro["youtube"], metro["spotify"]) == (
        "paired", "MetroTbs001", SPOTIFY["metro"])
    assert str(metro["audio"]).endswith("/show/show-metro.mp3")
    assert by["parom"]["spotify"] is None  # no Spotify episode: null, the RSS audio still
    assert str(by["parom"]["audio"]).endswith("/show/show-parom.mp3")
    assert (by[DECOY]["status"], by[DECOY]["youtube"], by[DECOY]["audio"]) == (
        "unmatched", None, None)
    split = by[SPLIT]
    assert split["status"] == "ambiguous"
    assert split["youtube"] is None
    assert {"CableHear01", "CableHear02"} <= {c["id"] for c in split["candidates"]}
    assert not (root / "pairing.toml").exists()  # a look writes nothing


def test_choose_and_reject_are_kept_in_pairing_toml_for_every_producer(
        newsroom: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    before = pair_json(capsys, root, *catalogs)
    assert before[SPLIT]["status"] == "ambiguous"
    pair_json(capsys, root, "--choose", SPLIT, "CableHear01", "--choose",
              "2025-10-07-hearings.txt", "show-cable-1", "--reject", "metro", "MetroTbs001",
              *catalogs)
    text = (root / "pairing.toml").read_text(encoding="utf-8")
    assert 'slug = "hearings"\nsource = "youtube"\nid = "CableHear01"' in text
    assert 'slug = "hearings"\nsource = "rss"\nid = "show-cable-1"' in text
    assert '[[rejected]]\nslug = "metro"\nsource = "youtube"\nid = "MetroTbs001"' in text
    edited = "# the cable hearings: part 1 is the article's (Nino, 8 Oct)\n" + text
    (root / "pairing.toml").write_text(edited, encoding="utf-8")
    after = pair_json(capsys, root, *catalogs)  # another run, as another producer's
    assert (root / "pairing.toml").read_text(encoding="utf-8") == edited  # a look: no write
    assert (after[SPLIT]["status"], after[SPLIT]["youtube"]) == ("paired", "CableHear01")
    assert str(after[SPLIT]["audio"]).endswith("/show/show-cable-1.mp3")
    assert after["metro"]["youtube"] != "MetroTbs001"
    assert "MetroTbs001" not in {c["id"] for c in after["metro"]["candidates"]}
    code, _out, err = run(capsys, "-C", str(root), "pair", "--accept", SPLIT, *catalogs)
    assert code == 0, err
    assert sidecar(root, SPLIT).read_text(encoding="utf-8") == \
        f"video: {EMBED.format('CableHear01')}\n"
    assert not sidecar(root, "metro").exists()  # only the named article was accepted


def test_choose_names_an_id_the_catalogs_know(newsroom: tuple[Path, list[str]],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    code, _out, err = run(capsys, "-C", str(root), "pair", "--choose", SPLIT, "NoSuchVideo",
                          *catalogs)
    assert code == 1
    assert "'NoSuchVideo' is in none of the catalogs" in err
    assert not (root / "pairing.toml").exists()


MARKDOWN = ("---\r\ntitle: Tbilisi metro opens Vazisubani station\r\nauthor: Desk\r\n---\r\n"
            "\r\n" + ARTICLES["episodes/2025-10-01-metro.txt"].replace("\n", "\r\n"))
JEKYLL_TXT = ("---\nlayout: post\ntitle: Паромный терминал в Батуми\n...\n"
              + ARTICLES["episodes/2025-10-03-parom.txt"])
SIDECAR = "lang: es\nauthor: Redacción"  # no newline at the end


def test_accept_adds_only_the_id_lines_byte_for_byte_and_again_changes_nothing(
        make_project: MakeProject, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        newsroom: tuple[Path, list[str]]) -> None:
    _root, catalogs = newsroom
    articles = dict(ARTICLES)
    del articles["episodes/2025-10-01-metro.txt"], articles["episodes/2025-10-03-parom.txt"]
    root = make_project({**articles, "episodes/2025-10-01-metro.md": MARKDOWN,
                         "episodes/2025-10-03-parom.txt": JEKYLL_TXT,
                         "episodes/2025-10-02-vendimia.yml": SIDECAR}, name="bytes")
    assert run(capsys, "-C", str(root), "pair", "--accept", *catalogs)[0] == 0
    metro = (root / "episodes/2025-10-01-metro.md").read_bytes()
    lines = (f"video: {EMBED.format('MetroTbs001')}\r\n"
             f"spotify: {SPOTIFY_EMBED.format(SPOTIFY['metro'])}\r\n")
    assert metro == MARKDOWN.replace("author: Desk\r\n", "author: Desk\r\n" + lines,
                                     1).encode()
    parom = (root / "episodes/2025-10-03-parom.txt").read_bytes()
    assert parom == JEKYLL_TXT.replace(
        "\n...\n", f"\nvideo: {EMBED.format('BatumiFer06')}\n...\n", 1).encode()
    assert not (root / "episodes/2025-10-03-parom.yml").exists()
    vendimia = (root / "episodes/2025-10-02-vendimia.yml").read_bytes()
    assert vendimia == (SIDECAR + f"\nvideo: {EMBED.format('VendimiaES5')}\nspotify: "
                        f"{SPOTIFY_EMBED.format(SPOTIFY['vendimia'])}\n").encode()
    before = tree(root)
    code, out, err = run(capsys, "-C", str(root), "pair", "--accept", *catalogs)
    assert code == 0, err
    assert tree(root) == before  # idempotent: nothing written again
    assert "0 paired, 1 ambiguous, 1 unmatched, 5 already" in out
    assert "wrote" not in out


def test_an_article_that_carries_its_id_is_already(
        newsroom: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    sidecar(root, "metro").write_text("video: https://youtu.be/MetroTbs001\nspotify: "
                                      f"https://open.spotify.com/episode/{SPOTIFY['metro']}\n",
                                      "utf-8")
    sidecar(root, "parom").write_text("video: https://youtu.be/WheatArab08\n", "utf-8")
    found = pair_json(capsys, root, *catalogs)
    assert (found["metro"]["status"], found["metro"]["youtube"]) == ("already", "MetroTbs001")
    code, _out, err = run(capsys, "-C", str(root), "pair", *catalogs)
    assert code == 0
    assert "WheatArab08" in err
    assert "does not look like the same story" in err


def test_orphans_and_a_draft_from_a_video(newsroom: tuple[Path, list[str]],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    code, out, err = run(capsys, "-C", str(root), "pair", "--orphans", "--json", *catalogs)
    assert code == 0, err
    orphans = {(o["source"], o["id"]) for o in json.loads(out)["orphans"]}
    assert ("youtube", "MetroRus002") in orphans
    assert ("youtube", "WeekRevw009") in orphans
    assert ("youtube", "MetroTbs001") not in orphans  # claimed by the metro article
    assert ("youtube", "MetroShrt03") not in orphans  # a Short is no episode
    code, out, err = run(capsys, "-C", str(root), "new", "--from-video",
                         "https://www.youtube.com/watch?v=WeekRevw009")
    assert code == 1
    assert "WeekRevw009 is in no catalog" in err
    assert "companion pair" in err
    code, out, err = run(capsys, "-C", str(root), "new", "--from-video",
                         "https://www.youtube.com/watch?v=WeekRevw009", catalogs[0],
                         catalogs[1])
    assert code == 0, err
    (made,) = (root / "episodes").glob("*week-in-review*.md")
    text = made.read_text(encoding="utf-8")
    assert made.name.startswith("2025-10-06-")
    assert "title: Week in review | 05.10.2025" in text or \
        "title: 'Week in review | 05.10.2025'" in text
    assert f"video: {EMBED.format('WeekRevw009')}" in text
    assert "The week's news from the South Caucasus" in text
    assert "draft: true" in text


def test_check_sends_an_unpaired_article_to_pair_and_says_what_spotify_would_add(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    root = make_project({"episodes/2025-10-06-letter.txt": ARTICLES[
        "episodes/2025-10-06-letter.txt"], "feeds/newsroom.toml": FEED})
    with (root / "companion.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[pair]\nspotify_show = "4rOoJ6Egrf8K2IrywzwOMk"\n')
    _code, out, _err = run(capsys, "-C", str(root), "check")
    assert "audio:none" in out
    (advice,) = [line for line in out.splitlines() if "audio: no audio" in line]
    assert "companion pair" in advice
    assert "run `companion fetch`," not in advice
    assert "SPOTIFY_CLIENT_ID" in out
    assert "Web API" in out


def test_an_interrupted_accept_leaves_each_article_as_it_was_or_fully_updated(
        newsroom: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fails at the third rename (a full disk, a kill): the first two sidecars are
    whole, the rest absent, no temporary file is left; running again finishes the work."""
    import os

    root, catalogs = newsroom
    real_replace, renames = os.replace, []

    def failing_replace(src: str, dst: str) -> None:
        renames.append(dst)
        if len(renames) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _out, err = run(capsys, "-C", str(root), "pair", "--accept", *catalogs)
    monkeypatch.setattr(os, "replace", real_replace)
    assert code == 1
    assert "the disk is full" in err
    written = [Path(p) for p in renames[:2]]
    for slug, (video, _guid, _s) in PAIRED.items():
        path = sidecar(root, slug)
        if path in written:
            assert path.read_text(encoding="utf-8").startswith(f"video: {EMBED.format(video)}\n")
        else:
            assert not path.exists()
    assert not [p for p in root.rglob(".tmp-*")]
    assert not (root / "pairing.toml").exists()
    assert run(capsys, "-C", str(root), "pair", "--accept", *catalogs)[0] == 0
    assert all(sidecar(root, slug).is_file() for slug in PAIRED)
    assert (root / "pairing.toml").read_text(encoding="utf-8").count("[[show]]") == 5


def test_the_api_returns_what_json_prints(newsroom: tuple[Path, list[str]],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from companion import load_project
    from companion._project.pair import PairReport

    root, catalogs = newsroom
    report = load_project(root).pair([Path(c) for c in catalogs[1::2]])
    assert isinstance(report, PairReport)
    code, out, _err = run(capsys, "-C", str(root), "pair", "--json", *catalogs)
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(report.to_json()))
    assert [p.status for p in report.proposals].count("paired") == 5


def test_a_show_enclosure_gone_is_one_failure_that_says_where_it_came_from(
        newsroom: tuple[Path, list[str]], server: Server, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    root, catalogs = newsroom
    assert run(capsys, "-C", str(root), "pair", "--accept", *catalogs)[0] == 0
    del server.routes["/show/show-parom.mp3"]
    media_page(server, "BatumiFer06", sine(tmp_path / "yt.m4a", 9.0).read_bytes())
    options = FetchOptions(youtube_url=server.url("/watch/{id}"),
                           video=YtDlpSource(timeout=5, retries=0), retries=0, timeout=5)
    code, _out, err = run(capsys, "-C", str(root), "fetch", "parom", fetch_options=options)
    assert code == 1
    assert "/show/show-parom.mp3" in err
    assert "pairing.toml" in err
    assert not [p for p in server.requests if p.startswith("/media/")]  # no fallback to YouTube
