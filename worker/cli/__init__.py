"""`bayegan` command line: a thin layer over the library (sqlite-utils style).

Each family of commands lives in its own module with a `register(group)` function:
    worker/cli/parse.py    parse
    worker/cli/sources.py  sources list|check, backfill
    worker/cli/storage.py  search, show, export, stats, index rebuild
    worker/cli/run.py      ingest, run, reingest
    worker/cli/changes.py  recheck, changes
    worker/cli/serve.py    serve (the web app, worker/web)
    worker/cli/errors.py   errors
Shared options (`--archive`, `--sources`, `--json`) are in worker/cli/options.py. Command modules
import the heavy libraries (the parsers, datasketch/scipy, Celery, psycopg, pyarrow, httpx) inside the
commands, so `bayegan ... --help` starts fast (bench/startup.py measures it).
"""
from __future__ import annotations

import click

from worker.config import ConfigError, Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="TOML configuration file (BAYEGAN_* environment variables override it).")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """Bayegan (بایگان): archive Persian news agencies faithfully, once each."""
    try:
        ctx.obj = Settings.load(config_file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _register_all() -> None:
    from worker.cli import changes, errors, parse, run, serve, sources, storage

    for module in (parse, sources, storage, run, errors, changes, serve):
        module.register(cli)


_register_all()


def main() -> None:
    cli(prog_name="bayegan")

