"""`bayegan sources list|check` and `bayegan backfill`.

`sources check` is how a user learns an agency changed its site: it fetches every feed, sitemap
and listing of a source and one article, and says what works. `backfill` walks the Jalali-dated
archive pages (resumable: checkpoint under <archive>/backfill/) and hands the links to the
pipeline (`Pipeline.process_links`) when it is there, or prints them with --list-only.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click

from worker.config import Settings

__all__ = ["check_source", "make_fetcher", "register"]


def _settings(ctx: click.Context, sources_file: Path | None = None) -> Settings:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.load()
    return dataclasses.replace(settings, sources_file=sources_file) if sources_file else settings


def _load(settings: Settings) -> dict[str, Any]:
    from worker.sources import SourceError, load_sources

    try:
        return load_sources(settings.sources_file)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from exc


def _pick(sources: dict[str, Any], ids: tuple[str, ...] | list[str]) -> list[Any]:
    unknown = [i for i in ids if i not in sources]
    if unknown:
        raise click.ClickException(f"unknown source(s): {', '.join(unknown)} (see `bayegan sources list`)")
    return [sources[i] for i in ids] if ids else list(sources.values())


def make_fetcher(settings: Settings) -> Any:
    """A Fetcher sharing politeness through Redis when Redis answers, in-process otherwise."""
    from worker.http import fetcher

    client: Any = None
    try:
        import redis

        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=0.5, socket_timeout=2)
        client.ping()
    except Exception:   # no Redis: `bayegan` works standalone
        client = None
    return fetcher.make_fetcher(settings, client)


def _check_fetcher(settings: Settings) -> Any:
    """A Fetcher for `sources check` with in-process politeness only.

    A check must not change what a running daemon does: the shared Redis politeness would
    record the check's failed connects as host-down marks that the daemon's fetchers obey.
    """
    from worker.http.fetcher import Fetcher
    from worker.http.politeness import LocalPoliteness

    return Fetcher(settings, politeness=LocalPoliteness(settings))


# -- check --------------------------------------------------------------------------------
@dataclass
class Probe:
    kind: str
    url: str
    ok: bool
    detail: str


@dataclass
class SourceReport:
    source: str
    probes: list[Probe] = field(default_factory=list)

    @property
    def discovery_ok(self) -> bool:
        return any(p.ok for p in self.probes if p.kind in ("feed", "sitemap", "listing"))

    @property
    def article_ok(self) -> bool:
        return any(p.ok for p in self.probes if p.kind == "article")

    @property
    def ok(self) -> bool:
        return self.discovery_ok and self.article_ok

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "ok": self.ok, "probes": [dataclasses.asdict(p) for p in self.probes]}


def check_source(source: Any, fetcher: Any) -> SourceReport:
    """Probe every discovery endpoint of `source` and fetch (and parse) one article found."""
    from worker.discovery.feeds import FeedError, page_links, parse_feed, parse_sitemap
    from worker.discovery.links import article_links
    from worker.http.errors import FetchError

    report = SourceReport(source.id)
    found: list[Any] = []

    def probe(kind: str, url: str, read) -> None:
        try:
            result = fetcher.fetch(url, source)
            detail, links = read(result)
        except (FetchError, FeedError) as exc:
            report.probes.append(Probe(kind, url, False, f"{type(exc).__name__}: {exc}"))
            return
        found.extend(links)
        report.probes.append(Probe(kind, url, bool(links) or (kind == "sitemap" and "child" in detail), detail))

    def read_feed(result):
        links = article_links(source, parse_feed(result.content, result.final_url), {"via": "feed"})
        return f"{len(links)} article links", links

    def read_sitemap(result):
        doc = parse_sitemap(result.content, result.final_url)
        links = article_links(source, doc.pages, {"via": "sitemap"})
        return f"{len(links)} article links, {len(doc.sitemaps)} child sitemaps", links

    def read_page(result):
        links = article_links(source, page_links(result.content, result.final_url, result.encoding), {})
        return f"{len(links)} article links", links

    for url in source.feeds:
        probe("feed", url, read_feed)
    for url in source.sitemaps:
        probe("sitemap", url, read_sitemap)
    for url in source.listings:
        probe("listing", url, read_page)
    if source.archive_url:
        probe("archive", source.archive_page_url(date.today() - timedelta(days=1), 1), read_page)
    if found:
        report.probes.append(_probe_article(source, fetcher, found[0].url))
    else:
        report.probes.append(Probe("article", source.home, False, "no article link found to try"))
    return report


def _probe_article(source: Any, fetcher: Any, url: str) -> Probe:
    from worker.http.errors import FetchError

    try:
        result = fetcher.fetch(url, source)
    except FetchError as exc:
        return Probe("article", url, False, f"{type(exc).__name__}: {exc}")
    try:
        from parsers import ParseError, parse

        article = parse(result.content, result.final_url, source=source.id, content_type=result.content_type)
    except ImportError:
        return Probe("article", url, True, f"HTTP {result.status}, {len(result.content)} bytes")
    except ParseError as exc:
        return Probe("article", url, False, f"fetched but not parsed: {exc}")
    except Exception as exc:   # a parser bug is reported, not fatal to the check
        return Probe("article", url, False, f"parser failed: {type(exc).__name__}: {exc}")
    return Probe("article", url, True, f"parsed: {article.title[:60]!r} ({len(article.text)} chars)")


# -- commands -----------------------------------------------------------------------------
_sources_opt = click.option("--sources", "sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            default=None, help="Registry TOML (default: BAYEGAN_SOURCES_FILE or the shipped one).")


@click.group("sources")
def sources_group() -> None:
    """The agency registry: list it, check which endpoints still work."""


@sources_group.command("list")
@_sources_opt
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_context
def list_cmd(ctx: click.Context, sources_file: Path | None, as_json: bool) -> None:
    """List the configured agencies."""
    sources = _load(_settings(ctx, sources_file))
    if as_json:
        for s in sources.values():
            click.echo(json.dumps(s.to_dict(), ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(sources)} sources")
    for col in ("id", "name", "نام", "profile", "feeds", "sitemaps", "listings", "archive", "poll s", "enabled"):
        table.add_column(col)
    for s in sources.values():
        table.add_row(s.id, s.name_en, s.name_fa, s.profile, str(len(s.feeds)), str(len(s.sitemaps)),
                      str(len(s.listings)), "yes" if s.archive_url else "-", str(s.poll_interval),
                      "yes" if s.enabled else "no")
    Console(width=160).print(table)


@sources_group.command("check")
@click.argument("ids", nargs=-1)
@_sources_opt
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def check_cmd(ctx: click.Context, ids: tuple[str, ...], sources_file: Path | None, as_json: bool) -> None:
    """Fetch the feeds, sitemaps, listings and one article of each source (all if no ID); exit 1 if one fails."""
    settings = _settings(ctx, sources_file)
    chosen = _pick(_load(settings), ids)
    fetcher = _check_fetcher(settings)
    failed = 0
    for source in chosen:
        report = check_source(source, fetcher)
        failed += any(not p.ok for p in report.probes)   # every FAIL line counts, as the help says
        if as_json:
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
            continue
        click.echo(f"{source.id}: {'OK' if report.ok else 'PROBLEMS'}")
        for p in report.probes:
            click.echo(f"  {'ok  ' if p.ok else 'FAIL'} {p.kind:<8} {p.url}  {p.detail}")
    if failed:
        raise SystemExit(1)


@click.command("backfill")
@click.option("--source", "source_id", required=True, help="Source id (see `bayegan sources list`).")
@click.option("--from", "date_from", required=True, help="First day: 1402/01/01, ۱۴۰۲/۰۱/۰۱ or 2023-03-21.")
@click.option("--to", "date_to", required=True, help="Last day (inclusive), same formats.")
@_sources_opt
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Resume file (default: <archive>/backfill/<source>.json).")
@click.option("--max-pages", type=int, default=200, show_default=True, help="Archive pages per day at most.")
@click.option("--list-only", is_flag=True, help="Print the links instead of handing them to the pipeline.")
@click.pass_context
def backfill_cmd(ctx: click.Context, source_id: str, date_from: str, date_to: str, sources_file: Path | None,
                 checkpoint: Path | None, max_pages: int, list_only: bool) -> None:
    """List (and queue) every article of a date range from the Jalali-dated archive pages. Resumable."""
    from worker.discovery.backfill import BackfillError, JsonCheckpoint, backfill
    from worker.http.errors import FetchError
    from worker.pipeline.outcomes import PageStatus

    settings = _settings(ctx, sources_file)
    source = _pick(_load(settings), [source_id])[0]
    start, end = _user_date(date_from, "--from"), _user_date(date_to, "--to")
    cp = JsonCheckpoint(checkpoint or Path(settings.archive_dir) / "backfill" / f"{source.id}.json")
    pipeline = None if list_only else _pipeline(settings)
    fetcher = pipeline.fetcher if pipeline is not None else make_fetcher(settings)
    counts: dict[str, int] = {}
    listed = 0
    batch: list[Any] = []

    def hand_over() -> None:
        # The pipeline's own steps: claim what the archive lacks, then fetch, archive, parse, store.
        assert pipeline is not None   # only called when links go through the pipeline
        for link in pipeline.process_links(source, batch):
            try:
                status = pipeline.ingest_link(link.url, source.id, link.canonical_url)
            except Exception as exc:   # one page's trouble never stops a backfill
                status = PageStatus.ERROR
                click.echo(f"{link.url}: {type(exc).__name__}: {exc}", err=True)
            counts[status] = counts.get(status, 0) + 1
        batch.clear()

    try:
        for link in backfill(source, start, end, fetcher, checkpoint=cp, max_pages=max_pages):
            listed += 1
            if pipeline is None:
                click.echo(link.url)
                continue
            batch.append(link)
            if len(batch) >= 50:
                hand_over()
        if batch and pipeline is not None:
            hand_over()
    except (BackfillError, FetchError) as exc:
        # Only promise a resume when a checkpoint was actually written.
        saved = f" (progress is saved in {cp.path}; run the same command to resume)" if Path(cp.path).exists() else ""
        raise click.ClickException(f"{exc}{saved}") from exc
    finally:
        if pipeline is not None:
            pipeline.close()
    summary = f"{source.id}: {listed} article links listed from {start} to {end}"
    if pipeline is not None:
        summary += ", pipeline: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing new")
    click.echo(summary, err=True)


def _user_date(text: str, option: str) -> date:
    from parsers.dates import parse_user_date

    try:
        return parse_user_date(text)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(f"{text!r}: {exc}", param_hint=option) from exc


def _pipeline(settings: Settings) -> Any:
    """The in-process Pipeline that claims, fetches, archives, parses and stores backfilled links."""
    from worker.pipeline.stages import Pipeline

    return Pipeline(settings)


def register(group: click.Group) -> None:
    group.add_command(sources_group)
    group.add_command(backfill_cmd)
