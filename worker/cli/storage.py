"""`bayegan search | show | export | stats | index rebuild`: reading the archive.

The click context object is `worker.config.Settings` (archive_dir, index_url, worker_name,
warc_max_bytes, near_dup_threshold). Errors are one line, never a traceback.
"""
from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from worker.cli.options import archive_option, echo_rows, existing_archive_settings, json_option

if TYPE_CHECKING:   # storage pulls in datasketch/scipy: imported when a command runs, not for --help
    from storage import Archive


@contextmanager
def _archive(ctx: click.Context, archive_dir: Path | None = None, *, read_only: bool = False) -> Iterator[Archive]:
    """The existing archive (a missing one is an error naming the directory, see options.py);
    `read_only` for the commands that only read, so a read-only archive stays readable."""
    from storage import StorageError, open_from_settings

    settings = existing_archive_settings(ctx, archive_dir)
    try:
        arc = open_from_settings(settings, read_only=read_only)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield arc
    except StorageError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        arc.close()


def _date(value: str | None, flag: str) -> date | None:
    from parsers.dates import parse_user_date

    if not value:
        return None
    try:
        return parse_user_date(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: {exc}", param_hint=flag) from exc


@click.command()
@click.argument("query")
@click.option("--source", help="Only this source id.")
@click.option("--since", help="Published on or after (Jalali 1402/01/01 or Gregorian 2023-03-21).")
@click.option("--until", help="Published on or before (Jalali or Gregorian).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@json_option("One JSON object per hit (highlights as **…**).")
@archive_option
@click.pass_context
def search(ctx: click.Context, query: str, source: str | None, since: str | None, until: str | None,
           limit: int, as_json: bool, archive_dir: Path | None) -> None:
    """Full-text search over titles, leads and texts (Persian folding: ي/ی, digits, ZWNJ)."""
    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    color = not as_json and sys.stdout.isatty()
    marks = ("**", "**") if as_json or not color else ("\x1b[1;33m", "\x1b[0m")
    from storage import SearchQueryError

    with _archive(ctx, archive_dir, read_only=True) as arc:
        try:
            hits = arc.search(query, source=source, since=since_d, until=until_d, limit=limit, marks=marks)
        except SearchQueryError as exc:
            raise click.UsageError(str(exc)) from exc
    echo_rows(hits, as_json, "no matches", _hit_lines)


def _hit_lines(h: Mapping[str, Any]) -> Iterator[str]:
    yield f"{h['id']}  {h['source']}  {h['published'] or ''}"
    yield f"  {h['title_hl'] or h['title']}"
    yield f"  {h['url']}"
    if h.get("snippet"):
        yield f"  {h['snippet']}"
    yield ""


@click.command()
@click.argument("id_or_url")
@click.option("--versions", "with_versions", is_flag=True, help="Every stored version, with diffs of the text.")
@archive_option
@click.pass_context
def show(ctx: click.Context, id_or_url: str, with_versions: bool, archive_dir: Path | None) -> None:
    """Print one article (latest version) with its aliases and cluster, as JSON."""
    with _archive(ctx, archive_dir, read_only=True) as arc:
        info = arc.describe(id_or_url)
        if info is None:
            raise click.ClickException(f"{id_or_url}: no such article in the archive")
        out = {**info["article"].to_dict(), "archive": {k: v for k, v in info.items() if k != "article"}}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        if not with_versions:
            return
        versions = arc.versions(info["article"].id)
        events = arc.article_changes(info["article"].id)
    prev = None
    for v in versions:
        click.echo(f"\n=== version {v.version}  stored {v.stored_at}  {v.content_hash[:12]}")
        if prev is None:
            click.echo(f"title: {v.article.title}")
        else:
            if prev.article.title != v.article.title:
                click.echo(f"title: {prev.article.title!r} -> {v.article.title!r}")
            diff = difflib.unified_diff(prev.article.text.splitlines(), v.article.text.splitlines(),
                                        f"version {prev.version}", f"version {v.version}", lineterm="")
            for line in diff:
                click.echo(line)
        prev = v
    from worker.cli.change_lines import echo_article_changes

    echo_article_changes(events)    # edits (word diffs), removals, restorations, in time order


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "wacz"]), default="jsonl",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: stdout; parquet and wacz need a file). Its directory must exist.")
@click.option("--source", default=None,
              help="wacz: only this source's articles and WARC records (no other source's captures).")
@click.option("--since", default=None, help="wacz: captures from this day (YYYY-MM-DD or Jalali).")
@click.option("--until", default=None, help="wacz: captures up to this day, inclusive.")
@archive_option
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: str | None, source: str | None, since: str | None,
               until: str | None, archive_dir: Path | None) -> None:
    """Export the latest version of every article (or, as WACZ, the web archive itself)."""
    if fmt in ("parquet", "wacz") and output is None:
        raise click.UsageError(f"--format {fmt} needs --output FILE")
    if output is not None:
        # Checked before the archive is opened: a typo in -o must not cost a full export first.
        # Not created: a missing directory is more often a mistyped path than a wish.
        parent = Path(output).resolve().parent
        if not parent.is_dir():
            raise click.ClickException(f"{output}: directory {parent} does not exist")
    if fmt == "wacz":
        _export_wacz(ctx, output or "", source, since, until, archive_dir)
        return
    with _archive(ctx, archive_dir, read_only=True) as arc:
        n = arc.export(fmt, output if output else sys.stdout)
    click.echo(f"exported {n} articles", err=True)


def _export_wacz(ctx: click.Context, output: str, source: str | None, since: str | None, until: str | None,
                 archive_dir: Path | None) -> None:
    from storage.wacz import WaczSelection, export_wacz

    sel = WaczSelection(source, _date(since, "--since"), _date(until, "--until"))
    with _archive(ctx, archive_dir, read_only=True) as arc:
        report = export_wacz(arc, output, sel)
    click.echo(f"exported {report.pages} pages from {report.warcs} WARC files to {report.path}", err=True)


@click.command()
@json_option("The per-source rows as one JSON array.")
@archive_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool, archive_dir: Path | None) -> None:
    """Per source: articles, versions, aliases, last success, errors, share of empty bodies."""
    with _archive(ctx, archive_dir, read_only=True) as arc:
        rows = arc.stats()
        counts = arc.change_counts()
    for r in rows:                  # re-check findings (storage.changes)
        found = counts.get(r["source"], {})
        r.update(edits=found.get("edited", 0), removals=found.get("removed", 0),
                 restorations=found.get("restored", 0))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    head = (f"{'source':<14}{'articles':>9}{'versions':>9}{'aliases':>8}{'errors':>7}{'empty':>7}"
            f"{'edits':>6}{'removed':>8}  last success")
    click.echo(head)
    for r in rows:
        click.echo(f"{r['source']:<14}{r['articles']:>9}{r['versions']:>9}{r['aliases']:>8}{r['errors']:>7}"
                   f"{r['empty_share']:>7.1%}{r['edits']:>6}{r['removals']:>8}  {r['last_success'] or '-'}")


@click.group("index")
def index_group() -> None:
    """Maintain the index (it is rebuildable from the records on disk)."""


@index_group.command("rebuild")
@archive_option
@click.pass_context
def rebuild(ctx: click.Context, archive_dir: Path | None) -> None:
    """Rebuild the index from archive/records (torn lines are skipped and reported).

    The old index stays in place until the new one is complete; a damaged SQLite index is set
    aside (renamed *.damaged-<time>) and rebuilt from the records."""
    from storage.rebuild import set_aside_if_damaged

    settings = existing_archive_settings(ctx, archive_dir)
    if not settings.index_url:
        damaged = set_aside_if_damaged(Path(settings.archive_dir) / "index.sqlite3")
        if damaged is not None:
            click.echo(f"the index was damaged: set aside as {damaged.name}; rebuilding from the records", err=True)
    with _archive(ctx, archive_dir) as arc:
        report = arc.rebuild_index()
    click.echo(f"rebuilt: {report.records} record lines, {report.articles} articles")
    for s in report.skipped:
        click.echo(f"skipped: {s}", err=True)


def register(group: click.Group) -> None:
    for cmd in (search, show, export_cmd, stats, index_group):
        group.add_command(cmd)
