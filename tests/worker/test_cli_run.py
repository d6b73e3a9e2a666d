"""`bayegan ingest` and `bayegan reingest` through click's CliRunner against the test mirror (no Redis)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from parsers.dates import gregorian_to_jalali
from parsers.urls import canonicalize
from storage import open_archive
from worker.cli import cli
from worker_testkit import mirror_registry


def _run(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    with mirror_registry(tmp_path_factory, articles=6, seed=11) as served:
        yield served


def _totals(summary: dict) -> Counter:
    total: Counter = Counter()
    for row in summary["sources"]:
        total.update({k: v for k, v in row.items() if isinstance(v, int)})
    return total


def test_ingest_stores_every_article_then_nothing_twice(mirror, tmp_path):
    server, sources = mirror
    archive = tmp_path / "archive"
    first = _run("ingest", "--sources", str(sources), "--archive", str(archive), "--json")
    assert {r["source"] for r in first["sources"]} == set(server.sites)
    assert all(r["poll"] == "ok" for r in first["sources"])
    totals = _totals(first)
    assert totals["new"] == len(server.articles) and totals["error"] == 0
    with open_archive(archive) as arch:
        assert all(arch.is_known(canonicalize(a.url, a.agency)) for a in server.articles)
    again = _totals(_run("ingest", "--sources", str(sources), "--archive", str(archive), "--json"))
    assert again["queued"] == 0 and again["new"] == 0, "known articles are not fetched again"


def test_ingest_one_source_and_unknown_source(mirror, tmp_path):
    server, sources = mirror
    summary = _run("ingest", "--sources", str(sources), "--archive", str(tmp_path / "a"), "--source", "yjc", "--json")
    assert [r["source"] for r in summary["sources"]] == ["yjc"]
    assert summary["sources"][0]["new"] == sum(a.agency == "yjc" for a in server.articles)
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(sources), "--archive", str(tmp_path / "a"),
                                      "--source", "nope"])
    assert result.exit_code != 0 and "unknown source(s): nope" in result.output


def test_ingest_prints_a_summary_table(mirror, tmp_path):
    _, sources = mirror
    result = CliRunner().invoke(cli, ["ingest", "--sources", str(sources), "--archive", str(tmp_path / "a"),
                                      "--source", "isna", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "isna" in result.stdout and "TOTAL" in result.stdout and "unchanged" in result.stdout


def test_reingest_unchanged_then_refetch(mirror, tmp_path):
    server, sources = mirror
    archive = tmp_path / "archive"
    _run("ingest", "--sources", str(sources), "--archive", str(archive), "--json")
    summary = _run("reingest", "--archive", str(archive), "--json")
    assert summary["articles"] == len(server.articles)
    assert summary["statuses"] == {"unchanged": len(server.articles)}
    one = _run("reingest", "--archive", str(archive), "--source", "tasnim", "--json")
    assert one["by_source"] == {"tasnim": {"unchanged": sum(a.agency == "tasnim" for a in server.articles)}}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert _run("reingest", "--archive", str(archive), "--since", tomorrow, "--json")["articles"] == 0
    jy, jm, jd = gregorian_to_jalali(date.today() - timedelta(days=1))
    since_jalali = _run("reingest", "--archive", str(archive), "--since", f"{jy}/{jm:02d}/{jd:02d}", "--json")
    assert since_jalali["articles"] == len(server.articles)
    refetched = _run("reingest", "--archive", str(archive), "--sources", str(sources), "--source", "isna",
                     "--refetch", "--json")
    n_isna = sum(a.agency == "isna" for a in server.articles)
    assert refetched["statuses"] == {"unchanged": n_isna}
    assert len(server.requests("isna")) > 0


def test_reingest_bad_date_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["reingest", "--archive", str(tmp_path), "--since", "yesterday"])
    assert result.exit_code == 2 and "--since" in result.output


def test_ingest_mirror_demo_runs_without_servers(tmp_path):
    """The README's first command: the built-in mirror (with its faults), no Redis needed."""
    summary = _run("ingest", "--mirror", "--mirror-articles", "3", "--archive", str(tmp_path / "a"), "--json")
    totals = _totals(summary)
    assert len(summary["sources"]) == 4 and all(r["poll"] == "ok" for r in summary["sources"])
    assert totals["new"] >= 12            # every good article; fault pages are errors, recorded
    assert totals["error"] > 0
    with open_archive(tmp_path / "a") as arch:
        errors = sum(row.get("errors", 0) for row in arch.stats())
    assert errors >= totals["error"]


def test_every_article_capture_names_its_parser_in_the_warc(mirror, tmp_path):
    """WARC metadata ties each response to the article the parser made of it (profile + version)."""
    from warcio.archiveiterator import ArchiveIterator

    from storage.warcfields import parse_metadata

    _, sources = mirror
    archive = tmp_path / "archive"
    summary = _run("ingest", "--sources", str(sources), "--archive", str(archive), "--source", "tasnim", "--json")
    responses: dict[str, str] = {}
    parsed: dict[str, dict] = {}
    for path in sorted((archive / "warc").rglob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                headers = record.rec_headers
                if record.rec_type == "response":
                    responses[headers.get_header("WARC-Record-ID")] = headers.get_header("WARC-Target-URI")
                elif record.rec_type == "metadata" and headers.get_header("WARC-Refers-To"):
                    parsed.setdefault(headers.get_header("WARC-Refers-To"), {}).update(parse_metadata(
                        headers.get_header("Content-Type"), record.content_stream().read()))
    # every exchange is archived now (listings, fault pages too): the article ones carry metadata
    article_responses = {rid for rid, uri in responses.items()
                         if "/fa/news/" in uri and "canonical_url" in parsed.get(rid, {})}
    assert len(article_responses) == summary["sources"][0]["new"] > 0
    for rid in article_responses:
        meta = parsed[rid]
        assert meta["parser_profile"] == "tasnim" and meta["parser_version"] and meta["article_id"]
