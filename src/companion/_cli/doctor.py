"""`companion doctor`: can this machine fetch and publish? One check a line, with its fix."""

from __future__ import annotations

import click

from companion._cli.common import Ctx

_MARK = {"ok": "ok", "warning": "warn", "missing": "MISSING", "skipped": "skip"}


@click.command("doctor")
@click.option("--offline", is_flag=True,
              help="Skip the checks that ask the network (YouTube, Spotify, S3, PO tokens).")
@click.pass_obj
def command(ctx: Ctx, offline: bool) -> int:
    """Check what fetch and publish need here: yt-dlp and its age, the JavaScript runtime
    and challenge solver, ffmpeg, the cookies file, a PO-token provider, whether YouTube,
    Spotify and the S3 endpoint answer, the Spotify credentials.

    Exits 1 when something a configured feature needs is missing.
    """
    report = ctx.load().doctor(offline=offline)
    if ctx.json:
        ctx.print_json(report.to_json())
        return 0 if report.ok else 1
    for check in report.checks:
        line = f"{_MARK[check.status]:<8}{check.name}: {check.detail}"
        ctx.say(line if not check.fix or check.status in ("ok", "skipped")
                else f"{line}\n        fix: {check.fix}")
    failed = [c.name for c in report.checks if c.failed]
    ctx.say(f"missing: {', '.join(failed)}" if failed else "everything fetch and publish "
            "need is here")
    return 0 if report.ok else 1
