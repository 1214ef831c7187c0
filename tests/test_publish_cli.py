"""`companion publish` on the command line: plan, JSON report, summary, clear errors."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from companion._cli.main import main
from tests._seaweed import SeaweedServer, s3_env, seaweed  # noqa: F401


def _project(root: Path, publish: str = "") -> Path:
    """The `init` scaffold (one episode with audio), built."""
    assert main(["init", str(root)]) == 0
    config = root / "companion.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.split("[publish]")[0] + (publish or '[publish]\ntarget = "public"\n'),
                      encoding="utf-8")
    assert main(["--project", str(root), "-q", "build"]) == 0
    return root


def _files(project: Path) -> int:
    return sum(1 for p in (project / "site").rglob("*") if p.is_file())


def test_json_report_for_the_default_local_target(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    capsys.readouterr()
    assert main(["--project", str(project), "publish", "--no-build", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["target"] == str(project / "public")
    assert report["ok"]
    assert not report["problems"]
    assert report["sent"]["files"] == _files(project)
    assert (project / "public/show/feed.xml").exists()
    assert main(["--project", str(project), "publish", "--no-build", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["sent"] == {"files": 0, "bytes": 0, "paths": []}
    assert again["kept"]["files"] == _files(project)


def test_dry_run_prints_the_plan_and_paths_with_verbose(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    capsys.readouterr()
    assert main(["--project", str(project), "publish", "--dry-run", "-v", "--no-build",
                 "--to", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert f"would send {_files(project)} files" in out
    assert "would delete 0 files" in out
    assert "  + show/feed.xml" in out
    assert not (tmp_path / "out").exists()


def test_summary_after_a_real_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path / "p")
    capsys.readouterr()
    capsys.readouterr()
    monkeypatch.chdir(project)  # --to is relative to the current folder, as in every CLI
    assert main(["--project", str(project), "publish", "--no-build", "--to", "elsewhere"]) == 0
    out = capsys.readouterr().out
    assert f"Published to {project / 'elsewhere'}" in out
    assert f"sent {_files(project)} files" in out


def test_a_missing_site_is_one_clear_line(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    capsys.readouterr()
    import shutil
    shutil.rmtree(project / "site")
    assert main(["--project", str(project), "publish", "--no-build"]) == 1
    err = capsys.readouterr().err
    assert "no built site to publish" in err
    assert "Traceback" not in err


@pytest.mark.s3
def test_s3_target_from_the_project_file_and_flag(s3_env: SeaweedServer, tmp_path: Path,  # noqa: F811
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bucket = s3_env.make_bucket()
    project = _project(tmp_path / "p", f'[publish]\ntarget = "s3://{bucket}/pod"\n'
                       'endpoint_url = "http://127.0.0.1:9"\naddressing_style = "path"\n')
    capsys.readouterr()
    args = ["--project", str(project), "publish", "--no-build", "--json"]
    assert main([*args, "--endpoint-url", s3_env.endpoint]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == f"s3://{bucket}/pod/"
    keys = [o["Key"] for o in s3_env.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert "pod/show/feed.xml" in keys
    assert "pod/.companion/manifest.json" in keys


@pytest.mark.s3
def test_a_missing_bucket_on_the_command_line(s3_env: SeaweedServer, tmp_path: Path,  # noqa: F811
                                              capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    capsys.readouterr()
    name = f"nope-{uuid.uuid4().hex[:6]}"
    code = main(["--project", str(project), "publish", "--no-build", "--to", f"s3://{name}/x",
                 "--endpoint-url", s3_env.endpoint])
    err = capsys.readouterr().err
    assert code == 1
    assert f"the bucket '{name}' does not exist" in err
    assert "Traceback" not in err
    assert s3_env.env()["AWS_SECRET_ACCESS_KEY"] not in err
