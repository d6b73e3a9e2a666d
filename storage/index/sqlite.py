"""SQLite index (the default): WAL mode, one writer at a time (BEGIN IMMEDIATE), FTS5."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from storage.errors import IndexError_
from storage.index.base import Row, SqlIndex
from storage.index.schema import SQLITE_MIGRATIONS
from storage.query import Term, to_fts5


def _dict_row(cursor: sqlite3.Cursor, row: tuple) -> Row:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=False)}


class SqliteIndex(SqlIndex):
    backend = "sqlite"
    migrations = SQLITE_MIGRATIONS

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        try:
            if read_only:
                self.conn = self._connect_read_only()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=60.0,
                                            check_same_thread=False)
            self.conn.row_factory = _dict_row
            if read_only:
                self._depth = 0
                return
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")    # WAL + NORMAL: durable at checkpoint, never corrupt
            self.conn.execute("PRAGMA busy_timeout=60000")
            self.conn.execute("PRAGMA cache_size=-262144")     # 256 MB page cache
            self.conn.execute("PRAGMA foreign_keys=OFF")
        except sqlite3.Error as exc:
            raise IndexError_(f"cannot open SQLite index: {exc}", str(self.path)) from exc
        self._depth = 0
        self.migrate()

    def _connect_read_only(self) -> sqlite3.Connection:
        """mode=ro never writes the database; where the directory itself is read-only (a read-only
        disk or mount) SQLite cannot create the WAL's -shm file either, so the file is opened as
        immutable: nobody can be writing it there."""
        if not self.path.is_file():
            raise sqlite3.OperationalError(f"no index file at {self.path}")
        writable = os.access(self.path.parent, os.W_OK) and not _read_only_fs(self.path.parent)
        uri = f"file:{self.path}?mode=ro" + ("" if writable else "&immutable=1")
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=60.0, check_same_thread=False)

    # -- plumbing -------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise IndexError_(f"SQLite: {exc}", str(self.path)) from exc

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        if self._depth:                      # nested: part of the caller's transaction
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin_immediate()
        self._depth = 1
        try:
            yield
            self.flush()
        except BaseException:
            self._depth = 0
            self.discard()
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise IndexError_(f"commit failed: {exc}", str(self.path)) from exc

    def _begin_immediate(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:   # busy beyond busy_timeout
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise IndexError_(f"cannot start a write transaction: {exc}", str(self.path)) from exc
                time.sleep(0.05)

    # -- full text ------------------------------------------------------------------
    def fts_put(self, n: int, title: str, lead: str, body: str) -> None:
        self.defer("DELETE FROM fts WHERE rowid = ?", (n,))
        self.defer("INSERT INTO fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)", (n, title, lead, body))

    def fts_add(self, n: int, title: str, lead: str, body: str) -> None:
        self.defer("INSERT INTO fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)", (n, title, lead, body))

    def search(self, match: list[list[Term]], *, source: str | None, since: str | None, until: str | None,
               limit: int, offset: int, marks: tuple[str, str]) -> list[Row]:
        where, params = ["fts MATCH ?"], [to_fts5(match)]
        if source:
            where.append("a.source = ?")
            params.append(source)
        if since:
            where.append("a.published_day >= ?")
            params.append(since)
        if until:
            where.append("a.published_day <= ?")
            params.append(until)
        # Snippets and highlights are made by storage.snippets over the stored text, not here.
        sql = (f"SELECT a.id, a.source, a.url, a.title, a.published, a.cluster_id, a.versions, "
               f"a.record_file, a.record_offset FROM fts JOIN articles a ON a.n = fts.rowid "
               f"WHERE {' AND '.join(where)} ORDER BY fts.rowid DESC LIMIT ? OFFSET ?")
        try:
            return self.all(sql, [*params, limit, offset])
        except IndexError_ as exc:   # a tokenizer corner case: report as a query error, never raw SQL
            from storage.errors import SearchQueryError
            raise SearchQueryError(f"cannot search for that: {exc.__cause__}") from exc

    # -- maintenance ----------------------------------------------------------------
    def reset(self) -> None:
        tables = [r["name"] for r in self.all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'fts_%'")]
        with self.write():
            for t in tables:
                self.conn.execute(f"DROP TABLE IF EXISTS {t}")
        self.conn.execute("VACUUM")
        self.migrate()

    def size_bytes(self) -> int:
        return sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal"))
                   if os.path.exists(p))

    def checkpoint(self) -> None:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()


def _read_only_fs(path: Path) -> bool:
    """os.access says yes to root on a read-only mount; statvfs knows the mount flag."""
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
