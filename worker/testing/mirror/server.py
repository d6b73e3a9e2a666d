"""MirrorServer: generated agencies served on 127.0.0.1, one origin (port) per agency.

    with MirrorServer(agencies=("isna", "tasnim"), articles=20) as mirror:
        mirror.write_sources_toml(tmp / "sources.toml")
        httpx.get(mirror.fault_urls["503"])      # 503 + Retry-After twice, then the article
        [r.path for r in mirror.request_log]

Everything is pre-rendered (see site.py); a request is a dictionary lookup plus, when asked,
a cached gzip. Conditional requests (If-None-Match / If-Modified-Since) get 304.
We use the standard library's ThreadingHTTPServer rather than a framework because the faults
need the raw socket (resets, truncated bodies, lying Content-Length).
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

from .faults import FAULTS, FEED_FAULTS, FaultCounters
from .handler import RequestRecord, _Handler, _Server
from .site import ARCHIVE_TEMPLATE, ARTICLE_PATTERN, LISTING_PATH, AgencySite
from .sources_toml import dump_sources
from .text import TEHRAN

DEFAULT_AGENCIES = ("isna", "yjc", "tasnim", "bbcpersian")
DEFAULT_START = datetime(2023, 4, 10, 20, 0, tzinfo=TEHRAN)   # 21 Farvardin 1402


@dataclass(frozen=True, slots=True)
class MirrorArticle:
    agency: str
    url: str
    truth: dict
    fault: str | None = None     # set for fault URLs that (eventually) serve this article


class MirrorServer:
    """Generated agencies on 127.0.0.1, each its own origin; context manager (starts/stops)."""

    def __init__(self, agencies: tuple[str, ...] | list[str] = DEFAULT_AGENCIES, articles: int = 20,
                 faults: bool = True, seed: int = 1, size_kb: int | None = None, *,
                 start: datetime = DEFAULT_START, spacing_minutes: float = 190, feed_size: int = 20,
                 page_size: int = 10, crawl_delay: float | None = None, politeness_interval: float = 0.0,
                 poll_interval: int = 60, slow_seconds: float = 3.0, huge_bytes: int = 24 * 1024 * 1024,
                 host: str = "127.0.0.1", port_base: int = 0, syndicated: int = 0,
                 url_variants: bool = False) -> None:
        self.agency_ids = tuple(agencies)
        self.n_articles, self.faults, self.seed, self.size_kb = articles, faults, seed, size_kb
        self.start_time, self.spacing = start, timedelta(minutes=spacing_minutes)
        self.feed_size, self.page_size, self.crawl_delay = feed_size, page_size, crawl_delay
        self.politeness_interval, self.poll_interval = politeness_interval, poll_interval
        self.slow_seconds, self.huge_bytes, self.host = slow_seconds, huge_bytes, host
        self.port_base = port_base       # 0: free ports; N: agencies on N, N+1, ..., foreign host last
        self.syndicated = syndicated     # the first N stories of every agency share their body text
        self.url_variants = url_variants # feeds add tracking parameters, listings link short forms
        self.request_log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._counters = FaultCounters()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self.sites: dict[str, AgencySite] = {}
        self._fault_by_path: dict[str, dict[str, str]] = {}
        self.foreign_base: str | None = None
        self.refused_base: str | None = None

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self) -> MirrorServer:
        if self._servers:
            return self
        foreign = self._bind("foreign", len(self.agency_ids))
        self.foreign_base = f"http://localhost:{foreign.server_address[1]}"
        with socket.socket() as s:          # a port nobody listens on, for the "refused" fault
            s.bind((self.host, 0))
            self.refused_base = f"http://{self.host}:{s.getsockname()[1]}"
        for agency in self.agency_ids:
            server = self._bind(agency, self.agency_ids.index(agency))
            site = AgencySite(agency, f"http://{self.host}:{server.server_address[1]}", articles=self.n_articles,
                              seed=self.seed * 10 + self.agency_ids.index(agency), size_kb=self.size_kb,
                              faults=self.faults, start=self.start_time, spacing=self.spacing,
                              feed_size=self.feed_size, page_size=self.page_size, crawl_delay=self.crawl_delay,
                              foreign_base=self.foreign_base, syndicated=self.syndicated,
                              refused_base=self.refused_base, url_variants=self.url_variants)
            self.sites[agency] = site
            self._fault_by_path[agency] = {unquote(p): name for name, p in site.fault_paths.items()}
            server.site = site
        for server in self._servers.values():
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"mirror-{server.agency}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _bind(self, agency: str, offset: int) -> _Server:
        server = _Server((self.host, self.port_base + offset if self.port_base else 0), _Handler)
        server.site, server.mirror, server.agency = None, self, agency
        self._servers[agency] = server
        return server

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    close = stop

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- what it serves ------------------------------------------------------------------------
    def base_url(self, agency_id: str) -> str:
        return self.sites[agency_id].base

    @property
    def articles(self) -> list[MirrorArticle]:
        """The good articles (no fault) of every agency, newest first per agency."""
        return [MirrorArticle(a, art.url, art.truth) for a, s in self.sites.items() for art in s.articles]

    @property
    def fault_articles(self) -> list[MirrorArticle]:
        """Articles behind fault URLs whose outcome is 'article' (plus the robots-disallowed one)."""
        return [MirrorArticle(a, art.url, art.truth, art.fault) for a, s in self.sites.items()
                for art in s.fault_articles]

    @property
    def fault_urls(self) -> dict[str, str]:
        """Fault name -> absolute URL on the first agency (see faults.FAULTS for what each does)."""
        return self.fault_urls_for(self.agency_ids[0])

    def fault_urls_for(self, agency_id: str) -> dict[str, str]:
        site = self.sites[agency_id]
        return {name: site.fault_url(name) for name in site.fault_paths}

    faults_table = FAULTS + FEED_FAULTS

    # ---- changes over time ---------------------------------------------------------------------
    def publish(self, agency_id: str, count: int = 1) -> list[MirrorArticle]:
        """New articles appear on `agency_id` (newest first in its feed, listings and sitemaps)."""
        return [MirrorArticle(agency_id, a.url, a.truth) for a in self.sites[agency_id].publish(count)]

    def edit(self, url: str) -> MirrorArticle:
        """The article at `url` is edited in place (new version: same URL, update paragraph appended)."""
        agency = next(a for a, s in self.sites.items() if url.startswith(s.base + "/"))
        art = self.sites[agency].edit(url)
        return MirrorArticle(agency, art.url, art.truth)

    def _site_of(self, url: str) -> AgencySite:
        return next(s for s in self.sites.values() if url.startswith(s.base + "/"))

    def remove(self, url: str, how: str = "404") -> None:
        """The story at `url` disappears (how: see worker.testing.mirror.mutations)."""
        from .mutations import remove
        remove(self._site_of(url), url, how)

    def restore(self, url: str) -> None:
        from .mutations import restore
        restore(self._site_of(url), url)

    def retitle(self, url: str, title: str) -> None:
        from .mutations import retitle
        retitle(self._site_of(url), url, title)

    def control(self, action: str, params: dict[str, str]) -> None:
        """`POST /_control/<action>?url=...`: edit [title=], remove [how=], restore."""
        url = params["url"]
        if action == "edit":
            self.retitle(url, params["title"]) if params.get("title") else self.edit(url)
        elif action == "remove":
            self.remove(url, params.get("how", "404"))
        elif action == "restore":
            self.restore(url)
        else:
            raise ValueError(f"unknown control action {action!r}")

    def reset_faults(self) -> None:
        """Re-arm the fail-N-times faults (503, 429, flaky)."""
        self._counters.reset()

    # ---- request log ---------------------------------------------------------------------------
    def _log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self.request_log.append(record)

    def requests(self, agency: str | None = None, path_prefix: str = "") -> list[RequestRecord]:
        with self._log_lock:
            return [r for r in self.request_log
                    if (agency is None or r.agency == agency) and unquote(r.path).startswith(unquote(path_prefix))]

    def clear_log(self) -> None:
        with self._log_lock:
            self.request_log.clear()

    # ---- registry ------------------------------------------------------------------------------
    def sources(self) -> list[dict]:
        out = []
        for agency, site in self.sites.items():
            b = site.base
            feeds = [b + site.feed_path]
            if self.faults:
                feeds += [b + site.fault_paths["feed-malformed"], b + site.fault_paths["feed-laughs"]]
            out.append({
                "id": agency, "name_fa": site.agency.name_fa, "name_en": f"{site.agency.name_en} (mirror)",
                "home": b + "/", "hosts": [self.host], "feeds": feeds, "sitemaps": [b + "/sitemap.xml"],
                "listings": [b + LISTING_PATH[site.family][0]],
                "article_patterns": [ARTICLE_PATTERN[site.family]],
                "archive_url": b + ARCHIVE_TEMPLATE[site.family],
                "poll_interval": self.poll_interval, "min_poll": 1, "max_poll": max(3600, self.poll_interval),
                "politeness_interval": float(self.politeness_interval), "profile": site.family,
                "enabled": True, "allow_private": True,
                # the "refused" fault's port is the source's own (nothing listens), not a foreign one
                "private_origins": [self.refused_base] if self.faults and self.refused_base else None,
            })
        return out

    def write_sources_toml(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(dump_sources(self.sources(), header="Test mirror sources (generated by worker.testing.mirror)"),
                        encoding="utf-8")
        return path


__all__ = ["DEFAULT_AGENCIES", "DEFAULT_START", "MirrorArticle", "MirrorServer", "RequestRecord"]
