"""Parsing discovery documents we fetched ourselves (no I/O here): RSS/Atom, sitemaps, listings.

- XML is first screened with defusedxml: a document declaring entities (billion laughs, external
  entities) is refused before any parser could expand them (`UnsafeXML`).
- RSS/Atom: feedparser, on the bytes (it never fetches); its tolerant mode recovers links from the
  broken XML agencies emit, and a document it cannot read at all is a `FeedError`.
- Sitemaps, sitemap indexes, Google News sitemaps: ultimate-sitemap-parser's `sitemap_from_str`
  on our bytes; an index yields its child sitemap URLs (un-fetched: discovery fetches them through
  the Fetcher with the same politeness and limits).
- Listing and archive pages: lxml.html, every <a href> resolved against the page URL.
"""
from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError as XMLParseError

import defusedxml.ElementTree as safe_et
import feedparser
import lxml.html
from defusedxml import DefusedXmlException
from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap
from usp.tree import sitemap_from_str

from worker.http.bodies import detect_encoding

__all__ = [
    "Entry",
    "FeedError",
    "SitemapDoc",
    "UnsafeXML",
    "guard_xml",
    "page_links",
    "parse_feed",
    "parse_sitemap",
]

log = logging.getLogger(__name__)
logging.getLogger("usp").setLevel(logging.CRITICAL)   # usp logs every unparseable document at ERROR
GZIP_MAGIC = b"\x1f\x8b"


class FeedError(ValueError):
    """A feed or sitemap that cannot be read. `url` names it."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url


class UnsafeXML(FeedError):
    """Entity declarations (expansion bomb, external entities): refused unparsed."""


@dataclass(slots=True)
class Entry:
    url: str
    title: str | None = None
    published: datetime | str | None = None


@dataclass(slots=True)
class SitemapDoc:
    pages: list[Entry]
    sitemaps: list[str]      # child sitemaps of an index, in document order


def guard_xml(data: bytes, url: str) -> None:
    """Raise UnsafeXML if the document declares entities or external references."""
    head = data[:65536].lower()
    if b"<!entity" not in head and b"<!doctype" not in head:
        return  # no DTD, nothing to expand: skip the second parse
    try:
        safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXML(f"refused: {type(exc).__name__} ({exc})", url) from exc
    except XMLParseError:
        if b"<!entity" in head:   # broken *and* declaring entities: no benefit of the doubt
            raise UnsafeXML("refused: malformed document declaring entities", url) from None


# A real agency feed lists tens to hundreds of items; feedparser takes ~0.6 ms per item, so a
# hostile 200,000-item feed would take minutes. Items past the cap are dropped with a warning.
MAX_FEED_ITEMS = 2_000
_ITEM_END = re.compile(rb"</(?:[A-Za-z0-9_]+:)?(?:item|entry)\s*>", re.IGNORECASE)


def truncate_feed(data: bytes, url: str, max_items: int = MAX_FEED_ITEMS) -> bytes:
    """`data` cut after its `max_items`-th item (feedparser's tolerant mode reads the open end)."""
    for count, match in enumerate(_ITEM_END.finditer(data), start=1):
        if count == max_items:
            if _ITEM_END.search(data, match.end()) is None:
                return data
            log.warning("feed %s: more than %d items; reading the first %d only", url, max_items, max_items)
            return data[:match.end()]
    return data


def parse_feed(data: bytes, url: str) -> list[Entry]:
    guard_xml(data, url)
    data = truncate_feed(data, url)
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    entries: list[Entry] = []
    for e in parsed.entries:
        link = e.get("link") or next((lk.get("href") for lk in e.get("links", []) if lk.get("href")), None)
        if not link and str(e.get("id", "")).startswith(("http://", "https://")):
            link = e.get("id")
        if not link:
            continue
        published = e.get("published") or e.get("updated")
        entries.append(Entry(urljoin(url, link.strip()), (e.get("title") or "").strip() or None, published))
    if not entries and parsed.get("bozo") and not parsed.get("feed"):
        raise FeedError(f"not a readable feed: {parsed.get('bozo_exception')!r}", url)
    return entries


def _gunzip(data: bytes, url: str, cap: int) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, cap + 1)
    except zlib.error as exc:
        raise FeedError(f"broken .gz sitemap: {exc}", url) from exc
    if len(out) > cap:
        raise FeedError(f"sitemap over {cap} bytes uncompressed", url)
    return out


def parse_sitemap(data: bytes, url: str, *, cap: int = 50 * 1024 * 1024) -> SitemapDoc:
    if data[:2] == GZIP_MAGIC:   # sitemap.xml.gz served as a file, not as Content-Encoding
        data = _gunzip(data, url, cap)
    guard_xml(data, url)
    text = data.decode(detect_encoding(data, None), "replace")
    tree = sitemap_from_str(text)
    if isinstance(tree, InvalidSitemap):
        raise FeedError(f"not a sitemap: {tree.reason}", url)
    if isinstance(tree, AbstractIndexSitemap):
        return SitemapDoc([], [urljoin(url, s.url) for s in tree.sub_sitemaps])
    pages = []
    for page in tree.all_pages():
        story = page.news_story
        title = story.title if story else None
        published = (story.publish_date if story else None) or page.last_modified
        pages.append(Entry(urljoin(url, page.url), title, published))
    return SitemapDoc(pages, [])


def page_links(content: bytes, url: str, encoding: str | None = None) -> list[Entry]:
    """Every <a href> of an HTML page, absolute, with its anchor text, in page order."""
    if not content.strip():
        return []
    text = content.decode(encoding or detect_encoding(content, None), "replace")
    try:
        root = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = root.xpath("string(//base/@href)") or url
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        title = " ".join(a.text_content().split()) or a.get("title")
        out.append(Entry(urljoin(urljoin(url, base), href), title or None))
    return out
