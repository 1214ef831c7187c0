"""`companion import`: an existing show (a 300-item, real-shaped feed) becomes a project
whose built feed keeps every GUID, date and enclosure URL exactly; importing again adds
nothing; a feed by URL, an enclosure without a length (read once by `fetch`), a Jekyll
site; and every mistake is one clear message."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from lxml import etree

from companion._cli.main import main
from companion._fetch import FetchOptions
from tests._httpserver import Reply, Server
from tests._seaweed import free_port

REPO = Path(__file__).resolve().parent.parent
MP3 = REPO / "media" / "night-trains.mp3"
NOW = "2030-01-01T00:00:00+00:00"
ZONES = [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=3, minutes=30)),
         timezone(timedelta(hours=9))]


def guid_of(n: int) -> tuple[str, str]:
    """(the guid element as written, the GUID it holds) in the shapes hosts use."""
    shapes = [
        (f'<guid isPermaLink="false">{n:08d}-4b1d-4c5e-9f00-0123456789ab</guid>',
         f"{n:08d}-4b1d-4c5e-9f00-0123456789ab"),
        (f"<guid>https://old.example.com/?p={n}&amp;lang=en</guid>",
         f"https://old.example.com/?p={n}&lang=en"),
        (f'<guid isPermaLink="false">tag:soundcloud,2010:tracks/{900000 + n}</guid>',
         f"tag:soundcloud,2010:tracks/{900000 + n}"),
        (f'<guid isPermaLink="false"><![CDATA[Episode #{n} <raw>]]></guid>',
         f"Episode #{n} <raw>"),
        ("", ""),  # no guid: apps used the enclosure URL
    ]
    return shapes[n % len(shapes)]


def enclosure_of(n: int) -> str:
    return [f"https://media.example.com/show/ep{n}.mp3",
            f"https://dts.podtrac.com/redirect.mp3/media.example.com/ep{n}.mp3?src=rss&id={n}",
            f"https://cdn.example.org/%D0%B2%D1%8B%D0%BF%D1%83%D1%81%D0%BA-{n}.m4a",
            ][n % 3]


def real_feed(count: int = 300) -> tuple[bytes, dict[str, tuple[datetime, str]]]:
    """A feed shaped like the ones hosts write, and what each item must keep."""
    start = datetime(2015, 3, 2, 6, 0, tzinfo=UTC)
    items, expect = [], {}
    for n in range(1, count + 1):
        when = (start + timedelta(days=3 * n, minutes=7 * n)).astimezone(ZONES[n % 4])
        date = format_datetime(when, usegmt=False) if n % 4 else format_datetime(
            when.astimezone(UTC), usegmt=True)
        url = enclosure_of(n)
        element, guid = guid_of(n)
        title = [f"Episode {n}: “Quotes” & colons", f"{n}. Réunion — 日本語 🎙", "Weekly news"][
            n % 3]
        duration = [str(600 + n), f"{n % 60}:{n % 60:02d}", f"01:{n % 60:02d}:05"][n % 3]
        kind = "audio/x-m4a" if url.endswith(".m4a") else "audio/mpeg"
        items.append(f"""<item>
  <title>{escape(title)}</title>
  <pubDate>{date}</pubDate>
  {element}
  <link>https://old.example.com/episodes/{n}</link>
  <description><![CDATA[<p>Notes for <b>episode {n}</b>:
    <a href="https://example.org/{n}">a link</a>.</p>]]></description>
  <enclosure url={quoteattr(url)} length="{1_000_000 + n * 97}" type="{kind}"/>
  <itunes:duration>{duration}</itunes:duration>
  <itunes:episode>{n}</itunes:episode>
  <itunes:explicit>{"yes" if n % 10 == 0 else "no"}</itunes:explicit>
</item>""")
        expect[guid or url] = (when, url)
    feed = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>The Old Show</title>
  <link>https://old.example.com/</link>
  <description>Ten years of weekly news, read aloud.</description>
  <language>en-us</language>
  <itunes:author>Old Desk</itunes:author>
  <itunes:image href="https://old.example.com/art.jpg"/>
  <itunes:category text="News"><itunes:category text="Politics"/></itunes:category>
  <itunes:category text="Society &amp; Culture"/>
  <itunes:owner><itunes:name>Old Desk</itunes:name>
    <itunes:email>desk@old.example.com</itunes:email></itunes:owner>
  <itunes:explicit>false</itunes:explicit>
  <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
  {"".join(items)}
</channel>
</rss>
"""
    return feed.encode("utf-8"), expect


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str,
        options: FetchOptions | None = None) -> tuple[int, str, str]:
    code = main(["--project", str(root), *args], fetch_options=options)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, out + err
    return code, out, err


def test_a_300_item_feed_round_trips_exactly(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    data, expect = real_feed()
    source = tmp_path / "old-feed.xml"
    source.write_bytes(data)
    root = tmp_path / "project"
    root.mkdir()
    code, out, err = run(root, capsys, "import", str(source), "--feed", "show",
                         "--base-url", "https://new.example.org/")
    assert code == 0, err
    assert len(list((root / "episodes").glob("*.md"))) == 300
    assert "next, to move the subscribers:" in out
    assert "itunes:new-feed-url" in out
    code, out, err = run(root, capsys, "build", "--now", NOW)
    assert code == 0, out + err
    feed = etree.fromstring((root / "site" / "show" / "feed.xml").read_bytes())
    got = {str(i.findtext("guid")): (parsedate_to_datetime(str(i.findtext("pubDate"))),
                                     i.find("enclosure").get("url"))
           for i in feed.iter("item")}
    assert got == expect
    lengths = {i.find("enclosure").get("url"): i.find("enclosure").get("length")
               for i in feed.iter("item")}
    assert lengths[enclosure_of(7)] == str(1_000_000 + 7 * 97)
    ns = {"podcast": "https://podcastindex.org/namespace/1.0",
          "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    assert feed.findtext("channel/podcast:guid", namespaces=ns) == \
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed.xpath("channel/itunes:category/@text", namespaces=ns) == [
        "News", "Society & Culture"]
    assert not list((root / "site").glob("media/*"))  # the audio stays where it was

    before = sorted(p.name for p in (root / "episodes").iterdir())
    code, out, err = run(root, capsys, "import", str(source), "--feed", "show")
    assert code == 0, err
    assert "already in the project (same GUID), left as they are: 300 items" in out
    assert sorted(p.name for p in (root / "episodes").iterdir()) == before


def test_import_by_url_and_a_remote_enclosure_read_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = Server()
    audio = MP3.read_bytes()
    server.routes["/ep.mp3"] = Reply(audio, "audio/mpeg")
    feed = ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            '<channel><title>Tiny</title><description>d</description><itunes:owner>'
            '<itunes:email>me@tiny.example</itunes:email></itunes:owner>'
            '<itunes:category text="News"/><itunes:image href="https://tiny.example/a.png"/>'
            f'<item><title>One</title><guid>one</guid><pubDate>Mon, 05 Jan 2026 10:00:00 '
            f'+0100</pubDate><enclosure url="{server.url("/ep.mp3")}" type="audio/mpeg"/>'
            '</item></channel></rss>').encode()
    server.routes["/feed.xml"] = Reply(feed, "application/rss+xml")
    server.start()
    try:
        root = tmp_path / "p"
        root.mkdir()
        options = FetchOptions(retries=0, timeout=10)
        code, out, err = run(root, capsys, "import", server.url("/feed.xml"), "--base-url",
                             "https://new.example.org/", options=options)
        assert code == 0, err
        assert "no length" in err
        text = (root / "feeds" / "tiny.toml").read_text()
        assert f'moved_from = ["{server.url("/feed.xml")}"]' in text
        code, out, err = run(root, capsys, "fetch", options=options)
        assert code == 0, out + err
        assert [c.method for c in server.calls if c.path == "/ep.mp3"] == ["GET"]
        code, out, err = run(root, capsys, "fetch", options=options)
        assert len([c for c in server.calls if c.path == "/ep.mp3"]) == 1  # read once
        code, out, err = run(root, capsys, "build", "--now", NOW)
        assert code == 0, out + err
        item = etree.fromstring((root / "site" / "tiny" / "feed.xml").read_bytes()).find(
            "channel/item")
        assert item.find("enclosure").get("url") == server.url("/ep.mp3")
        assert item.find("enclosure").get("length") == str(len(audio))
    finally:
        server.stop()


def test_import_mistakes_are_one_clear_message(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    root.mkdir()
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><title>x</title><item></channel>")
    page = tmp_path / "page.html"
    page.write_text("<html><body>a page</body></html>")
    good = tmp_path / "good.xml"
    good.write_bytes(real_feed(3)[0])
    options = FetchOptions(retries=0, timeout=5)
    cases = [
        ([str(broken)], "not a well-formed feed"),
        ([str(page)], "not an RSS feed"),
        ([str(tmp_path / "missing.xml")], "no such feed file"),
        ([f"http://127.0.0.1:{free_port()}/feed.xml"], "run `companion import` again"),
        ([str(good)], "needs the show's new address"),
    ]
    for args, words in cases:
        code, out, err = run(root, capsys, "import", *args, "--feed", "show", options=options)
        assert code == 1, (args, out, err)
        assert words in err
        assert len(err.strip().splitlines()) <= 2
    assert list(root.iterdir()) == []  # nothing written
    code, _out, err = run(root, capsys, "import", str(good), "--feed", "show",
                          "--base-url", "https://new.example.org/")
    assert code == 0, err
    (root / "feeds" / "other.toml").write_text('title = "Another show"\n')
    code, _out, err = run(root, capsys, "import", str(good), "--feed", "other")
    assert code == 1
    assert "feeds/other.toml exists and is another show's" in err


def test_import_a_jekyll_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "blog"
    (site / "_posts" / "2019").mkdir(parents=True)
    (site / "_config.yml").write_text('title: "Kavkaz Desk"\nurl: "https://desk.example.org"\n'
                                      'baseurl: "/audio"\nlang: ka\n')
    post = ("---\nlayout: post\ntitle: \"Night trains\"\ncategories: [rail]\nredirect_from:\n"
            "  - /2019/05/night-trains.html\naudio: media/a.mp3\n---\nThe night train.\n")
    (site / "_posts" / "2019" / "2019-05-01-night-trains.md").write_text(post)
    (site / "_posts" / "2019-06-01-second.markdown").write_text("---\ntitle: Two\n---\nTwo.\n")
    root = tmp_path / "p"
    root.mkdir()
    code, out, err = run(root, capsys, "import", "--jekyll", str(site))
    assert code == 0, err
    assert (root / "episodes" / "2019" / "2019-05-01-night-trains.md").read_text() == post
    assert (root / "episodes" / "2019-06-01-second.markdown").is_file()
    config = (root / "companion.toml").read_text()
    assert 'base_url = "https://desk.example.org/audio/"' in config
    assert 'language = "ka"' in config
    assert 'title = "Kavkaz Desk"' in config
    code, out, err = run(root, capsys, "import", "--jekyll", str(site))
    assert code == 0
    assert "left as they are: 2 items" in out
    (site / "_posts" / "2019-06-01-second.markdown").write_text("---\ntitle: Changed\n---\n")
    code, out, err = run(root, capsys, "import", "--jekyll", str(site))
    assert code == 1
    assert "2019-06-01-second.markdown exists and is another article" in err
    shutil.rmtree(site / "_posts")
    code, out, err = run(root, capsys, "import", "--jekyll", str(site))
    assert code == 1
    assert "not a Jekyll site" in err
