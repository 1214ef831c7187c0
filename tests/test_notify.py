"""Notification after publish (`[notify]`): a publish to a real S3 server (SeaweedFS)
tells a local recorder, standing in for a WebSub hub, the Podping gateway and the Podcast
Index, exactly once per changed feed, and nothing when nothing changed, with
`--no-notify` or with `--dry-run`; a service that fails is retried, then a warning that
names it, and the publish still succeeds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from companion._cli.main import main
from tests._httpserver import Call, Reply, Server
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401
from tests.test_lifecycle import NOW, article, project

pytestmark = [pytest.mark.s3]

ATOM = "http://www.w3.org/2005/Atom"


@pytest.fixture
def recorder() -> Iterator[Server]:
    server = Server()
    for path in ("/hub", "/podping", "/pubnotify"):
        server.routes[path] = Reply(b"ok", "text/plain", 200)
    server.start()
    yield server
    server.stop()


def notify_table(server: Server) -> str:
    return (f'[notify]\nwebsub = ["{server.url("/hub")}"]\npodping = "{server.url("/podping")}"'
            f'\npodcastindex = "{server.url("/pubnotify")}"\n')


def bucket_project(tmp: Path, s3: SeaweedServer, server: Server) -> Path:
    bucket = s3.make_bucket()
    root = project(tmp / "p", {
        "episodes/2026-01-05-first.md": article("First", "g-1"),
        "episodes/2026-01-06-premiere.md": article("Premiere", "g-2", lang="fr")},
        feeds={"show": 'languages = ["en"]', "french": 'languages = ["fr"]'})
    config = root / "companion.toml"
    config.write_text(config.read_text().replace(
        'target = "public"', f'target = "s3://{bucket}/pod"\naddressing_style = "path"')
        + notify_table(server))
    return root


def publish(root: Path, s3: SeaweedServer, capsys: pytest.CaptureFixture[str],
            *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), "publish", "--endpoint-url", s3.endpoint,
                 "--now", NOW, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def told(calls: list[Call]) -> list[tuple[str, str, str]]:
    """(service path, method, feed URL) of each recorded notification."""
    found = []
    for call in calls:
        parts = urlsplit(call.path)
        query = parse_qs(call.body.decode()) if call.method == "POST" else parse_qs(parts.query)
        feed = (query.get("hub.url") or query.get("url") or [""])[0]
        found.append((parts.path, call.method, feed))
    return sorted(found)


FEED = "https://pod.example.org/{}/feed.xml"


def test_one_notification_per_changed_feed(s3_env: SeaweedServer,  # noqa: F811
                                           recorder: Server, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODPING_TOKEN", "secret-podping-token")
    root = bucket_project(tmp_path, s3_env, recorder)

    code, _out, _err = publish(root, s3_env, capsys, "--dry-run")
    assert code == 0
    assert recorder.calls == []

    code, out, err = publish(root, s3_env, capsys)
    assert code == 0, err
    both = [FEED.format("french"), FEED.format("show")]
    assert told(recorder.calls) == sorted(
        [("/hub", "POST", f) for f in both] + [("/podping", "GET", f) for f in both]
        + [("/pubnotify", "GET", f) for f in both])
    hub = next(c for c in recorder.calls if c.path == "/hub")
    assert parse_qs(hub.body.decode())["hub.mode"] == ["publish"]
    assert hub.headers["content-type"] == "application/x-www-form-urlencoded"
    podping = [c for c in recorder.calls if c.path.startswith("/podping")]
    assert {c.headers["authorization"] for c in podping} == {"secret-podping-token"}
    assert all(parse_qs(urlsplit(c.path).query)["reason"] == ["update"] for c in podping)
    assert all(c.headers["user-agent"].startswith("companion/") for c in recorder.calls)
    assert "notified WebSub: 2 of 2 feeds" in out
    assert "secret-podping-token" not in out + err
    feed = etree.fromstring((root / "site" / "show" / "feed.xml").read_bytes())
    assert feed.xpath("//channel/atom:link[@rel='hub']/@href",
                      namespaces={"atom": ATOM}) == [recorder.url("/hub")]
    from tests._partytime import partytime

    parsed = partytime(root / "site" / "show" / "feed.xml")  # the Podcast Index's parser
    assert parsed["pubsub"]["hub"] == recorder.url("/hub")

    recorder.calls.clear()
    code, out, _err = publish(root, s3_env, capsys)
    assert code == 0
    assert recorder.calls == []  # nothing changed: nobody is told
    assert "notified" not in out

    (root / "episodes/2026-01-07-second.md").write_text(article("Second", "g-3"))
    code, _out, _err = publish(root, s3_env, capsys, "--no-notify")
    assert code == 0
    assert recorder.calls == []
    (root / "episodes/2026-01-08-third.md").write_text(article("Third", "g-4"))
    code, out, _err = publish(root, s3_env, capsys, "--json")
    assert code == 0
    assert told(recorder.calls) == [(p, m, FEED.format("show")) for p, m in
                                    (("/hub", "POST"), ("/podping", "GET"),
                                     ("/pubnotify", "GET"))]
    assert {(n["service"], n["ok"]) for n in json.loads(out)["notified"]} == {
        ("WebSub", True), ("Podping", True), ("Podcast Index", True)}


def test_a_failing_service_is_a_warning_that_names_it(
        s3_env: SeaweedServer, recorder: Server, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PODPING_TOKEN", raising=False)
    recorder.routes["/hub"] = Reply(b"busy", "text/plain", 503)
    root = bucket_project(tmp_path, s3_env, recorder)
    (root / "feeds" / "french.toml").unlink()
    (root / "episodes/2026-01-06-premiere.md").unlink()

    code, out, err = publish(root, s3_env, capsys)
    assert code == 0, err
    hub = [c for c in recorder.calls if c.path == "/hub"]
    assert len(hub) == 4  # the first try and three retries
    assert "WebSub was not told that https://pod.example.org/show/feed.xml changed: it " \
           "answered HTTP 503" in err
    assert "Podping was not told: the environment variable PODPING_TOKEN" in err
    assert not [c for c in recorder.calls if c.path.startswith("/podping")]
    assert [urlsplit(c.path).path for c in recorder.calls].count("/pubnotify") == 1
    assert "notified WebSub: 0 of 1 feed" in out
    assert "notified Podcast Index: 1 of 1 feed" in out


def test_notify_settings_are_checked(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path / "p", {"episodes/2026-01-05-first.md": article("First", "g-1")})
    config = root / "companion.toml"
    base = config.read_text()
    for table, words in (
            ('[notify]\nwebsub = ["ftp://hub.example"]\n', "is not an absolute http(s) URL"),
            ('[notify]\npodping_token = "abc"\n', "credentials do not belong"),
            ('[notify]\npodping = 3\n', "podping must be true, false or a URL"),
            ('[notify]\nwebsup = []\n', "websup")):
        config.write_text(base + table)
        code = main(["--project", str(root), "check"])
        out, err = capsys.readouterr()
        assert code != 0
        assert words in err
        assert "Traceback" not in out + err
