"""The mirror serves every discovery document and article of each agency, correctly linked."""
from __future__ import annotations

import gzip
import re
import socket
import tomllib
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import jdatetime
from lxml import etree

from worker.sources import sources_from_dicts
from worker.testing.mirror import MirrorServer

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}


def _source(mirror, agency):
    return next(s for s in mirror.sources() if s["id"] == agency)


def _good_urls(mirror, agency):
    return {a.url for a in mirror.articles if a.agency == agency}


def _article_links(html: str, base: str, pattern: str) -> set[str]:
    links = {urljoin(base + "/", h) for h in re.findall(r'href="([^"]+)"', html)}
    return {u for u in links if u.startswith(base) and re.search(pattern, urlsplit(u).path)}


def test_sources_validate_and_roundtrip(mirror, tmp_path):
    path = mirror.write_sources_toml(tmp_path / "sources.toml")
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["source"]
    assert entries == mirror.sources()
    sources = sources_from_dicts(entries, origin=str(path))
    assert list(sources) == ["isna", "yjc", "tasnim", "bbcpersian"]
    for s in sources.values():
        assert s.allow_private and s.politeness_interval == 0.0 and s.hosts == ("127.0.0.1",)
        good = [a.url for a in mirror.articles if a.agency == s.id]
        assert all(s.is_article_url(u) for u in good)
        assert all(s.is_article_url(u) for name, u in mirror.fault_urls_for(s.id).items()
                   if not name.startswith(("feed", "sitemap")))


def test_each_agency_is_its_own_origin(mirror):
    bases = [mirror.base_url(a) for a in mirror.agency_ids]
    assert len(set(bases)) == 4 and all(b.startswith("http://127.0.0.1:") for b in bases)


def test_robots(mirror, client):
    r = client.get(mirror.base_url("isna") + "/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "Disallow: /private/" in r.text
    assert f"Disallow: {urlsplit(mirror.fault_urls['robots-disallowed']).path}" in r.text
    assert f"Sitemap: {mirror.base_url('isna')}/sitemap.xml" in r.text
    assert "Crawl-delay" not in r.text
    with MirrorServer(agencies=("yjc",), articles=2, faults=False, crawl_delay=1.5) as m:
        assert "Crawl-delay: 1.5" in httpx.get(m.base_url("yjc") + "/robots.txt").text


def test_rss_and_atom_feeds(mirror, client):
    for agency in mirror.agency_ids:
        src = _source(mirror, agency)
        r = client.get(src["feeds"][0])
        assert r.status_code == 200
        feed = feedparser.parse(r.content)
        assert not feed.bozo, (agency, feed.get("bozo_exception"))
        links = [e.link for e in feed.entries]
        assert all(e.get("published_parsed") for e in feed.entries)
        good = [u for u in links if u in _good_urls(mirror, agency)]
        assert len(good) == mirror.feed_size            # the newest articles ...
        faults = set(links) - set(good)                 # ... with the fault URLs between them
        assert faults and faults <= set(mirror.fault_urls_for(agency).values())
        assert links[0] in good and links[1] in faults
    assert feedparser.parse(client.get(_source(mirror, "bbcpersian")["feeds"][0]).content).version == "atom10"
    assert feedparser.parse(client.get(_source(mirror, "isna")["feeds"][0]).content).version == "rss20"


def test_sitemap_index_news_and_regular(mirror, client):
    for agency in mirror.agency_ids:
        base = mirror.base_url(agency)
        index = etree.fromstring(client.get(base + "/sitemap.xml").content)
        locs = index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)
        assert base + "/sitemap/news.xml" in locs and base + "/sitemap/articles-1.xml" in locs
        news = etree.fromstring(client.get(base + "/sitemap/news.xml").content)
        entries = news.xpath("//sm:url", namespaces=NS)
        assert entries and all(e.xpath("news:news/news:publication_date", namespaces=NS) for e in entries)
        regular = etree.fromstring(client.get(base + "/sitemap/articles-1.xml").content)
        assert set(regular.xpath("//sm:loc/text()", namespaces=NS)) == _good_urls(mirror, agency)


def test_listing_pages_reach_every_article(mirror, client):
    for agency in mirror.agency_ids:
        src = _source(mirror, agency)
        base, pattern = mirror.base_url(agency), src["article_patterns"][0]
        url, seen, pages = src["listings"][0], set(), 0
        while url and pages < 20:
            html = client.get(url).text
            seen |= _article_links(html, base, pattern)
            nxt = re.search(r'rel="next" href="([^"]+)"', html)
            url = urljoin(base + "/", nxt.group(1).replace("&amp;", "&")) if nxt else None
            pages += 1
        assert pages == -(-mirror.n_articles // mirror.page_size)
        assert _good_urls(mirror, agency) <= seen


def test_jalali_archive_pages_reach_every_article(mirror, client):
    for agency in mirror.agency_ids:
        src = _source(mirror, agency)
        base, pattern = mirror.base_url(agency), src["article_patterns"][0]
        days = {datetime.fromisoformat(a.truth["published_iso"]).date()
                for a in mirror.articles if a.agency == agency}
        seen = set()
        for day in days:
            j = jdatetime.date.fromgregorian(date=day)
            for page in range(1, 6):
                url = src["archive_url"].format(
                    jy=f"{j.year:04d}", jm=f"{j.month:02d}", jd=f"{j.day:02d}", gy=f"{day.year:04d}",
                    gm=f"{day.month:02d}", gd=f"{day.day:02d}", page=page, jdate=f"{j.year}/{j.month:02d}/{j.day:02d}")
                r = client.get(url)
                assert r.status_code == 200, url
                found = _article_links(r.text, base, pattern)
                if not found:
                    break
                seen |= found
                for u in found:   # every article listed under a day was published that day
                    truth = next(a.truth for a in mirror.articles if a.url == u)
                    assert datetime.fromisoformat(truth["published_iso"]).date() == day
        assert seen == _good_urls(mirror, agency)


def test_isna_archive_url_style(mirror, client):
    src = _source(mirror, "isna")
    assert "/archive?yr={jy}&mn={jm}&dy={jd}&pi={page}" in src["archive_url"]
    assert "from_date={jdate}" in _source(mirror, "yjc")["archive_url"]
    assert "/fa/archive?date={jdate}&p={page}" in _source(mirror, "tasnim")["archive_url"]
    # Persian digits in the query are understood too
    a = mirror.base_url("isna") + "/archive?yr=۱۴۰۲&mn=۰۱&dy=۲۱&pi=۱"
    assert client.get(a).status_code == 200


def test_articles_serve_their_truth(mirror, client):
    for art in mirror.articles:
        r = client.get(art.url)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert art.truth["title"] in r.text and art.truth["body_last_sentence"] in r.text.replace("&zwnj;", "\u200c")


def test_short_url_aliases(mirror, client):
    isna = next(a for a in mirror.articles if a.agency == "isna")
    r = client.get(f"{mirror.base_url('isna')}/news/{isna.truth['news_id']}/")
    assert r.status_code == 200 and isna.truth["title"] in r.text
    yjc = next(a for a in mirror.articles if a.agency == "yjc")
    assert yjc.truth["title"] in client.get(f"{mirror.base_url('yjc')}/fa/news/{yjc.truth['news_id']}").text
    assert client.get(mirror.base_url("isna") + "/news/1/nothing").status_code == 404


def test_conditional_requests(mirror, client):
    for url in (mirror.articles[0].url, _source(mirror, "isna")["feeds"][0], mirror.base_url("isna") + "/sitemap.xml"):
        r = client.get(url)
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}).status_code == 200


def test_gzip_only_when_asked(mirror, client):
    url = mirror.articles[3].url
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content)


def test_head_and_request_log(mirror, client):
    url = mirror.articles[1].url
    mirror.clear_log()
    r = client.head(url, headers={"User-Agent": "mirror-test/1"})
    assert r.status_code == 200 and int(r.headers["content-length"]) > 1000 and r.content == b""
    client.get(url + "?utm_source=x")
    log = mirror.requests(agency=mirror.articles[1].agency)
    assert [rec.method for rec in log] == ["HEAD", "GET"]
    assert log[0].headers["User-Agent"] == "mirror-test/1" and log[0].status == 200
    assert log[1].path.endswith("?utm_source=x") and log[0].time <= log[1].time


def test_clean_shutdown():
    m = MirrorServer(agencies=("tasnim",), articles=2, faults=False).start()
    port = urlsplit(m.base_url("tasnim")).port
    assert httpx.get(m.base_url("tasnim") + "/robots.txt").status_code == 200
    threads = list(m._threads)
    assert threads and all(t.is_alive() for t in threads)
    m.stop()
    assert all(not t.is_alive() for t in threads) and not m._servers
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_publish_edit_and_syndication(client):
    with MirrorServer(agencies=("isna", "tasnim"), articles=4, faults=False, syndicated=2) as m:
        # syndicated stories: same body sentences, each agency's own title and attribution
        pairs = [[a for a in m.articles if a.truth["story"] == s] for s in (0, 1)]
        ascii_digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")   # Tasnim writes ASCII digits
        for isna, tasnim in pairs:
            assert [p.translate(ascii_digits) for p in isna.truth["paragraphs"][1:]] == tasnim.truth["paragraphs"][1:]
            assert isna.truth["title"] != tasnim.truth["title"]
            assert isna.truth["paragraphs"][0] != tasnim.truth["paragraphs"][0]
        assert all(a.truth["story"] is None for a in m.articles if a not in pairs[0] + pairs[1])
        # publishing: the new article heads the feed and the first listing page
        feed_url = next(s for s in m.sources() if s["id"] == "isna")["feeds"][0]
        etag = client.get(feed_url).headers["etag"]
        new = m.publish("isna", 1)[0]
        r = client.get(feed_url, headers={"If-None-Match": etag})
        assert r.status_code == 200 and feedparser.parse(r.content).entries[0].link == new.url
        assert client.get(new.url).status_code == 200 and len(m.articles) == 9
        # editing: same URL, new ETag and later Last-Modified, truth of the new version
        url, original = m.articles[0].url, m.articles[0].truth
        before = client.get(url)
        edited = m.edit(url)
        after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and edited.url == url and edited.truth["revision"] == 1
        assert edited.truth["paragraphs"][:-1] == original["paragraphs"] and original["revision"] == 0
        assert [a for a in m.articles if a.url == url][0].truth["revision"] == 1
        assert edited.truth["paragraphs"][-1] in after.text and edited.truth["paragraphs"][-1] not in before.text
        assert after.headers["last-modified"] != before.headers["last-modified"]


def test_url_variants_and_amp_aliases(client):
    with MirrorServer(agencies=("isna", "tasnim"), articles=6, faults=False, url_variants=True, page_size=10) as m:
        for agency in m.agency_ids:
            src = next(s for s in m.sources() if s["id"] == agency)
            good = {a.url: a for a in m.articles if a.agency == agency}
            feed_links = [e.link for e in feedparser.parse(client.get(src["feeds"][0]).content).entries]
            assert all(u.endswith("?utm_source=rss&utm_medium=feed") for u in feed_links)
            assert {u.split("?")[0] for u in feed_links} == set(good)
            listed = _article_links(client.get(src["listings"][0]).text, m.base_url(agency), src["article_patterns"][0])
            assert listed and not listed & set(good)          # short forms / ?ref=list, never the canonical
            for u in feed_links[:2] + sorted(listed)[:2]:
                r = client.get(u)
                canonical = re.search(r'<link rel="canonical" href="([^"]+)"', r.text)
                assert r.status_code == 200 and any(a.truth["title"] in r.text for a in good.values())
                if canonical:
                    assert canonical.group(1) in good
        isna = next(a for a in m.articles if a.agency == "isna")
        amp = client.get(f"{m.base_url('isna')}/amp/{isna.truth['news_id']}/")
        assert amp.status_code == 200 and isna.truth["title"] in amp.text
        tasnim = next(a for a in m.articles if a.agency == "tasnim")
        assert tasnim.truth["title"] in client.get(tasnim.url + "/amp").text
