"""The command line a producer trusts: every hostile case of the issue through the real CLI.

Each case runs check, build, publish (and serve, where it reads the case) and asserts:
no traceback, no "internal error" (the last-resort handler is never reached), one named
message, exit 1 (2 for a usage error), and no planted secret in any output, JSON, log,
manifest or error.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion._cli.main import main
from tests._seaweed import free_port
from tests.test_hostile import MP3, SITE, article, make

REPO = Path(__file__).resolve().parent.parent
SECRET = "pl4nted-SeCrEt-7f3a"
USER = "plantedUser"


@pytest.fixture(autouse=True)
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder for the crash log, no AWS settings from the machine; after the test,
    no crash log was written (the last-resort handler was never reached)."""
    logs = isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    yield logs
    assert not list(logs.rglob("*.log")), "the last-resort handler was reached"


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The crash log's folder (returned) in `tmp_path`, and no AWS setting of the machine's."""
    logs = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(logs))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return logs


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    assert SECRET not in text, text
    return code, text


def errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error")]


def one_named(text: str, *needles: str) -> None:
    assert any(all(n.lower() in line.lower() for n in needles) for line in errors(text)), (
        needles, text)


def project(tmp_path: Path, front: str = "", **kw: str) -> Path:
    return make(tmp_path / "p", {"episodes/2025-01-01-a.md": article(front)}, **kw)


def every_command(root: Path) -> list[tuple[str, ...]]:
    return [("-C", str(root), "check"), ("-C", str(root), "build"),
            ("-C", str(root), "publish", "--to", str(root.parent / "public")),
            ("-C", str(root), "publish", "--dry-run")]


def serve_first_build(root: Path) -> tuple[dict[str, object], str]:
    """`companion serve --json`: its first build's JSON line, and what it printed; stopped
    with Ctrl-C once it serves."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.Popen([sys.executable, "-m", "companion", "-C", str(root), "serve",
                              "--json", "--no-watch", "--port", "0"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    first = json.loads(child.stdout.readline())
    served = json.loads(child.stdout.readline())
    assert served["event"] == "serving", served
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    return first, out + err


# -- numbers ------------------------------------------------------------------------------

NUMBERS = ['season: "²"', 'episode: "٣"', "episode: " + "9" * 5000,
           'episode: "' + "9" * 4301 + '"', "season: 1e400", "episode: .nan", "episode: -3",
           "season: 1000000"]


@pytest.mark.parametrize("front", NUMBERS, ids=lambda f: f[:14])
def test_a_number_that_is_not_one(tmp_path: Path, front: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, front + "\n")
    field = front.split(":")[0]
    for args in every_command(root):
        code, text = run(capsys, *args)
        assert code == 1, (args, text)
        one_named(text, "episodes/2025-01-01-a.md", field, "whole number")


@pytest.mark.slow
def test_serve_reports_a_number_that_is_not_one(tmp_path: Path) -> None:
    root = project(tmp_path, 'season: "²"\n')
    first, text = serve_first_build(root)
    assert first["event"] == "built"
    assert "Traceback" not in text
    problems = first["problems"]
    assert isinstance(problems, list)
    assert any(p["field"] == "season" and p["where"] == "episodes/2025-01-01-a.md"
               for p in problems), problems


# -- markup ---------------------------------------------------------------------------------

HOSTILE_TITLE = "A [/] b [link=https://evil.example/]c[/link] [bold]d[/bold] :smile: [/x]"


def test_user_text_is_printed_literally(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    (root / "episodes/2025-01-01-a.md").write_text(
        article(title=json.dumps(HOSTILE_TITLE)), encoding="utf-8")
    code, text = run(capsys, "-C", str(root), "check")
    assert code == 0, text
    assert HOSTILE_TITLE in text


def test_a_path_with_brackets_is_printed_as_it_is(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make(tmp_path / "a[" / "]b [bold]", {"episodes/2025-01-01-a.md": article()},
                site='[site]\ntitle = "x"\n')
    code, text = run(capsys, "-C", str(root), "check")
    assert code == 1
    one_named(text, f"{root}/companion.toml", "base_url is missing", "under [site]")


@pytest.mark.parametrize(("site", "needles"), [
    ('[site]\ntitle = "x"\n', ("under [site]",)),
    (SITE + "[bogus]\n", ("companion.toml has [site], [publish], [notify], [pair] and "
                          "[fetch] sections",)),
    (SITE + '[publish]\nregion = "[link=https://x.example/]r[/link]"\nacl = 3\n',
     ("[publish] acl must be a string",)),
    (SITE + 'oops = "[/]"\n', ("unknown setting [site] oops",)),
])
def test_hints_keep_their_brackets(tmp_path: Path, site: str, needles: tuple[str, ...],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, site=site)
    for args in every_command(root):
        code, text = run(capsys, *args)
        assert code == 1, text
        one_named(text, "companion.toml", *needles)


def test_an_invalid_bucket_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, "-C", str(root), "publish", "--to", "s3://bad!name/x")
    assert code == 1
    one_named(text, "bad!name", "not a valid bucket name")


def test_an_unreachable_endpoint_keeps_its_hint(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    endpoint = f"http://127.0.0.1:{free_port()}"
    code, text = run(capsys, "-C", str(root), "publish", "--to", "s3://some-bucket/x",
                     "--endpoint-url", endpoint)
    assert code == 1
    one_named(text, f"cannot reach the endpoint {endpoint}",
              "--endpoint-url / [publish] endpoint_url")


# -- secrets --------------------------------------------------------------------------------

CREDENTIALED = f"http://{USER}:{SECRET}@127.0.0.1:9"
FIX = "use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile"


@pytest.mark.parametrize("source", ["--endpoint-url", "AWS_ENDPOINT_URL",
                                    "AWS_ENDPOINT_URL_S3", "AWS_CONFIG_FILE",
                                    "companion.toml", "--to"])
@pytest.mark.parametrize("as_json", [False, True])
def test_credentials_in_an_endpoint_are_refused_and_never_shown(
        tmp_path: Path, source: str, as_json: bool, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = SITE + (f'[publish]\nendpoint_url = "{CREDENTIALED}"\n'
                   if source == "companion.toml" else "")
    root = project(tmp_path, site=site)
    args = ["-C", str(root), "publish", "--to", "s3://some-bucket/x"]
    if source == "--endpoint-url":
        args += ["--endpoint-url", CREDENTIALED]
    elif source == "--to":
        args[-1] = f"s3://{USER}:{SECRET}@some-bucket/x"
    elif source == "AWS_CONFIG_FILE":
        config = tmp_path / "aws-config"
        config.write_text(f"[default]\nendpoint_url = {CREDENTIALED}\n", encoding="utf-8")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    elif source.startswith("AWS_"):
        monkeypatch.setenv(source, CREDENTIALED)
    code, text = run(capsys, *args, *(["--json"] if as_json else []))
    assert code == 1
    assert USER not in text
    if as_json:
        problem = json.loads(text)["problems"][0]
        assert "password" in problem["message"]
        assert "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" in problem["fix"]
    else:
        one_named(text, "user name or password")
        assert "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" in text
    assert not (tmp_path / "p" / "cache" / "ledger").exists()
    for file in (tmp_path / "p").rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes() or file.name in (
                "companion.toml", "aws-config"), file


def test_a_url_in_an_article_is_printed_without_its_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = f"https://{USER}:{SECRET}@open.spotify.com/show/1Xy2Zw3Vu4Ts5Rq6Po7Nm8"
    root = project(tmp_path, f"spotify: {link}\n")
    for args in (("check",), ("check", "--json"), ("build",)):
        code, text = run(capsys, "-C", str(root), *args)
        assert code == 1, text
        assert "open.spotify.com" in text


# -- the flags ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("build", "--project", "{root}"), ("-C", "{root}", "build"), ("build", "-C", "{root}"),
    ("--project", "{root}", "build", "-q"), ("build", "-q", "--project", "{root}"),
    ("-q", "-C", "{root}", "build")])
def test_shared_flags_before_or_after_the_command(tmp_path: Path, args: tuple[str, ...],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, *(a.format(root=root) for a in args))
    assert code == 0, text
    assert (root / "site" / "show" / "feed.xml").is_file()
    assert ("built " in text) == ("-q" not in args)


@pytest.mark.parametrize("command", ["check", "build", "fetch", "publish", "init", "new",
                                     "clean", "version", "completion", "doctor"])
def test_every_command_takes_the_shared_options(command: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(capsys, command, "--help")
    assert code == 0
    for option in ("--project", "-C", "--quiet", "-q", "--verbose", "-v", "--json"):
        assert option in text, (command, option)


def test_json_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    for args in (("check",), ("build",), ("publish", "--dry-run"), ("publish",),
                 ("fetch", "--jobs", "1"), ("version",), ("completion", "bash"),
                 ("new", "A new one"), ("clean",), ("doctor", "--offline")):
        code, text = run(capsys, "-C", str(root), *args, "--json")
        data = json.loads(text)
        assert code == 0, text
        assert data["ok"] is True, (args, data)
        assert data["problems"] == [] or all("severity" in p for p in data["problems"])


def test_json_when_the_project_file_is_invalid(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, site='[site]\ntitle = "x"\n')
    for command in ("check", "build", "publish"):
        code, text = run(capsys, "--json", "-C", str(root), command)
        assert code == 1
        data = json.loads(text)
        assert data["ok"] is False
        assert data["problems"][0]["field"] == "site.base_url"
        assert "under [site]" in data["problems"][0]["fix"]


def test_version_three_ways(capsys: pytest.CaptureFixture[str]) -> None:
    from companion import __version__

    for args in (["-V"], ["--version"], ["version"]):
        code, text = run(capsys, *args)
        assert code == 0
        assert text.strip() == f"companion, version {__version__}"


def test_usage_errors_exit_2_and_shared_flags_are_no_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("publish", "serve"):
        code, text = run(capsys, command, "--project", str(tmp_path), "-q")
        assert code == 1, text  # no companion.toml there: a user error, not a usage error
        one_named(text, "no companion.toml")
    assert main(["build", "--no-such-option"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_completion_scripts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for shell in ("bash", "zsh", "fish"):
        code, text = run(capsys, "completion", shell)
        assert code == 0
        assert "_COMPANION_COMPLETE" in text
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "_COMPANION_COMPLETE": "bash_complete",
           "COMP_WORDS": "companion pub", "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "companion"], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert "publish" in done.stdout, done.stdout + done.stderr


def test_the_publish_summary_counts_the_whole_run(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, "-C", str(root), "publish", "--json")
    data = json.loads(text)
    assert code == 0
    assert data["seconds"] > 0
    code, text = run(capsys, "-C", str(root), "publish", "-v")
    assert "(build included)" in text


# -- file names and the disk ------------------------------------------------------------------

def test_a_feed_file_name_too_long_is_refused_before_a_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    (root / "feeds" / "show.toml").rename(root / "feeds" / ("a" * 250 + ".toml"))
    for args in every_command(root):
        code, text = run(capsys, *args)
        assert code == 1, text
        one_named(text, "file name is too long")
    assert not (root / "cache" / "ledger").exists()


def test_a_name_too_long_for_the_file_system(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    out = tmp_path / ("x" * 300)
    code, text = run(capsys, "-C", str(root), "build", "--out", str(out))
    assert code == 1
    one_named(text, "name is too long")
    code, text = run(capsys, "-C", str(root), "publish", "--to", str(out))
    assert code == 1
    one_named(text, "name is too long")


def _limited(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("args", [("build",), ("publish", "--to", "{public}"),
                                  ("publish", "--no-build", "--to", "{public}")])
def test_a_file_size_limit_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    """`ulimit -f` (as a full disk would): one line naming the file and the cause."""
    root = project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    if "--no-build" in args:
        assert main(["-C", str(root), "-q", "build"]) == 0
    public = tmp_path / "public"
    limit = 2000 if "--no-build" not in args else MP3.stat().st_size // 2
    done = subprocess.run([sys.executable, "-m", "companion", "-C", str(root),
                           *(a.format(public=public) for a in args)], env=env,
                          capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=lambda: _limited(limit))
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Traceback" not in text
    assert "internal error" not in text
    lines = errors(text)
    assert len(lines) == 1, text
    assert "larger than this system allows" in lines[0]
    assert str(tmp_path) in lines[0]


def test_a_full_disk_reads_in_words() -> None:
    import errno

    from companion._errors import RenderError, from_os_error

    error = from_os_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/site/x.html"),
                          RenderError, "the build stopped")
    assert str(error) == ("/srv/site/x.html: the build stopped: the disk is full "
                          "(free some space, then run the command again)")


# -- the last resort --------------------------------------------------------------------------

def test_an_internal_error_is_one_line_and_a_log(tmp_path: Path, logs: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code = main(["-C", str(root), "fetch"], fetch_options="not options")  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    assert code == 70
    assert "Traceback" not in out + err
    assert err.startswith("internal error: please report it")
    found = list(logs.rglob("*.log"))
    assert len(found) == 1
    assert str(found[0]) in err
    log = found[0].read_text(encoding="utf-8")
    assert "Traceback" in log
    assert SECRET not in log
    found[0].unlink()  # the fixture checks that no other test reaches this handler


# -- new, clean, init ---------------------------------------------------------------------------

def test_new_writes_a_valid_dated_draft(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, "-C", str(root), "new", "Night buses [of] Baku", "--now",
                     "2026-02-03T10:00:00+00:00", "--video", "https://youtu.be/Qp7Rs3Tu9Vw")
    assert code == 0, text
    path = root / "episodes" / "2026-02-03-night-buses-of-baku.md"
    assert f"created episodes/{path.name} (a draft)" in text
    assert "feeds that select it: show" in text
    body = path.read_text(encoding="utf-8")
    assert "draft: true" in body
    assert "title: Night buses [of] Baku" in body
    code, text = run(capsys, "-C", str(root), "check", "--json", "--now", "2026-03-01")
    episodes = {e["slug"]: e for e in json.loads(text)["episodes"]}
    assert episodes["night-buses-of-baku"]["state"] == "draft"
    assert episodes["night-buses-of-baku"]["youtube_id"] == "Qp7Rs3Tu9Vw"
    code, text = run(capsys, "-C", str(root), "new", "Night buses [of] Baku")
    assert code == 1
    one_named(text, "night-buses-of-baku", "exists")


def test_new_ready_to_publish_in_a_language(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, "-C", str(root), "new", "ღამის ავტობუსები", "--lang", "ka",
                     "--publish", "--date", "2026-01-05", "--json")
    assert code == 0, text
    made = json.loads(text)
    assert made["path"] == "episodes/2026-01-05-ghamis-avtobusebi.md"
    assert made["state"] in ("live", "scheduled")
    assert made["feeds"] == ["show"]  # its [select] takes every article
    assert any("audio" in need for need in made["needs"])
    assert "draft" not in (root / made["path"]).read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "needle"), [
    (("--video", "https://example.org/x"), "--video"),
    (("--spotify", "https://open.spotify.com/show/x"), "--spotify"),
    (("--lang", "../x"), "--lang"), (("--date", "tomorrow"), "--date")])
def test_new_refuses_what_would_not_read(tmp_path: Path, args: tuple[str, ...], needle: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    code, text = run(capsys, "-C", str(root), "new", "A title", *args)
    assert code == 1
    one_named(text, needle)
    assert len(list((root / "episodes").iterdir())) == 1


def test_clean_never_removes_the_ledger(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path)
    assert run(capsys, "-C", str(root), "publish")[0] == 0
    ledger = sorted((root / "cache" / "ledger").iterdir())
    assert ledger
    (root / "cache" / "youtube").mkdir()
    (root / "cache" / "youtube" / "x.info.json").write_text("{}", encoding="utf-8")
    code, text = run(capsys, "-C", str(root), "clean")
    assert code == 0
    assert not (root / "site").exists()
    assert not (root / ".companion").exists()
    assert (root / "cache" / "youtube" / "x.info.json").exists()
    assert (root / "public" / "show" / "feed.xml").exists()  # a publish target is not ours
    code, text = run(capsys, "-C", str(root), "clean", "--cache")
    assert not (root / "cache" / "youtube").exists()
    assert sorted((root / "cache" / "ledger").iterdir()) == ledger
    assert "kept cache/ledger" in text


def test_clean_outside_the_project_removes_only_what_the_build_wrote(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    www = tmp_path / "www"
    www.mkdir()
    (www / "mine.txt").write_text("not companion's", encoding="utf-8")
    root = project(tmp_path, site=SITE.replace('language = "en"\n',
                                               'language = "en"\nout = "../www"\n'))
    assert run(capsys, "-C", str(root), "build")[0] == 0
    assert (www / "show" / "feed.xml").is_file()
    assert run(capsys, "-C", str(root), "clean")[0] == 0
    assert sorted(p.name for p in www.iterdir()) == ["mine.txt"]


def test_init_keeps_audio_and_video_out_of_git_history(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "p")]) == 0
    ignore = (tmp_path / "p" / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/site/", "/public/", "/.companion/"} <= set(ignore)
    attributes = (tmp_path / "p" / ".gitattributes").read_text(encoding="utf-8")
    for pattern in ("cache/media/**", "cache/images/**", "*.mp3", "*.m4a", "*.mp4"):
        assert f"{pattern} filter=lfs diff=lfs merge=lfs -text" in attributes
