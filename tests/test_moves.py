"""Moves that keep subscribers and links: a renamed feed definition and a renamed
episode leave, at each old address, an object that redirects (S3's
`x-amz-website-redirect-location`, checked with HEAD on SeaweedFS) and a fallback for
hosts that ignore it (the feed with `itunes:new-feed-url`; a page with a canonical link
and a meta refresh); `check` warns about a published feed that disappeared."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html

from companion._cli.main import main
from companion._config.feeds import podcast_guid_for
from tests._faultproxy import fault_proxy
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401
from tests.test_lifecycle import FEED, NOW, article, project

BASE = "https://pod.example.org/"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0"}


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    return code, out, err


def rename(root: Path, front: str = "") -> None:
    """The show becomes `desk` (moved from `show`); the episode's slug becomes `opening`."""
    (root / "feeds" / "show.toml").unlink()
    (root / "feeds" / "desk.toml").write_text(
        'moved_from = ["show"]\n' + FEED.format(title="Desk", select='languages = ["en"]'))
    (root / "episodes" / "2026-01-05-first.md").write_text(
        article("First", "g-1", f"slug: opening\n{front}"))


def start(tmp: Path) -> Path:
    return project(tmp / "p", {"episodes/2026-01-05-first.md": article("First", "g-1"),
                               "episodes/2026-01-06-second.md": article("Second", "g-2")})


def assert_fallback(page: bytes, url: str) -> None:
    tree = html.fromstring(page)
    assert tree.xpath("//link[@rel='canonical']/@href") == [url]
    assert tree.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={url}"]


@pytest.mark.s3
def test_renames_leave_redirect_objects_in_the_bucket(
        s3_env: SeaweedServer, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    bucket = s3_env.make_bucket()
    root = start(tmp_path)
    config = root / "companion.toml"
    config.write_text(config.read_text().replace(
        'target = "public"', f'target = "s3://{bucket}/pod"\naddressing_style = "path"'))
    with fault_proxy(s3_env.endpoint) as proxy:
        publish = ("publish", "--endpoint-url", proxy.url, "--now", NOW)
        code, _out, err = run(root, capsys, *publish)
        assert code == 0, err
        before = etree.fromstring((root / "site" / "show" / "feed.xml").read_bytes())
        podcast_guid = before.findtext("channel/podcast:guid", namespaces=NS)

        rename(root, "redirect_from:\n  - /2019/05/first-old-name/\n")
        proxy.seen.clear()
        code, _out, err = run(root, capsys, *publish)
        assert code == 0, err
        sent = {path.split("?")[0].removeprefix(f"/{bucket}/pod/"):
                headers.get("x-amz-website-redirect-location")
                for method, path, headers in proxy.seen if method == "PUT"}
    client = s3_env.client()
    stored = client.head_object(Bucket=bucket, Key="pod/show/feed.xml")
    kept = "WebsiteRedirectLocation" in stored  # SeaweedFS 4.48 does not keep it; S3 does

    def head(key: str) -> str | None:
        """The redirect of an object, as the bucket keeps it, else as publish sent it."""
        found = client.head_object(Bucket=bucket, Key=f"pod/{key}")
        return found.get("WebsiteRedirectLocation") if kept else sent.get(key)

    def body(key: str) -> bytes:
        return bytes(client.get_object(Bucket=bucket, Key=f"pod/{key}")["Body"].read())

    assert head("show/feed.xml") == f"{BASE}desk/feed.xml"
    assert head("show/index.html") == f"{BASE}desk/"
    assert head("episodes/first/index.html") == f"{BASE}episodes/opening/"
    assert head("2019/05/first-old-name/index.html") == f"{BASE}episodes/opening/"
    assert head("desk/feed.xml") is None
    assert head("episodes/opening/index.html") is None
    old = etree.fromstring(body("show/feed.xml"))
    assert old.findtext("channel/itunes:new-feed-url", namespaces=NS) == f"{BASE}desk/feed.xml"
    assert old.findtext("channel/podcast:guid", namespaces=NS) == podcast_guid
    assert old.xpath("//item/guid/text()") == ["g-2", "g-1"]  # the GUIDs apps know
    parsed = feedparser.parse(body("show/feed.xml"))
    assert parsed.feed.get("itunes_new-feed-url") == f"{BASE}desk/feed.xml"
    assert_fallback(body("episodes/first/index.html"), f"{BASE}episodes/opening/")
    assert_fallback(body("2019/05/first-old-name/index.html"), f"{BASE}episodes/opening/")

    code, out, err = run(root, capsys, "check", "--now", NOW)
    assert code == 0, err
    assert "disappeared" not in out + err

    # the old names are remembered: one more publish keeps every redirect
    code, out, err = run(root, capsys, "publish", "--endpoint-url", s3_env.endpoint,
                         "--now", NOW, "--verify")
    assert code == 0
    assert "sent 0 files" in out
    assert client.head_object(Bucket=bucket, Key="pod/episodes/first/index.html")

    # without moved_from, the published feed has vanished: check says so
    desk = root / "feeds" / "desk.toml"
    desk.write_text(desk.read_text().replace('moved_from = ["show"]\n', ""))
    code, out, err = run(root, capsys, "check", "--now", NOW)
    assert f"the feed {BASE}show/feed.xml was published with 2 episodes" in out + err
    assert 'moved_from = ["show"]' in out + err


def test_a_folder_gets_html_fallbacks_and_the_redirect_list(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = start(tmp_path)
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    (root / "episodes" / "2026-01-06-second.md").write_text(
        article("Second", "g-2", "slug: second-take\n"))
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    (root / "episodes" / "2026-01-06-second.md").write_text(
        article("Second", "g-2", "slug: third-take\n"))
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    public = root / "public"
    for old in ("second", "second-take"):
        assert_fallback((public / "episodes" / old / "index.html").read_bytes(),
                        f"{BASE}episodes/third-take/")
    assert not (public / ".redirects.json").exists()  # the list is the build's, not sent
    listing = json.loads((root / "site" / ".redirects.json").read_bytes())
    assert listing["redirects"] == {"episodes/second-take/index.html":
                                    f"{BASE}episodes/third-take/",
                                    "episodes/second/index.html":
                                    f"{BASE}episodes/third-take/"}
    ledger = json.loads((root / "cache" / "ledger" / "show.json").read_bytes())
    assert ledger["episodes"]["g-2"]["was"] == ["second", "second-take"]
    assert ledger["url"] == f"{BASE}show/feed.xml"

    # a fresh clone (no build state) still knows the published old slugs from the ledger
    for folder in (root / ".companion", root / "site"):
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    code, _out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, err
    assert (root / "site" / "episodes" / "second" / "index.html").exists()
    assert (root / "site" / "episodes" / "second-take" / "index.html").exists()


def test_a_wrong_move_is_one_clear_message(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = start(tmp_path)
    show = root / "feeds" / "show.toml"
    for line, words in (('moved_from = ["show"]\n', "is this feed's own name"),
                        ('moved_from = ["ftp://x"]\n', "neither a feed name nor"),
                        ("moved_from = 3\n", "must be a list")):
        show.write_text(line + FEED.format(title="Show", select='languages = ["en"]'))
        code, out, err = run(root, capsys, "check", "--now", NOW)
        assert code == 1
        assert words in out + err


def test_a_new_base_url_tells_apps_where_the_feed_went(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = start(tmp_path)
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    config = root / "companion.toml"
    config.write_text(config.read_text().replace(BASE, "https://audio.example.net/"))
    code, out, err = run(root, capsys, "check", "--now", NOW)
    assert code == 0
    assert f'moved_from = ["{BASE}show/feed.xml"]' in out + err
    show = root / "feeds" / "show.toml"
    show.write_text(f'moved_from = ["{BASE}show/feed.xml"]\n' + show.read_text())
    code, out, err = run(root, capsys, "check", "--now", NOW)
    assert "disappeared" not in out + err
    code, _out, err = run(root, capsys, "publish", "--now", NOW)
    assert code == 0, err
    feed = etree.fromstring((root / "public" / "show" / "feed.xml").read_bytes())
    new = "https://audio.example.net/show/feed.xml"
    assert feed.findtext("channel/itunes:new-feed-url", namespaces=NS) == new
    guid = feed.findtext("channel/podcast:guid", namespaces=NS)
    assert guid == podcast_guid_for(f"{BASE}show/feed.xml")  # the show keeps its GUID
    from tests._partytime import partytime

    parsed = partytime(root / "public" / "show" / "feed.xml")  # the Podcast Index's parser
    assert parsed["itunesNewFeedUrl"] == new
    assert parsed["guid"] == guid
