"""Every fault is served exactly as documented in worker.testing.mirror.faults, and the mirror survives it."""
from __future__ import annotations

import html
import time
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
from defusedxml import ElementTree as DefusedET
from defusedxml.common import EntitiesForbidden

from worker.testing.mirror import FAULTS, FEED_FAULTS


def _fault_article(mirror, name):
    return next(a for a in mirror.fault_articles if a.fault == name and a.agency == mirror.agency_ids[0])


def test_every_fault_documented_and_linked(mirror, client):
    names = {f.name for f in FAULTS + FEED_FAULTS}
    assert set(mirror.fault_urls) == names
    for agency in mirror.agency_ids:
        feed = feedparser.parse(client.get(next(s for s in mirror.sources() if s["id"] == agency)["feeds"][0]).content)
        linked = {e.link for e in feed.entries}
        article_faults = {n: u for n, u in mirror.fault_urls_for(agency).items() if not n.startswith(("feed", "sitemap"))}
        assert set(article_faults.values()) <= linked, agency
    delivering = {f.name for f in FAULTS if f.outcome == "article"} | {"robots-disallowed"}
    assert {a.fault for a in mirror.fault_articles} == delivering


def test_500_always(mirror, client):
    for _ in range(3):
        assert client.get(mirror.fault_urls["500"]).status_code == 500


@pytest.mark.parametrize("name,status,retry_after,fails", [("503", 503, "1", 2), ("429", 429, "2", 1),
                                                            ("flaky", 502, None, 2)])
def test_fail_n_times_then_article(mirror, client, name, status, retry_after, fails):
    mirror.reset_faults()
    url = mirror.fault_urls[name]
    for _ in range(fails):
        r = client.get(url)
        assert r.status_code == status and r.headers.get("retry-after") == retry_after
    r = client.get(url)
    assert r.status_code == 200 and _fault_article(mirror, name).truth["title"] in r.text
    mirror.reset_faults()
    assert client.get(url).status_code == status        # re-armed


def test_slow(mirror, client):
    t = time.monotonic()
    r = client.get(mirror.fault_urls["slow"])
    assert r.status_code == 200 and time.monotonic() - t >= mirror.slow_seconds
    with pytest.raises(httpx.ReadTimeout):
        client.get(mirror.fault_urls["slow"], timeout=httpx.Timeout(5, read=0.1))


def test_connection_reset(mirror, client):
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get(mirror.fault_urls["reset"])
    assert client.get(mirror.articles[0].url).status_code == 200     # the mirror lives on


def test_truncated_body(mirror, client):
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message body"):
        client.get(mirror.fault_urls["truncated"])
    with client.stream("GET", mirror.fault_urls["truncated"]) as r:
        promised = int(r.headers["content-length"])
        got = b""
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in r.iter_raw():
                got += chunk
    assert 0 < len(got) < promised


def test_missing_charset(mirror, client):
    r = client.get(mirror.fault_urls["no-charset"])
    assert r.headers["content-type"] == "text/html"
    assert b"charset" not in r.content.lower()[:3000]
    assert _fault_article(mirror, "no-charset").truth["title"] in r.content.decode("utf-8")


def test_wrong_charset(mirror, client):
    r = client.get(mirror.fault_urls["wrong-charset"])
    assert r.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert _fault_article(mirror, "wrong-charset").truth["title"] in r.content.decode("utf-8")
    assert _fault_article(mirror, "wrong-charset").truth["title"] not in r.text   # as the header says: mojibake


def test_windows_1256_page(mirror, client):
    r = client.get(mirror.fault_urls["windows-1256"])
    assert r.headers["content-type"] == "text/html; charset=windows-1256"
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    text = html.unescape(r.content.decode("windows-1256"))
    truth = _fault_article(mirror, "windows-1256").truth
    assert 'charset="windows-1256"' in text.lower()
    assert truth["title"] in text and "ی" not in truth["title"]          # Arabic yeh, as such pages had
    for para in truth["paragraphs"]:
        assert para.split()[0] in text


def test_huge_page(mirror, client):
    with client.stream("GET", mirror.fault_urls["huge"]) as r:
        assert int(r.headers["content-length"]) == mirror.huge_bytes
        total = sum(len(c) for c in r.iter_raw())
    assert total == mirror.huge_bytes


def test_gzip_bomb(mirror, client):
    with client.stream("GET", mirror.fault_urls["gzip-bomb"], headers={"Accept-Encoding": "identity"}) as r:
        assert r.headers["content-encoding"] == "gzip"        # sent compressed even when not asked
        wire = b"".join(r.iter_raw())
    assert len(wire) < 200 * 1024
    d = zlib.decompressobj(31)
    out = d.decompress(wire, 50 * 1024 * 1024)                # a capped decompression stops early
    assert len(out) == 50 * 1024 * 1024 and d.unconsumed_tail


def test_redirect_loop(mirror, client):
    r = client.get(mirror.fault_urls["redirect-loop"])
    assert r.status_code == 302
    with pytest.raises(httpx.TooManyRedirects):
        client.get(mirror.fault_urls["redirect-loop"], follow_redirects=True)


def test_redirect_to_foreign_host(mirror, client):
    r = client.get(mirror.fault_urls["redirect-foreign"])
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    assert target.hostname == "localhost" and target.hostname not in next(iter(mirror.sources()))["hosts"]
    mirror.clear_log()
    assert client.get(r.headers["location"]).status_code == 200       # a real server: following it shows
    assert [rec.agency for rec in mirror.request_log if rec.path == "/stolen"] == ["foreign"]   # in the log


def test_robots_disallowed_article(mirror, client):
    robots = client.get(mirror.base_url(mirror.agency_ids[0]) + "/robots.txt").text
    assert f"Disallow: {urlsplit(mirror.fault_urls['robots-disallowed']).path}" in robots
    assert client.get(mirror.fault_urls["robots-disallowed"]).status_code == 200


def test_malformed_feed(mirror, client):
    r = client.get(mirror.fault_urls["feed-malformed"])
    with pytest.raises(Exception):
        DefusedET.fromstring(r.content)
    parsed = feedparser.parse(r.content)
    assert parsed.bozo and len(parsed.entries) >= 3          # lenient parsing still finds the links


@pytest.mark.parametrize("name", ["feed-laughs", "sitemap-laughs"])
def test_entity_expansion_bombs(mirror, client, name):
    r = client.get(mirror.fault_urls[name])
    assert b"<!ENTITY lol9" in r.content and len(r.content) < 4096
    with pytest.raises(EntitiesForbidden):
        DefusedET.fromstring(r.content)


def test_mirror_survives_all_faults(mirror, client):
    for name, url in mirror.fault_urls.items():
        try:
            client.get(url, timeout=httpx.Timeout(5, read=0.2), follow_redirects=False)
        except httpx.HTTPError:
            pass
    for art in mirror.articles[:8]:
        assert client.get(art.url).status_code == 200


def test_503_with_http_date_retry_after(mirror, client):
    mirror.reset_faults()
    r = client.get(mirror.fault_urls["503-date"])
    assert r.status_code == 503
    when = parsedate_to_datetime(r.headers["retry-after"])
    assert 0 < (when - datetime.now(UTC)).total_seconds() <= 3
    assert client.get(mirror.fault_urls["503-date"]).status_code == 200


def test_moved_permanently(mirror, client):
    r = client.get(mirror.fault_urls["moved"], follow_redirects=True)
    target = _fault_article(mirror, "moved")
    assert r.history[0].status_code == 301 and str(r.url) == target.url != mirror.fault_urls["moved"]
    assert target.truth["title"] in r.text


def test_connection_refused(mirror, client):
    url = mirror.fault_urls["refused"]
    assert urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).port not in {
        urlsplit(mirror.base_url(a)).port for a in mirror.agency_ids}
    with pytest.raises(httpx.ConnectError):
        client.get(url)


def test_laughs_sitemap_is_in_the_index(mirror, client):
    index = client.get(mirror.base_url(mirror.agency_ids[0]) + "/sitemap.xml").text
    assert mirror.fault_urls["sitemap-laughs"] in index
