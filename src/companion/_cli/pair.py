"""`companion pair`: find each article's video and show episode in the channel's and the
show's catalogs (`companion.Project.pair`), show what was found, and with --accept write it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from companion._cli.common import Ctx
from companion._render.i18n import count

if TYPE_CHECKING:  # the matcher and the catalogs: imported when the command runs
    from rich.progress import Progress, TaskID

    from companion._catalogs import CatalogEvent
    from companion._match import CatalogEntry, Proposal, SideProposal
    from companion._project.pair import PairReport


@click.command("pair")
@click.argument("slugs", nargs=-1)
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A saved catalog: yt-dlp -J/-j output, Spotify's Get Show Episodes JSON, "
                   "or the show's RSS (repeatable).")
@click.option("--offline", is_flag=True, help="Use the cached catalogs only: no network.")
@click.option("--accept", is_flag=True,
              help="Write the paired ids into the articles (those named by SLUGs, else all).")
@click.option("--choose", nargs=2, multiple=True, metavar="SLUG ID",
              help="Settle an ambiguous article: ID is its video or episode (repeatable).")
@click.option("--reject", nargs=2, multiple=True, metavar="SLUG ID",
              help="Never propose ID for that article again (repeatable).")
@click.option("--orphans", is_flag=True,
              help="List the channel's videos and the show's episodes no article claims.")
@click.pass_obj
def command(ctx: Ctx, slugs: tuple[str, ...], catalogs: tuple[Path, ...], offline: bool,
            accept: bool, choose: tuple[tuple[str, str], ...],
            reject: tuple[tuple[str, str], ...], orphans: bool) -> int:
    """Pair each article with its YouTube video and show episode, from the channel's and
    the show's catalogs ([pair] in companion.toml, read from the network unless
    --offline, and saved --catalog files).

    Statuses: paired (sure enough to write), ambiguous (several fit: --choose one),
    unmatched, already (the article carries the id). --choose and --reject are recorded
    in pairing.toml (commit it). Exits 0 when it ran, 1 on an error.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if slugs and not accept:
        raise click.UsageError("SLUGs name the articles to accept: give --accept too")
    project = ctx.load()
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),
                  MofNCompleteColumn(), console=ctx.err,
                  disable=not (ctx.chatty and ctx.err.is_terminal), transient=True) as bar:
        task = bar.add_task("reading the catalogs", total=None)
        report = project.pair(catalogs, accept=list(slugs) if accept and slugs else accept,
                              choose=choose, reject=reject, offline=offline, orphans=orphans,
                              progress=_advance(bar, task))
    if ctx.json:
        ctx.print_json(report.orphans_json() if orphans else report.to_json())
        return 0
    if orphans:
        _print_orphans(ctx, report)
    else:
        _print_table(ctx, report)
    _summary(ctx, report, accept)
    return 0


def _advance(bar: Progress, task: TaskID) -> Callable[[CatalogEvent], None]:
    def on_event(event: CatalogEvent) -> None:
        bar.update(task, description=f"{event.stage}: {event.source}", completed=event.done,
                   total=event.total)

    return on_event


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "no date"


def _side(side: SideProposal, shown_id: str | None) -> str:
    if side.status not in ("paired", "already") or not shown_id:
        return "-"
    entry = side.entry
    if entry is None:
        return shown_id
    return f"{shown_id}  {entry.title}  ({_day(entry.date)})"


def _candidates(proposal: Proposal) -> str:
    return "\n".join(f"{c.source} {c.id} {c.score:.2f}  {c.title}"
                     for side in (proposal.youtube, proposal.show)
                     if side.status == "ambiguous" for c in side.candidates)


def _print_table(ctx: Ctx, report: PairReport) -> None:
    from rich.table import Table

    if not ctx.chatty:
        return
    table = Table(show_lines=True)
    for name in ("article", "status", "video", "episode", "confidence", "candidates"):
        table.add_column(name, overflow="fold")
    for proposal, article in zip(report.proposals, report.articles, strict=True):
        show_id = proposal.spotify_id or proposal.show.id
        table.add_row(f"{article.slug}\n{_day(article.date)}  {article.title}",
                      proposal.status, _side(proposal.youtube, proposal.youtube.id),
                      _side(proposal.show, show_id), f"{proposal.confidence:.2f}",
                      _candidates(proposal))
    ctx.out.print(table)


def _print_orphans(ctx: Ctx, report: PairReport) -> None:
    for entry in report.orphans:
        ctx.say(_orphan_line(entry))
    ctx.say(f"{count(len(report.orphans), 'video or episode', 'videos and episodes')} "
            "that no article claims (`companion new --from-video URL` drafts an article "
            "from a video)")


def _orphan_line(entry: CatalogEntry) -> str:
    return "  ".join((entry.source, entry.id, _day(entry.date), entry.title,
                      entry.url or ""))


def _summary(ctx: Ctx, report: PairReport, accept: bool) -> None:
    statuses = [p.status for p in report.proposals]
    if report.completed:
        ctx.say(f"completed the details of {count(report.completed, 'video')} from a flat "
                "listing, then matched again")
    ctx.say(", ".join(f"{statuses.count(s)} {s}" for s in
                      ("paired", "ambiguous", "unmatched", "already")))
    for rel in report.written:
        ctx.say(f"wrote {rel}")
    if not accept and statuses.count("paired"):
        ctx.say("run `companion pair --accept` to write the paired ids into the articles")
    if statuses.count("ambiguous"):
        ctx.say("settle an ambiguous article with `companion pair --choose SLUG ID` (or "
                "--reject SLUG ID)")
    for problem in report.notes:
        ctx.problem(problem)
