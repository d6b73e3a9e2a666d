"""One mirrored agency: its generated articles and every document that links to them,
pre-rendered to bytes so serving is a dictionary lookup.

URL styles per family (paths; every agency is its own origin):
  nastooh      /rss  /page/archive.xhtml?pi=N  /archive?yr=&mn=&dy=&pi=   /news/<id>/<slug>
  iransamaneh  /fa/rss/allnews  /fa/allnews?p=N  /fa/archive?...&from_date=&to_date=&p=  /fa/news/<id>/<slug>
  tasnim       /fa/rss/feed/0/7/0/all  /fa/news/latest?page=N  /fa/archive?date=&p= (Fars style)
               /fa/news/YYYY/MM/DD/<id>/<slug>
  jsonld       /persian/index.xml (Atom)  /persian/topics/latest?page=N
               /persian/archive?date=YYYY-MM-DD&page=N   /persian/articles/<id>
All: /robots.txt, /sitemap.xml (index) -> /sitemap/news.xml (Google News), /sitemap/articles-N.xml.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import jdatetime

from . import feeds
from .fault_setup import fault_path, install_faults
from .faults import gzip_bytes
from .model import AGENCIES, DEFAULT_AGENCY, Agency
from .sitegen import generate_article, generate_listing
from .text import TEHRAN, jalali

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"

FEED_PATH = {"nastooh": "/rss", "iransamaneh": "/fa/rss/allnews", "tasnim": "/fa/rss/feed/0/7/0/all",
             "jsonld": "/persian/index.xml"}
LISTING_PATH = {"nastooh": ("/page/archive.xhtml", "pi"), "iransamaneh": ("/fa/allnews", "p"),
                "tasnim": ("/fa/news/latest", "page"), "jsonld": ("/persian/topics/latest", "page")}
ARCHIVE_TEMPLATE = {
    "nastooh": "/archive?yr={jy}&mn={jm}&dy={jd}&pi={page}",
    "iransamaneh": "/fa/archive?service_id=-1&sec_id=-1&cat_id=-1&rpp=10&from_date={jdate}&to_date={jdate}&p={page}",
    "tasnim": "/fa/archive?date={jdate}&p={page}",
    "jsonld": "/persian/archive?date={gy}-{gm}-{gd}&page={page}",
}
ARTICLE_PATTERN = {"nastooh": r"^/news/\d+/", "iransamaneh": r"^/fa/news/\d+",
                   "tasnim": r"^/fa/news/\d{4}/\d{2}/\d{2}/\d+/", "jsonld": r"^/persian/articles/c[0-9a-z]+o$"}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass(slots=True)
class Resource:
    body: bytes
    content_type: str = HTML
    last_modified: datetime | None = None
    etag: str = ""
    _gz: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.etag:
            self.refresh_etag()

    def refresh_etag(self) -> None:
        """After the body changed: a new validator, and the gzip copy is stale."""
        self.etag = '"' + hashlib.blake2b(self.body, digest_size=8).hexdigest() + '"'
        self._gz = None

    @property
    def http_date(self) -> str | None:
        if self.last_modified is None:
            return None
        return format_datetime(self.last_modified.astimezone(UTC), usegmt=True)

    def gzipped(self) -> bytes:
        if self._gz is None:           # benign race: two threads may both compress once
            self._gz = gzip_bytes(self.body)
        return self._gz


@dataclass(frozen=True, slots=True)
class SiteArticle:
    url: str
    truth: dict
    fault: str | None = None


class AgencySite:
    def __init__(self, agency_id: str, base_url: str, *, articles: int, seed: int, size_kb: int | None,
                 faults: bool, start: datetime, spacing: timedelta, feed_size: int, page_size: int,
                 crawl_delay: float | None, foreign_base: str | None, syndicated: int = 0,
                 refused_base: str | None = None, url_variants: bool = False) -> None:
        self.agency: Agency = AGENCIES.get(agency_id) or Agency(agency_id, "nastooh", agency_id, agency_id, agency_id)
        self.id = agency_id
        self.family = self.agency.family
        self.base = base_url.rstrip("/")
        self.seed, self.size_kb, self.faults = seed, size_kb, faults
        self.feed_size, self.page_size = feed_size, page_size
        self.crawl_delay, self.foreign_base, self.refused_base = crawl_delay, foreign_base, refused_base
        self.url_variants = url_variants   # feeds/listings link non-canonical forms of the same article
        self.static: dict[str, Resource] = {}
        self.redirects: dict[str, str] = {}
        self.removed: dict[str, str] = {}                # path -> how it was removed (mutations.py)
        self.permanent_redirects: set[str] = set()       # 301 instead of 302
        self.articles: list[SiteArticle] = []
        self.fault_articles: list[SiteArticle] = []
        self.fault_paths: dict[str, str] = {}
        self.fault_bases: dict[str, str] = {}            # faults served from another origin
        self._items: list[feeds.FeedItem] = []          # good articles, newest first
        self._fault_items: list[feeds.FeedItem] = []
        self._cache: dict[str, Resource] = {}
        self._params: dict[str, tuple[int, datetime, int | None, int]] = {}   # url -> generation args
        self.spacing = spacing
        self._next_i = articles
        for i in range(articles):
            # the first `syndicated` stories run on every agency (near-duplicates across sources)
            self._add_article(self._n(i), start - spacing * i, story=i if i < syndicated else None)
        if faults:
            self._add_faults(start)
        self.rebuild()

    # ---- content ---------------------------------------------------------------------------
    def _n(self, i: int) -> int:
        return self.seed * 1_000_000 + i

    def _add_article(self, n: int, published: datetime, *, fault: str | None = None, path: str | None = None,
                     story: int | None = None, revision: int = 0) -> Resource:
        html, url_path, truth = generate_article(n, self.family, size_kb=self.size_kb, agency=self.id,
                                                 published=published, base_url=self.base, story=story,
                                                 revision=revision)
        if path:                       # a fault URL serving a real article
            truth = dict(truth, url_path=path)
            url_path = path
        res = Resource(html, HTML, truth_published(truth))
        self.static[unquote(url_path)] = res
        for alias in self._aliases(truth["news_id"], unquote(url_path)) if not fault else ():
            self.static.setdefault(alias, res)
        if revision:                   # an edit: same URL, newer Last-Modified, new ETag
            res.last_modified = truth_published(truth) + timedelta(hours=revision)
        art = SiteArticle(self.base + url_path, truth, fault)
        self._params[art.url] = (n, published, story, revision)
        if revision:
            self.articles = [art if a.url == art.url else a for a in self.articles]
            return res
        item = feeds.FeedItem(art.url, truth["title"], truth["lead"], truth_published(truth), truth["category"])
        if fault:
            self.fault_articles.append(art)
            self._fault_items.append(item)
        else:
            self.articles.append(art)
            self._items.append(item)
        return res

    def _aliases(self, news_id: str, path: str) -> list[str]:
        """Other paths real sites answer for the same story (short links, AMP)."""
        if self.family == "nastooh":
            return [f"/news/{news_id}/", f"/news/{news_id}", f"/amp/{news_id}/"]
        if self.family == "iransamaneh":
            return [f"/fa/news/{news_id}", f"/fa/amp/news/{news_id}"]
        if self.family == "tasnim":
            return [path + "/amp"]
        return [path + ".amp"]

    def variant(self, url: str, where: str) -> str:
        """With url_variants: the non-canonical form a feed or listing links (tracking parameters,
        short links); the canonical URL stays in the page's <link rel=canonical>/og:url."""
        if not self.url_variants or not url.startswith(self.base + "/"):
            return url
        if where == "feed":
            return url + "?utm_source=rss&utm_medium=feed"
        art = next((a for a in self.articles if a.url == url), None)
        if art and self.family in ("nastooh", "iransamaneh"):
            return self.base + self._aliases(art.truth["news_id"], "")[0]
        return url + "?ref=list"

    def _add_faults(self, start: datetime) -> None:
        install_faults(self, start)

    def fault_url(self, name: str) -> str:
        return self.fault_bases.get(name, self.base) + self.fault_paths[name]

    @property
    def feed_path(self) -> str:
        return FEED_PATH[self.family]

    def _interleaved(self, items: list[feeds.FeedItem]) -> list[feeds.FeedItem]:
        """Good items with the fault URLs placed between them (where a fetcher meets them)."""
        out = list(items)
        for k, f in enumerate(self._fault_items):
            out.insert(min(len(out), 2 * k + 1), f)
        return out

    def rebuild(self) -> None:
        """(Re)render feeds, sitemaps and robots.txt from the current articles."""
        self._items.sort(key=lambda i: i.published, reverse=True)
        self._cache.clear()
        newest = self._items[0].published if self._items else None
        latest = self._interleaved([dataclasses.replace(i, url=self.variant(i.url, "feed"))
                                    for i in self._items[: self.feed_size]])
        name = self.agency.name_fa
        home = self.base + "/"
        s = self.static
        if self.family == "jsonld":
            s[self.feed_path] = Resource(feeds.atom(name, home, self.base + self.feed_path, latest),
                                         "application/atom+xml; charset=utf-8", newest)
        else:
            s[self.feed_path] = Resource(feeds.rss(name, home, latest, gmt=self.family == "nastooh"),
                                         "application/rss+xml; charset=utf-8", newest)
        recent = [i for i in self._items if newest and newest - i.published <= timedelta(days=2)]
        s["/sitemap/news.xml"] = Resource(feeds.news_sitemap(name, self._interleaved(recent)), XML, newest)
        chunks = [self._items[k:k + 500] for k in range(0, len(self._items), 500)] or [[]]
        maps = [(self.base + "/sitemap/news.xml", newest)]
        for k, chunk in enumerate(chunks, 1):
            s[f"/sitemap/articles-{k}.xml"] = Resource(feeds.url_sitemap(chunk), XML, newest)
            maps.append((f"{self.base}/sitemap/articles-{k}.xml", newest))
        disallow = ["/search", "/private/"]
        if self.faults:
            maps.append((self.base + "/sitemap/laughs.xml", newest))
            s[self.feed_path + "-broken"] = Resource(feeds.malformed_rss(home, self._items[:5]),
                                                     "application/rss+xml; charset=utf-8", newest)
            s[self.feed_path + "-laughs"] = Resource(feeds.billion_laughs("rss"), "application/rss+xml", newest)
            s["/sitemap/laughs.xml"] = Resource(feeds.billion_laughs("sitemap"), XML, newest)
            disallow.append(self.fault_paths["robots-disallowed"])
        s["/sitemap.xml"] = Resource(feeds.sitemap_index(maps), XML, newest)
        robots = feeds.robots_txt(self.base, disallow, self.crawl_delay)
        s["/robots.txt"] = Resource(robots, "text/plain; charset=utf-8")
        s["/"] = Resource(self._listing(1, self._interleaved(self._items[: self.page_size]), "صفحه اصلی", None), HTML)

    # ---- changes over time -----------------------------------------------------------------
    def publish(self, count: int = 1) -> list[SiteArticle]:
        """Publish `count` new articles, newer than any so far; feeds and sitemaps follow."""
        newest = self._items[0].published if self._items else datetime.now(TEHRAN)
        new = []
        for k in range(count):
            self._add_article(self._n(self._next_i), newest + self.spacing * (k + 1))
            self._next_i += 1
            new.append(self.articles[-1])
        self.rebuild()
        return new

    def edit(self, url: str) -> SiteArticle:
        """Edit a published article in place (same URL): an update paragraph is appended."""
        n, published, story, revision = self._params[url]
        self._add_article(n, published, story=story, revision=revision + 1)
        for alias in self._aliases(next(a for a in self.articles if a.url == url).truth["news_id"],
                                   unquote(urlsplit(url).path)):
            self.static[alias] = self.static[unquote(urlsplit(url).path)]
        self._cache.clear()
        return next(a for a in self.articles if a.url == url)

    # ---- dynamic pages -----------------------------------------------------------------------
    def _listing(self, page: int, items: list[feeds.FeedItem], title: str, nav: Callable[[int], str] | None,
                 has_next: bool = False) -> bytes:
        entries = [{"url": self.variant(i.url, "listing"), "title": i.title, "lead": i.lead,
                    "published": i.published} for i in items]
        return generate_listing(self.family, entries, title=title, page=page, agency=self.id,
                                prev_url=nav(page - 1) if nav and page > 1 else None,
                                next_url=nav(page + 1) if nav and has_next else None)

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None:
        """Listing and archive pages (query-driven), cached per URL."""
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        if key in self._cache:
            return self._cache[key]
        res = self._listing_page(path, query) or self._archive_page(path, query)
        if res is not None:
            self._cache[key] = res
        return res

    def _listing_page(self, path: str, query: dict[str, str]) -> Resource | None:
        lpath, param = LISTING_PATH[self.family]
        if path != lpath:
            return None
        page = _int(query.get(param), 1)
        chunk = self._items[(page - 1) * self.page_size: page * self.page_size]
        if page == 1:
            chunk = self._interleaved(chunk)
        more = page * self.page_size < len(self._items)
        body = self._listing(page, chunk, "آرشیو اخبار", lambda p: f"{lpath}?{param}={p}", more)
        return Resource(body, HTML, self._items[0].published if self._items else None)

    def _archive_page(self, path: str, query: dict[str, str]) -> Resource | None:
        day_range = self._archive_days(path, query)
        if day_range is None:
            return None
        first, last, page, template = day_range
        items = [i for i in self._items if first <= i.published.astimezone(TEHRAN).date() <= last]
        chunk = items[(page - 1) * self.page_size: page * self.page_size]
        more = page * self.page_size < len(items)

        def nav(p: int) -> str:
            return template.format(**_template_values(first, p))
        j = jalali(datetime.combine(first, datetime.min.time()))
        title = f"آرشیو اخبار {j.year}/{j.month:02d}/{j.day:02d}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        return Resource(self._listing(page, chunk, title, nav, more), HTML)

    def _archive_days(self, path: str, q: dict[str, str]):
        tpl = ARCHIVE_TEMPLATE[self.family]
        if path != tpl.split("?")[0]:
            return None
        try:
            if self.family == "nastooh":
                d = _jdate(q["yr"], q["mn"], q["dy"])
                return d, d, _int(q.get("pi"), 1), tpl
            if self.family == "iransamaneh":
                a = _jdate(*q["from_date"].split("/"))
                b = _jdate(*q.get("to_date", q["from_date"]).split("/"))
                return a, b, _int(q.get("p"), 1), tpl
            if self.family == "tasnim":
                d = _jdate(*q["date"].split("/"))
                return d, d, _int(q.get("p"), 1), tpl
            d = datetime.strptime(q["date"].translate(_DIGITS), "%Y-%m-%d").date()
            return d, d, _int(q.get("page"), 1), tpl
        except (KeyError, ValueError, TypeError):
            return None


def truth_published(truth: dict) -> datetime:
    return datetime.fromisoformat(truth["published_iso"])


def _int(v: str | None, default: int) -> int:
    try:
        return max(1, int((v or "").translate(_DIGITS)))
    except ValueError:
        return default


def _jdate(y: str, m: str, d: str):
    return jdatetime.date(int(y.translate(_DIGITS)), int(m.translate(_DIGITS)), int(d.translate(_DIGITS))).togregorian()


def _template_values(day, page: int) -> dict:
    j = jdatetime.date.fromgregorian(date=day)
    return {"jy": f"{j.year:04d}", "jm": f"{j.month:02d}", "jd": f"{j.day:02d}", "gy": f"{day.year:04d}",
            "gm": f"{day.month:02d}", "gd": f"{day.day:02d}", "page": page,
            "jdate": f"{j.year:04d}/{j.month:02d}/{j.day:02d}"}


__all__ = [
    "ARCHIVE_TEMPLATE",
    "ARTICLE_PATTERN",
    "DEFAULT_AGENCY",
    "FEED_PATH",
    "LISTING_PATH",
    "AgencySite",
    "Resource",
    "SiteArticle",
    "fault_path",
]
