"""Discovery: what has a source published? Feeds, sitemaps (indexes, news sitemaps) and listing pages.

`discover(source, fetcher, state=None) -> list[Link]` returns every article link found, on the
source's hosts only, canonicalized (parsers.urls) and de-duplicated, newest documents first.
`state` (a JSON-able dict per source, in memory or in Redis via worker.discovery.polling.load/save_state)
keeps conditional-GET validators and body hashes (an unchanged feed is not parsed again), the
recently seen links (to count what is new) and the adaptive poll interval (worker.discovery.polling).
One broken endpoint never hides the others; only when every endpoint fails does discovery raise
`DiscoveryFailed` (transient if any cause was).
Backfill through Jalali-dated archive pages lives in worker.discovery.backfill and is re-exported here.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from parsers.urls import InvalidURL, canonicalize
from worker.discovery import polling
from worker.discovery.feeds import Entry, FeedError, page_links, parse_feed, parse_sitemap
from worker.http.errors import FetchError

__all__ = ["SEEN_MAX", "DiscoveryFailed", "Link", "article_links", "discover"]

log = logging.getLogger(__name__)
SEEN_MAX = 5000            # remembered canonical URLs per source (for the "new" share)
MAX_CHILD_SITEMAPS = 5     # child sitemaps of an index read per poll (news sitemaps first)


@dataclass(slots=True)
class Link:
    url: str
    canonical_url: str
    hint: dict[str, Any] = field(default_factory=dict)   # via, feed, title, published, date, page


class DiscoveryFailed(FetchError):
    """Every discovery endpoint of a source failed. `.errors` lists them."""

    def __init__(self, source_id: str, url: str, errors: list[BaseException]) -> None:
        summary = "; ".join(str(e) for e in errors[:5])
        super().__init__(f"every discovery endpoint failed: {summary}", url=url, source=source_id)
        self.errors = errors
        self.retryable = any(getattr(e, "transient", False) for e in errors)


def _to_link(source: Any, entry: Entry, hint: dict[str, Any]) -> Link | None:
    if not source.is_article_url(entry.url):
        return None
    try:
        canonical = canonicalize(entry.url, source.id)
    except InvalidURL:
        return None
    hint = dict(hint)
    if entry.title:
        hint["title"] = entry.title
    if entry.published is not None:
        hint["published"] = entry.published if isinstance(entry.published, str) else entry.published.isoformat()
    return Link(entry.url, canonical, hint)


def article_links(source: Any, entries: Iterable[Entry], hint: dict[str, Any]) -> list[Link]:
    """The entries that are articles of `source` (its hosts and patterns), canonical and unique."""
    out: dict[str, Link] = {}
    for entry in entries:
        link = _to_link(source, entry, hint)
        if link is not None and link.canonical_url not in out:
            out[link.canonical_url] = link
    return list(out.values())


def _fetch_doc(fetcher: Any, url: str, source: Any, state: MutableMapping[str, Any]):
    """Conditional GET with the stored validators; None when the document is unchanged."""
    validators = state.setdefault("validators", {})
    known = validators.get(url, {})
    result = fetcher.fetch(url, source, etag=known.get("etag"), last_modified=known.get("last_modified"),
                           previous_hash=known.get("hash"))
    if result.unchanged:
        return None
    return result


def _remember(state: MutableMapping[str, Any], url: str, result: Any) -> None:
    """Store validators only once the document was read: a broken feed is re-read next time."""
    state.setdefault("validators", {})[url] = {
        "etag": result.etag, "last_modified": result.last_modified, "hash": result.body_hash}


def _from_feed(source, fetcher, url, state) -> list[Link]:
    result = _fetch_doc(fetcher, url, source, state)
    if result is None:
        return []
    links = article_links(source, parse_feed(result.content, result.final_url), {"via": "feed", "from": url})
    _remember(state, url, result)
    return links


def _from_sitemap(source, fetcher, url, state, depth: int = 0) -> list[Link]:
    result = _fetch_doc(fetcher, url, source, state)
    known_children = state.setdefault("sitemap_children", {})
    if result is None:
        # An index rarely changes when its children do: poll the children it listed last time.
        links, children = [], known_children.get(url, [])
    else:
        doc = parse_sitemap(result.content, result.final_url)
        links = article_links(source, doc.pages, {"via": "sitemap", "from": url})
        children = [u for u in doc.sitemaps if source.allows_url(u)]
        children.sort(key=lambda u: "news" not in u.lower())   # stable: news sitemaps first
        children = children[:MAX_CHILD_SITEMAPS]
        if children:
            known_children[url] = children
        _remember(state, url, result)
    if depth < 2:
        for child in children:
            try:
                links += _from_sitemap(source, fetcher, child, state, depth + 1)
            except (FetchError, FeedError) as exc:
                state.setdefault("errors", []).append(str(exc))
    return links


def _from_listing(source, fetcher, url, state) -> list[Link]:
    result = _fetch_doc(fetcher, url, source, state)
    if result is None:
        return []
    entries = page_links(result.content, result.final_url, result.encoding)
    _remember(state, url, result)
    return article_links(source, entries, {"via": "listing", "from": url})


def _read(source: Any, fetcher: Any, state: MutableMapping[str, Any], endpoints: list, found: dict[str, Link],
          failures: list[BaseException]) -> int:
    for reader, url in endpoints:
        try:
            links = reader(source, fetcher, url, state)
        except (FetchError, FeedError) as exc:
            failures.append(exc)
            state["errors"].append(str(exc))
            log.warning("discovery endpoint failed", extra={"source": source.id, "url": url, "error": str(exc)})
            continue
        for link in links:
            found.setdefault(link.canonical_url, link)
    return len(endpoints)


def discover(source: Any, fetcher: Any, state: MutableMapping[str, Any] | None = None) -> list[Link]:
    state = {} if state is None else state
    state["errors"] = []
    failures: list[BaseException] = []
    found: dict[str, Link] = {}
    seen_set = set(state.get("seen", []))
    full = not state.get("validators")      # first poll, or a full re-read (Pipeline.poll_source)
    feeds = [(_from_feed, u) for u in source.feeds]
    secondary = [(_from_sitemap, u) for u in source.sitemaps] + [(_from_listing, u) for u in source.listings]
    tried = _read(source, fetcher, state, feeds, found, failures)
    feed_new = [c for c in found if c not in seen_set]
    if polling.secondary_due(state, source, full=full, feed_failed=bool(failures),
                             feed_overflow=bool(found) and len(feed_new) == len(found)):
        state["secondary_at"] = time.time()
        tried += _read(source, fetcher, state, secondary, found, failures)
    if tried and len(failures) == tried:
        raise DiscoveryFailed(source.id, source.home, failures)
    seen = list(state.get("seen", []))
    new = [c for c in found if c not in seen_set]
    state["seen"] = (seen + new)[-SEEN_MAX:]
    polling.record_poll(state, source, len(new), len(found))
    return list(found.values())
