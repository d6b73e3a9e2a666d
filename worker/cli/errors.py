"""`bayegan errors [--source ID] [--since DATE] [--kind KIND] [--limit N] [--json]`: what failed.

Reads the index's errors table (every fetch, parse and store failure the pipeline recorded,
`Archive.record_error`), newest first. Works on the SQLite and the PostgreSQL index alike.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from worker.cli.options import archive_option, echo_rows, json_option


@click.command("errors")
@click.option("--source", help="Only this source id.")
@click.option("--since", help="Recorded on or after this day (Jalali 1402/01/01 or Gregorian 2023-03-21).")
@click.option("--kind", help="Only this kind of error (fetch, parse, store, discovery, ...).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@json_option("One JSON object per error (source, url, kind, message, at).")
@archive_option
@click.pass_context
def errors_cmd(ctx: click.Context, source: str | None, since: str | None, kind: str | None, limit: int,
               as_json: bool, archive_dir: Path | None) -> None:
    """List what failed (time, source, kind, URL, message), newest first."""
    from worker.cli.storage import _archive, _date

    since_day = _date(since, "--since")
    with _archive(ctx, archive_dir, read_only=True) as arc:
        rows = arc.errors(source=source, since=since_day, kind=kind, limit=limit)
    echo_rows(rows, as_json, "no errors recorded", _error_lines)


def _error_lines(row: Mapping[str, Any]) -> Iterator[str]:
    yield f"{row['at']}  {row['source'] or '-'}  {row['kind']}  {row['url'] or '-'}"
    yield f"  {row['message']}"


def register(group: click.Group) -> None:
    group.add_command(errors_cmd)
