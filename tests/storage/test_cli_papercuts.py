"""Papercuts of the reading commands and the settings: a missing archive, export -o, `bayegan errors`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from storage_helpers import cli_env, make_article, persian_text

from storage import open_archive
from worker.cli import cli
from worker.config import ConfigError, Settings


def run(env, *args):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def env(archive_dir, index_url):
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    arc.store(make_article("https://www.isna.ir/news/1/", "لاوروف", "متن " + persian_text(1)))
    arc.record_error("yjc", "https://www.yjc.ir/news/4/", "parse", "not an article")
    arc.record_error("isna", "https://www.isna.ir/news/9/", "fetch", "HTTP 503")
    arc.close()
    return cli_env(archive_dir, index_url)


@pytest.mark.parametrize("args", [["stats"], ["search", "x"], ["show", "x"], ["errors"], ["export"]])
def test_reading_commands_refuse_a_missing_archive(tmp_path, args):
    missing = tmp_path / "nothing-here"
    r = run({"BAYEGAN_ARCHIVE_DIR": str(missing), "BAYEGAN_INDEX_URL": ""}, *args)
    assert r.exit_code == 1, r.output
    assert f"no archive at {missing}" in r.output and "Traceback" not in r.output
    assert not missing.exists(), "a reading command must not create an archive"


def test_archive_option_overrides_the_environment(env, archive_dir, tmp_path):
    r = run({**env, "BAYEGAN_ARCHIVE_DIR": str(tmp_path / "elsewhere")}, "stats", "--json",
            "--archive", str(archive_dir))
    assert r.exit_code == 0, r.output
    assert {row["source"] for row in json.loads(r.output)} >= {"isna"}


def test_export_into_a_missing_directory_is_one_line(env, tmp_path):
    target = tmp_path / "no" / "such" / "out.csv"
    r = run(env, "export", "--format", "csv", "-o", str(target))
    assert r.exit_code == 1 and "does not exist" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_errors_newest_first_filtered_and_json(env):
    r = run(env, "errors", "--json")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [row["url"] for row in rows] == ["https://www.isna.ir/news/9/", "https://www.yjc.ir/news/4/"]
    assert set(rows[0]) == {"source", "url", "kind", "message", "at"}
    one = [json.loads(line) for line in run(env, "errors", "--json", "--kind", "parse").output.splitlines()]
    assert [row["source"] for row in one] == ["yjc"]
    assert run(env, "errors", "--json", "--source", "isna", "--limit", "1").output.count("\n") == 1
    assert run(env, "errors", "--json", "--since", "2090-01-01").output == ""
    text = run(env, "errors").output
    assert "HTTP 503" in text and "fetch" in text


@pytest.mark.parametrize("var,value", [("BAYEGAN_RESPECT_ROBOTS", "maybe"), ("BAYEGAN_MAX_RETRIES", "three"),
                                       ("BAYEGAN_CONNECT_TIMEOUT", "1.5s"), ("BAYEGAN_METRICS_PORT", "9.5")])
def test_a_bad_setting_is_an_error_naming_the_variable(var, value):
    with pytest.raises(ConfigError, match=var):
        Settings.load(env={var: value})
    done = subprocess.run([sys.executable, "-m", "worker.cli", "stats"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", var: value}, timeout=60)
    assert done.returncode == 1
    assert var in done.stderr and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_settings_convert_and_default_metrics_to_loopback(tmp_path):
    s = Settings.load(env={"BAYEGAN_RESPECT_ROBOTS": "off", "BAYEGAN_MAX_RETRIES": "7", "BAYEGAN_LOG_JSON": "1"})
    assert s.respect_robots is False and s.max_retries == 7 and s.log_json is True
    assert Settings.load(env={}).metrics_host == "127.0.0.1"
    assert Settings.load(env={"BAYEGAN_METRICS_HOST": "0.0.0.0"}).metrics_host == "0.0.0.0"
    conf = tmp_path / "c.toml"
    conf.write_text('max_retries = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="max_retries"):
        Settings.load(conf, env={})
    conf.write_text("max_retries = 4\npoliteness = false\n", encoding="utf-8")
    loaded = Settings.load(conf, env={})
    assert loaded.max_retries == 4 and loaded.politeness is False


def test_parquet_export_has_real_types_for_duckdb(archive_dir, index_url, env, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")   # a second version of news/1
    arc.store(make_article("https://www.isna.ir/news/1/", "لاوروف", "متن تازه " + persian_text(2)))
    arc.close()
    out = tmp_path / "a.parquet"
    r = run(env, "export", "--format", "parquet", "-o", str(out))
    assert r.exit_code == 0, r.output
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{out}')").fetchall())
    expected = {c: "VARCHAR" for c in types}
    expected.update({c: "TIMESTAMP WITH TIME ZONE" for c in ("published", "updated", "fetched_at")},
                    tags="VARCHAR[]", authors="VARCHAR[]", versions="BIGINT")
    assert types == expected and "versions" in types and "article_json" in types
    con.execute("SET TimeZone = 'UTC'")
    year, tags, versions = con.execute(f"SELECT year(published), tags, versions + 0 FROM '{out}'").fetchone()
    assert isinstance(year, int) and isinstance(tags, list) and versions == 2
    csv_out = tmp_path / "a.csv"   # CSV stays flat: its columns do not change
    assert run(env, "export", "--format", "csv", "-o", str(csv_out)).exit_code == 0
    assert "versions" not in csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")