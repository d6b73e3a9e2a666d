"""Backfill through Jalali-dated archive pages: day by day, page by page, resumable."""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from worker_testkit import make_source, send

from worker.discovery.backfill import BackfillError, JsonCheckpoint, RedisCheckpoint, backfill
from worker.http.fetcher import Fetcher

DAYS = {"1402/01/01": date(2023, 3, 21), "1402/01/02": date(2023, 3, 22), "1402/01/03": date(2023, 3, 23)}
PER_PAGE = 3


def ids_for(jday: int, page: int) -> list[int]:
    return [100000 + jday * 100 + page * 10 + i for i in range(PER_PAGE)]


@pytest.fixture
def archive(server):
    """Two full pages a day; day 2 repeats its last page for any higher page number (a real CMS habit)."""
    def handler(h):
        q = parse_qs(urlsplit(h.path).query)
        jday, page = int(q["dy"][0]), int(q["pi"][0])
        assert q["yr"] == ["1402"] and q["mn"] == ["01"]
        if jday == 2 and page > 2:
            page = 2
        ids = ids_for(jday, page) if page <= 2 else []
        links = "".join(f'<li><a href="/news/{i}/عنوان-{i}">خبر {i}</a></li>' for i in ids)
        send(h, 200, f"<html><body><a href='/'>خانه</a><ul>{links}</ul><a href='/archive?pi={page + 1}'>بعدی</a>"
                     f"</body></html>")
    server.routes["/archive"] = handler
    return server


def expected() -> set[str]:
    return {f"/news/{i}" for d in (1, 2, 3) for p in (1, 2) for i in ids_for(d, p)}


def canon(server, links):
    return [link.canonical_url.replace(server.base, "") for link in links]


def test_backfill_walks_every_day_and_page(archive, settings):
    src = make_source(archive.base, id="isna")
    links = list(backfill(src, date(2023, 3, 21), date(2023, 3, 23), Fetcher(settings)))
    got = canon(archive, links)
    assert len(got) == len(set(got)) and set(got) == expected()
    assert links[0].hint == {"via": "archive", "date": "2023-03-21", "page": 1, "title": f"خبر {ids_for(1, 1)[0]}"}
    pages = [p for _, p, _ in archive.log if p.startswith("/archive")]
    assert len(pages) == 3 * 3            # day 1, 3: empty page 3; day 2: page 3 repeats page 2


def test_backfill_resumes_after_interruption(archive, settings, tmp_path):
    src = make_source(archive.base, id="isna")
    checkpoint = JsonCheckpoint(tmp_path / "backfill" / "isna.json")
    first: list[str] = []
    gen = backfill(src, date(2023, 3, 21), date(2023, 3, 23), Fetcher(settings), checkpoint=checkpoint)
    for link in gen:                       # interrupted in the middle of day 1, page 2
        first.append(link.canonical_url.replace(archive.base, ""))
        if len(first) == PER_PAGE + 1:
            break
    gen.close()
    assert (tmp_path / "backfill" / "isna.json").exists()
    before = len(archive.log)
    rest = canon(archive, backfill(src, date(2023, 3, 21), date(2023, 3, 23), Fetcher(settings), checkpoint=checkpoint))
    resumed_pages = [p for _, p, _ in archive.log[before:] if p.startswith("/archive")]
    assert "dy=01&pi=1" not in resumed_pages[0] and "dy=01&pi=2" in resumed_pages[0]
    assert set(first) | set(rest) == expected()
    assert len(set(first) & set(rest)) == 1   # only the half-consumed page is listed again
    assert list(backfill(src, date(2023, 3, 21), date(2023, 3, 23), Fetcher(settings), checkpoint=checkpoint)) == []


def test_redis_checkpoint(archive, settings, redis_db3):
    client, prefix = redis_db3
    src = make_source(archive.base, id="isna")
    cp = RedisCheckpoint(client, prefix=prefix)
    gen = backfill(src, date(2023, 3, 21), date(2023, 3, 21), Fetcher(settings), checkpoint=cp)
    taken = [next(gen) for _ in range(PER_PAGE + 1)]
    gen.close()
    assert cp.load("isna:2023-03-21:2023-03-21") == {"day": "2023-03-21", "page": 1}
    rest = list(backfill(src, date(2023, 3, 21), date(2023, 3, 21), Fetcher(settings), checkpoint=cp))
    assert len(taken) + len(rest) == 2 * PER_PAGE + 1
    assert cp.load("isna:2023-03-21:2023-03-21") == {"done": True}


def test_backfill_refuses_sources_without_archive_and_bad_ranges(server, settings):
    with pytest.raises(BackfillError, match="'local' has no archive_url"):
        list(backfill(make_source(server.base, archive_url=None), date(2023, 3, 21), date(2023, 3, 22),
                      Fetcher(settings)))
    with pytest.raises(BackfillError, match="before"):
        list(backfill(make_source(server.base), date(2023, 3, 22), date(2023, 3, 21), Fetcher(settings)))


def test_backfill_every_family_of_the_mirror(settings):
    """The mirror's archive pages in each CMS family's shape (ISNA yr/mn/dy/pi, IranSamaneh
    from_date/to_date/p, Tasnim date/p, ...): every article of the range is listed."""
    from parsers.urls import canonicalize
    from worker.sources import sources_from_dicts
    from worker.testing.mirror import MirrorServer

    with MirrorServer(agencies=("isna", "yjc", "tasnim", "bbcpersian"), articles=15, faults=False) as mirror:
        sources = sources_from_dicts(mirror.sources(), origin="mirror")
        days = sorted({a.truth["published_iso"][:10] for a in mirror.articles})
        start, end = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        for sid, source in sources.items():
            if not source.archive_url:
                continue
            want = {canonicalize(a.url, sid) for a in mirror.articles if a.agency == sid}
            got = {link.canonical_url for link in backfill(source, start, end, Fetcher(settings))}
            assert got == want, sid
