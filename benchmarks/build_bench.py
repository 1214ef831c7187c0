"""Build benchmark: companion against Hugo, Pelican and Jekyll on the same posts.

For each size, `corpus.py` makes a companion project; each peer gets an
equivalent content tree (one page per post, an index, one feed of all posts).
Every run is a fresh process, measured from outside:

- cold: output and caches removed first;
- no-change: the same command again;
- one-post edit: one sentence appended to one post, then the command again.

Wall time, CPU time (user + system, the process and the children it waited for:
steadier than wall time on a shared machine), files written (outputs whose mtime
changed), peak memory of the process tree (sum of RSS, sampled every 20 ms) and of
the largest single process (``wait4`` ru_maxrss). For companion also the time of
`build()` alone, without the CLI's start-up.

    python benchmarks/build_bench.py --sizes 1000,10000 --peers hugo,pelican,jekyll
    python benchmarks/build_bench.py --sizes 1000 --peers "" --compare 9c1c98d

`--compare REV` adds companion as it was at git revision REV as a peer (same corpus,
same runs), to see a change of companion's own code side by side with the current one.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import ctypes
import dataclasses
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Post, make_corpus

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
PEERS_VENV = Path(os.environ.get("PEERS_VENV", "/tmp/peers-venv"))
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
EDIT = "Breaking: one more sentence, added by the benchmark. "


@dataclass(frozen=True)
class Run:
    seconds: float
    written: int
    tree_mb: float  # peak of the summed RSS of the process tree
    proc_mb: float  # peak RSS of the largest single process
    inner: float | None = None  # companion: build() alone, in-process
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for


@dataclass(frozen=True)
class Tool:
    name: str
    root: Path
    out: Path
    command: list[str]
    clean: Callable[[], None]
    edit: Path  # the file the one-post edit touches
    lead: str  # the start of that post's body: the edit goes in front of it
    env: dict[str, str] | None = None
    force: str = ""  # companion: the option that renders everything again (`--force`)


# -- measuring ----------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of `pid` and all its descendants."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except OSError:
            pass
        todo.extend(tree.get(current, []))
    return total


def snapshot(folder: Path) -> dict[str, int]:
    if not folder.is_dir():
        return {}
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def measure(command: Sequence[str], cwd: Path, out: Path,
            env: dict[str, str] | None = None) -> Run:
    # stderr goes to a file, not a pipe: a build's warnings may fill a pipe and stall it
    with tempfile.TemporaryFile() as errors_file:
        before = snapshot(out)
        peak = 0
        done = threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=errors_file, env=env)

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors_file.seek(0)
        errors = errors_file.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{errors[-2000:]}")
    after = snapshot(out)
    written = sum(1 for path, mtime in after.items() if before.get(path) != mtime)
    return Run(seconds, written, peak / 2**20, usage.ru_maxrss / 1024,
               cpu=usage.ru_utime + usage.ru_stime)


# -- companion ----------------------------------------------------------------------------


def snapshot_package(rev: str | None = None) -> dict[str, str]:
    """A frozen copy of the package under test: the same code for every run, even while
    the working tree changes (a change of companion's code rebuilds everything). With
    `rev`, the package as it was at that git revision."""
    target = WORK / (f"pkg-{rev}" if rev else "pkg")
    shutil.rmtree(target, ignore_errors=True)
    if rev is None:
        shutil.copytree(HERE.parent / "src" / "companion", target / "companion",
                        ignore=shutil.ignore_patterns("__pycache__"))
    else:
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", rev,
                                  "src/companion"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "--strip-components=1", "-C", str(target)],
                       input=archive, check=True)
    # compiled once, as an installed package is: with PYTHONDONTWRITEBYTECODE set (as on
    # the development VM) every run would otherwise compile companion's modules again
    compileall.compile_dir(target, quiet=1)
    return {**os.environ, "PYTHONPATH": str(target)}


def companion_tool(root: Path, posts: list[Post], jobs: int | None,
                   env: dict[str, str], name: str = "companion") -> Tool:
    command = [sys.executable, "-m", "companion", "-C", str(root), "-q", "build"]
    if jobs:
        command += ["--jobs", str(jobs)]

    def clean() -> None:
        for name in ("site", ".companion", "cache/published", "cache/ledger"):
            shutil.rmtree(root / name, ignore_errors=True)

    post = posts[len(posts) // 2]
    return Tool(name, root, root / "site", command, clean,
                root / "episodes" / post.filename, post.body[:40], env, "--force")


def inner_build_seconds(root: Path, env: dict[str, str]) -> float:
    """build() alone in a fresh interpreter (the CLI's start-up excluded)."""
    code = ("import time,sys;from pathlib import Path\n"
            "try:\n from companion import load_project;import companion._build.engine\n"
            " p=load_project(Path(sys.argv[1]))\n"
            "except ImportError:\n"
            " from companion._project import load_site;from companion._build import build\n"
            " s=load_site(Path(sys.argv[1]));p=type('P',(),{'build':lambda self:build(s)})()\n"
            "t=time.perf_counter();p.build();print(time.perf_counter()-t)")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                          text=True, check=True, env=env)
    return float(done.stdout.strip().splitlines()[-1])


# -- peers --------------------------------------------------------------------------------


def front_matter(post: Post) -> str:
    title = post.title.replace('"', "'")
    return f'---\ntitle: "{title}"\ndate: {post.date:%Y-%m-%dT%H:%M:%SZ}\n---\n\n'


def hugo_tool(work: Path, posts: list[Post]) -> Tool | None:
    exe = PEERS_VENV / "bin" / "hugo"
    if not exe.exists():
        return None
    root = work / "hugo"
    if not root.exists():
        (root / "content" / "posts").mkdir(parents=True)
        (root / "layouts").mkdir()
        (root / "hugo.toml").write_text(
            'baseURL = "https://podcasts.example.org/"\ntitle = "Benchmark"\n'
            'disableKinds = ["taxonomy", "term"]\n[outputs]\nhome = ["html", "rss"]\n'
            'section = ["html"]\n', encoding="utf-8")
        layouts = root / "layouts"
        (layouts / "single.html").write_text(
            "<!doctype html><html><head><title>{{ .Title }}</title></head>"
            "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n", encoding="utf-8")
        (layouts / "home.html").write_text(
            "<!doctype html><html><body><ul>{{ range .Site.RegularPages }}"
            '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>'
            "</body></html>\n", encoding="utf-8")
        (layouts / "list.html").write_text(
            "<!doctype html><html><body>{{ .Title }}</body></html>\n", encoding="utf-8")
        for post in posts:
            (root / "content" / "posts" / f"{post.slug}.md").write_text(
                front_matter(post) + post.body, encoding="utf-8")

    def clean() -> None:
        for name in ("public", "resources", ".hugo_build.lock"):
            path = root / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                missing_ok=True)

    command = [str(exe), "--quiet", "--source", str(root), "--cacheDir", str(root / ".cache")]
    edit = root / "content" / "posts" / f"{posts[len(posts) // 2].slug}.md"
    lead = posts[len(posts) // 2].body[:40]
    return Tool("hugo", root, root / "public", command, clean, edit, lead)


PELICAN_CONF = """
SITENAME = "Benchmark"
SITEURL = "https://podcasts.example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
FEED_DOMAIN = SITEURL
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = False
DIRECT_TEMPLATES = ["index"]
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "pelican-cache"
THEME = "theme"
DEFAULT_CATEGORY = "posts"
"""

PELICAN_TEMPLATES = {
    "article.html": "<!doctype html><html><head><title>{{ article.title }}</title></head>"
                    "<body><h1>{{ article.title }}</h1>{{ article.content }}</body></html>\n",
    "index.html": "<!doctype html><html><body><ul>{% for article in articles %}"
                  '<li><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></li>'
                  "{% endfor %}</ul></body></html>\n",
}
PELICAN_EMPTY = ("page", "category", "tag", "author", "archives", "period_archives",
                 "categories", "tags", "authors")


def pelican_tool(work: Path, posts: list[Post]) -> Tool | None:
    exe = PEERS_VENV / "bin" / "pelican"
    if not exe.exists():
        return None
    root = work / "pelican"
    if not root.exists():
        (root / "content").mkdir(parents=True)
        (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
        templates = root / "theme" / "templates"
        templates.mkdir(parents=True)
        for name, text in PELICAN_TEMPLATES.items():
            (templates / name).write_text(text, encoding="utf-8")
        for name in PELICAN_EMPTY:
            (templates / f"{name}.html").write_text("<!doctype html>\n", encoding="utf-8")
        for post in posts:
            title = post.title.replace("\n", " ")
            (root / "content" / f"{post.slug}.md").write_text(
                f"Title: {title}\nDate: {post.date:%Y-%m-%d %H:%M}\nSlug: {post.slug}\n\n"
                + post.body, encoding="utf-8")

    def clean() -> None:
        for name in ("output", "pelican-cache", "__pycache__"):
            shutil.rmtree(root / name, ignore_errors=True)

    command = [str(exe), str(root / "content"), "-s", str(root / "pelicanconf.py"), "-o",
               str(root / "output"), "-q"]
    edit = root / "content" / f"{posts[len(posts) // 2].slug}.md"
    lead = posts[len(posts) // 2].body[:40]
    return Tool("pelican", root, root / "output", command, clean, edit, lead)


JEKYLL_FEED = """---
layout: null
---
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{{ site.title | xml_escape }}</title>
<link>{{ site.url }}</link>{% for post in site.posts %}
<item><title>{{ post.title | xml_escape }}</title><link>{{ post.url | absolute_url }}</link>
<guid>{{ post.url | absolute_url }}</guid><pubDate>{{ post.date | date_to_rfc822 }}</pubDate>
<description>{{ post.content | xml_escape }}</description></item>{% endfor %}
</channel></rss>
"""


def jekyll_tool(work: Path, posts: list[Post]) -> Tool | None:
    exe = shutil.which("jekyll")
    if exe is None:
        return None
    root = work / "jekyll"
    if not root.exists():
        (root / "_posts").mkdir(parents=True)
        (root / "_layouts").mkdir()
        (root / "_config.yml").write_text(
            "title: Benchmark\nurl: https://podcasts.example.org\nmarkdown: kramdown\n"
            "permalink: /posts/:title/\n", encoding="utf-8")
        (root / "_layouts" / "post.html").write_text(
            "<!doctype html><html><head><title>{{ page.title }}</title></head>"
            "<body><h1>{{ page.title }}</h1>{{ content }}</body></html>\n", encoding="utf-8")
        (root / "index.html").write_text(
            "---\nlayout: null\n---\n<!doctype html><html><body><ul>{% for post in site.posts %}"
            '<li><a href="{{ post.url }}">{{ post.title }}</a></li>{% endfor %}</ul>'
            "</body></html>\n", encoding="utf-8")
        (root / "feed.xml").write_text(JEKYLL_FEED, encoding="utf-8")
        for post in posts:
            text = front_matter(post).replace("---\n", "---\nlayout: post\n", 1) + post.body
            (root / "_posts" / post.filename).write_text(text, encoding="utf-8")

    def clean() -> None:
        for name in ("_site", ".jekyll-cache", ".jekyll-metadata"):
            path = root / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(
                missing_ok=True)

    command = [exe, "build", "--incremental", "--quiet", "--source", str(root),
               "--destination", str(root / "_site")]
    edit = root / "_posts" / posts[len(posts) // 2].filename
    lead = posts[len(posts) // 2].body[:40]
    return Tool("jekyll", root, root / "_site", command, clean, edit, lead)


PEERS = {"hugo": hugo_tool, "pelican": pelican_tool, "jekyll": jekyll_tool}


# -- the benchmark ------------------------------------------------------------------------


def with_inner(tool: Tool, runs: dict[str, Run]) -> dict[str, Run]:
    """Add the time of build() alone (no CLI start-up) to no-change and one-edit."""
    assert tool.env is not None
    inner_build_seconds(tool.root, tool.env)  # settle after the restored edit
    no_change = inner_build_seconds(tool.root, tool.env)
    original = tool.edit.read_text(encoding="utf-8")
    try:
        tool.edit.write_text(original.replace(tool.lead, EDIT + tool.lead, 1), encoding="utf-8")
        one_edit = inner_build_seconds(tool.root, tool.env)
    finally:
        tool.edit.write_text(original, encoding="utf-8")
    inner_build_seconds(tool.root, tool.env)
    return {**runs, "no-change": dataclasses.replace(runs["no-change"], inner=no_change),
            "one-edit": dataclasses.replace(runs["one-edit"], inner=one_edit)}


def bench_tool(tool: Tool) -> dict[str, Run]:
    tool.clean()
    results = {"cold": measure(tool.command, tool.root, tool.out, tool.env)}
    results["no-change"] = measure(tool.command, tool.root, tool.out, tool.env)
    original = tool.edit.read_text(encoding="utf-8")
    if tool.lead not in original:
        raise SystemExit(f"{tool.edit}: the post's body is not where it should be")
    try:
        tool.edit.write_text(original.replace(tool.lead, EDIT + tool.lead, 1), encoding="utf-8")
        results["one-edit"] = measure(tool.command, tool.root, tool.out, tool.env)
    finally:
        tool.edit.write_text(original, encoding="utf-8")
    if tool.force:  # everything rendered again, the caches of derived work kept
        results["force"] = measure([*tool.command, tool.force], tool.root, tool.out, tool.env)
    return results


def bench_size(size: int, peers: list[str], jobs: int | None, env: dict[str, str],
               others: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, Run]]:
    work = WORK / str(size)
    corpus = work / "companion"
    if not (corpus / "companion.toml").exists():
        shutil.rmtree(work, ignore_errors=True)
        print(f"generating {size} episodes in {corpus}", flush=True)
    corpus.mkdir(parents=True, exist_ok=True)
    posts = _posts(corpus, size)
    tools = [companion_tool(corpus, posts, jobs, env)]
    tools += [companion_tool(corpus, posts, jobs, other, name)
              for name, other in (others or {}).items()]
    for name in peers:
        tool = PEERS[name](work, posts)
        if tool is None:
            print(f"{name}: not installed, skipped", flush=True)
        else:
            tools.append(tool)
    del posts  # the bodies: keep the benchmark process small (a forked child starts with it)
    gc.collect()
    _trim_heap()
    results: dict[str, dict[str, Run]] = {}
    for tool in tools:
        print(f"N={size} {tool.name} ...", flush=True)
        results[tool.name] = bench_tool(tool)
        if tool.name.startswith("companion"):
            results[tool.name] = with_inner(tool, results[tool.name])
        print(table({tool.name: results[tool.name]}), flush=True)
    return results


def _posts(corpus: Path, size: int) -> list[Post]:
    marker = corpus / ".corpus-done"
    if marker.exists():
        import random

        from corpus import make_post, step_minutes

        rng = random.Random(7)
        posts = [make_post(i, rng, step_minutes(size)) for i in range(size)]
        if not (corpus / ".corpus-thumbnails").exists():
            from corpus import add_thumbnails

            add_thumbnails(corpus, posts)
            (corpus / ".corpus-thumbnails").write_text(str(size))
        return posts
    posts = make_corpus(corpus, size)
    marker.write_text(str(size))
    (corpus / ".corpus-thumbnails").write_text(str(size))
    return posts


def _trim_heap() -> None:
    """Give freed memory back to the OS (glibc), so children's ru_maxrss is not inflated."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def table(results: dict[str, dict[str, Run]]) -> str:
    lines = ["| tool | run | seconds | CPU s | CPU / wall | files written | peak tree MB "
             "| largest process MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, runs in results.items():
        for kind, run in runs.items():
            inner = f" (build() {run.inner:.2f})" if run.inner is not None else ""
            lines.append(f"| {name} | {kind} | {run.seconds:.2f}{inner} | {run.cpu:.2f} "
                         f"| {run.cpu / max(run.seconds, 0.001):.2f} | {run.written} "
                         f"| {run.tree_mb:.0f} | {run.proc_mb:.0f} |")
    return "\n".join(lines)


def ratios(results: dict[str, dict[str, Run]]) -> str:
    mine = results["companion"]
    lines = ["| peer | cold | no-change | one-edit | cold CPU | peak tree memory |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, runs in results.items():
        if name == "companion":
            continue
        cells = [f"{mine[k].seconds / runs[k].seconds:.2f}x" for k in ("cold", "no-change",
                                                                       "one-edit")]
        cpu = f"{mine['cold'].cpu / max(runs['cold'].cpu, 0.01):.2f}x"
        memory = f"{mine['cold'].tree_mb / max(runs['cold'].tree_mb, 1):.2f}x"
        lines.append(f"| {name} | {' | '.join(cells)} | {cpu} | {memory} |")
    return "\n".join(lines)


def curve(everything: dict[int, dict[str, dict[str, Run]]]) -> str:
    """companion across the sizes: the issue's scale table (time, CPU, CPU per episode,
    memory of cold, --force and one-edit, no-change and one-edit times, files written)."""
    lines = ["| N | cold s | cold CPU s | CPU / wall | CPU per episode | peak MB cold "
             "| peak MB --force | peak MB one-edit | no-change s | one-edit s "
             "| files written (cold) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, results in everything.items():
        runs = results.get("companion")
        if runs is None:
            continue
        cold, force = runs["cold"], runs.get("force")
        lines.append(
            f"| {size:,} | {cold.seconds:.2f} | {cold.cpu:.2f} "
            f"| {cold.cpu / max(cold.seconds, 0.001):.2f} | {1000 * cold.cpu / size:.1f} ms "
            f"| {cold.tree_mb:.0f} | {force.tree_mb if force else 0:.0f} "
            f"| {runs['one-edit'].tree_mb:.0f} | {runs['no-change'].seconds:.2f} "
            f"| {runs['one-edit'].seconds:.2f} | {cold.written:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="companion vs Hugo, Pelican, Jekyll")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--peers", default="hugo,pelican,jekyll")
    parser.add_argument("--jobs", type=int, default=None, help="companion --jobs")
    parser.add_argument("--compare", action="append", default=[], metavar="REV",
                        help="also run companion as it was at this git revision")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    peers = [p for p in args.peers.split(",") if p]
    unknown = set(peers) - set(PEERS)
    if unknown:
        raise SystemExit(f"unknown peers: {', '.join(sorted(unknown))}")
    everything: dict[int, dict[str, dict[str, Run]]] = {}
    env = snapshot_package()
    others = {f"companion@{rev}": snapshot_package(rev) for rev in args.compare}
    for size in sizes:
        results = bench_size(size, peers, args.jobs, env, others)
        everything[size] = results
        print(f"\n## N = {size}\n\n{table(results)}\n\ncompanion / peer (lower is better "
              f"for companion):\n\n{ratios(results)}\n", flush=True)
    print(f"\n## companion across the sizes\n\n{curve(everything)}\n", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    saved = {size: {k: {r: asdict(v) for r, v in runs.items()} for k, runs in results.items()}
             for size, results in everything.items()}
    (WORK / "results.json").write_text(json.dumps(saved, indent=2) + "\n")


if __name__ == "__main__":
    main()
