"""The daemon end to end: real Redis, real `celery worker` and `celery beat` processes, the test mirror.

One beat-driven run (with a second beat started by mistake and one page that crashes the parser)
feeds several tests; re-ingest then works on a copy of the archive it produced.
"""
from __future__ import annotations

import json
import shutil
import signal
import socket
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from warcio.archiveiterator import ArchiveIterator

from parsers.urls import canonicalize
from storage import open_archive
from tests.integration.harness import (
    Fleet,
    record_lines,
    redis_db_url,
    stored_count,
    wait_for,
    warc_article_captures,
    write_sources,
)
from worker.testing.mirror import MirrorServer

POLL = 4            # seconds between polls of each source in this test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def beat_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("beat_run")
    with MirrorServer(articles=8, faults=False, seed=3) as mirror:
        sources = write_sources(mirror, tmp / "sources.toml", poll_interval=POLL, min_poll=POLL, max_poll=POLL)
        articles = mirror.articles
        victim = articles[len(articles) // 2 + 1]
        marker = urlsplit(victim.url).path.rstrip("/").rsplit("/", 1)[0] if victim.agency != "bbcpersian" \
            else urlsplit(victim.url).path
        assert sum(marker in a.url for a in articles) == 1, marker
        metrics_port = _free_port()
        fleet = Fleet(tmp, sources, redis_db_url(db=5), BAYEGAN_TEST_EXPLODE=marker, BAYEGAN_METRICS_PORT=metrics_port)
        expected = {canonicalize(a.url, a.agency): a for a in articles}
        victim_canonical = canonicalize(victim.url, victim.agency)
        with fleet.running():
            started = time.time()
            fleet.worker("w1", concurrency=2, hooked=True)
            fleet.beat("beat1")
            fleet.beat("beat2")            # started by mistake: must not double the polls
            archive_dir = fleet.archive_dir
            wait_for(lambda: stored_count(archive_dir) >= len(expected) - 1, 90, what="every article stored", fleet=fleet)
            time.sleep(2 * POLL + 1)       # more polls: they must find nothing new
            metrics_text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
            stopped_polling = time.time()
            feed_polls = {a: len(mirror.requests(a, mirror.sites[a].feed_path)) for a in mirror.sites}
            # re-ingest through the broker, as an operator would: `celery -A worker.daemon.app call ...`
            fleet.call("worker.tasks.reingest", kwargs={})
            wait_for(lambda: any(e.get("event") == "reingest done" for e in fleet.log_events("w1")), 60,
                     what="the reingest task", fleet=fleet)
        yield {"fleet": fleet, "expected": expected, "victim": victim_canonical, "marker": marker,
               "victim_source": victim.agency,
               "elapsed": stopped_polling - started, "feed_polls": feed_polls, "sources": sources,
               "events": fleet.log_events(), "metrics": metrics_text}


def test_beat_driven_poll_archives_every_article_exactly_once(beat_run):
    expected, victim = beat_run["expected"], beat_run["victim"]
    archive_dir = beat_run["fleet"].archive_dir
    records = record_lines(archive_dir)
    assert [r for r in records if r["kind"] != "new"] == [], "no versions/aliases for a static mirror"
    by_url = Counter(r["article"]["canonical_url"] for r in records)
    assert set(by_url) == set(expected) - {victim}
    assert max(by_url.values()) == 1, "stored twice"

    with open_archive(archive_dir) as archive:
        captures = warc_article_captures(archive)
        assert set(captures) == set(expected), "every article page archived in the WARC"
        assert max(captures.values()) == 1, f"fetched twice: {[u for u, n in captures.items() if n > 1]}"
        for record in records:
            art = record["article"]
            indexed = archive.get(art["canonical_url"])
            assert indexed is not None and indexed.to_dict() == art, "index and records agree"
            # the record points at the WARC response it was parsed from
            with open(archive_dir / art["capture"]["warc"], "rb") as fh:
                fh.seek(art["capture"]["offset"])
                rec = next(iter(ArchiveIterator(fh)))
                assert rec.rec_type == "response"
                assert rec.rec_headers.get_header("WARC-Target-URI") == art["url"]
        total = sum(row.get("articles", 0) for row in archive.stats())
        assert total == len(expected) - 1


def test_two_beats_do_not_double_the_polls(beat_run):
    elapsed = beat_run["elapsed"]
    for agency, polls in beat_run["feed_polls"].items():
        # one poll at start, then one per interval; a doubled schedule would show ~2x
        assert 2 <= polls <= elapsed / POLL + 2, (agency, polls, elapsed)


def test_a_page_that_crashes_the_parser_fails_alone(beat_run):
    archive_dir = beat_run["fleet"].archive_dir
    errors = [json.loads(line) for p in (archive_dir / "events").rglob("*.jsonl")
              for line in p.read_text(encoding="utf-8").splitlines() if '"error"' in line]
    crash = [e for e in errors if e.get("kind") == "parser_crash"]
    # once when it was ingested, once more when the reingest task re-parsed its capture
    assert len(crash) == 2, errors
    for error in crash:
        assert beat_run["marker"] in error["url"] and error["source"] == beat_run["victim_source"]
        assert "ZeroDivisionError: simulated parser bug" in error["message"]
    assert [e for e in errors if e not in crash] == [], "nothing else failed"
    with open_archive(archive_dir) as archive:
        assert not archive.is_known(beat_run["victim"])
        assert sum(1 for _ in archive.iter_articles()) == len(beat_run["expected"]) - 1


def test_worker_metrics_endpoint(beat_run):
    samples = {}
    for family in text_string_to_metric_families(beat_run["metrics"]):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    articles = samples["bayegan_articles_total"]
    new = {s.labels["source"]: s.value for s in articles if s.labels["status"] == "new"}
    expected = Counter(a.agency for a in beat_run["expected"].values())
    expected[beat_run["victim_source"]] -= 1
    assert new == dict(expected), "each stored article counted once, by source"
    crashes = [s for s in samples["bayegan_errors_total"] if s.labels["kind"] == "parser_crash"]
    assert sum(s.value for s in crashes) == 1
    fetches = sum(s.value for s in samples["bayegan_fetch_seconds_count"])
    assert fetches >= len(beat_run["expected"])
    queues = {s.labels["queue"] for s in samples["bayegan_queue_depth"]}
    assert {q.split("_", 1)[1] for q in queues} == {"discover", "fetch", "parse", "store", "reingest", "recheck"}


def test_worker_logs_are_structured_json(beat_run):
    events = beat_run["events"]
    stored = [e for e in events if e.get("event") == "stored"]
    assert len(stored) >= len(beat_run["expected"]) - 1
    assert all(e["source"] and e["url"] and e["status"] for e in stored)


def test_reingest_task_via_celery_call_changed_nothing(beat_run):
    done = [e for e in beat_run["events"] if e.get("event") == "reingest done"]
    assert done and done[0]["statuses"].get("unchanged") == len(beat_run["expected"]) - 1
    assert "new" not in done[0]["statuses"] and "version" not in done[0]["statuses"]


@pytest.fixture()
def archive_copy(beat_run, tmp_path):
    dst = tmp_path / "archive"
    shutil.copytree(beat_run["fleet"].archive_dir, dst)
    return dst


def _reingest(archive_dir: Path, sources: Path):
    from worker.config import Settings
    from worker.pipeline.reingest import reingest
    from worker.pipeline.stages import Pipeline

    pipeline = Pipeline(Settings(archive_dir=archive_dir, sources_file=sources, metrics_port=0))
    try:
        return reingest(pipeline)
    finally:
        pipeline.close()


def _exploding(monkeypatch, marker):
    from worker.pipeline import pages

    real = pages.parse_page

    def parse(data, url, **kw):   # the same parser the workers ran (see hooked_celery.py)
        if marker in url:
            raise ZeroDivisionError(f"simulated parser bug on {url}")
        return real(data, url, **kw)

    monkeypatch.setattr(pages, "parse_page", parse)


def _record_bytes(archive_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(archive_dir)): p.read_bytes() for p in sorted((archive_dir / "records").rglob("*"))
            if p.is_file()}


def test_reingest_with_unchanged_parsers_gives_identical_records(beat_run, archive_copy, monkeypatch):
    _exploding(monkeypatch, beat_run["marker"])
    before = _record_bytes(archive_copy)
    summary = _reingest(archive_copy, beat_run["sources"])
    assert summary.articles == len(beat_run["expected"])
    assert dict(summary.statuses) == {"unchanged": len(beat_run["expected"]) - 1, "error": 1}
    assert _record_bytes(archive_copy) == before


def test_reingest_after_a_profile_change_versions_only_what_changed(beat_run, archive_copy, monkeypatch, tmp_path):
    """A real parser change: the tasnim profile now also drops the story's subheadings (h2)."""
    from parsers import profiles

    _exploding(monkeypatch, beat_run["marker"])
    changed = tmp_path / "profiles"
    shutil.copytree(profiles.PROFILE_DIR, changed)
    toml = (changed / "tasnim.toml").read_text(encoding="utf-8")
    assert 'drop = [".hideTag"' in toml
    (changed / "tasnim.toml").write_text(toml.replace('drop = [".hideTag"', 'drop = ["div.story h2", ".hideTag"'),
                                         encoding="utf-8")
    monkeypatch.setattr(profiles, "PROFILE_DIR", changed)
    profiles.load_profiles.cache_clear()
    try:
        with open_archive(archive_copy) as archive:
            stored = list(archive.iter_articles())
        summary = _reingest(archive_copy, beat_run["sources"])
    finally:
        monkeypatch.undo()
        profiles.load_profiles.cache_clear()
    # exactly the tasnim-family articles that had a subheading change; nothing else does
    altered = {a.id for a in stored if a.parser.profile == "tasnim" and any(b.type == "heading" for b in a.body)}
    assert altered, "the mirror has tasnim articles with subheadings"
    versions = [r for r in record_lines(archive_copy) if r["kind"] == "version"]
    assert {r["article_id"] for r in versions} == altered
    assert summary.statuses["version"] == len(altered)
    assert summary.statuses["unchanged"] == len(stored) - len(altered)
    tasnim = altered
    with open_archive(archive_copy) as archive:
        some = next(iter(tasnim))
        assert [v.version for v in archive.versions(some)] == [1, 2]
        assert archive.get(some).text != archive.versions(some)[0].article.text


def test_bayegan_run_is_a_one_machine_daemon(tmp_path):
    """`bayegan run`: worker and beat in one command; the beat's first ticks poll every source."""
    with MirrorServer(articles=4, faults=False, seed=9) as mirror:
        sources = write_sources(mirror, tmp_path / "sources.toml", poll_interval=POLL, min_poll=POLL, max_poll=POLL)
        expected = {canonicalize(a.url, a.agency) for a in mirror.articles}
        fleet = Fleet(tmp_path, sources, redis_db_url(db=8))
        with fleet.running():
            daemon = fleet.bayegan("run", "run", "--concurrency", "2", "--queues",
                                   "discover,fetch,parse,store,reingest")
            wait_for(lambda: stored_count(fleet.archive_dir) >= len(expected), 60, what="the daemon's ingest",
                     fleet=fleet)
            fleet.kill(daemon, signal.SIGTERM)      # warm shutdown
            assert daemon.returncode is not None
    records = record_lines(fleet.archive_dir)
    assert sorted(r["article"]["canonical_url"] for r in records) == sorted(expected)
