"""Discovery documents of a mirrored agency: robots.txt, RSS 2.0, Atom, sitemap index,
Google News sitemap, plain sitemap, and the broken variants the fetcher must survive."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape as xml_escape


@dataclass(frozen=True, slots=True)
class FeedItem:
    url: str          # absolute
    title: str
    lead: str
    published: datetime   # aware
    category: str = ""


def _x(s: str) -> str:
    return xml_escape(s, {'"': "&quot;"})


def robots_txt(base: str, disallow: Sequence[str], crawl_delay: float | None) -> bytes:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {d}" for d in disallow]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += ["", "User-agent: BadBot", "Disallow: /", "", f"Sitemap: {base}/sitemap.xml", ""]
    return "\n".join(lines).encode()


def rss(title: str, home: str, items: Sequence[FeedItem], *, gmt: bool = False) -> bytes:
    """RSS 2.0; pubDate in GMT (some CMSs) or with the Tehran offset (others)."""
    def date(d: datetime) -> str:
        return format_datetime(d.astimezone(UTC), usegmt=True) if gmt else format_datetime(d)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
           f"<channel><title>{_x(title)}</title><link>{_x(home)}</link><description>{_x(title)}</description>",
           "<language>fa</language>"]
    if items:
        out.append(f"<lastBuildDate>{date(max(i.published for i in items))}</lastBuildDate>")
    for i in items:
        out.append(f"<item><title>{_x(i.title)}</title><link>{_x(i.url)}</link>"
                   f"<description>{_x(i.lead)}</description><category>{_x(i.category)}</category>"
                   f"<pubDate>{date(i.published)}</pubDate><guid isPermaLink=\"true\">{_x(i.url)}</guid></item>")
    out.append("</channel></rss>\n")
    return "\n".join(out).encode("utf-8")


def atom(title: str, home: str, feed_url: str, items: Sequence[FeedItem]) -> bytes:
    updated = max((i.published for i in items), default=datetime(2020, 1, 1, tzinfo=UTC))
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fa">',
           f"<title>{_x(title)}</title><id>{_x(feed_url)}</id><link rel=\"self\" href=\"{_x(feed_url)}\"/>",
           f"<link rel=\"alternate\" href=\"{_x(home)}\"/><updated>{updated.isoformat()}</updated>"]
    for i in items:
        out.append(f"<entry><title>{_x(i.title)}</title><id>{_x(i.url)}</id>"
                   f"<link rel=\"alternate\" href=\"{_x(i.url)}\"/>"
                   f"<published>{i.published.isoformat()}</published><updated>{i.published.isoformat()}</updated>"
                   f"<summary>{_x(i.lead)}</summary></entry>")
    out.append("</feed>\n")
    return "\n".join(out).encode("utf-8")


def sitemap_index(sitemaps: Sequence[tuple[str, datetime | None]]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in sitemaps:
        lm = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        out.append(f"<sitemap><loc>{_x(url)}</loc>{lm}</sitemap>")
    out.append("</sitemapindex>\n")
    return "\n".join(out).encode("utf-8")


def news_sitemap(publication: str, items: Sequence[FeedItem]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">']
    for i in items:
        out.append(f"<url><loc>{_x(i.url)}</loc><news:news><news:publication><news:name>{_x(publication)}"
                   "</news:name><news:language>fa</news:language></news:publication>"
                   f"<news:publication_date>{i.published.isoformat()}</news:publication_date>"
                   f"<news:title>{_x(i.title)}</news:title></news:news></url>")
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


def url_sitemap(items: Sequence[FeedItem]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for i in items:
        out.append(f"<url><loc>{_x(i.url)}</loc><lastmod>{i.published.isoformat()}</lastmod>"
                   "<changefreq>never</changefreq></url>")
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


def malformed_rss(home: str, items: Sequence[FeedItem]) -> bytes:
    """Broken XML as real CMSs emit it: a raw '&' and '<br>' in titles, an unclosed item,
    and the document cut off before </channel>. Lenient parsers still recover the links."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
           f"<title>اخبار & گزارش‌ها</title><link>{home}</link>"]
    for k, i in enumerate(items):
        close = "" if k == len(items) - 1 else "</item>"
        out.append(f"<item><title>{i.title} & <br> گزارش</title><link>{_x(i.url)}</link>"
                   f"<pubDate>{format_datetime(i.published)}</pubDate>{close}")
    return "\n".join(out).encode("utf-8")


def billion_laughs(kind: str = "rss") -> bytes:
    """XML entity expansion bomb: 10 levels x 10 = 10^9 'lol's if a parser expands entities."""
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    dtd = "<!DOCTYPE {} [\n{}\n]>".format("rss" if kind == "rss" else "urlset", "\n".join(ents))
    if kind == "rss":
        body = ("<rss version=\"2.0\"><channel><title>&lol9;</title><link>http://127.0.0.1/</link>"
                "<item><title>&lol9;</title><link>http://127.0.0.1/laughs</link></item></channel></rss>")
    else:
        body = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>')
    return f'<?xml version="1.0" encoding="utf-8"?>\n{dtd}\n{body}\n'.encode()
