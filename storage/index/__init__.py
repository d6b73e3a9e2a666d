"""Index backends: SQLite (default, file next to the archive) and PostgreSQL (a fleet)."""
from __future__ import annotations

from pathlib import Path

from storage.index.base import SqlIndex


def open_index(root: Path, index_url: str | None, *, read_only: bool = False) -> SqlIndex:
    if index_url and index_url.startswith(("postgresql://", "postgres://")):
        from storage.index.postgres import PostgresIndex
        return PostgresIndex(index_url)
    if index_url and index_url.startswith("sqlite:///"):
        return _sqlite(Path(index_url[len("sqlite:///"):]), read_only)
    if index_url:
        return _sqlite(Path(index_url), read_only)
    return _sqlite(root / "index.sqlite3", read_only)


def _sqlite(path: Path, read_only: bool) -> SqlIndex:
    from storage.index.sqlite import SqliteIndex
    return SqliteIndex(path, read_only=read_only)


__all__ = ["SqlIndex", "open_index"]

