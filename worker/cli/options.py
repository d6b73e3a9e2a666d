"""Options every command group shares (`--archive`, `--sources`, `--json`) and the settings they build.

One definition each, so the flag, its help text and its parameter name are the same everywhere.
Only `ingest`, `run`, `reingest` and `backfill` create an archive; the reading commands open an
existing one through `existing_archive_settings`, which says which directory it looked for.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from worker.config import Settings

F = TypeVar("F", bound=Callable[..., object])

INDEX_FILE = "index.sqlite3"   # the SQLite index's name inside the archive (storage.index.sqlite)
RECORDS_DIR = "records"        # the JSONL records (the truth) inside the archive


def archive_option[C: Callable[..., object]](func: C) -> C:
    """`--archive DIR` as parameter `archive_dir` (None: BAYEGAN_ARCHIVE_DIR or ./archive)."""
    return click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=None, help="Archive directory (default: BAYEGAN_ARCHIVE_DIR or ./archive).")(func)


def sources_option[C: Callable[..., object]](func: C) -> C:
    """`--sources FILE` as parameter `sources_file` (None: BAYEGAN_SOURCES_FILE or the shipped registry)."""
    return click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        default=None,
                        help="Registry TOML (default: BAYEGAN_SOURCES_FILE or the shipped one).")(func)


def json_option(help_text: str = "Print JSON (one object per line where there are several).") -> Callable[[F], F]:
    """`--json` as flag parameter `as_json`; the help says what the JSON holds for this command."""
    def decorate(func: F) -> F:
        return click.option("--json", "as_json", is_flag=True, help=help_text)(func)
    return decorate


def echo_rows(rows: Sequence[Mapping[str, Any]], as_json: bool, empty: str,
              human: Callable[[Mapping[str, Any]], Iterable[str]]) -> None:
    """A reading command's listing: JSON Lines with --json; else `empty` on stderr when there is
    nothing (stdout stays clean for pipes), or each row as the lines `human` makes of it."""
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo(empty, err=True)
        return
    for row in rows:
        for line in human(row):
            click.echo(line)


def settings_from(ctx: click.Context, **overrides: object) -> Settings:
    """The group's Settings with the options the user gave (None means: not given) applied."""
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.load()
    given = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(settings, **given) if given else settings   # type: ignore[arg-type]


def existing_archive_settings(ctx: click.Context, archive_dir: Path | None = None) -> Settings:
    """Settings for a command that reads an archive: a missing archive is an error, not a new empty one.

    With the default SQLite index the archive must hold its index or its records; with a
    PostgreSQL index (BAYEGAN_INDEX_URL) the database is the index and the directory may be elsewhere.
    """
    settings = settings_from(ctx, archive_dir=archive_dir)
    root = Path(settings.archive_dir)
    if settings.index_url or (root / INDEX_FILE).is_file() or (root / RECORDS_DIR).is_dir():
        return settings
    where = root.resolve()
    reason = "does not exist" if not root.exists() else f"has no {INDEX_FILE} or {RECORDS_DIR}/"
    raise click.ClickException(
        f"no archive at {where} ({reason}); give --archive DIR or set BAYEGAN_ARCHIVE_DIR "
        "(`bayegan ingest` creates an archive)")


def ensure_writable_archive(settings: Settings) -> None:
    """Commands that write (ingest, reingest, recheck) say at once, in one line, when the archive
    cannot be written, instead of failing on every page."""
    import os

    root = Path(settings.archive_dir)
    probe = root if root.exists() else next((p for p in root.parents if p.exists()), root)
    read_only_fs = probe.exists() and bool(os.statvfs(probe).f_flag & os.ST_RDONLY)
    if read_only_fs or (probe.exists() and not os.access(probe, os.W_OK)):
        raise click.ClickException(f"the archive {root.resolve()} is read-only: this command needs to write "
                                   "(the reading commands search, show, export and stats work on it)")


def chosen_sources(sources: Mapping[str, Any], source_ids: tuple[str, ...]) -> list[str]:
    """The `--source` ids a pass runs over (every enabled source when none is given); an unknown
    id is a one-line error, never a silent skip."""
    ids = list(source_ids) or [sid for sid, s in sources.items() if s.enabled]
    unknown = [sid for sid in ids if sid not in sources]
    if unknown:
        raise click.ClickException(f"unknown source(s): {', '.join(unknown)} (see `bayegan sources list`)")
    return ids

