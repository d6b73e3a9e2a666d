"""`bayegan ingest`, `bayegan run`, `bayegan reingest`: the three ways the pipeline runs."""
from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from worker.cli.options import chosen_sources, ensure_writable_archive
from worker.config import Settings
from worker.pipeline.outcomes import SUMMARY_STATUSES

if TYPE_CHECKING:
    from worker.pipeline.reingest import ReingestSummary

STATUS_COLUMNS = tuple(str(s) for s in SUMMARY_STATUSES)


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.load()
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(settings, **overrides) if overrides else settings


def _summary_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, justify="left" if col == "source" else "right")
    for row in rows:
        table.add_row(*(str(row.get(col, "")) for col in columns))
    return table


def _ingest(settings: Settings, source_ids: tuple[str, ...], *, show_progress: bool, as_json: bool) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from worker.logs import configure_logging
    from worker.pipeline.ingest import run_ingest
    from worker.pipeline.stages import Pipeline

    # With a progress bar, page failures show in the summary (and `bayegan stats`), not as log lines.
    configure_logging(dataclasses.replace(settings, log_level="ERROR") if show_progress else settings)
    # Two runs at once on one archive share claims and per-host politeness through files there.
    pipeline = Pipeline(settings, lock_dir=Path(settings.archive_dir) / "locks")
    try:
        sources = pipeline.sources
        ids = chosen_sources(sources, source_ids)
        err = Console(stderr=True)
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err, disable=not show_progress, transient=False)
        with progress:
            bar = progress.add_task(f"polling {len(ids)} source(s)", total=None)
            planned = {"n": 0}

            def on_planned(sid: str, n: int) -> None:
                planned["n"] += n
                progress.update(bar, total=planned["n"], description="ingesting")

            def on_done(sid: str, status: str) -> None:
                progress.advance(bar)

            summaries = run_ingest(pipeline, ids, threads=settings.ingest_threads,
                                   on_planned=on_planned, on_done=on_done)
            progress.update(bar, total=planned["n"], completed=planned["n"] if not pipeline.disk_full else None,
                            description="done" if not pipeline.disk_full else "stopped: disk full")
        rows = []
        for sid, s in summaries.items():
            row: dict[str, Any] = {"source": sid, "poll": "ok" if s.poll_ok else "FAILED",
                                   "discovered": s.discovered, "queued": s.queued,
                                   **{c: s.counts.get(c, 0) for c in STATUS_COLUMNS},
                                   "seconds": round(s.seconds, 2)}
            if s.error:
                row["poll_error"] = s.error
            rows.append(row)
        if as_json:
            click.echo(json.dumps({"archive": str(settings.archive_dir), "sources": rows}, ensure_ascii=False))
        else:
            out = Console(width=max(Console().width, 110))
            cols = ["source", "poll", "discovered", "queued", *STATUS_COLUMNS, "seconds"]
            totals = {c: sum(r[c] for r in rows) for c in ["discovered", "queued", *STATUS_COLUMNS]}
            out.print(_summary_table(f"bayegan ingest -> {settings.archive_dir}",
                                     [*rows, {"source": "TOTAL", "poll": "", **totals, "seconds": ""}], cols))
            for r in rows:
                if r.get("poll_error"):
                    out.print(f"[red]{r['source']}[/red]: poll failed: {r['poll_error']}")
            if any(r["error"] for r in rows) and not pipeline.disk_full:
                out.print("page errors are recorded in the archive: see `bayegan stats`")
        if pipeline.disk_full:
            raise click.ClickException(_disk_full_message(settings, pipeline.disk_full))
        return 0 if not rows or any(r["poll"] == "ok" for r in rows) else 1
    finally:
        pipeline.close()


def _disk_full_message(settings: Settings, exc: Exception) -> str:
    root = Path(settings.archive_dir).resolve()
    return (f"ingest stopped: no space left for the archive {root} ({exc.args[0] if exc.args else exc}). "
            "Everything stored so far is kept; free some space and run `bayegan ingest` again to carry on.")


@click.command("ingest")
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only these sources (repeatable).")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A sources registry TOML instead of the built-in one.")
@click.option("--mirror", is_flag=True,
              help="Start the built-in agency mirror on 127.0.0.1 and ingest it (a demo: no network needed).")
@click.option("--mirror-articles", type=int, default=20, show_default=True, help="Articles per mirrored agency.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Archive directory (default: BAYEGAN_ARCHIVE_DIR or ./archive).")
@click.option("--threads", type=int, help="Concurrent fetches (politeness still holds per host).")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs instead).")
@click.option("--json", "as_json", is_flag=True, help="Print the per-source summary as JSON.")
@click.pass_context
def ingest(ctx: click.Context, source_ids: tuple[str, ...], sources_file: Path | None, mirror: bool,
           mirror_articles: int, archive_dir: Path | None, threads: int | None, no_progress: bool,
           as_json: bool) -> None:
    """One pass over the sources in this process (no Redis): discover, fetch, archive, parse, store."""
    settings = _settings(ctx, archive_dir=archive_dir, ingest_threads=threads, sources_file=sources_file)
    ensure_writable_archive(settings)
    show = not no_progress and not as_json
    if not mirror:
        ctx.exit(_ingest(settings, source_ids, show_progress=show, as_json=as_json))
    from worker.cli.demo import demo_mirror

    mirror_server, stable = demo_mirror(mirror_articles)
    if not stable and show:
        click.echo("mirror: preferred ports taken, using free ones (a re-run will see new URLs)", err=True)
    with mirror_server as server, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mirror-sources.toml"
        server.write_sources_toml(path)
        if show:
            click.echo(f"mirror: {len(server.articles)} articles of {len(server.sources())} agencies on 127.0.0.1",
                       err=True)
        code = _ingest(dataclasses.replace(settings, sources_file=path), source_ids,
                       show_progress=show, as_json=as_json)
    ctx.exit(code)


@click.command("run")
@click.option("--concurrency", "-c", type=int, help="Worker processes (default BAYEGAN_CONCURRENCY).")
@click.option("--queues", "-Q", default=None, help="Comma-separated stages (default: all).")
@click.option("--no-beat", is_flag=True, help="Worker only (a fleet runs exactly one beat elsewhere).")
@click.option("--loglevel", "-l", default=None, help="Celery log level (default BAYEGAN_LOG_LEVEL).")
@click.pass_context
def run(ctx: click.Context, concurrency: int | None, queues: str | None, no_beat: bool,
        loglevel: str | None) -> None:
    """Worker + beat for a one-machine daemon (Celery on Redis at BAYEGAN_BROKER_URL)."""
    config_file = (ctx.parent.params.get("config_file") if ctx.parent else None)
    if config_file:       # the Celery app loads its own Settings: hand it the same file
        os.environ["BAYEGAN_CONFIG"] = str(config_file)
    from worker.daemon.app import STAGES, app, queue_name, settings

    stages = [q.strip() for q in (queues.split(",") if queues else STAGES) if q.strip()]
    bad = [q for q in stages if q not in STAGES]
    if bad:
        raise click.ClickException(f"unknown queue(s) {', '.join(bad)}; stages are {', '.join(STAGES)}")
    argv = ["worker", "-Q", ",".join(queue_name(q) for q in stages),
            "--concurrency", str(concurrency or settings.concurrency),
            "--loglevel", (loglevel or settings.log_level).upper(), "-E"]
    if not no_beat:
        argv.append("-B")
    app.worker_main(argv)


@click.command("reingest")
@click.option("--source", "source_id", metavar="ID", help="Only this source.")
@click.option("--since", metavar="DATE", help="Captures fetched on or after DATE (1402/01/01 or 2023-03-21).")
@click.option("--refetch", is_flag=True, help="Fetch the pages again instead of re-parsing the WARC captures.")
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Archive directory (default: BAYEGAN_ARCHIVE_DIR or ./archive).")
@click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sources registry for --refetch (default: BAYEGAN_SOURCES_FILE or the built-in one).")
@click.option("--celery", "via_celery", is_flag=True, help="Queue it as a Celery task on the `reingest` queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def reingest(ctx: click.Context, source_id: str | None, since: str | None, refetch: bool,
             archive_dir: Path | None, sources_file: Path | None, via_celery: bool, as_json: bool) -> None:
    """Re-parse archived WARC captures with the current parsers; a new version only where output changed."""
    settings = _settings(ctx, archive_dir=archive_dir, sources_file=sources_file)
    ensure_writable_archive(settings)
    if since:
        from parsers.dates import parse_user_date

        try:
            since = parse_user_date(since).isoformat()
        except ValueError as exc:
            raise click.BadParameter(f"{since!r}: {exc}", param_hint="--since") from exc
    if via_celery:
        from worker.daemon.app import app

        result = app.send_task("worker.tasks.reingest", kwargs={"source": source_id, "since": since,
                                                                 "refetch": refetch})
        click.echo(result.id)
        return
    from worker.logs import configure_logging
    from worker.pipeline.reingest import reingest as run_reingest
    from worker.pipeline.stages import Pipeline

    configure_logging(settings)
    pipeline = Pipeline(settings)
    try:
        summary = run_reingest(pipeline, source=source_id, since=since, refetch=refetch)
    finally:
        pipeline.close()
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        _print_reingest(summary)
    if summary.damaged:
        for spot in summary.damaged:
            click.echo(f"bayegan reingest: damaged WARC data skipped: {spot}", err=True)
        raise click.ClickException(f"{len(summary.damaged)} damaged spot(s) in the WARC files; "
                                   "the captures around them were re-parsed")


def _print_reingest(summary: ReingestSummary) -> None:
    from rich.console import Console

    rows = [{"source": src, **{c: counts.get(c, 0) for c in STATUS_COLUMNS}}
            for src, counts in sorted(summary.by_source.items())]
    Console(width=max(Console().width, 100)).print(_summary_table(
        f"bayegan reingest: {summary.articles} article(s) from {summary.captures} capture(s)",
        rows, ["source", *STATUS_COLUMNS]))


def register(group: click.Group) -> None:
    for command in (ingest, run, reingest):
        group.add_command(command)
