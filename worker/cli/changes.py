"""`bayegan recheck` (re-fetch stored articles that are due) and `bayegan changes` (edits,
removals, restorations in time order). Both are thin layers over worker.pipeline.recheck and
`storage.Archive.changes`; errors are one line, never a traceback."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from worker.cli.options import chosen_sources, ensure_writable_archive


@click.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only these sources (repeatable).")
@click.option("--all", "every", is_flag=True, help="Re-check every stored article now, due or not.")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A sources registry TOML instead of the built-in one.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_context
def recheck(ctx: click.Context, source_ids: tuple[str, ...], every: bool, sources_file: Path | None,
            as_json: bool) -> None:
    """Fetch again the stored articles whose re-check is due (1h, 6h, 1d, 3d, 7d, 30d after the
    first capture), store edits as versions and note removals and restorations."""
    from storage import StorageError
    from worker.logs import configure_logging
    from worker.pipeline.recheck import run_source
    from worker.pipeline.stages import Pipeline
    from worker.sources import SourceError

    settings = ctx.obj if sources_file is None else dataclasses.replace(ctx.obj, sources_file=sources_file)
    ensure_writable_archive(settings)
    configure_logging(dataclasses.replace(settings, log_level="WARNING"))
    pipeline = Pipeline(settings)
    try:
        ids = chosen_sources(pipeline.sources, source_ids)
        rows = [run_source(pipeline, sid, every=every).to_dict() for sid in ids]
    except (SourceError, StorageError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        pipeline.close()
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['source']}: {row['checked']} re-checked of {row['due']} due"
                       f" ({row['same']} same, {row['edited']} edited, {row['removed']} removed,"
                       f" {row['restored']} restored, {row['gone']} still gone, {row['retry']} to retry"
                       f"{', ' + str(row['deferred']) + ' deferred' if row['deferred'] else ''})")


@click.command()
@click.option("--source", help="Only this source id.")
@click.option("--since", help="Changes on or after this day (Jalali 1402/01/01 or Gregorian), Tehran time.")
@click.option("--until", help="Changes on or before this day (Jalali or Gregorian), Tehran time.")
# the strings of storage.changes.ChangeKind (spelled here: importing storage would slow every --help)
@click.option("--kind", type=click.Choice(["edited", "removed", "restored"]), help="Only this kind of change.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per change.")
@click.pass_context
def changes(ctx: click.Context, source: str | None, since: str | None, until: str | None, kind: str | None,
            as_json: bool) -> None:
    """Edits, removals and restorations found by re-checks, one line each, in time order."""
    from worker.cli.change_lines import change_json, change_line
    from worker.cli.storage import _archive, _date

    since_d, until_d = _date(since, "--since"), _date(until, "--until")
    with _archive(ctx, read_only=True) as arc:
        found = arc.changes(source=source, since=since_d, until=until_d, kind=kind)
    for c in found:
        click.echo(change_json(c) if as_json else change_line(c))
    if not found and not as_json:
        click.echo("no changes", err=True)


def register(group: click.Group) -> None:
    group.add_command(recheck)
    group.add_command(changes)
