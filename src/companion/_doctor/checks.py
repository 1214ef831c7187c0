"""`companion doctor`: whether this machine can fetch and publish, one check a line, each
with its status and its fix.

What fetch needs from the machine: yt-dlp (recent: YouTube changes and yt-dlp follows),
a JavaScript runtime and the EJS challenge-solver scripts yt-dlp uses (`_fetch.runtime`),
ffmpeg and ffprobe; what the project configures: the cookies file (readable, Netscape
format, YouTube's cookies, not all expired; no value is ever shown), a PO-token provider
(bgutil's HTTP server answering ``/ping``); and, unless offline, whether YouTube, Spotify
and the S3 endpoint answer and whether Spotify accepts the app's credentials. Every
address can be changed (`DoctorOptions`, or the environment: ``COMPANION_YOUTUBE``,
``COMPANION_SPOTIFY_API``, ``COMPANION_SPOTIFY_ACCOUNTS``), so tests use local servers.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from companion._errors import CompanionError, Problem
from companion._fetch.cookies import EXPORT_FIX, bad_lines, check_cookies, cookies_path
from companion._fetch.diagnose import UPDATE
from companion._fetch.redact import Secrets
from companion._fetch.runtime import INSTALL_FIX, ejs_version, find_runtimes
from companion._render.i18n import count
from companion._site_model import FetchSettings, Site

Status = Literal["ok", "warning", "missing", "skipped"]
#: A yt-dlp older than this is a warning: YouTube changes and yt-dlp follows.
MAX_AGE_DAYS = 60
YOUTUBE = "https://www.youtube.com/"
#: bgutil-ytdlp-pot-provider's HTTP server (its default address; the plugin reads
#: ``extractor_args = {"youtubepot-bgutilhttp" = {base_url = ["..."]}}``).
BGUTIL_DEFAULT = "http://127.0.0.1:4416"
BGUTIL_ARGS = "youtubepot-bgutilhttp"
BGUTIL_PLUGIN = "yt_dlp_plugins.extractor.getpot_bgutil_http"
_NETSCAPE = ("# Netscape HTTP Cookie File", "# HTTP Cookie File")  # yt-dlp's cookies.py


@dataclass(frozen=True)
class Check:
    """One line of the report. `needed`: a feature this project uses depends on it, so a
    `missing` status fails the doctor (exit 1)."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    needed: bool = True

    @property
    def failed(self) -> bool:
        return self.status == "missing" and self.needed

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "status": self.status, "detail": self.detail,
                "fix": self.fix, "needed": self.needed}


@dataclass(frozen=True)
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(c.failed for c in self.checks)

    def problems(self) -> list[Problem]:
        """What is missing (an error when needed) or worth a warning, as `check` lists it."""
        return [Problem("error" if c.failed else "warning", "doctor", f"{c.name}: {c.detail}",
                        c.fix) for c in self.checks if c.status in ("missing", "warning")]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.to_json() for c in self.checks],
                "problems": [p.to_json() for p in self.problems()]}


@dataclass(frozen=True)
class DoctorOptions:
    """Where doctor looks: `path` is the PATH searched (None: this process's); `bundled`
    whether the `deno` wheel's binary counts; the addresses asked unless `offline`."""

    offline: bool = False
    path: str | None = None
    bundled: bool = True
    youtube: str = YOUTUBE
    spotify_api: str = "https://api.spotify.com/v1"
    spotify_accounts: str = "https://accounts.spotify.com"
    timeout: float = 10.0
    environ: Mapping[str, str] | None = None  # None: os.environ
    now: datetime | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **changes: Any
                     ) -> DoctorOptions:
        env = os.environ if environ is None else environ

        def get(name: str, default: str) -> str:
            return env.get(name, "").strip().rstrip("/") or default

        return replace(cls(environ=environ, youtube=get("COMPANION_YOUTUBE", YOUTUBE),
                           spotify_api=get("COMPANION_SPOTIFY_API", cls.spotify_api),
                           spotify_accounts=get("COMPANION_SPOTIFY_ACCOUNTS",
                                                cls.spotify_accounts)), **changes)


def run_doctor(site: Site, options: DoctorOptions | None = None) -> DoctorReport:
    """Every check, in order; what fails is reported, never raised."""
    opts = options or DoctorOptions.from_environ()
    now = opts.now or datetime.now(UTC)
    settings = site.fetch
    secrets = Secrets.of(settings, site.root)
    checks = [ytdlp_check(now), *runtime_checks(opts), setup_check(site, secrets),
              *tool_checks(opts),
              cookies_check(settings, site.root, now), *pot_checks(settings, opts),
              *network_checks(site, opts)]
    return DoctorReport([replace(c, detail=secrets.redact(c.detail), fix=secrets.redact(c.fix))
                         for c in checks])


def ytdlp_check(now: datetime) -> Check:
    try:
        from yt_dlp.version import __version__ as version
    except ImportError:
        return Check("yt-dlp", "missing", "yt-dlp is not installed", f"run {UPDATE}")
    found = re.match(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", version)
    if found is None:
        return Check("yt-dlp", "warning", f"yt-dlp {version}: its age is unknown",
                     f"keep it current: {UPDATE}", needed=False)
    released = date(int(found[1]), int(found[2]), int(found[3]))
    age = (now.date() - released).days
    if age > MAX_AGE_DAYS:
        return Check("yt-dlp", "warning", f"yt-dlp {version} is {age} days old; YouTube "
                     "changes often and an old yt-dlp stops reading it",
                     f"update it: {UPDATE}", needed=False)
    return Check("yt-dlp", "ok", f"yt-dlp {version} ({age} days old)")


def runtime_checks(opts: DoctorOptions) -> list[Check]:
    runtimes = find_runtimes(opts.path, bundled=opts.bundled)
    usable = [r for r in runtimes if r.supported]
    too_old = [f"{r.name} {r.version} at {r.path} (too old)" for r in runtimes
               if not r.supported]
    if usable:
        first = usable[0]
        extra = f"; also found {', '.join(too_old)}" if too_old else ""
        runtime = Check("JavaScript runtime", "ok",
                        f"{first.name} {first.version} at {first.path}: fetch passes it to "
                        f"yt-dlp{extra}")
    else:
        found = f"found only {', '.join(too_old)}" if too_old else "none found"
        runtime = Check("JavaScript runtime", "missing",
                        f"{found}: without one, YouTube's formats go missing", INSTALL_FIX)
    version = ejs_version()
    wanted = _ejs_wanted()
    if version is None:
        ejs = Check("EJS challenge solver", "missing", "the yt-dlp-ejs scripts are not "
                    "installed", f"run {UPDATE}")
    elif wanted and version.split(".")[:2] != wanted.split(".")[:2]:
        ejs = Check("EJS challenge solver", "missing",
                    f"yt-dlp-ejs {version}, but this yt-dlp needs {wanted}", f"run {UPDATE}")
    else:
        ejs = Check("EJS challenge solver", "ok", f"yt-dlp-ejs {version}")
    return [runtime, ejs]


def setup_check(site: Site, secrets: Secrets) -> Check:
    """yt-dlp given fetch's options (the runtime, cookies, proxy, extractor_args): what it
    warns of when it starts (an unknown runtime or component, a cookies file it cannot
    load); nothing is asked of the network."""
    from companion._fetch.video import Log, YtDlpSource

    try:
        from yt_dlp import YoutubeDL
        from yt_dlp.utils import YoutubeDLError
    except ImportError:
        return Check("yt-dlp options", "skipped", "yt-dlp is not installed", needed=False)
    log = Log(secrets)
    settings = site.fetch
    try:
        check_cookies(settings, site.root)
    except CompanionError:  # the cookies check says why; yt-dlp would print the lines
        settings = replace(settings, cookies="")
    source = YtDlpSource(settings=settings, root=site.root, secrets=secrets)
    try:
        with YoutubeDL(source.params(log)) as ydl:
            ydl.cookiejar  # noqa: B018 - loads the cookies as a fetch would
    except (YoutubeDLError, ValueError, OSError) as exc:  # yt-dlp's words are the report
        return Check("yt-dlp options", "missing", secrets.redact(
            f"yt-dlp refuses fetch's options ({str(exc).splitlines()[0][:200]})"),
            "correct [fetch] in companion.toml")
    if log.warnings:
        return Check("yt-dlp options", "warning", "; ".join(log.warnings)[:400],
                     "correct [fetch] in companion.toml", needed=False)
    return Check("yt-dlp options", "ok", "yt-dlp takes fetch's options without a warning")


def _ejs_wanted() -> str | None:
    """The EJS script version this yt-dlp accepts (extractor/youtube/jsc/_builtin/ejs.py)."""
    try:
        from yt_dlp.extractor.youtube.jsc._builtin.ejs import EJSBaseJCP
    except ImportError:
        return None
    value = getattr(EJSBaseJCP, "_SCRIPT_VERSION", None)
    return value if isinstance(value, str) else None


def tool_checks(opts: DoctorOptions) -> list[Check]:
    out = []
    for tool in ("ffmpeg", "ffprobe"):
        path = shutil.which(tool, path=opts.path if opts.path is not None else None)
        if path is None:
            out.append(Check(tool, "missing", f"{tool} is not on PATH (audio conversion, "
                             "remuxing, video)", f"install {tool} (apt install ffmpeg, brew "
                             "install ffmpeg)"))
            continue
        out.append(Check(tool, "ok", f"{_first_line([path, '-version'])} at {path}"))
    return out


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return "version unknown"
    line = (done.stdout.strip().splitlines() or ["version unknown"])[0]
    return line.split(" Copyright")[0][:80]


def cookies_check(settings: FetchSettings, root: Path, now: datetime) -> Check:
    """The cookies file: readable, Netscape format, YouTube's, not all expired. Only counts
    and dates are shown, never a value."""
    name = "cookies"
    if settings.cookies_from_browser and not settings.cookies:
        browser = settings.cookies_from_browser.split(":")[0]
        return Check(name, "ok", f"read from the browser ({browser}) when fetch runs; not "
                     "checked here", needed=False)
    if not settings.cookies:
        return Check(name, "skipped", "no cookies configured (needed only when YouTube asks "
                     "to sign in or confirm you are not a bot)", needed=False)
    path = cookies_path(settings, root) or root
    fix = EXPORT_FIX
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return Check(name, "missing", f"{settings.cookies} cannot be read "
                     f"({exc.strerror or exc})", fix)
    lines = text.splitlines()
    bad = bad_lines(text)
    if bad:
        numbers = ", ".join(map(str, bad[:10]))
        what = f"line {numbers} is not a Netscape cookie line" if len(bad) == 1 \
            else f"lines {numbers} are not Netscape cookie lines"
        return Check(name, "missing", f"{settings.cookies}: {what} (not shown)", fix)
    if not lines or not lines[0].strip().startswith(_NETSCAPE):
        return Check(name, "missing", f"{settings.cookies} is not a Netscape cookies file "
                     "(its first line must be \"# Netscape HTTP Cookie File\")", fix)
    expiries = []
    for line in lines[1:]:
        fields = line.removeprefix("#HttpOnly_").split("\t")
        if len(fields) == 7 and (not line.startswith("#") or line.startswith("#HttpOnly_")) \
                and fields[0].lstrip(".").endswith("youtube.com"):
            expiries.append(int(fields[4]) if fields[4].lstrip("-").isdigit() else 0)
    if not expiries:
        return Check(name, "missing", f"{settings.cookies} has no youtube.com cookies", fix)
    stamp = now.timestamp()
    alive = [e for e in expiries if e == 0 or e > stamp]
    if not alive:
        last = datetime.fromtimestamp(max(expiries), UTC).date().isoformat()
        return Check(name, "missing", f"{settings.cookies}: all {len(expiries)} youtube.com "
                     f"cookies expired (the last on {last})", fix)
    return Check(name, "ok", f"{settings.cookies}: {count(len(alive), 'youtube.com cookie')} "
                 "valid (values not shown)")


def pot_checks(settings: FetchSettings, opts: DoctorOptions) -> list[Check]:
    """A PO-token provider: bgutil's plugin installed, its server answering ``/ping``."""
    import importlib.util

    args = settings.extractor_args.get(BGUTIL_ARGS, {})
    try:
        plugin = importlib.util.find_spec(BGUTIL_PLUGIN) is not None
    except (ImportError, ValueError):
        plugin = False
    tokens = any("po_token" in a for a in settings.extractor_args.values())
    if not args and not plugin:
        detail = ("a po_token is set in [fetch] extractor_args" if tokens else
                  "none configured (needed only when YouTube insists on PO tokens)")
        return [Check("PO-token provider", "skipped", detail, needed=False)]
    base = (args.get("base_url") or (BGUTIL_DEFAULT,))[0].rstrip("/")
    out = []
    if not plugin:
        out.append(Check("PO-token plugin", "missing", "extractor_args name bgutil's "
                         "provider, but its yt-dlp plugin is not installed",
                         "pip install bgutil-ytdlp-pot-provider"))
    if opts.offline:
        out.append(Check("PO-token provider", "skipped", f"{base} not asked (--offline)",
                         needed=False))
        return out
    answer = _get(f"{base}/ping", opts)
    if isinstance(answer, str):
        out.append(Check("PO-token provider", "missing", f"bgutil's server at {base} does not "
                         f"answer ({answer})", "start it: docker run -d -p 4416:4416 "
                         "brainicism/bgutil-ytdlp-pot-provider (README: \"When YouTube "
                         "blocks you\")"))
    else:
        version = _json_field(answer[1], "version")
        out.append(Check("PO-token provider", "ok", f"bgutil's server at {base} answers "
                         f"(version {version or 'unknown'})"))
    return out


def network_checks(site: Site, opts: DoctorOptions) -> list[Check]:
    if opts.offline:
        return [Check("network", "skipped", "YouTube, Spotify and the S3 endpoint not asked "
                      "(--offline)", needed=False)]
    out = [_answers("YouTube", opts.youtube, opts, "check the connection, a proxy "
                    "([fetch] proxy) or a firewall"),
           _answers("Spotify", opts.spotify_accounts, opts, "check the connection", False)]
    endpoint = s3_endpoint(site)
    if endpoint:
        out.append(_answers("S3 endpoint", endpoint, opts, "check [publish] endpoint_url and "
                            "the connection"))
    else:
        out.append(Check("S3 endpoint", "skipped", f"publishing to {site.publish.target}",
                         needed=False))
    out.append(spotify_credentials_check(opts))
    return out


def s3_endpoint(site: Site) -> str | None:
    """The S3 endpoint a publish asks (None: the target is a folder)."""
    if not site.publish.target.startswith("s3://"):
        return None
    if site.publish.endpoint_url:
        return site.publish.endpoint_url
    region = site.publish.region or os.environ.get("AWS_REGION") or "us-east-1"
    return f"https://s3.{region}.amazonaws.com"


def _answers(name: str, url: str, opts: DoctorOptions, fix: str, needed: bool = True
             ) -> Check:
    answer = _get(url, opts)
    if isinstance(answer, str):
        return Check(name, "missing", f"{url} does not answer ({answer})", fix, needed)
    return Check(name, "ok", f"{url} answers (HTTP {answer[0]})", needed=needed)


def spotify_credentials_check(opts: DoctorOptions) -> Check:
    """The app's credentials, when set: the accounts service gives a token for them."""
    from companion._catalogs.spotify import spotify_credentials

    env = os.environ if opts.environ is None else opts.environ
    try:
        credentials = spotify_credentials(env)
    except CompanionError as exc:
        return Check("Spotify credentials", "missing", exc.message, exc.fix)
    if credentials is None:
        return Check("Spotify credentials", "skipped", "SPOTIFY_CLIENT_ID and "
                     "SPOTIFY_CLIENT_SECRET not set: oEmbed gives titles and artwork only",
                     needed=False)
    answer = _request("POST", f"{opts.spotify_accounts}/api/token", opts,
                      data={"grant_type": "client_credentials"},
                      auth=(credentials.client_id, credentials.client_secret))
    fix = ("check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET (the app's settings at "
           "https://developer.spotify.com/dashboard)")
    if isinstance(answer, str):
        return Check("Spotify credentials", "missing", credentials.scrub(
            f"the accounts service does not answer ({answer})"), "check the connection")
    status, body = answer
    if status == 200 and _json_field(body, "access_token"):
        return Check("Spotify credentials", "ok", "accepted (a token was given)")
    reason = _json_field(body, "error_description") or _json_field(body, "error") or ""
    return Check("Spotify credentials", "missing", credentials.scrub(
        f"refused (HTTP {status}{': ' + reason if reason else ''})"), fix)


def _get(url: str, opts: DoctorOptions) -> tuple[int, bytes] | str:
    return _request("GET", url, opts)


def _request(method: str, url: str, opts: DoctorOptions, **kwargs: Any
             ) -> tuple[int, bytes] | str:
    """(status, the first 64 KiB) or, when nothing answered, why, in words."""
    import httpx

    from companion._http import make_client

    try:
        with make_client(retries=0, wait=0, timeout=opts.timeout) as http, \
                http.stream(method, url, **kwargs) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > 65536:
                    break
            return response.status_code, body
    except httpx.HTTPError as exc:
        return _words(exc)


def _words(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _json_field(body: bytes, key: str) -> str | None:
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if isinstance(value, str | int | float) else None

