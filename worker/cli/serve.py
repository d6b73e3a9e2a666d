"""`bayegan serve`: the read-only archive browser (worker/web) on uvicorn."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback unless asked).")
@click.option("--port", type=click.IntRange(0, 65535), default=8470, show_default=True)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Archive directory (default: the configured archive_dir).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, archive_dir: Path | None) -> None:
    """Browse the archive in a web browser (read-only, Persian UI)."""
    import uvicorn

    from worker.web.app import WebConfig, create_app

    settings = ctx.obj
    root = Path(archive_dir or settings.archive_dir)
    if not _is_loopback(host):
        click.echo(f"warning: serving the archive on {host}, reachable from other machines "
                   "(no login, read-only)", err=True)
    app = create_app(WebConfig(archive_dir=root, index_url=getattr(settings, "index_url", None)))
    click.echo(f"bayegan serve: {root} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(group: click.Group) -> None:
    group.add_command(serve)
