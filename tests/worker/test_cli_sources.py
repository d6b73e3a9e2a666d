"""`bayegan sources list|check` and `bayegan backfill` through click's CliRunner."""
from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from worker_testkit import send, source_entry, write_registry

from worker.cli import cli

ARTICLE = ("<html><head><title>خبر</title><meta property='og:title' content='عنوان خبر آزمایشی'></head><body>"
           "<h1>عنوان خبر آزمایشی</h1><div class='item-text'><p>متن اول خبر درباره آزمایش است.</p>"
           "<p>متن دوم خبر.</p></div></body></html>")


# No Redis for these runs (an unused port): the CLI falls back to in-process politeness, and the
# shared Redis db 0 of a running daemon is never touched by tests.
NO_REDIS = {"BAYEGAN_REDIS_URL": "redis://127.0.0.1:1/3", "BAYEGAN_BROKER_URL": "redis://127.0.0.1:1/3"}


def run(args, env=None):
    result = CliRunner().invoke(cli, args, env={**NO_REDIS, **(env or {})}, catch_exceptions=False)
    return result.exit_code, result.output


def test_sources_list_table_and_json():
    code, out = run(["sources", "list"])
    assert code == 0 and "21 sources" in out and "ایسنا" in out and "BBC Persian" in out
    code, out = run(["sources", "list", "--json"])
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 21 and {r["id"] for r in rows} >= {"isna", "tasnim", "dw"}


def test_sources_list_reports_registry_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    write_registry(bad, [source_entry("http://127.0.0.1:1", feedz=["x"])])
    code, out = run(["sources", "list", "--sources", str(bad)])
    assert code != 0 and "bad.toml: source 1 ('local'): unknown key 'feedz'" in out


def test_sources_check_reports_what_works(server, tmp_path):
    b = server.base
    server.route("/rss", 200, f'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title>'
                 f"<link>{b}/news/1001/slug</link></item></channel></rss>", content_type="application/rss+xml")
    server.route("/news/1001/slug", 200, ARTICLE)
    server.route("/list", 200, '<a href="/news/1001/slug">x</a>')
    reg = tmp_path / "reg.toml"
    write_registry(reg, [source_entry(b, id="mehr", archive_url=None)])
    code, out = run(["sources", "check", "mehr", "--sources", str(reg)])
    assert "mehr:" in out
    lines = out.splitlines()
    assert any(l.strip().startswith("ok") and "feed" in l and "1 article links" in l for l in lines), out
    assert any(l.strip().startswith("FAIL") and "sitemap" in l and "404" in l for l in lines), out
    assert any("article" in l and "/news/1001/slug" in l for l in lines), out
    assert code == 1, "a FAIL line (the 404 sitemap) means exit 1, as the help says"

    code, out = run(["sources", "check", "mehr", "--json", "--sources", str(reg)])
    report = json.loads(out.splitlines()[0])
    assert {p["kind"] for p in report["probes"]} == {"feed", "sitemap", "listing", "article"}

    server.routes.pop("/rss")
    server.routes.pop("/list")
    code, out = run(["sources", "check", "mehr", "--sources", str(reg)])
    assert code == 1 and "mehr: PROBLEMS" in out and "no article link found" in out


def test_sources_check_unknown_id():
    code, out = run(["sources", "check", "nope"])
    assert code != 0 and "unknown source(s): nope" in out


@pytest.fixture
def archive_site(server):
    def handler(h):
        q = parse_qs(urlsplit(h.path).query)
        day, page = int(q["dy"][0]), int(q["pi"][0])
        ids = [1400000 + day * 10 + i for i in range(2)] if page == 1 else []
        send(h, 200, "".join(f'<a href="/news/{i}/x">{i}</a>' for i in ids))
    server.routes["/archive"] = handler
    return server


def test_backfill_list_only_jalali_dates_and_resume(archive_site, tmp_path):
    reg = tmp_path / "reg.toml"
    write_registry(reg, [source_entry(archive_site.base, id="isna")])
    env = {"BAYEGAN_ARCHIVE_DIR": str(tmp_path / "archive")}
    code, out = run(["backfill", "--source", "isna", "--from", "1402/01/01", "--to", "۱۴۰۲/۰۱/۰۳",
                     "--sources", str(reg), "--list-only"], env)
    urls = [l for l in out.splitlines() if l.startswith("http")]
    assert code == 0 and len(urls) == 6 and "6 article links listed from 2023-03-21 to 2023-03-23" in out
    assert (tmp_path / "archive" / "backfill" / "isna.json").exists()
    code, out = run(["backfill", "--source", "isna", "--from", "2023-03-21", "--to", "2023-03-23",
                     "--sources", str(reg), "--list-only"], env)
    assert code == 0 and "0 article links listed" in out          # finished: resumes to nothing


def test_backfill_bad_dates_and_sources(tmp_path):
    code, out = run(["backfill", "--source", "isna", "--from", "1402/13/01", "--to", "1402/01/02", "--list-only"])
    assert code != 0 and "--from" in out
    code, out = run(["backfill", "--source", "bbcpersian", "--from", "1402/01/01", "--to", "1402/01/02",
                     "--list-only"], {"BAYEGAN_ARCHIVE_DIR": str(tmp_path)})
    assert code != 0 and "'bbcpersian' has no archive_url" in out


def test_sources_check_leaves_the_shared_redis_alone(redis_db3, tmp_path):
    """A check of a down host must not write host-down marks a running daemon would obey."""
    from worker.http.politeness import DEFAULT_PREFIX

    client, _ = redis_db3
    host = f"127.{uuid.uuid4().int % 200 + 20}.{uuid.uuid4().int % 250 + 1}.9"   # loopback, refused, ours alone
    reg = tmp_path / "reg.toml"
    write_registry(reg, [source_entry(f"http://{host}:1", id="mehr", archive_url=None, hosts=[host])])
    redis_url = "redis://127.0.0.1:6379/3"
    try:
        result = CliRunner().invoke(cli, ["sources", "check", "mehr", "--sources", str(reg)],
                                    env={"BAYEGAN_REDIS_URL": redis_url, "BAYEGAN_BROKER_URL": redis_url,
                                         "BAYEGAN_CONNECT_TIMEOUT": "1"})
        assert result.exit_code == 1 and "FAIL" in result.output
        assert list(client.scan_iter(match=f"{DEFAULT_PREFIX}*{host}*")) == []
    finally:
        leftover = list(client.scan_iter(match=f"{DEFAULT_PREFIX}*{host}*"))
        if leftover:
            client.delete(*leftover)
