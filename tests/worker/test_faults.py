"""Every fault of the agency mirror (worker/mirror): the right retry, skip or error; the process
survives; every good article around the faults is still discovered and fetched."""
from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from parsers.urls import canonicalize
from worker.config import Settings
from worker.discovery.feeds import UnsafeXML, parse_feed
from worker.discovery.links import discover
from worker.http import errors as E
from worker.http.fetcher import Fetcher
from worker.sources import sources_from_dicts
from worker.testing.mirror import FAULTS, MirrorServer

ERRORS = {"500": E.ServerError, "reset": E.ConnectFailed, "truncated": E.TruncatedBody,
          "huge": E.BodyTooLarge, "gzip-bomb": E.BodyTooLarge, "redirect-loop": E.TooManyRedirects,
          "redirect-foreign": E.ForeignHost, "robots-disallowed": E.RobotsDisallowed,
          "refused": E.HostDown}      # 3 refused connections in a row: that origin is down, callers wait
SETTINGS = Settings(politeness_interval=0.0, max_retries=3, connect_timeout=2.0, read_timeout=4.0,
                    total_timeout=20.0, max_redirects=5)


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer(agencies=("isna", "yjc", "tasnim", "bbcpersian"), articles=12, slow_seconds=1.0) as m:
        yield m


@pytest.fixture(scope="module")
def sources(mirror):
    return sources_from_dicts(mirror.sources(), origin="mirror")


@pytest.fixture
def fetcher():
    return Fetcher(SETTINGS, retry_backoff=0.05)


def test_every_fault_is_covered_here():
    assert {f.name for f in FAULTS} == set(ERRORS) | {f.name for f in FAULTS if f.outcome == "article"}


def _hits(mirror, agency, path, expect=0):
    """Requests the mirror logged for `path`. It logs when a handler ends, a moment after the client
    got the response (or hung up on a huge body), so wait until `expect` records are there."""
    deadline = time.monotonic() + 5
    while True:
        hits = [r for r in mirror.requests(agency) if r.path.split("?")[0] == path]
        if len(hits) >= expect or time.monotonic() > deadline:
            time.sleep(0.1)   # and a little longer: any extra (wrong) request would show up too
            return [r for r in mirror.requests(agency) if r.path.split("?")[0] == path]
        time.sleep(0.05)


RETRIES = SETTINGS.max_retries + 1
REQUESTS = {"503": 3, "flaky": 3, "429": 2, "500": RETRIES, "truncated": RETRIES, "reset": RETRIES,
            "huge": 1, "gzip-bomb": 1, "redirect-foreign": 1, "robots-disallowed": 0}


@pytest.mark.parametrize("fault", [f for f in FAULTS], ids=lambda f: f.name)
def test_fault(fault, mirror, sources, fetcher):
    mirror.reset_faults()
    agency = "isna"
    url = mirror.fault_urls_for(agency)[fault.name]
    path = urlsplit(url).path
    mirror.clear_log()
    if fault.outcome == "article":
        result = fetcher.fetch(url, sources[agency])
        truth = next(a.truth for a in mirror.fault_articles if a.agency == agency and a.fault == fault.name)
        assert result.status == 200
        assert truth["title"] in result.text, fault.name   # decoded right whatever the charset says
    else:
        with pytest.raises(ERRORS[fault.name]) as err:
            fetcher.fetch(url, sources[agency])
        assert agency in str(err.value) and url in str(err.value)   # names source and URL
    hits = _hits(mirror, agency, path, expect=REQUESTS.get(fault.name, 0))
    if fault.name in REQUESTS:   # bounded retries; limits and policy never retried; robots: never asked
        assert len(hits) == REQUESTS[fault.name], [(r.status, r.time) for r in hits]
    if fault.name == "503":
        assert hits[1].time - hits[0].time >= 0.9                # Retry-After: 1 honoured
    if fault.name == "429":
        assert hits[1].time - hits[0].time >= 1.9
    if fault.name == "refused":
        assert err.value.retry_at > time.time() + 60           # Settings.host_down_seconds ahead
    if fault.name == "moved":
        assert result.final_url != url and result.history[0].status == 301
    if fault.name == "windows-1256":
        assert result.encoding == "cp1256"


def test_broken_and_hostile_feeds(mirror, sources, fetcher):
    urls = mirror.fault_urls_for("isna")
    broken = fetcher.fetch(urls["feed-malformed"], sources["isna"])
    assert len(parse_feed(broken.content, broken.final_url)) >= 1
    laughs = fetcher.fetch(urls["feed-laughs"], sources["isna"])
    with pytest.raises(UnsafeXML):
        parse_feed(laughs.content, laughs.final_url)


def _crawl(agency, source, mirror):
    """What a poll does: discover, then fetch every link; no fault may stop the rest."""
    fetcher = Fetcher(SETTINGS, retry_backoff=0.05)
    state: dict = {}
    links = discover(source, fetcher, state)
    fetched, failed = {}, {}
    for link in links:
        try:
            fetched[link.canonical_url] = fetcher.fetch(link.url, source)
        except E.FetchError as exc:
            failed[link.canonical_url] = exc
    return links, fetched, failed, state


def test_whole_agencies_crawl_through_the_faults(mirror, sources):
    mirror.reset_faults()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = dict(zip(sources, pool.map(lambda a: _crawl(a, sources[a], mirror), sources)))
    for agency, (links, fetched, failed, state) in runs.items():
        good = {canonicalize(a.url, agency): a for a in mirror.articles if a.agency == agency}
        assert good, agency
        assert set(good) <= {link.canonical_url for link in links}, agency          # all discovered
        assert set(good) <= set(fetched), (agency, {k: str(v) for k, v in failed.items() if k in good})
        for canonical, article in good.items():
            assert article.truth["title"] in fetched[canonical].text
        kinds = {type(exc).__name__ for exc in failed.values()}
        assert kinds <= {cls.__name__ for cls in ERRORS.values()}, kinds
        assert any("refused" in e for e in state["errors"])      # the entity bombs were refused, unparsed
    assert time.monotonic() - started < 120


def test_host_down_then_waits_instead_of_spinning(mirror, sources):
    from worker_testkit import free_port
    port = free_port()
    # allow_private reaches only the source's own origins: the dead port is declared one of them
    src = dataclasses.replace(sources["isna"], private_origins=(f"http://127.0.0.1:{port}",))
    fetcher = Fetcher(dataclasses.replace(SETTINGS, host_down_seconds=30.0), retry_backoff=0.01)
    dead = f"http://127.0.0.1:{port}/news/1402010100001/x"
    with pytest.raises(E.HostDown) as err:
        fetcher.fetch(dead, src)
    assert err.value.retry_at > time.time() + 20
    # the live mirror host is unaffected: it is a different origin
    good = next(a for a in mirror.articles if a.agency == "isna")
    assert fetcher.fetch(good.url, src).status == 200
