"""Discovery from feeds, sitemaps and listings served on 127.0.0.1, adaptive polling, the real Tabnak page."""
from __future__ import annotations

from functools import partial

import pytest
from worker_testkit import make_source

from worker.discovery import polling
from worker.discovery.feeds import FeedError, UnsafeXML, parse_feed, parse_sitemap
from worker.discovery.links import DiscoveryFailed, discover
from worker.http.fetcher import Fetcher
from worker.sources import load_sources


def rss(base, items):
    body = "".join(f"<item><title>{t}</title><link>{base}{p}</link>"
                   f"<pubDate>Tue, 21 Mar 2023 08:00:00 +0330</pubDate></item>" for p, t in items)
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>{body}</channel></rss>'


def news_sitemap(base, paths):
    urls = "".join(
        f"<url><loc>{base}{p}</loc><news:news><news:publication><news:name>X</news:name><news:language>fa"
        f"</news:language></news:publication><news:publication_date>2023-03-21T10:00:00+03:30"
        f"</news:publication_date><news:title>عنوان {i}</news:title></news:news></url>" for i, p in enumerate(paths))
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


BOMB = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><item><title>&c;</title>'
        '<link>http://127.0.0.1/news/1009</link></item></channel></rss>')


@pytest.fixture
def site(server):
    b = server.base
    server.route("/rss", 200, rss(b, [("/news/1001/سلام", "یک"), ("/news/1002/x?utm_source=rss", "دو"),
                                      ("/news/1002/other-slug", "دو"), ("/about", "درباره"),
                                      ]) .replace("</channel>", "<item><link>http://evil.example/news/1003</link>"
                                                                "</item></channel>"),
                 content_type="application/rss+xml")
    server.route("/sitemap.xml", 200,
                 f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f"<sitemap><loc>{b}/sitemap-pages.xml</loc></sitemap>"
                 f"<sitemap><loc>{b}/sitemap-news.xml</loc></sitemap>"
                 f"<sitemap><loc>http://evil.example/sitemap.xml</loc></sitemap></sitemapindex>",
                 content_type="application/xml")
    server.route("/sitemap-news.xml", 200, news_sitemap(b, ["/news/1004", "/news/1005"]), content_type="application/xml")
    server.route("/sitemap-pages.xml", 200,
                 f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                 f"<url><loc>{b}/news/1006</loc></url><url><loc>{b}/tags/x</loc></url></urlset>",
                 content_type="application/xml")
    server.route("/list", 200, '<html><body><a href="/news/1007/a">هفت</a> <a href="news/1008">relative</a>'
                 '<a href="/news/1001/again#c">یک</a><a href="https://evil.example/news/1009">x</a></body></html>')
    return server


def test_discover_reads_every_kind_keeps_only_source_articles(site, settings):
    src = make_source(site.base, id="mehr")
    links = discover(src, Fetcher(settings))
    got = {link.canonical_url.replace(site.base, "") for link in links}
    assert got == {"/news/1001", "/news/1002", "/news/1004", "/news/1005", "/news/1006", "/news/1007", "/news/1008"}
    by = {link.canonical_url.replace(site.base, ""): link for link in links}
    assert by["/news/1001"].hint["via"] == "feed" and by["/news/1001"].hint["title"] == "یک"
    assert by["/news/1004"].hint["via"] == "sitemap" and by["/news/1004"].hint["title"] == "عنوان 0"
    assert by["/news/1004"].hint["published"].startswith("2023-03-21T10:00:00")
    assert by["/news/1007"].hint["via"] == "listing"
    assert site.hits("/sitemap-news.xml") == 1 and site.hits("/sitemap-pages.xml") == 1


def test_second_poll_uses_conditional_get_and_body_hash(site, settings):
    src = make_source(site.base, id="mehr")
    state: dict = {}
    f = Fetcher(settings)
    first = discover(src, f, state)
    assert len(first) == 7 and state["last_new"] == 7
    second = discover(src, f, state)
    assert second == [] and state["last_new"] == 0     # nothing re-parsed: bodies unchanged
    assert state["interval"] == 300 * 0.5 * 1.5        # busy first poll, then a back-off


def test_broken_endpoints_do_not_hide_the_others(site, settings):
    site.route("/rss", 200, BOMB, content_type="application/rss+xml")
    site.route("/sitemap.xml", 500, "oops")
    state: dict = {}
    links = discover(make_source(site.base, id="mehr"), Fetcher(settings), state)
    assert {link.canonical_url.replace(site.base, "") for link in links} == {"/news/1007", "/news/1008", "/news/1001"}
    assert any("refused" in e for e in state["errors"]) and any("500" in e for e in state["errors"])


def test_every_endpoint_failing_raises(server, settings):
    with pytest.raises(DiscoveryFailed) as err:
        discover(make_source(server.base), Fetcher(settings))
    assert err.value.source == "local" and len(err.value.errors) == 3 and not err.value.transient


def test_feed_parsing_is_tolerant_but_safe():
    broken = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>a & b</title>'
              b'<item><title>x & <br> y</title><link>http://h/news/1001</link></item>'
              b'<item><title>z</title><link>http://h/news/1002</link>')
    assert [e.url for e in parse_feed(broken, "http://h/rss")] == ["http://h/news/1001", "http://h/news/1002"]
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>a</title><link rel="alternate" href="/news/1003"/><id>urn:x</id>'
            b'<updated>2023-03-21T00:00:00Z</updated></entry></feed>')
    assert [e.url for e in parse_feed(atom, "http://h/atom")] == ["http://h/news/1003"]
    with pytest.raises(UnsafeXML):
        parse_feed(BOMB.encode(), "http://h/rss")
    with pytest.raises(UnsafeXML):
        parse_sitemap(BOMB.replace("rss", "urlset").encode(), "http://h/sitemap.xml")
    with pytest.raises(FeedError, match="not a sitemap"):
        parse_sitemap(b"<html><body>500</body></html>", "http://h/sitemap.xml")


def test_adaptive_polling_backs_off_and_speeds_up():
    src = make_source("http://127.0.0.1:1", poll_interval=300, min_poll=60, max_poll=3600)
    state: dict = {}
    intervals = [polling.record_poll(state, src, 0, 20, now=0) for _ in range(10)]
    assert intervals[0] == 450 and intervals[-1] == 3600 and intervals == sorted(intervals)
    busy = [polling.record_poll(state, src, 18, 20, now=0) for _ in range(10)]
    assert busy[-1] == 60 and busy == sorted(busy, reverse=True)
    assert polling.is_due(state, now=59.9) is False and polling.is_due(state, now=60)
    slow_host = make_source("http://127.0.0.1:1", min_poll=1, poll_interval=10, politeness_interval=5.0)
    assert polling.next_interval(slow_host, 2, 10, 10) == 15.0      # 3 endpoints x 5 s politeness


def test_poll_state_round_trips_through_redis(redis_db3):
    client, prefix = redis_db3
    state = {"interval": 120.0, "seen": ["http://h/news/1001"], "validators": {"u": {"etag": '"x"'}}}
    polling.save_state(client, prefix + "poll:isna", state)
    assert polling.load_state(client, prefix + "poll:isna") == state


def test_links_of_the_real_tabnak_home_page(corpus):
    from worker.discovery.feeds import page_links
    from worker.discovery.links import article_links

    page = (corpus / "html" / "tabnak" / "tabnak-home-2017.html").read_bytes()
    tabnak = load_sources()["tabnak"]
    links = article_links(tabnak, page_links(page, "http://tabnak.ir/"), {"via": "listing"})
    assert len(links) > 100
    assert all(link.canonical_url.startswith("https://www.tabnak.ir/fa/news/") for link in links)
    assert len({link.canonical_url for link in links}) == len(links)


def test_unchanged_sitemap_index_still_polls_its_children(site, settings):
    src = make_source(site.base, id="mehr")
    state: dict = {}
    f = Fetcher(settings)
    discover(src, f, state)
    site.route("/sitemap-news.xml", 200, news_sitemap(site.base, ["/news/1004", "/news/1005", "/news/1010"]),
               content_type="application/xml")
    state["secondary_at"] = 0.0                # max_poll has passed: sitemaps are due again
    links = discover(src, f, state)            # the index itself is byte-for-byte the same
    assert [link.canonical_url.replace(site.base, "") for link in links] == ["/news/1004", "/news/1005", "/news/1010"]
    assert state["last_new"] == 1 and site.hits("/sitemap.xml") == 2


def test_sitemaps_and_listings_wait_for_max_poll_while_the_feed_answers(site, settings):
    src = make_source(site.base, id="mehr")
    state: dict = {}
    f = Fetcher(settings)
    discover(src, f, state)                    # first poll: everything
    hits = site.hits("/sitemap.xml")
    site.route("/sitemap-news.xml", 200, news_sitemap(site.base, ["/news/1004", "/news/1005", "/news/1010"]),
               content_type="application/xml")
    assert discover(src, f, state) == [] and site.hits("/sitemap.xml") == hits   # feed unchanged: not due
    state.pop("validators")                   # a full re-read (Pipeline.poll_source) reads them all
    links = discover(src, f, state)
    assert site.hits("/sitemap.xml") == hits + 1 and "/news/1010" in {
        link.canonical_url.replace(site.base, "") for link in links}


def test_secondary_due_rules():
    src = make_source("http://127.0.0.1:1", poll_interval=300, min_poll=60, max_poll=3600)
    state = {"secondary_at": 1000.0}
    due = partial(polling.secondary_due, state, src, full=False, feed_failed=False, feed_overflow=False)
    assert not due(now=1000.0 + 3599) and due(now=1000.0 + 3600)
    assert polling.secondary_due(state, src, full=False, feed_failed=True, feed_overflow=False, now=1001.0)
    assert polling.secondary_due(state, src, full=False, feed_failed=False, feed_overflow=True, now=1001.0)
    assert polling.secondary_due(state, src, full=True, feed_failed=False, feed_overflow=False, now=1001.0)
