"""The web app over a PostgreSQL index: search (every spelling, counts), article, sources, changes."""
from __future__ import annotations

import os

import httpx
import pytest
from web_helpers import fill, run_server, scratch_pg_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url():
    pytest.importorskip("psycopg")
    with scratch_pg_database(f"bayegan_webtest_{os.getpid()}") as url:
        yield url


def test_web_over_postgres(tmp_path, pg_url):
    root = tmp_path / "archive"
    ids = fill(root, pg_url)
    server, thread, base = run_server(root, pg_url)
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            for q in ("کلانشهرها", "کلان‌شهرها", "کلان شهرها"):
                found = {h["id"] for h in c.get("/api/search", params={"q": q}).json()["results"]}
                assert found == {ids["main"], ids["dup"]}, q
            assert c.get("/api/search", params={"q": "پتروشیمی", "source": "yjc"}).json()["total"] == 23
            assert c.get(f"/articles/{ids['main']}").status_code == 200
            assert "<del>امروز</del>" in c.get(f"/articles/{ids['main']}/versions").text
            assert {s["source"] for s in c.get("/api/sources").json()} >= {"isna", "yjc"}
            assert [x["id"] for x in c.get("/api/changes").json()] == [ids["main"]]
    finally:
        server.should_exit = True
        thread.join(10)
