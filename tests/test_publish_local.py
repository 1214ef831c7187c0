"""Publishing to a local folder: incremental, atomic, ordered, locked; content types."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from companion import PublishError
from companion._content_types import cache_control, content_type
from companion._publish.choice import open_target
from companion._publish.folder import LocalTarget, local_error
from companion._publish.run import PublishEvent, make_plan, publish, scan_site, stage_of
from companion._publish.targets import LockInfo
from companion._site_model import PublishSettings
from tests._seaweed import write_sample_site


@pytest.mark.parametrize(("path", "expected"), [
    ("show/feed.xml", "application/rss+xml; charset=utf-8"),
    ("index.html", "text/html; charset=utf-8"),
    ("media/ab.mp3", "audio/mpeg"),
    ("media/ab.m4a", "audio/mp4"),
    ("episodes/x/chapters.json", "application/json+chapters"),
    ("episodes/x/transcript.ka.vtt", "text/vtt; charset=utf-8"),
    ("episodes/x/transcript.ka.srt", "application/x-subrip"),
    ("artwork/ab.jpg", "image/jpeg"),
    ("artwork/ab.png", "image/png"),
    ("assets/style.css", "text/css; charset=utf-8"),
    ("sitemap.xml", "application/xml"),
    ("robots.txt", "text/plain"),
    ("odd.unknownext", "application/octet-stream"),
])
def test_content_types(path: str, expected: str) -> None:
    assert content_type(path) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("show/feed.xml", "public, max-age=300"),
    ("episodes/x/index.html", "public, max-age=300"),
    ("media/ab.mp3", "public, max-age=3600"),
    ("artwork/ab.jpg", "public, max-age=31536000, immutable"),
])
def test_cache_control(path: str, expected: str) -> None:
    assert cache_control(path) == expected


def test_stages_put_media_first_and_feeds_last() -> None:
    order = sorted(["show/feed.xml", "index.html", "media/a.mp3", "artwork/a.jpg",
                    "episodes/x/chapters.json", "sitemap.xml"], key=stage_of)
    assert order[0] == "media/a.mp3"
    assert order[-1] == "show/feed.xml"
    assert stage_of("artwork/a.jpg") < stage_of("index.html") < stage_of("show/feed.xml")


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for p in root.rglob("*") if p.is_file()}


def test_first_publish_copies_everything_and_writes_a_manifest(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    report = publish(site, LocalTarget(out))
    assert len(report.sent) == len(scan_site(site))
    for path in report.sent:
        assert (out / path).read_bytes() == (site / path).read_bytes()
    manifest = json.loads((out / ".companion/manifest.json").read_bytes())
    assert set(manifest["files"]) == set(report.sent)
    assert manifest["files"]["show/feed.xml"]["content_type"].startswith("application/rss+xml")
    assert not (out / ".companion/lock").exists()


def test_no_change_publish_writes_nothing(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    before = _mtimes(out)
    report = publish(site, LocalTarget(out))
    assert report.sent == ()
    assert report.deleted == ()
    assert report.kept == len(before) - 1  # all but the manifest
    assert _mtimes(out) == before


def test_one_episode_change_sends_that_episode_feeds_and_indexes(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    write_sample_site(site, titles={2: "A better title"})
    events: list[PublishEvent] = []
    report = publish(site, LocalTarget(out), progress=events.append)
    assert set(report.sent) == {
        "episodes/episode-002/index.html", "episodes/episode-002/chapters.json",
        "episodes/episode-002/transcript.en.vtt", "episodes/episode-002/transcript.en.srt",
        "show/feed.xml", "show/index.html", "index.html",
    }
    sent = [e.path for e in events if e.kind == "sent"]
    assert sent[-1] == "show/feed.xml"
    assert b"A better title" in (out / "show/feed.xml").read_bytes()


def test_prune_deletes_only_what_companion_put_there(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site", episodes=4)
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    (out / "keep-me.txt").write_text("not companion's")
    old_media = set((out / "media").iterdir())
    import shutil
    shutil.rmtree(site)
    write_sample_site(site, episodes=3)
    kept = publish(site, LocalTarget(out))
    assert kept.deleted == ()
    assert "episodes/episode-003/index.html" in kept.stale
    assert (out / "episodes/episode-003/index.html").exists()
    report = publish(site, LocalTarget(out), prune=True)
    assert "episodes/episode-003/index.html" in report.deleted
    assert not (out / "episodes/episode-003").exists()
    assert (out / "keep-me.txt").exists()
    # media is held for the grace period: apps that cached the old feed still fetch it
    [held] = report.held
    assert held.startswith("media/")
    assert (out / held).exists()
    assert old_media == set((out / "media").iterdir())
    assert report.held_until > __import__("time").time() + 29 * 86400
    again = publish(site, LocalTarget(out), prune=True)
    assert (again.deleted, again.sent, again.held) == ((), (), (held,))
    done = publish(site, LocalTarget(out), prune=True, grace_days=0)
    assert done.deleted == (held,)
    assert len(old_media - set((out / "media").iterdir())) == 1
    assert publish(site, LocalTarget(out), prune=True).deleted == ()


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    report = publish(site, LocalTarget(out), dry_run=True)
    assert report.dry_run
    assert len(report.sent) > 10
    assert report.sent_bytes > 0
    assert not out.exists()


def test_verify_resends_a_file_deleted_by_hand(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    victim = next((out / "media").iterdir())
    victim.unlink()
    assert publish(site, LocalTarget(out)).sent == ()
    report = publish(site, LocalTarget(out), verify=True)
    assert report.repaired == (f"media/{victim.name}",)
    assert victim.exists()


def test_a_held_lock_is_a_clear_error_and_break_lock_takes_it(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    holder = LockInfo("someone", "elsewhere.example", 4242, __import__("time").time(), "t")
    (out / ".companion").mkdir(parents=True)
    (out / ".companion/lock").write_bytes(holder.to_bytes())
    with pytest.raises(PublishError) as info:
        publish(site, LocalTarget(out))
    message = str(info.value)
    assert "someone@elsewhere.example" in message
    assert "--break-lock" in message
    assert ".companion/lock" in message
    report = publish(site, LocalTarget(out), break_lock=True)
    assert report.sent
    assert not (out / ".companion/lock").exists()


def test_a_lock_left_by_a_dead_process_on_this_host_is_taken_over(tmp_path: Path) -> None:
    import socket
    import subprocess
    import time

    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    dead = subprocess.Popen(["true"])
    dead.wait()
    holder = LockInfo("me", socket.gethostname(), dead.pid, time.time(), "t")
    (out / ".companion").mkdir(parents=True)
    (out / ".companion/lock").write_bytes(holder.to_bytes())
    report = publish(site, LocalTarget(out))
    assert report.sent
    assert any("no longer running" in n for n in report.notes)


def test_open_target_resolves_folders_against_the_project(tmp_path: Path) -> None:
    target = open_target("public", PublishSettings(), project_root=tmp_path)
    assert isinstance(target, LocalTarget)
    assert target.root == tmp_path / "public"
    with pytest.raises(PublishError, match="unsupported target"):
        open_target("ftp://host/x", PublishSettings(), project_root=tmp_path)


def test_a_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    error = local_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), tmp_path)
    assert "disk is full" in str(error)


def test_missing_site_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="no built site"):
        publish(tmp_path / "nope", LocalTarget(tmp_path / "public"))


def test_plan_counts_bytes(tmp_path: Path) -> None:
    site = scan_site(write_sample_site(tmp_path / "site", episodes=2, media_size=1000))
    plan = make_plan(site, {})
    assert plan.send_bytes == sum(u.size for u in site.values())
    assert plan.send[0].path.startswith("media/")
    assert plan.send[-1].path == "show/feed.xml"


def test_parallel_sends_stop_after_a_failure_without_hanging(tmp_path: Path) -> None:
    import time

    from companion._publish.targets import Sent, Upload, run_parallel

    uploads = [Upload(f"f{i}", str(tmp_path), "0" * 64, 1, "text/plain", "x") for i in range(2000)]

    def work(upload: Upload) -> Sent:
        if upload.path == "f3":
            raise OSError(errno.ENOSPC, "full")
        time.sleep(0.001)
        return Sent(upload)

    done: list[str] = []
    results = run_parallel(work, uploads, 4, OSError,
                           lambda e, path: local_error(e, tmp_path / path))
    with pytest.raises(PublishError, match="disk is full") as failure:
        done.extend(sent.upload.path for sent in results)
    assert failure.value.where == str(tmp_path / "f3")  # the upload that failed is named
    assert "f3" not in done
    assert len(done) < 100  # the rest were never started


def _lock(out: Path, holder: LockInfo) -> None:
    (out / ".companion").mkdir(parents=True, exist_ok=True)
    (out / ".companion/lock").write_bytes(holder.to_bytes())


def test_an_expired_lease_from_another_host_is_taken_over(tmp_path: Path) -> None:
    import time

    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    then = time.time() - 600
    _lock(out, LockInfo("alice", "laptop.example", 4242, then, "t", then + 90))
    report = publish(site, LocalTarget(out))
    assert report.sent
    assert any("alice@laptop.example" in n and "lease expired" in n for n in report.notes)
    assert not (out / ".companion/lock").exists()


def test_a_lock_whose_publish_finished_is_free_at_once_from_any_host(tmp_path: Path) -> None:
    """Killed between its final manifest write (which names the lease released) and the
    lock's deletion: the lock is free at once, even from another host."""
    import json
    import time

    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    released = json.loads((out / ".companion/manifest.json").read_bytes())["released"]
    _lock(out, LockInfo("bob", "ci.example", 77, time.time(), released))
    write_sample_site(site, titles={1: "New"})
    report = publish(site, LocalTarget(out))
    assert report.sent
    assert any("that publish had finished" in n for n in report.notes)


def test_a_live_lease_from_another_host_is_refused_with_its_expiry(tmp_path: Path) -> None:
    import time

    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    _lock(out, LockInfo("carol", "desk.example", 1, time.time(), "x"))
    with pytest.raises(PublishError) as info:
        publish(site, LocalTarget(out))
    assert "carol@desk.example" in str(info.value)
    assert "lease until" in str(info.value)
    assert (out / ".companion/lock").exists()


@pytest.mark.parametrize("data", [
    b"not json", b'{"owner": "x", "host": "h", "pid": 1, "time": 1e300, "token": "t"}',
    b'{"owner": "x", "host": "h", "pid": 1, "time": NaN, "token": "t"}',
    b'{"owner": "x", "host": "h", "pid": 99999999999999999999, "time": 1, "token": "t"}',
    b"[" * 100_000,
])
def test_a_damaged_lock_is_one_clear_error(tmp_path: Path, data: bytes) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    (out / ".companion").mkdir(parents=True)
    (out / ".companion/lock").write_bytes(data)
    with pytest.raises(PublishError) as info:
        publish(site, LocalTarget(out))
    assert "not readable" in str(info.value)
    assert "--break-lock" in info.value.fix
    assert publish(site, LocalTarget(out), break_lock=True).sent


def test_the_lease_is_renewed_while_a_publish_runs(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from companion._publish import run as _publish
    from companion._publish import targets as _targets

    monkeypatch.setattr(_targets, "LEASE_SECONDS", 0.6)
    monkeypatch.setattr(_publish, "LEASE_SECONDS", 0.6)
    site = write_sample_site(tmp_path / "site", episodes=2)
    out = tmp_path / "public"
    seen: list[float] = []

    class Slow(LocalTarget):
        def _send_one(self, upload):  # type: ignore[no-untyped-def]
            time.sleep(0.15)
            lock = LockInfo.parse((self.root / ".companion/lock").read_bytes())
            assert lock is not None
            seen.append(lock.expires - time.time())
            return super()._send_one(upload)

    report = publish(site, Slow(out, concurrency=1))
    assert len(report.sent) == 2 * 5 + 7  # 17 files, 2.5 s: four times the lease
    assert min(seen) > 0  # never expired: renewed every 0.2 s
    assert not (out / ".companion/lock").exists()


def test_a_publish_that_lost_its_lease_stops(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from companion._publish import run as _publish
    from companion._publish import targets as _targets

    monkeypatch.setattr(_targets, "LEASE_SECONDS", 0.6)
    monkeypatch.setattr(_publish, "LEASE_SECONDS", 0.6)
    site = write_sample_site(tmp_path / "site", episodes=2)
    out = tmp_path / "public"

    class Stolen(LocalTarget):
        def _send_one(self, upload):  # type: ignore[no-untyped-def]
            time.sleep(0.15)
            if upload.path.startswith("episodes/episode-001"):
                _lock(self.root, LockInfo("thief", "other.example", 5, time.time(), "z",
                                          time.time() + 60))
            return super()._send_one(upload)

    with pytest.raises(PublishError) as info:
        publish(site, Stolen(out, concurrency=1))
    assert "lost its lease" in str(info.value)
    assert b"thief" in (out / ".companion/lock").read_bytes()  # left to its new holder


def _rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """New bytes of the same size, with the old modification time put back."""
    info = path.stat()
    assert len(data) == info.st_size
    path.write_bytes(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_publish_reads_only_files_whose_stat_changed_and_verify_reads_all(
        tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out, state = tmp_path / "public", tmp_path / "state"
    old = os.stat(site / "index.html").st_mtime_ns - 10**10  # older than the racy window
    for file in site.rglob("*"):
        if file.is_file():
            os.utime(file, ns=(old, old))
    publish(site, LocalTarget(out), state_dir=state)
    assert (state / "publish-hashes.bin").is_file()  # machine-local, beside the state
    assert not (out / ".companion" / "publish-hashes.bin").exists()
    page = site / "index.html"
    _rewrite_keeping_stat(page, page.read_bytes().upper())
    (site / "sitemap.xml").write_bytes(b"<urlset>changed</urlset>")  # a new mtime
    report = publish(site, LocalTarget(out), state_dir=state)
    assert report.sent == ("sitemap.xml",)  # same size and mtime: taken as unchanged
    report = publish(site, LocalTarget(out), state_dir=state, verify=True)
    assert report.sent == ("index.html",)  # --verify hashes every file
    assert (out / "index.html").read_bytes() == page.read_bytes()


def test_publish_trusts_the_hashes_the_build_recorded(tmp_path: Path) -> None:
    site = write_sample_site(tmp_path / "site")
    out = tmp_path / "public"
    publish(site, LocalTarget(out))
    page = site / "index.html"
    info = page.stat()
    recorded = {"index.html": (info.st_mtime_ns, info.st_size, "0" * 64)}
    report = publish(site, LocalTarget(out), dry_run=True, built=recorded)
    assert report.sent == ("index.html",)  # the build's record says other bytes
    assert publish(site, LocalTarget(out), dry_run=True).sent == ()
