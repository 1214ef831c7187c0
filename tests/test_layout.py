"""The layout's rules, read from the code: a folder per stage, depending downward.

    shared (model, site model, errors, paths, files, text, clock, ...)  <  _config
        <  _read  <  _match  <  _pair  <  _render  <  _lifecycle  <  _build  <  _publish
        <  _project  <  _serve  <  _doctor  <  the API  <  _cli
    _lifecycle is what is public (statuses, claims, the ledger, moves): the build, check
    and publish all ask it. _build is the build and nothing else (engine, seam, stages,
    state, writer, prepare); _project holds the commands' project operations (check, new,
    notes, clean) and _serve the preview server.
    The network rooms sit beside them: _fetch (metadata, captions, media) and _catalogs
    (what the channel and the show hold). They may use each other and _config, _read,
    _match and _pair; only _doctor, the API and the CLI use them (a build never touches the
    network, and the match never does: articles and catalogs in, proposals out).

- no stage imports the CLI, and only the CLI prints;
- the render imports neither fetch nor publish, and writes nothing;
- the model imports no stage;
- no two modules import each other, however indirectly, when they are imported (an
  import inside a function, made when it is called, may close a circle only if listed in
  `LATE_IMPORTS`);
- no module is over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import companion

PACKAGE = Path(companion.__file__).resolve().parent
SHARED = {"_model", "_site_model", "_errors", "_paths", "_files", "_text", "_clock",
          "_content_types", "_store", "_version", "_http", "_redact"}
RANK = {"shared": 0, "_config": 1, "_read": 2, "_match": 3, "_pair": 4, "_render": 5,
        "_lifecycle": 6, "_build": 7, "_publish": 8, "_project": 9, "_serve": 10,
        "_doctor": 11, "_api": 12, "package": 13, "_cli": 14}
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


@pytest.mark.parametrize("name", ["_model.py", "_site_model.py"])
def test_the_model_imports_no_stage(name: str) -> None:
    stages = {stage_of(m) for m in imported(PACKAGE / name)}
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
    ("_lifecycle", "from companion._build.engine import build\n"),
    ("_build", "from companion._project.check import check_project\n"),
    ("_build", "from companion._serve.server import serve\n"),
    ("_publish", "from companion._project.clean import clean\n"),
])
def test_the_rules_catch_a_violation(tmp_path: Path, stage: str, line: str) -> None:
    fake = tmp_path / "x.py"
    fake.write_text(line, encoding="utf-8")
    mine = "shared" if stage == "_model" else stage
    assert wrong_imports(fake, mine), line


#: Imports inside a function that close a circle, each made when the function is called
#: (for start-up speed: a command imports what it uses): (importer, imported).
LATE_IMPORTS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(("companion", *parts))


def import_graph(late: bool) -> dict[str, set[str]]:
    """Each companion module and those it imports: when it is imported (the module's
    statements, `if` and `try` blocks included, `if TYPE_CHECKING:` left out), and with
    `late` also inside its functions. `from companion.x import y` counts x.y when that
    is a module, else x."""
    names = {module_name(p) for p in modules()}
    graph: dict[str, set[str]] = {}
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        pending: list[ast.AST] = list(tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                pending += node.orelse
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) \
                    and not late:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in names else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            pending += list(ast.iter_child_nodes(node))
        graph[module_name(path)] = {m for m in found if m in names} - {module_name(path)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of `graph`: its strongly connected parts of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            part: list[str] = []
            while not part or part[-1] != node:
                part.append(stack.pop())
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_when_modules_are_imported() -> None:
    assert cycles(import_graph(late=False)) == []


def test_no_import_circle_inside_functions_but_the_listed_ones() -> None:
    graph = import_graph(late=True)
    for importer, imported_module in LATE_IMPORTS:
        graph[importer].discard(imported_module)
    assert cycles(graph) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_600_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{path.name} has {lines} lines: split it at a natural seam"
