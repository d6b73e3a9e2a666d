"""`bayegan parse FILE|URL [--url URL] [--source ID] [--explain]`: print one Article as JSON.

`--explain` prints, instead of the JSON, which profile/layout the page chose (and why the others
did not apply) and per field which selector or heuristic produced the value and what else was
considered (parsers.explain); the exit codes stay the same.

Exit codes: 0 article printed; 2 not an article (homepage, listing); 1 bad input (missing, empty or
undecodable file, fetch failure). Errors are one line naming the file or URL, never a traceback.
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from parsers import NotAnArticle, ParseError, parse

EXIT_NOT_ARTICLE = 2


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"bayegan parse: {message}", err=True)
    sys.exit(code)


def _read_file(path_arg: str) -> bytes:
    path = Path(path_arg)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(f"{path_arg}: no such file")
    except IsADirectoryError:
        _fail(f"{path_arg}: is a directory, not a file")
    except OSError as exc:
        _fail(f"{path_arg}: cannot read: {exc.strerror or exc}")
    if not data.strip():
        _fail(f"{path_arg}: empty file")
    return data


def _fetch(settings, url: str, source: str | None) -> tuple[bytes, str, str | None]:
    """(content, final_url, content_type), fetched with the same politeness as the daemon."""
    from worker.http.errors import FetchError
    from worker.http.fetcher import make_fetcher

    try:
        result = make_fetcher(settings).fetch(url, _source_object(settings, source, url))
    except FetchError as exc:
        _fail(f"{url}: {exc}")
    return result.content, result.final_url or url, result.content_type


def _source_object(settings, source: str | None, url: str):
    """The registry entry for `source` (or the one whose hosts serve `url`), else None."""
    from urllib.parse import urlsplit

    from worker.sources import host_allowed, load_sources

    try:
        sources = load_sources(getattr(settings, "sources_file", None))
    except (ValueError, OSError) as exc:  # SourceError is a ValueError
        _fail(f"cannot read the source registry: {exc}")
    if source:
        if source not in sources:
            _fail(f"unknown source {source!r} (known: {', '.join(sorted(sources))}; see `bayegan sources list`)")
        return sources[source]
    host = (urlsplit(url).hostname or "").lower()
    return next((s for s in sources.values() if host_allowed(host, s.hosts)), None)


@click.command("parse")
@click.argument("target", metavar="FILE|URL")
@click.option("--url", "page_url", default=None, help="The page's URL (for a saved FILE): canonical URL, id, links.")
@click.option("--source", "source", default=None, help="Source id from the registry (e.g. isna).")
@click.option("--explain", is_flag=True, help="Say per field which selector or heuristic produced it, and what else "
              "was considered (text, not JSON).")
@click.pass_obj
def parse_command(settings, target: str, page_url: str | None, source: str | None, explain: bool = False) -> None:
    """Print one Article as JSON (UTF-8). Exit 2 if the page is not an article."""
    content_type = None
    if target.startswith(("http://", "https://")):
        data, final_url, content_type = _fetch(settings, target, source)
        url = page_url or final_url
        label = target
    else:
        data = _read_file(target)
        url = page_url or Path(target).resolve().as_uri()
        label = target
    if source is not None:   # a typo in --source is an error, not a silently unlabelled article
        _source_object(settings, source, url)
    elif url.startswith(("http://", "https://")):
        # A page of a registered agency is labelled with its id, as an ingest would label it.
        known = _source_object(settings, None, url)
        source = known.id if known is not None else None
    if explain:
        _explain(data, url, source, content_type, label)
        return
    fetched_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        article = parse(data, url, source=source, content_type=content_type, fetched_at=fetched_at)
    except NotAnArticle as exc:
        _fail(f"{label}: {_reason(exc)}", EXIT_NOT_ARTICLE)
    except ParseError as exc:
        _fail(f"{label}: {_reason(exc)}")
    _print_utf8(article.to_json(ensure_ascii=False, indent=2))


def _explain(data: bytes, url: str, source: str | None, content_type: str | None, label: str) -> None:
    from parsers.explain import explain, render

    try:
        report = explain(data, url, source=source, content_type=content_type)
    except ParseError as exc:
        _fail(f"{label}: {_reason(exc)}")
    _print_utf8(render(report, label))
    if report.refused:
        sys.exit(EXIT_NOT_ARTICLE)


def _print_utf8(text: str) -> None:
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        click.echo(text)
    else:  # UTF-8 whatever the locale says
        sys.stdout.flush()
        binary.write(text.encode("utf-8") + b"\n")
        binary.flush()


def _reason(exc: ParseError) -> str:
    """The message without the parser's own source prefix (we name the FILE/URL as given)."""
    return Exception.__str__(exc)


def register(group: click.Group) -> None:
    group.add_command(parse_command)
