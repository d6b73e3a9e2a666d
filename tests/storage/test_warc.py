"""WARC captures: warcio check / index pass, revisits, rotation, re-reading with decoded bodies."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest

from storage import CorruptInput, Exchange, open_archive

WARCIO = str(Path(sys.executable).parent / "warcio")
HTML = "<html><head><title>روسیه</title></head><body><p>سرگئی لاوروف وزیر امور خارجه روسیه</p></body></html>"


def exchange(n: int, body: str = HTML, gz: bool = True) -> Exchange:
    raw = gzip.compress(body.encode("utf-8")) if gz else body.encode("utf-8")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(raw)))]
    if gz:
        headers.append(("Content-Encoding", "gzip"))
    return Exchange(url=f"https://www.isna.ir/news/{n}/", status=200, reason="OK", body=raw,
                    response_headers=headers, request_headers=[("User-Agent", "Bayegan/0.1"),
                                                               ("Accept-Encoding", "gzip")],
                    fetched_at="2023-03-21T07:00:00+00:00", remote_ip="127.0.0.1")


def meta(n: int, source: str = "isna") -> dict:
    return {"source": source, "canonical_url": f"https://www.isna.ir/news/{n}/", "article_id": f"id{n}",
            "parser": {"profile": "nastooh", "version": "1"}, "errors": []}


def warcs(root: Path) -> list[Path]:
    return sorted((root / "warc").rglob("*.warc.gz"))


def test_records_pass_warcio_check_and_index(archive, archive_dir):
    caps = [archive.write_capture(exchange(n), meta(n)) for n in range(3)]
    files = warcs(archive_dir)
    assert len(files) == 1 and files[0].name.startswith("w1-")
    assert files[0].relative_to(archive_dir / "warc").parts[0].isdigit()        # warc/YYYY/MM/DD/
    subprocess.run([WARCIO, "check", str(files[0])], check=True, capture_output=True)
    out = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri,offset", str(files[0])],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo"] + ["request", "response", "metadata"] * 3
    responses = [r for r in rows if r["warc-type"] == "response"]
    assert [int(r["offset"]) for r in responses] == [c.offset for c in caps]
    assert caps[0].warc == str(files[0].relative_to(archive_dir))


def test_unchanged_payload_becomes_a_revisit(archive, archive_dir):
    first = archive.write_capture(exchange(1), meta(1))
    second = archive.write_capture(exchange(1), meta(1))
    changed = archive.write_capture(exchange(1, HTML.replace("روسیه", "ایران")), meta(1))
    assert (first.revisit, second.revisit, changed.revisit) == (False, True, False)
    subprocess.run([WARCIO, "check", str(warcs(archive_dir)[0])], check=True, capture_output=True)
    types = [json.loads(l)["warc-type"] for l in subprocess.run(
        [WARCIO, "index", str(warcs(archive_dir)[0])], capture_output=True, text=True, check=True).stdout.splitlines()]
    assert types.count("revisit") == 1 and types.count("response") == 2


def test_an_unchanged_poll_is_the_revisit_alone(archive, archive_dir):
    """A feed polled again unchanged (same payload, or a 304) costs one revisit record, no request;
    a changed one is request + response again. Offsets point at the revisit/response."""
    feed = exchange(7, gz=False)   # gzip.compress stamps the time: same bytes needs plain
    not_modified = Exchange(url=feed.url, status=304, reason="Not Modified", body=b"",
                            response_headers=[("ETag", '"v1"')], request_headers=[("If-None-Match", '"v1"')],
                            fetched_at="2023-03-21T07:05:00+00:00")
    caps = [archive.write_exchange(feed), archive.write_exchange(exchange(7, gz=False)),
            archive.write_exchange(not_modified), archive.write_exchange(exchange(7, HTML.replace("روسیه", "ایران"), gz=False))]
    assert [c.revisit for c in caps] == [False, True, True, False]
    files = warcs(archive_dir)
    subprocess.run([WARCIO, "check", str(files[0])], check=True, capture_output=True)
    rows = [json.loads(l) for l in subprocess.run([WARCIO, "index", "-f", "warc-type,offset", str(files[0])],
                                                  capture_output=True, text=True, check=True).stdout.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo", "request", "response", "revisit", "revisit",
                                              "request", "response"]
    assert [int(r["offset"]) for r in rows if r["warc-type"] in ("response", "revisit")] == [c.offset for c in caps]
    # an article page captured with its metadata keeps its request even when unchanged
    archive.write_capture(exchange(7, HTML.replace("روسیه", "ایران"), gz=False), meta(7))
    out = subprocess.run([WARCIO, "index", "-f", "warc-type", str(files[0])], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert [json.loads(l)["warc-type"] for l in out][-3:] == ["request", "revisit", "metadata"]


def test_iter_captures_decodes_bodies_and_resolves_revisits(archive):
    archive.write_capture(exchange(1), meta(1))
    archive.write_capture(exchange(1), meta(1))
    archive.write_capture(exchange(2, gz=False), meta(2, source="yjc"))
    got = list(archive.iter_captures())
    assert len(got) == 3
    assert all(ex.body.decode("utf-8") == HTML for ex, _ in got)
    assert [m["revisit"] for _, m in got] == [False, True, False]
    assert got[0][1]["canonical_url"] == "https://www.isna.ir/news/1/" and got[0][0].status == 200
    assert ("User-Agent", "Bayegan/0.1") in got[0][0].request_headers
    assert [m["source"] for _, m in archive.iter_captures(source="yjc")] == ["yjc"]
    assert list(archive.iter_captures(since=__import__("datetime").date(2099, 1, 1))) == []


def test_rotation_by_size_and_names_per_worker(archive_dir, index_url):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1", warc_max_bytes=2000)
    other = open_archive(archive_dir, index_url=index_url, worker_name="w2")
    try:
        for n in range(6):
            arc.write_capture(exchange(n, HTML * 3), meta(n))
        other.write_capture(exchange(99), meta(99))
    finally:
        arc.close(); other.close()
    names = [p.name for p in warcs(archive_dir)]
    assert len([n for n in names if n.startswith("w1-")]) >= 3
    assert [n for n in names if n.startswith("w2-")] == ["w2-00000.warc.gz"]
    for p in warcs(archive_dir):
        subprocess.run([WARCIO, "check", str(p)], check=True, capture_output=True)


def test_truncated_record_is_skipped_with_a_warning(archive, archive_dir):
    for n in range(3):
        archive.write_capture(exchange(n), meta(n))
    path = warcs(archive_dir)[0]
    data = path.read_bytes()
    path.write_bytes(data[:-40])                       # a crash mid-write of the last record
    with pytest.warns(CorruptInput, match=str(path.name)):
        got = list(archive.iter_captures())
    assert len(got) == 2
    assert archive.skipped and archive.skipped[0].path == str(path)


def test_rotation_by_day_and_later_annotations(archive, archive_dir, monkeypatch):
    from datetime import datetime

    import storage.warc as warc_mod

    days = iter([datetime(2024, 3, 20, 23, 59, tzinfo=UTC), datetime(2024, 3, 21, 0, 1, tzinfo=UTC),
                 datetime(2024, 3, 21, 0, 2, tzinfo=UTC)])
    monkeypatch.setattr(warc_mod, "utc_now", lambda: next(days))
    first = archive.write_capture(exchange(1), meta(1))
    second = archive.write_capture(exchange(2), meta(2))
    archive.annotate_capture(second, exchange(2).url, {"parser": {"profile": "nastooh", "version": "2"}})
    assert first.warc.startswith("warc/2024/03/20/w1-") and second.warc.startswith("warc/2024/03/21/w1-")
    for p in warcs(archive_dir):
        subprocess.run([WARCIO, "check", str(p)], check=True, capture_output=True)
    assert [m["canonical_url"] for _, m in archive.iter_captures()] == [meta(1)["canonical_url"],
                                                                          meta(2)["canonical_url"]]
