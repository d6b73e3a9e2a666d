"""`bayegan search | show | export | stats | index rebuild` through click's CliRunner, both backends."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from storage_helpers import cli_env, make_article, persian_text

from storage import open_archive
from worker.cli import cli


@pytest.fixture
def env(archive_dir, index_url):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    arc.store(make_article("https://www.isna.ir/news/1/", "لاوروف در لندن",
                           "وزیر خارجه روسيه در سال ۲۰۱۸ به لندن رفت. " + persian_text(1),
                           published="2018-03-21T10:00:00+04:30"))
    arc.store(make_article("https://www.isna.ir/news/1/", "لاوروف در لندن (اصلاح شد)",
                           "وزیر خارجه روسيه در سال ۲۰۱۸ به لندن رفت و بازگشت. " + persian_text(1),
                           published="2018-03-21T10:00:00+04:30"))
    arc.store(make_article("https://www.yjc.ir/news/2/", "بازار نفت", "قیمت نفت بالا رفت. " + persian_text(2),
                           source="yjc", published="2023-05-01T10:00:00+03:30"))
    arc.store(make_article("https://www.yjc.ir/news/3/", "خالی", "", source="yjc",
                           published="2023-05-02T10:00:00+03:30"))
    arc.record_error("yjc", "https://www.yjc.ir/news/4/", "parse", "not an article")
    arc.close()
    return cli_env(archive_dir, index_url)


def run(env, *args):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result


def test_search_text_and_json(env):
    r = run(env, "search", "روسیه")
    assert r.exit_code == 0 and "https://www.isna.ir/news/1/" in r.output and "**روسیه**" in r.output
    r = run(env, "search", "۲۰۱۸", "--json")
    hits = [json.loads(l) for l in r.output.splitlines()]
    assert [h["url"] for h in hits] == ["https://www.isna.ir/news/1/"] and "**۲۰۱۸**" in hits[0]["snippet"]   # the text as published, marked


def test_search_filters_with_jalali_and_gregorian_dates(env):
    def urls(*a):
        return [json.loads(l)["url"] for l in run(env, "search", "رفت", "--json", *a).output.splitlines()]
    assert set(urls()) == {"https://www.isna.ir/news/1/", "https://www.yjc.ir/news/2/"}
    assert urls("--source", "yjc") == ["https://www.yjc.ir/news/2/"]
    assert urls("--since", "1402/01/01") == ["https://www.yjc.ir/news/2/"]          # = 2023-03-21
    assert urls("--until", "2019-01-01") == ["https://www.isna.ir/news/1/"]
    assert urls("--since", "۱۳۹۷/۰۱/۰۱", "--until", "۱۳۹۷/۰۱/۰۱") == ["https://www.isna.ir/news/1/"]
    assert len(urls("--limit", "1")) == 1


@pytest.mark.parametrize("query", ['"روسیه', "*", "OR", "'); DROP TABLE fts; --", "NEAR(", "a:*"])
def test_search_hostile_input_is_a_clean_message(env, query):
    r = run(env, "search", query)
    assert r.exit_code in (0, 2)
    assert "sqlite3" not in r.output.lower() and "psycopg" not in r.output.lower()
    assert "syntax error" not in r.output.lower() and "Traceback" not in r.output


def test_bad_date_is_a_usage_error(env):
    r = run(env, "search", "نفت", "--since", "yesterday-ish")
    assert r.exit_code == 2 and "--since" in r.output


def test_show_by_id_and_url_with_versions(env):
    r = run(env, "show", "https://www.isna.ir/news/1/")
    doc = json.loads(r.output)
    assert doc["title"] == "لاوروف در لندن (اصلاح شد)" and doc["archive"]["versions"] == 2
    r = run(env, "show", doc["id"], "--versions")
    assert r.exit_code == 0
    assert "=== version 1" in r.output and "=== version 2" in r.output
    assert "+وزیر خارجه روسيه در سال ۲۰۱۸ به لندن رفت و بازگشت" in r.output.replace(" " + persian_text(1), "")
    r = run(env, "show", "no-such-id")
    assert r.exit_code == 1 and "no such article" in r.output


def test_export_jsonl_csv_parquet(env, tmp_path):
    r = run(env, "export", "--format", "jsonl")
    rows = [json.loads(l) for l in r.output.splitlines() if l.startswith("{")]
    assert {x["url"] for x in rows} == {"https://www.isna.ir/news/1/", "https://www.yjc.ir/news/2/",
                                        "https://www.yjc.ir/news/3/"}
    out = tmp_path / "a.csv"
    assert run(env, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert len(table) == 3 and "لاوروف در لندن (اصلاح شد)" in {t["title"] for t in table}
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "a.parquet"
    assert run(env, "export", "--format", "parquet", "-o", str(out)).exit_code == 0
    assert pq.read_table(out).num_rows == 3


def test_stats_per_source(env):
    r = run(env, "stats", "--json")
    rows = {x["source"]: x for x in json.loads(r.output)}
    assert rows["isna"]["articles"] == 1 and rows["isna"]["versions"] == 1
    assert rows["yjc"]["articles"] == 2 and rows["yjc"]["errors"] == 1 and rows["yjc"]["empty_share"] == 0.5
    assert rows["isna"]["last_success"]
    r = run(env, "stats")
    assert r.exit_code == 0 and "yjc" in r.output and "50.0%" in r.output


def test_index_rebuild_command(env):
    before = run(env, "search", "روسیه", "--json").output
    r = run(env, "index", "rebuild")
    assert r.exit_code == 0 and "4 record lines, 3 articles" in r.output
    assert run(env, "search", "روسیه", "--json").output == before
