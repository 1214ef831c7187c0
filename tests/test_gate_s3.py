"""The publish gate end to end against a real S3 server (SeaweedFS): what is not ready
never reaches the bucket, and what was published keeps its enclosure URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from companion._cli.main import main
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401
from tests.test_lifecycle import GOOD, NOW, article, project

pytestmark = [pytest.mark.s3]


def bucket_tree(server: SeaweedServer, bucket: str) -> dict[str, bytes]:
    client = server.client()
    found: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                  Prefix="pod/"):
        for item in page.get("Contents", []):
            rel = item["Key"][len("pod/"):]
            if not rel.startswith(".companion/"):
                found[rel] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def site_tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in site.rglob("*") if p.is_file()}


def test_only_what_is_ready_reaches_the_bucket(s3_env: SeaweedServer,  # noqa: F811
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bucket = s3_env.make_bucket()
    broken = article("Broken", "g-b").replace("media/a.mp3", "media/typo.mp3")
    root = project(tmp_path / "p", {
        **GOOD, "episodes/2026-01-07-broken.md": broken,
        "episodes/2026-01-08-draft.md": article("Draft", "g-d", "draft: true\n"),
        "episodes/2026-06-01-later.md": article("Later", "g-later")},
        feeds={"show": 'languages = ["en"]', "new-show": 'languages = ["fr"]'})
    config = root / "companion.toml"
    config.write_text(config.read_text().replace(
        'target = "public"', f'target = "s3://{bucket}/pod"\naddressing_style = "path"'))
    s3 = ["--endpoint-url", s3_env.endpoint, "--now", NOW]

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--project", str(root), *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    code, _out, err = run("build", "--now", NOW)
    assert code == 1
    assert (root / "site" / "episodes" / "first" / "index.html").exists()
    assert (root / "site" / "show" / "feed.xml").exists()
    assert "error: episodes/2026-01-07-broken.md: audio:" in err
    assert "warning: feeds/new-show.toml: select: no episode is ready" in err
    code, _out, err = run("publish", *s3)
    assert code == 1
    assert "publish refused: the build has 1 error: nothing was sent" in err
    assert bucket_tree(s3_env, bucket) == {}
    assert s3_env.client().list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0

    (root / "episodes/2026-01-07-broken.md").write_text(article("Broken", "g-b"))
    code, out, err = run("publish", *s3, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"]
    assert report["recorded"] == ["show"]
    published = bucket_tree(s3_env, bucket)
    assert published == site_tree(root / "site")
    assert not [p for p in published if "draft" in p or "later" in p or "new-show" in p]
    feed = etree.fromstring(published["show/feed.xml"])
    assert feed.xpath("//item/title/text()") == ["Broken", "Second", "First"]
    before = {str(i.findtext("guid")): i.find("enclosure").get("url")
              for i in feed.iter("item")}

    path = root / "episodes/2026-01-05-first.md"
    path.write_text(path.read_text().replace('"First"', '"First (corrected)"'))
    code, out, err = run("publish", *s3, "--json")
    assert code == 0, err
    published = bucket_tree(s3_env, bucket)
    feed = etree.fromstring(published["show/feed.xml"])
    after = {str(i.findtext("guid")): i.find("enclosure").get("url") for i in feed.iter("item")}
    assert after == before
    assert "First (corrected)" in feed.xpath("//item/title/text()")
    assert published == site_tree(root / "site")
    code, out, _err = run("publish", *s3, "--json")
    assert json.loads(out)["sent"]["files"] == 0
