"""Storage fixtures: an archive on each index backend (SQLite file, real PostgreSQL).

PostgreSQL: one fresh database per test session (bayegan_test_<pid>), one schema per test
(selected through the connection's search_path), dropped at the end.
"""
from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # storage_helpers (pytest runs with importlib mode)

_schemas = itertools.count()


@pytest.fixture(scope="session")
def pg_database():
    from storage_helpers import scratch_pg_database

    with scratch_pg_database(f"bayegan_test_{os.getpid()}") as url:
        yield url


def _pg_url(pg_database: str) -> str:
    import psycopg

    schema = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_database}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgres"])
def index_url(request, tmp_path) -> str | None:
    if request.param == "sqlite":
        return None
    return _pg_url(request.getfixturevalue("pg_database"))


@pytest.fixture
def archive_dir(tmp_path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def archive(archive_dir, index_url):
    from storage import open_archive

    arc = open_archive(archive_dir, index_url=index_url, worker_name="w1")
    yield arc
    arc.close()


