"""`bayegan recheck` / `changes` / `show --versions` / `stats` over real HTTP: the mirror edits and
deletes its stories (worker.testing.mirror.mutations), on the SQLite and the PostgreSQL index."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from worker.cli import cli
from worker.testing.mirror import MirrorServer


class Env:
    def __init__(self, tmp_path, index_url: str | None, mirror: MirrorServer) -> None:
        self.archive = tmp_path / "archive"
        self.sources = mirror.write_sources_toml(tmp_path / "sources.toml")
        self.mirror = mirror
        self.env = {"BAYEGAN_ARCHIVE_DIR": str(self.archive), "BAYEGAN_INDEX_URL": index_url or "",
                    "BAYEGAN_MAX_RETRIES": "0", "BAYEGAN_POLITENESS_INTERVAL": "0",
                    "BAYEGAN_CONNECT_TIMEOUT": "2", "BAYEGAN_READ_TIMEOUT": "2"}

    def run(self, *args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=self.env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    def recheck(self, *extra: str) -> dict:
        out = self.run("recheck", "--sources", str(self.sources), "--json", *extra)
        return json.loads(out.strip().splitlines()[-1])

    def changes(self, *extra: str) -> list[dict]:
        return [json.loads(line) for line in self.run("changes", "--json", *extra).splitlines() if line.strip()]


@pytest.fixture
def env(tmp_path, index_url):
    with MirrorServer(agencies=("isna",), articles=4, faults=False, seed=23) as mirror:
        e = Env(tmp_path, index_url, mirror)
        e.run("ingest", "--sources", str(e.sources), "--archive", str(e.archive), "--json")
        yield e


def _urls(env: Env) -> list[str]:
    return [a.url for a in env.mirror.articles]


def test_quiet_recheck_stores_nothing_and_adds_no_change(env):
    first = env.recheck("--all")
    assert first["checked"] == 4 and first["same"] == 4
    second = env.recheck("--all")
    assert second["same"] == 4
    assert env.changes() == []
    assert "no changes" not in env.run("changes")      # the message goes to stderr


def test_edit_of_title_and_of_body_become_version_2_with_word_diff(env):
    title_url, body_url = _urls(env)[:2]
    env.mirror.retitle(title_url, "عنوان تازه پس از ویرایش خبر")
    env.mirror.edit(body_url)
    summary = env.recheck("--all")
    assert summary["edited"] == 2 and summary["same"] == 2
    edits = env.changes("--kind", "edited")
    assert [(c["url"], c["version"]) for c in edits] == [(title_url, 2), (body_url, 2)] or \
        sorted((c["url"], c["version"]) for c in edits) == sorted([(title_url, 2), (body_url, 2)])
    by_url = {c["url"]: c for c in edits}
    assert "title" in by_url[title_url]["diff"] and "+" in {op for op, _ in by_url[title_url]["diff"]["title"]}
    assert "text" in by_url[body_url]["diff"] and "title" not in by_url[body_url]["diff"]
    for c in edits:
        assert c["at"].endswith("+00:00") and c["source"] == "isna" and c["kind"] == "edited"
    env.recheck("--all")                                 # nothing new: no second line
    assert len(env.changes()) == 2
    shown = env.run("show", title_url, "--versions")
    assert "=== version 2" in shown and "{+" in shown and "edited" in shown
    stats = json.loads(env.run("stats", "--json"))
    assert stats[0]["edits"] == 2 and stats[0]["removals"] == 0


@pytest.mark.parametrize("how,status", [("404", 404), ("410", 410), ("home", 302), ("soft404", 200),
                                        ("section", 302)])
def test_removal_is_reported_once_with_evidence(env, how, status):
    url = _urls(env)[0]
    env.mirror.remove(url, how)
    assert env.recheck("--all")["removed"] == 1
    assert env.recheck("--all")["gone"] == 1
    removed = env.changes()
    assert len(removed) == 1 and removed[0]["kind"] == "removed" and removed[0]["url"] == url
    assert removed[0]["http_status"] == status
    if how in ("home", "section"):
        assert removed[0]["final_url"] != url
    assert json.loads(env.run("stats", "--json"))[0]["removals"] == 1


def test_restore_after_removal(env):
    url = _urls(env)[1]
    env.mirror.remove(url, "404")
    env.recheck("--all")
    env.mirror.restore(url)
    assert env.recheck("--all")["restored"] == 1
    kinds = [c["kind"] for c in env.changes()]
    assert kinds == ["removed", "restored"]
    shown = env.run("show", url, "--versions")
    assert shown.index("removed") < shown.index("restored")


def test_server_errors_timeouts_429_and_refused_connections_never_remove(env):
    urls = _urls(env)
    env.mirror.remove(urls[0], "500")
    env.mirror.remove(urls[1], "timeout")
    summary = env.recheck("--all")
    assert summary["retry"] == 2 and summary["removed"] == 0 and summary["same"] == 2
    for url in urls[:2]:
        env.mirror.restore(url)
    env.mirror.remove(urls[3], "429")                   # rechecked last: the host then waits
    summary = env.recheck("--all")
    assert summary["retry"] == 1 and summary["removed"] == 0
    env.mirror.stop()                                    # every connection refused now
    summary = env.recheck("--source", "isna", "--all")
    assert summary["removed"] == 0
    assert env.changes() == []


def test_only_due_articles_are_rechecked(env, monkeypatch):
    env.env["BAYEGAN_RECHECK_SCHEDULE"] = "1h,1d"
    assert env.recheck()["due"] == 0                     # first capture less than an hour ago
    env.env["BAYEGAN_RECHECK_SCHEDULE"] = "1s,1d"
    import time
    time.sleep(1.1)
    first = env.recheck()
    assert first["due"] == 4 and first["same"] == 4
    assert env.recheck()["due"] == 0                     # the next step is a day away


def test_rebuild_reproduces_changes(env):
    a, b, c = _urls(env)[:3]
    env.mirror.edit(a)
    env.mirror.remove(b, "410")
    env.recheck("--all")
    env.mirror.restore(b)
    env.mirror.remove(c, "home")
    env.recheck("--all")
    before = env.changes()
    assert [x["kind"] for x in before].count("removed") == 2
    env.run("index", "rebuild")
    assert env.changes() == before
    assert env.recheck()["due"] == 0                     # re-check state rebuilt too


def test_per_source_schedule_and_bad_schedule(env):
    text = env.sources.read_text(encoding="utf-8")
    env.sources.write_text(text.replace('enabled = true', 'enabled = true\nrecheck = ["1s", "1d"]'), encoding="utf-8")
    import time
    time.sleep(1.1)
    assert env.recheck()["due"] == 4                     # the source's own 1s beats the default 1h
    env.sources.write_text(text.replace('enabled = true', 'enabled = true\nrecheck = ["soon"]'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["recheck", "--sources", str(env.sources)], env=env.env)
    assert result.exit_code == 1 and "key 'recheck'" in result.output and "Traceback" not in result.output


def test_changes_filters_by_day_source_and_kind(env):
    from datetime import date, timedelta

    url = _urls(env)[0]
    env.mirror.edit(url)
    env.mirror.remove(_urls(env)[1], "410")
    env.recheck("--all")
    today = date.today()
    assert len(env.changes("--since", (today - timedelta(days=1)).isoformat())) == 2
    assert env.changes("--until", (today - timedelta(days=2)).isoformat()) == []
    assert env.changes("--since", (today + timedelta(days=2)).isoformat()) == []
    assert [c["kind"] for c in env.changes("--kind", "removed", "--source", "isna")] == ["removed"]
    assert env.changes("--source", "yjc") == []
    lines = env.run("changes").splitlines()
    assert len(lines) == 2 and any("HTTP 410" in line for line in lines) and any("version 2" in line for line in lines)
