"""The layout's rules, read from the code: a folder per stage, depending downward.

    shared (model, errors, paths, files, text, clock, ...)  <  _config
        <  _read  <  _match  <  _pair  <  _render  <  _build  <  _publish  <  _doctor
        <  the API  <  _cli
    The network rooms sit beside them: _fetch (metadata, captions, media) and _catalogs
    (what the channel and the show hold). They may use each other and _config, _read,
    _match and _pair; only _doctor, the API and the CLI use them (a build never touches the
    network, and the match never does: articles and catalogs in, proposals out).

- no stage imports the CLI, and only the CLI prints;
- the render imports neither fetch nor publish, and writes nothing;
- the model imports no stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import companion

PACKAGE = Path(companion.__file__).resolve().parent
SHARED = {"_model", "_errors", "_paths", "_files", "_text", "_clock", "_content_types",
          "_store", "_version", "_http", "_redact"}
RANK = {"shared": 0, "_config": 1, "_read": 2, "_match": 3, "_pair": 4, "_render": 5,
        "_build": 6, "_publish": 7, "_doctor": 8, "_api": 9, "package": 10, "_cli": 11}
NETWORK = {"_fetch", "_catalogs"}
NETWORK_USERS = {"_doctor", "_api", "_cli", "package"} | NETWORK
#: Calls that write, whatever they are called on; and those that write when called on os
#: or shutil (a string's replace, feedgen's link, are not writes).
WRITES = {"write_bytes", "write_text", "mkdir", "makedirs", "unlink", "rmdir", "rename",
          "touch", "rmtree", "copyfile", "copy2", "copytree", "symlink_to", "atomic_write",
          "mkstemp", "NamedTemporaryFile", "TemporaryDirectory"}
OS_WRITES = {"replace", "link", "copy", "remove", "symlink", "truncate"}


def place(path: Path) -> str:
    """The stage a module belongs to: its folder, or "shared", "_api", "package"."""
    rel = path.relative_to(PACKAGE)
    if len(rel.parts) > 1:
        return rel.parts[0]
    if rel.name == "__init__.py":
        return "package"
    if rel.name == "__main__.py":
        return "_cli"
    return "shared" if rel.stem in SHARED else rel.stem


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> list[str]:
    """The companion modules a file imports (absolute names), at any depth of the file."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "companion":
                found += [f"companion.{a.name}" for a in node.names]
            elif node.module.startswith("companion."):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("companion")]
    return found


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "package"
    head = parts[1]
    if head in SHARED:
        return "shared"
    return head


def test_every_module_has_a_known_place() -> None:
    unknown = {place(p) for p in modules()} - set(RANK) - NETWORK
    assert not unknown


def wrong_imports(path: Path, mine: str) -> list[str]:
    """The imports of `path` (a module of stage `mine`) that the layout forbids."""
    found: list[str] = []
    for module in imported(path):
        theirs = stage_of(module)
        if theirs in NETWORK:
            ok = mine in NETWORK_USERS
        elif mine in NETWORK:
            ok = RANK[theirs] <= RANK["_pair"]
        else:
            ok = theirs in (mine, "shared") or RANK[theirs] < RANK[mine]
        if not ok:
            found.append(f"{mine} imports {module} ({theirs})")
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_folders_depend_downward(path: Path) -> None:
    assert wrong_imports(path, place(path)) == [], "a folder may only use the ones below it"


@pytest.mark.parametrize("path", [p for p in modules() if place(p) != "_cli"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_prints(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prints = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id == "print"]
    assert not prints, f"{path.name} prints (line {prints[0]})"
    assert not any(stage_of(m) == "_cli" for m in imported(path))
    consoles = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and (n.module or "").startswith("rich")]
    assert not consoles, f"{path.name} imports rich"


@pytest.mark.parametrize("path", [p for p in modules() if place(p) == "_render"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_render_writes_nothing(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (func.attr if isinstance(func, ast.Attribute)
                    else func.id if isinstance(func, ast.Name) else "")
            owner = (func.value.id if isinstance(func, ast.Attribute)
                     and isinstance(func.value, ast.Name) else "")
            assert name not in WRITES, f"{path.name}:{node.lineno} calls {name}"
            assert not (owner in ("os", "shutil") and name in OS_WRITES), (
                f"{path.name}:{node.lineno} calls {owner}.{name}")
            if name == "open" and node.args[1:]:
                mode = node.args[1]
                assert not (isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+")
                            ), f"{path.name}:{node.lineno} opens for writing"
    assert not any(stage_of(m) in ("_fetch", "_publish") for m in imported(path))


def test_the_model_imports_no_stage() -> None:
    stages = {stage_of(m) for m in imported(PACKAGE / "_model.py")}
    assert stages <= {"shared"}, stages


@pytest.mark.parametrize(("stage", "line"), [
    ("_render", "from companion._publish.run import publish\n"),
    ("_render", "from companion._fetch import fetch\n"),
    ("_build", "from companion import _fetch\n"),
    ("_model", "from companion._read.articles import read_article\n"),
    ("_pair", "import companion._build.engine\n"),
    ("_config", "from companion._read.lang import direction\n"),
    ("_match", "from companion._catalogs import read_catalogs\n"),
    ("_match", "from companion._fetch.http import client\n"),
    ("_match", "from companion._pair.episodes import pair\n"),
    ("_build", "from companion._catalogs import read_catalogs\n"),
    ("_catalogs", "from companion._render.rss import render_feed\n"),
])
def test_the_rules_catch_a_violation(tmp_path: Path, stage: str, line: str) -> None:
    fake = tmp_path / "x.py"
    fake.write_text(line, encoding="utf-8")
    mine = "shared" if stage == "_model" else stage
    assert wrong_imports(fake, mine), line
