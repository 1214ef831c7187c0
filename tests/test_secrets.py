"""Hostile inputs, round three: no secret in any output, log, cache or feed; bounded imports;
stalled servers named.

Secrets are planted where a producer's secrets live (the credential environment variables,
a `?key=` in a WebSub hub, a `?token=` in Podping's URL, an `X-Amz-Signature` in an
endpoint, a token in a title and in a feed's URL) and every command is run for real
(check, build, publish --dry-run, fetch against a closed port, import from a local
server, an internal error): none of them appears in standard output, standard error,
``--json``, the crash log, the cache or the built site.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from companion._cli.main import main
from companion._fetch import FetchOptions
from companion._redact import (
    MASK,
    forget_secrets,
    is_secret_name,
    redact,
    redact_obj,
    register_secret,
    url_secrets,
)
from tests._httpserver import Reply, Server
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401
from tests.test_cli_trust import isolate
from tests.test_hostile import SITE, article, make
from tests.test_lifecycle import article as notify_article
from tests.test_notify import bucket_project, publish, recorder  # noqa: F401
from tests.test_notify import notify_table as notify_table_of

ATOM = "http://www.w3.org/2005/Atom"
#: One distinctive value per place a secret can come from.
PLANTED = {
    "AWS_SECRET_ACCESS_KEY": "awsSecret-Pl4nted-0001",
    "AWS_ACCESS_KEY_ID": "AKIAPLANTED00000002",
    "AWS_SESSION_TOKEN": "sessionTok-Pl4nted-0003",
    "SPOTIFY_CLIENT_SECRET": "spotifySecret-Pl4nted-0004",
    "SPOTIFY_CLIENT_ID": "spotifyId-Pl4nted-0005",
    "PODPING_TOKEN": "podpingTok-Pl4nted-0006",
}
HUB_KEY = "hubKey-Pl4nted-0007"
PODPING_KEY = "podpingQuery-Pl4nted-0008"
INDEX_SIG = "indexSig-Pl4nted-0009"
TITLE_TOKEN = "titleTok-Pl4nted-0010"
ENDPOINT_SIG = "endpointSig-Pl4nted-0011"
AUDIO_TOKEN = "audioTok-Pl4nted-0012"
FEED_TOKEN = "feedTok-Pl4nted-0013"
EVERY_SECRET = (*PLANTED.values(), HUB_KEY, PODPING_KEY, INDEX_SIG, TITLE_TOKEN, ENDPOINT_SIG,
                AUDIO_TOKEN, FEED_TOKEN)
#: What a feed or a page may carry: the producer's content (a title is theirs to publish).
NOT_CONTENT = tuple(s for s in EVERY_SECRET if s != TITLE_TOKEN)
NOW = "2026-03-01T12:00:00+00:00"


@pytest.fixture(autouse=True)
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The credential variables set to planted values, AWS kept off the machine's settings,
    the crash log in a folder of the test's; registered values forgotten afterwards."""
    logs = isolate(tmp_path, monkeypatch)
    for name, value in PLANTED.items():
        monkeypatch.setenv(name, value)
    yield logs
    forget_secrets()


def assert_clean(text: str, secrets: tuple[str, ...] = EVERY_SECRET) -> None:
    found = [s for s in secrets if s in text]
    assert not found, (found, text)


def assert_clean_files(folder: Path, secrets: tuple[str, ...]) -> int:
    """No file under `folder` holds a secret; how many files were read."""
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    for path in files:
        data = path.read_bytes()
        found = [s for s in secrets if s.encode() in data]
        assert not found, (path, found)
    return len(files)


def assert_clean_output(root: Path, secrets: tuple[str, ...] = NOT_CONTENT) -> None:
    """Nothing companion wrote into the project holds a secret: the site, the cache, its
    state (companion.toml and the articles are the producer's own, where the secrets were
    planted)."""
    for folder in ("site", "cache", ".companion"):
        assert_clean_files(root / folder, secrets)


def run(capsys: pytest.CaptureFixture[str], *args: str,
        options: FetchOptions | None = None) -> tuple[int, str, str]:
    code = main(list(args), fetch_options=options)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    assert_clean(out + err)
    return code, out, err


# -- the redaction itself ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "secret"), [
    ("token", True), ("key", True), ("apikey", True), ("api_key", True), ("API-Key", True),
    ("secret", True), ("client_secret", True), ("signature", True), ("sig", True),
    ("password", True), ("passwd", True), ("auth", True), ("Authorization", True),
    ("access_token", True), ("X-Amz-Signature", True), ("X-Amz-Credential", True),
    ("X-Amz-Security-Token", True), ("AWSAccessKeyId", True), ("po_token", True),
    ("hub.key", True), ("author", False), ("monkey", False), ("keywords", False),
    ("podping_token_env", False), ("extractor_key", False), ("SSH_AUTH_SOCK", False),
    ("url", False), ("title", False), ("medium", False)])
def test_secret_names_are_read_word_by_word(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_redact_hides_every_kind_of_secret() -> None:
    aws = PLANTED["AWS_SECRET_ACCESS_KEY"]
    cases = {
        "https://u:pw@h.example/x?a=1&token=abc123&X-Amz-Signature=f00d&Signature=9":
            "https://***@h.example/x?a=1&token=***&X-Amz-Signature=***&Signature=***",
        "GET https://h.example/?API_KEY=zzz&keywords=podcast":
            "GET https://h.example/?API_KEY=***&keywords=podcast",
        f"failed: key={aws} author=Jane": "failed: key=*** author=Jane",
        f"the key is {aws}, as it is": "the key is ***, as it is",
        "{'Authorization': 'Bearer abc123def', 'User-Agent': 'x'}":
            "{'Authorization': '***', 'User-Agent': 'x'}",
        'Cookie: SID=abc; HSID=def': "Cookie: ***",
        ".youtube.com\tTRUE\t/\tTRUE\t1799999999\tSID\tg.a000VALUE":
            ".youtube.com\tTRUE\t/\tTRUE\t1799999999\tSID\t***",
        "--extractor-args youtube:po_token=web.gvs+MlMxnQ2Wx9kq8ZQw1Zq":
            "--extractor-args youtube:po_token=***",
        "po token web.gvs+MlMxnQ2Wx9kq8ZQw1Zq": "po token web.gvs+***",
        'token = "a secret with spaces"': 'token = "***"',
        # what must stay: words, the names of variables, a fix that shows a setting
        'write podping_token_env = "PODPING_TOKEN"': 'write podping_token_env = "PODPING_TOKEN"',
        "put the token in the environment variable; basic settings":
            "put the token in the environment variable; basic settings",
        "companion.toml: notify.podping_token: credentials do not belong here":
            "companion.toml: notify.podping_token: credentials do not belong here",
    }
    for text, expected in cases.items():
        assert redact(text) == expected, text


def test_a_url_that_is_itself_a_value_is_searched_too() -> None:
    text = "url='https://h.example/feed?token=abc&x=1', next=2"
    assert redact(text) == "url='https://h.example/feed?token=***&x=1', next=2"


def test_a_value_is_found_url_encoded_too() -> None:
    register_secret("abc/def+ghi=123")
    assert redact("sent abc/def+ghi=123 and ?x=abc%2Fdef%2Bghi%3D123") == "sent *** and ?x=***"


def test_short_values_never_blank_out_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the")
    monkeypatch.setenv("PODPING_TOKEN", "feed")
    register_secret("show")
    text = "the feed of the show"
    assert redact(text) == text
    register_secret("a-registered-token-value")
    assert redact("sent a-registered-token-value") == f"sent {MASK}"


def test_redact_obj_hides_values_and_secret_keys() -> None:
    data = {"token": "abc", "list": ["https://h.example/?key=1"], "n": 3, "ok": True,
            "podping_token_env": "PODPING_TOKEN",
            "nested": {"message": f"denied for {PLANTED['AWS_ACCESS_KEY_ID']}"}}
    assert redact_obj(data) == {
        "token": MASK, "list": ["https://h.example/?key=***"], "n": 3, "ok": True,
        "podping_token_env": "PODPING_TOKEN", "nested": {"message": "denied for ***"}}
    content = {"description": "see https://shop.example/?key=affiliate"}
    assert redact_obj(content, only_values=True) == content


def test_url_secrets_reads_the_url_alone() -> None:
    assert url_secrets("https://hub.example/?key=1&x=2#sig=3") == ["key", "sig"]
    assert url_secrets("https://u:p@hub.example/") == ["user:password"]
    assert url_secrets("https://pubsubhubbub.appspot.com/") == []
    assert url_secrets("https://hub.example/?keywords=a&author=b") == []


# -- every command, its JSON, the files it writes ---------------------------------------------


def notify_table() -> str:
    return ("[notify]\n"
            f'websub = ["https://hub.example.org/?key={HUB_KEY}", '
            '"https://pubsubhubbub.appspot.com/"]\n'
            f'podping = "https://podping.example.org/?token={PODPING_KEY}"\n'
            'podcastindex = "https://api.podcastindex.example/api/1.0/hub/pubnotify'
            f'?X-Amz-Signature={INDEX_SIG}"\n')


def secret_project(tmp_path: Path) -> Path:
    title = f'"Links: https://shop.example.org/?token={TITLE_TOKEN}"'
    return make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(title=title)},
                site=SITE + notify_table())


def test_check_warns_of_a_notify_url_with_a_secret(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = secret_project(tmp_path)
    code, out, err = run(capsys, "-C", str(root), "check", "--now", NOW)
    assert code == 0, out + err
    lines = (out + err).splitlines()
    hub = [line for line in lines if "WebSub hub" in line]
    assert len(hub) == 1, out + err
    assert "https://hub.example.org/?key=***" in hub[0]
    assert "left out of every feed" in hub[0]
    assert "takes its key in a header" in hub[0]
    assert any("notify.podping" in line and "Authorization header" in line and
               "PODPING_TOKEN" in line for line in lines), lines
    assert any("notify.podcastindex" in line and "needs no key" in line for line in lines)
    code, out, _err = run(capsys, "-C", str(root), "check", "--json", "--now", NOW)
    fields = {p["field"] for p in json.loads(out)["problems"] if p["severity"] == "warning"}
    assert {"notify.websub", "notify.podping", "notify.podcastindex"} <= fields


def test_no_feed_names_a_hub_with_a_secret(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = secret_project(tmp_path)
    code, out, err = run(capsys, "-C", str(root), "build", "--now", NOW)
    assert code == 0, out + err
    feed = etree.parse(str(root / "site" / "show" / "feed.xml"))
    hubs = [link.get("href") for link in feed.iter(f"{{{ATOM}}}link")
            if link.get("rel") == "hub"]
    assert hubs == ["https://pubsubhubbub.appspot.com/"]  # the public hub stays
    assert assert_clean_files(root / "site", NOT_CONTENT) > 5


def test_planted_secrets_appear_in_no_output(tmp_path: Path, planted: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = secret_project(tmp_path)
    public = tmp_path / "public"
    endpoint = f"http://127.0.0.1:9/?X-Amz-Signature={ENDPOINT_SIG}"
    commands = [("check", "--now", NOW), ("build", "--now", NOW),
                ("publish", "--dry-run", "--to", str(public), "--now", NOW),
                ("publish", "--dry-run", "--to", "s3://bucket/pod", "--endpoint-url", endpoint,
                 "--now", NOW),
                ("build", "--bogus-option", endpoint)]
    for command in commands:
        for json_flag in ((), ("--json",)):
            code, out, err = run(capsys, "-C", str(root), *command, *json_flag)
            if json_flag and code != 2:
                json.loads(out)  # one document, whatever it says
    code, out, err = run(capsys, "-C", str(root), "publish", "--dry-run", "--to",
                         "s3://bucket/pod", "--endpoint-url", endpoint, "--now", NOW)
    assert code == 1
    assert "X-Amz-Signature=***" in out + err  # named, without its value
    assert_clean_output(root)
    assert not list(planted.rglob("*.log"))  # no internal error on the way


def test_fetch_against_a_closed_port_names_the_url_without_its_token(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:9/ep.mp3?token={AUDIO_TOKEN}&Signature={ENDPOINT_SIG}"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article().replace(
        "audio: media/a.mp3", f"audio: {url}")}, site=SITE + notify_table())
    options = FetchOptions(retries=0, timeout=2)
    code, out, err = run(capsys, "-C", str(root), "fetch", options=options)
    assert code == 1
    assert "http://127.0.0.1:9/ep.mp3?token=***&Signature=***" in out + err
    code, out, _err = run(capsys, "-C", str(root), "fetch", "--json", options=options)
    assert "token=***" in out
    assert_clean_output(root)


def test_import_names_the_feed_without_its_token(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    server = Server()
    feed = (b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            b'<channel><title>Tiny</title><description>d</description><itunes:owner>'
            b'<itunes:email>me@tiny.example</itunes:email></itunes:owner>'
            b'<itunes:category text="News"/><itunes:image href="https://tiny.example/a.png"/>'
            b'<item><title>One</title><guid>one</guid><pubDate>Mon, 05 Jan 2026 10:00:00 +0100'
            b'</pubDate><enclosure url="https://cdn.example/1.mp3" length="1000" '
            b'type="audio/mpeg"/></item></channel></rss>')
    server.routes["/feed.xml"] = Reply(feed, "application/rss+xml")
    server.start()
    try:
        root = tmp_path / "p"
        root.mkdir()
        url = server.url(f"/feed.xml?token={FEED_TOKEN}")
        code, out, err = run(capsys, "-C", str(root), "import", url, "--base-url",
                             "https://new.example.org/", "--json",
                             options=FetchOptions(retries=0, timeout=5))
        assert code == 0, out + err
        report = json.loads(out)
        assert any("token=***" in step for step in report["steps"]), report
        assert any("carries a secret (token)" in note for note in report["skipped"]), report
        code, out, err = run(capsys, "-C", str(root), "build", "--now", NOW)
        assert code == 0, out + err
        assert_clean_output(root)
    finally:
        server.stop()


class Boom:
    """Fetch options that break companion from inside (an internal error), with secrets in
    the exception's text."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"boom: key={PLANTED['AWS_SECRET_ACCESS_KEY']} "
                           f"https://h.example/x?X-Amz-Signature={ENDPOINT_SIG}&token="
                           f"{AUDIO_TOKEN} session {PLANTED['AWS_SESSION_TOKEN']}")


def test_the_crash_log_holds_no_secret(tmp_path: Path, planted: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    root.mkdir()
    url = f"https://old.example.org/feed.xml?token={FEED_TOKEN}"
    code, _out, err = run(capsys, "-C", str(root), "import", url,
                         options=Boom())  # type: ignore[arg-type]
    assert code == 70
    assert err.startswith("internal error: please report it")
    [log] = planted.rglob("*.log")
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError: boom" in text  # the details are there...
    assert "X-Amz-Signature=***" in text
    assert "token=***" in text
    assert_clean(text)  # ...without a secret, the command line's URL included


# -- bounded imports --------------------------------------------------------------------------


def test_a_200_mb_feed_file_is_refused_before_it_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "huge.xml"
    with source.open("wb") as file:
        file.truncate(200 * 2 ** 20)  # sparse: no disk, and nothing to read quickly either
    root = tmp_path / "p"
    root.mkdir()
    code, out, err = run(capsys, "-C", str(root), "import", str(source), "--base-url",
                         "https://new.example.org/")
    assert code == 1
    [line] = [line for line in (out + err).splitlines() if line.startswith("error")]
    assert str(source) in line
    assert "209,715,200 bytes" in line
    assert "67,108,864" in line
    assert not (root / "episodes").exists()


def test_a_feed_file_that_never_ends_is_cut_at_the_cap(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    root.mkdir()
    fifo = tmp_path / "endless.xml"
    os.mkfifo(fifo)
    stop = threading.Event()

    def write() -> None:  # a writer that never stops: only the reader's cap ends it
        chunk = b"<!-- padding -->" * 4096
        try:
            with fifo.open("wb") as pipe:
                while not stop.is_set():
                    pipe.write(chunk)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        code, out, err = run(capsys, "-C", str(root), "import", str(fifo), "--base-url",
                             "https://new.example.org/")
    finally:
        stop.set()
        writer.join(10)
    assert code == 1
    assert not writer.is_alive()
    assert re.search(rf"{re.escape(str(fifo))}: the feed file went on past 67,108,864 bytes",
                     out + err), out + err


# -- stalled servers ----------------------------------------------------------------------------


@pytest.fixture
def trickling() -> Iterator[Server]:
    server = Server()
    feed = b"<rss version='2.0'><channel><title>Slow</title></channel></rss>" * 10
    server.routes["/feed.xml"] = Reply(feed, "application/rss+xml", trickle=0.3)
    server.routes["/silent.xml"] = Reply(feed, "application/rss+xml", trickle=30)
    server.routes["/ep.mp3"] = Reply(b"\xff\xfb" * 4000, "audio/mpeg", trickle=0.3)
    server.start()
    yield server
    server.stop()


SLOW = FetchOptions(retries=0, timeout=10, stall=1.0, deadline=30.0)


@pytest.mark.parametrize(("path", "why"), [("/feed.xml", "bytes in the last"),
                                           ("/silent.xml", "nothing for 1 s")])
def test_import_from_a_stalled_server_says_it_stalled(
        tmp_path: Path, trickling: Server, path: str, why: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    root.mkdir()
    code, out, err = run(capsys, "-C", str(root), "import", trickling.url(path),
                         "--base-url", "https://new.example.org/", options=SLOW)
    assert code == 1
    [line] = [line for line in (out + err).splitlines() if line.startswith("error")]
    assert re.search(r"the server at 127\.0\.0\.1 stopped sending after \d+ bytes", line), line
    assert why in line
    assert "try `companion import` again later" in line
    assert "well-formed" not in line


def test_a_deadline_ends_a_download_that_never_finishes(
        tmp_path: Path, trickling: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    root.mkdir()
    options = FetchOptions(retries=0, timeout=10, stall=5.0, deadline=1.0)
    code, out, err = run(capsys, "-C", str(root), "import", trickling.url("/feed.xml"),
                         "--base-url", "https://new.example.org/", options=options)
    assert code == 1
    assert "stopped sending after" in out + err
    assert "still not done after 1 s" in out + err


def test_fetch_from_a_stalled_server_says_it_stalled(
        tmp_path: Path, trickling: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article().replace(
        "audio: media/a.mp3", f"audio: {trickling.url('/ep.mp3')}")})
    code, out, err = run(capsys, "-C", str(root), "fetch", options=SLOW)
    assert code == 1
    assert re.search(r"the server at 127\.0\.0\.1 stopped sending after \d+ bytes", out + err)
    assert "try `companion fetch` again later" in out + err


def test_a_hub_that_trickles_its_answer_does_not_hold_the_publish(trickling: Server) -> None:
    from companion._http import Pace
    from companion._publish.notify import ChangedFeed, notify_feeds
    from companion._site_model import NotifySettings

    hub = f"{trickling.url('/feed.xml')}?key={HUB_KEY}"  # answers a byte every 0.3 s
    notices, problems = notify_feeds(
        NotifySettings(websub=(hub,)), [ChangedFeed("show", "https://pod.example.org/f.xml")],
        environ={}, wait=0, pace=Pace(stall=1.0, deadline=30.0))
    [notice] = notices
    assert not notice.ok
    assert "its answer stalled (the server at 127.0.0.1 stopped sending after" in notice.reason
    [problem] = problems
    assert "stalled" in problem.message


# -- a real publish that tells the services ------------------------------------------------------


@pytest.mark.s3
def test_a_publish_tells_the_hub_with_its_key_and_shows_it_to_no_one(
        s3_env: SeaweedServer, recorder: Server, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    root = bucket_project(tmp_path, s3_env, recorder)
    config = root / "companion.toml"
    config.write_text(config.read_text().replace(notify_table_of(recorder), (
        f'[notify]\nwebsub = ["{recorder.url("/refusing-hub")}?key={HUB_KEY}"]\n'
        f'podping = "{recorder.url("/podping")}?token={PODPING_KEY}"\n')))
    code, out, err = publish(root, s3_env, capsys)
    assert code == 0, out + err
    assert_clean(out + err)
    hub = [c for c in recorder.calls if c.path.startswith("/refusing-hub")]
    assert hub
    assert all(f"key={HUB_KEY}" in c.path for c in hub)  # the hub still gets its key
    podping = [c for c in recorder.calls if c.path.startswith("/podping")]
    assert {c.headers["authorization"] for c in podping} == {PLANTED["PODPING_TOKEN"]}
    assert "refusing-hub?key=***" in out + err  # the warning names the hub, not its key
    (root / "episodes/2026-01-07-second.md").write_text(notify_article("Second", "g-3"))
    code, out, err = publish(root, s3_env, capsys, "--json")
    assert_clean(out + err)
    endpoints = {n["endpoint"] for n in json.loads(out)["notified"]}
    assert endpoints == {f"{recorder.url('/refusing-hub')}?key=***",
                         f"{recorder.url('/podping')}?token=***"}
    feed = etree.parse(str(root / "site" / "show" / "feed.xml"))
    assert not [link for link in feed.iter(f"{{{ATOM}}}link") if link.get("rel") == "hub"]
    assert_clean_output(root)
    bucket = re.search(r's3://([^/"]+)', config.read_text())
    assert bucket is not None
    client = s3_env.client()
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket[1]) for o in page.get("Contents", [])]
    assert any(k.endswith("manifest.json") or "manifest" in k for k in keys), keys
    for key in keys:  # the published site and the manifest
        body = client.get_object(Bucket=bucket[1], Key=key)["Body"].read()
        assert_clean(body.decode("utf-8", "replace"), NOT_CONTENT)


def test_what_a_library_logs_or_warns_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    import logging
    import warnings

    from companion._cli import main as cli_main

    url = f"https://bucket.example/k?X-Amz-Signature={ENDPOINT_SIG}"
    handler = cli_main._last_resort()
    handler.handle(logging.LogRecord("botocore", logging.WARNING, __file__, 1,
                                     "retrying %s with %s", (url, PLANTED["AWS_SESSION_TOKEN"]),
                                     None))
    cli_main._show_warning(UserWarning(f"unverified request to {url}"), UserWarning, __file__, 1)
    err = capsys.readouterr().err
    assert err.count("X-Amz-Signature=***") == 2, err
    assert_clean(err)
    assert warnings.showwarning is not cli_main._show_warning  # main() puts it back
    assert logging.lastResort is not handler


PIECES = st.sampled_from([
    "token=", "?key=", "&X-Amz-Signature=", "https://", "u:p@", "Cookie: ", "Bearer ",
    "web.gvs+", "'token': '", '"key": "', " ", "=", "&", "?", "'", '"', "\n", "\t", "***",
    PLANTED["AWS_SECRET_ACCESS_KEY"], "abc123def456", "author=", "TRUE\t/\tFALSE\t0\tSID\t"])


@given(st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=30).map("".join))
@settings(max_examples=int(os.environ.get("COMPANION_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_redact_is_stable_and_never_leaves_a_planted_value(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert PLANTED["AWS_SECRET_ACCESS_KEY"] not in once
    assert json.loads(json.dumps(redact_obj({"k": text, "token": text}))) is not None


def test_the_podping_token_is_hidden_whatever_its_variable_is_called(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from companion import load_project

    value = "customPodping-Pl4nted-0014"
    monkeypatch.setenv("SHOW_PINGER", value)  # a name that does not say secret
    assert redact(f"sent {value}") == f"sent {value}"
    root = make(tmp_path / "p", {"episodes/2025-01-01-a.md": article()},
                site=SITE + '[notify]\npodping = true\npodping_token_env = "SHOW_PINGER"\n')
    load_project(root)
    assert redact(f"sent {value}") == f"sent {MASK}"
