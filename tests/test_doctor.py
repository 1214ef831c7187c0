"""`companion doctor` with and without each part: a PATH without a runtime, or with one too
old; cookies unreadable, expired, valid; a PO-token server; YouTube, Spotify and S3
answering or not (local servers); the Spotify credentials accepted or refused."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

try:  # tests/ may or may not be a package
    from tests._fixtures_pair import closed_port
    from tests._httpserver import Reply, Server
except ImportError:
    from _fixtures_pair import closed_port  # type: ignore[no-redef]
    from _httpserver import Reply, Server  # type: ignore[no-redef]

from companion._api import load_project
from companion._cli.main import main
from companion._doctor import DoctorOptions, DoctorReport

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
COOKIE_VALUE = "SIDvalue-abcdef0123456789"
TOML = 'title = "T"\nbase_url = "https://pod.example.org/"\n'


def project(tmp_path: Path, fetch: str = "", publish: str = "") -> Any:
    root = tmp_path / "proj"
    (root / "episodes").mkdir(parents=True, exist_ok=True)
    (root / "companion.toml").write_text(f"[site]\n{TOML}{publish}{fetch}", encoding="utf-8")
    return load_project(root)


def doctor(tmp_path: Path, fetch: str = "", publish: str = "", **options: Any
           ) -> DoctorReport:
    values: dict[str, Any] = {"offline": True, "now": NOW, "environ": {}}
    values.update(options)
    return project(tmp_path, fetch, publish).doctor(options=DoctorOptions(**values))


def check(report: DoctorReport, name: str) -> Any:
    return next(c for c in report.checks if c.name == name)


def executable(folder: Path, name: str, output: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{output}'\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def test_everything_here_is_ok_offline(tmp_path: Path) -> None:
    report = doctor(tmp_path)
    assert report.ok, [c for c in report.checks if c.failed]
    assert check(report, "JavaScript runtime").status == "ok"
    assert "deno" in check(report, "JavaScript runtime").detail  # the wheel's binary
    assert check(report, "EJS challenge solver").status == "ok"
    assert check(report, "network").status == "skipped"


def test_a_path_without_a_runtime(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    report = doctor(tmp_path, path=str(empty), bundled=False)
    runtime = check(report, "JavaScript runtime")
    assert runtime.status == "missing"
    assert "yt-dlp[default,deno]" in runtime.fix
    assert check(report, "ffmpeg").status == "missing"
    assert not report.ok


def test_a_runtime_too_old_is_named_and_a_new_one_found(tmp_path: Path) -> None:
    old = executable(tmp_path / "old", "node", "v20.11.0")
    report = doctor(tmp_path, path=str(old.parent), bundled=False)
    runtime = check(report, "JavaScript runtime")
    assert runtime.status == "missing"
    assert "node 20.11.0" in runtime.detail
    assert "too old" in runtime.detail
    new = executable(tmp_path / "new", "deno", "deno 2.5.1 (stable, release)")
    report = doctor(tmp_path, path=f"{old.parent}{os.pathsep}{new.parent}", bundled=False)
    assert check(report, "JavaScript runtime").status == "ok"
    assert f"deno 2.5.1 at {new}" in check(report, "JavaScript runtime").detail


def cookies(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "cookies.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f'[fetch]\ncookies = "{path}"\n'


def line(domain: str, expiry: int, name: str = "SID") -> str:
    return "\t".join([domain, "TRUE", "/", "TRUE", str(expiry), name, COOKIE_VALUE])


HEADER = "# Netscape HTTP Cookie File"


@pytest.mark.parametrize(("lines", "status", "words"), [
    ((HEADER, line(".youtube.com", 1893456000)), "ok", "1 youtube.com cookie valid"),
    ((HEADER, line(".youtube.com", 1700000000), line(".youtube.com", 1600000000, "HSID")),
     "missing", "all 2 youtube.com cookies expired (the last on 2023-11-14)"),
    ((HEADER, line(".google.com", 1893456000)), "missing", "no youtube.com cookies"),
    (("# just a comment",), "missing", "not a Netscape cookies file"),
    ((HEADER, f".youtube.com\tTRUE\t/\tSID\t{COOKIE_VALUE}"), "missing",
     "line 2 is not a Netscape cookie line"),
    ((HEADER, "#HttpOnly_" + line(".youtube.com", 0)), "ok", "1 youtube.com cookie valid"),
])
def test_the_cookies_file(tmp_path: Path, lines: tuple[str, ...], status: str,
                          words: str, capfd: pytest.CaptureFixture[str]) -> None:
    report = doctor(tmp_path, cookies(tmp_path, *lines))
    assert COOKIE_VALUE not in "".join(capfd.readouterr())  # nothing printed by yt-dlp
    found = check(report, "cookies")
    assert found.status == status
    assert words in found.detail
    assert report.ok == (status == "ok")
    assert COOKIE_VALUE not in json.dumps(report.to_json())
    if "cookies file" in words:  # yt-dlp itself refuses to load it
        assert check(report, "yt-dlp options").status == "missing"


def test_an_unreadable_cookies_file(tmp_path: Path) -> None:
    folder = tmp_path / "cookies.txt"  # a folder: unreadable as a file, even for root
    folder.mkdir()
    report = doctor(tmp_path, f'[fetch]\ncookies = "{folder}"\n')
    found = check(report, "cookies")
    assert found.status == "missing"
    assert "cannot be read" in found.detail
    assert not report.ok


def test_the_network_and_the_po_token_server(server: Server, tmp_path: Path) -> None:
    server.routes["/"] = Reply(b"<html>", "text/html")
    server.routes["/ping"] = Reply(b'{"version": "2.0.2", "server_uptime": 5}',
                                   "application/json")
    server.routes["/s3"] = Reply(b"<Error/>", "application/xml", 403)
    fetch = ('[fetch]\nextractor_args = {"youtubepot-bgutilhttp" = {base_url = '
             f'["{server.url("")}"]}}}}\n')
    publish = f'[publish]\ntarget = "s3://bucket"\nendpoint_url = "{server.url("/s3")}"\n'
    report = doctor(tmp_path, fetch, publish, offline=False, youtube=server.url("/"),
                    spotify_accounts=server.url(""))
    assert check(report, "PO-token provider").status == "ok"
    assert "version 2.0.2" in check(report, "PO-token provider").detail
    assert check(report, "PO-token plugin").status == "missing"  # not installed here
    assert "bgutil-ytdlp-pot-provider" in check(report, "PO-token plugin").fix
    assert check(report, "YouTube").status == "ok"
    assert check(report, "S3 endpoint").detail.endswith("answers (HTTP 403)")
    assert check(report, "Spotify credentials").status == "skipped"


def test_what_does_not_answer_is_named_with_its_error(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    fetch = f'[fetch]\nextractor_args = {{"youtubepot-bgutilhttp" = {{base_url = ["{dead}"]}}}}\n'
    report = doctor(tmp_path, fetch, offline=False, youtube=dead, spotify_accounts=dead)
    youtube = check(report, "YouTube")
    assert youtube.status == "missing"
    assert dead in youtube.detail
    assert "does not answer" in youtube.detail
    assert "docker run" in check(report, "PO-token provider").fix
    assert not report.ok


@pytest.mark.parametrize(("secret", "status"), [("right-secret-123", "ok"),
                                                ("wrong-secret-456", "missing")])
def test_the_spotify_credentials(server: Server, tmp_path: Path, secret: str,
                                 status: str) -> None:
    import base64

    good = "Basic " + base64.b64encode(b"cid:right-secret-123").decode()

    def token(call: Any) -> Reply:
        if call.headers.get("authorization") == good:
            return Reply(b'{"access_token": "tok-1", "token_type": "Bearer"}',
                         "application/json")
        return Reply(b'{"error": "invalid_client", "error_description": "Invalid client '
                     b'secret"}', "application/json", 400)

    server.routes["/api/token"] = token
    server.routes["/"] = Reply(b"ok")
    report = doctor(tmp_path, offline=False, youtube=server.url("/"),
                    spotify_accounts=server.url(""),
                    environ={"SPOTIFY_CLIENT_ID": "cid", "SPOTIFY_CLIENT_SECRET": secret})
    found = check(report, "Spotify credentials")
    assert found.status == status
    assert secret not in json.dumps(report.to_json())
    if status == "missing":
        assert "Invalid client secret" in found.detail


def test_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    proj = project(tmp_path)
    assert main(["--project", str(proj.root), "doctor", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "JavaScript runtime" in out
    assert "everything fetch and publish need is here" in out
    broken = tmp_path / "nothing.txt"
    (proj.root / "companion.toml").write_text(f'[site]\n{TOML}[fetch]\ncookies = "{broken}"\n',
                                              encoding="utf-8")
    assert main(["--project", str(proj.root), "doctor", "--offline", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    cookie = next(c for c in data["checks"] if c["check"] == "cookies")
    assert cookie["status"] == "missing"
    assert cookie["fix"]


def test_an_old_yt_dlp_is_a_warning_with_the_update(tmp_path: Path) -> None:
    from companion._doctor.checks import ytdlp_check

    found = ytdlp_check(datetime(2030, 1, 1, tzinfo=UTC))
    assert found.status == "warning"
    assert "days old" in found.detail
    assert 'pip install -U "yt-dlp[default,deno]"' in found.fix




def test_a_bare_path_still_finds_the_wheels_runtime(tmp_path: Path) -> None:
    """A cron job's PATH: the runtime comes from the `deno` wheel beside Python."""
    import subprocess
    import sys

    code = ("from companion._fetch.runtime import find_runtime; r = find_runtime(); "
            "print(r.name if r else 'none', r.supported if r else '')")
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={"PATH": str(tmp_path), "PYTHONPATH": str(src)})
    assert done.stdout.split() == ["deno", "True"]
