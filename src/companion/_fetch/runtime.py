"""The JavaScript runtime yt-dlp needs to read YouTube, found once and passed explicitly.

Since yt-dlp 2025.11.12, YouTube's formats come only after solving a JS challenge, which
needs a runtime (Deno by default; Node >= 22, Bun or QuickJS when enabled) and the EJS
solver scripts (the `yt-dlp-ejs` package, in yt-dlp's `default` extra). companion
installs `yt-dlp[default,deno]`, whose `deno` wheel ships the binary beside the venv's
Python: found through the package (`deno.find_deno_bin()`), so a cron job with a bare
PATH finds it too; else the first supported runtime on PATH. yt-dlp's own probes
(`yt_dlp.utils._jsruntime`) read each runtime's version and whether it is supported.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass

#: yt-dlp's runtime names (`js_runtimes` keys) and their executables, in companion's order.
RUNTIMES = (("deno", "deno"), ("node", "node"), ("bun", "bun"), ("quickjs", "qjs"))
EJS_WIKI = "https://github.com/yt-dlp/yt-dlp/wiki/EJS"
INSTALL_FIX = ('pip install -U "yt-dlp[default,deno]" (a Deno binary and the challenge '
               "solver), or put Node >= 22, Deno >= 2.3 or Bun on PATH")


@dataclass(frozen=True)
class Runtime:
    """A JS runtime: yt-dlp's name for it, the executable, its version, and whether yt-dlp
    supports that version."""

    name: str
    path: str
    version: str
    supported: bool

    def js_runtimes(self) -> dict[str, dict[str, str]]:
        """yt-dlp's `js_runtimes` parameter for this runtime alone."""
        return {self.name: {"path": self.path}}


def _candidates(path_env: str | None, bundled: bool) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    try:
        import deno  # the `deno` wheel (yt-dlp's `deno` extra)

        if bundled:
            found.append(("deno", deno.find_deno_bin()))
    except (ImportError, FileNotFoundError, AttributeError):
        pass
    search = os.environ.get("PATH", "") if path_env is None else path_env
    for name, exe in RUNTIMES:
        where = shutil.which(exe, path=search)
        if where:
            found.append((name, where))
    return found


def probe(name: str, path: str) -> Runtime | None:
    """What yt-dlp reads of the runtime at `path` (None: it does not run); asked once per
    executable and modification time, not at every yt-dlp call."""
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _probe(name, path, stamp)


@functools.lru_cache(maxsize=32)
def _probe(name: str, path: str, stamp: int) -> Runtime | None:
    from yt_dlp.utils._jsruntime import (
        BunJsRuntime,
        DenoJsRuntime,
        NodeJsRuntime,
        QuickJsRuntime,
    )

    kinds = {"deno": DenoJsRuntime, "node": NodeJsRuntime, "bun": BunJsRuntime,
             "quickjs": QuickJsRuntime}
    info = kinds[name](path=path).info
    if info is None:
        return None
    return Runtime(name, path, info.version, bool(info.supported))


def find_runtimes(path_env: str | None = None, *, bundled: bool = True) -> list[Runtime]:
    """Every runtime found (the deno wheel's first, unless not `bundled`; then those on
    `path_env`, default the PATH), supported or not."""
    seen: set[str] = set()
    out: list[Runtime] = []
    for name, path in _candidates(path_env, bundled):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        runtime = probe(name, path)
        if runtime is not None:
            out.append(runtime)
    return out


def find_runtime(path_env: str | None = None, *, bundled: bool = True) -> Runtime | None:
    """The runtime to hand yt-dlp: the first supported one found."""
    return next((r for r in find_runtimes(path_env, bundled=bundled) if r.supported), None)


def ejs_version() -> str | None:
    """The version of the EJS challenge-solver scripts yt-dlp will use (None: missing)."""
    try:
        import yt_dlp_ejs
    except ImportError:
        return None
    return str(getattr(yt_dlp_ejs, "version", "") or "unknown")
