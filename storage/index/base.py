"""The index behind an Archive: SQL shared by the SQLite and PostgreSQL backends.

The backends differ only in connecting, the writer lock, migrations and full-text search;
everything else is this portable SQL (`?` placeholders, rewritten for psycopg).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from storage.index.schema import statements

Row = dict[str, Any]


class SqlIndex:
    backend = "sql"
    read_only = False          # opened by a reading command: no migrations, no writes
    migrations: ClassVar[list[tuple[int, str]]] = []
    _deferred: list[tuple[str, Sequence[Any]]]
    conn: Any   # the backend's DB-API connection (sqlite3 or psycopg)

    # -- backend hooks -----------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction holding the index-wide writer lock (dedup decisions are serial)."""
        raise NotImplementedError
        yield

    def fts_put(self, n: int, title: str, lead: str, body: str) -> None:
        raise NotImplementedError

    def fts_add(self, n: int, title: str, lead: str, body: str) -> None:
        raise NotImplementedError

    def search(self, match: list, *, source: str | None, since: str | None, until: str | None,
               limit: int, offset: int, marks: tuple[str, str]) -> list[Row]:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def size_bytes(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- deferred writes -------------------------------------------------------------
    # Rows nothing reads until the transaction commits (versions, full text) are queued and sent
    # in executemany groups at the end of a batch: one round trip per group on PostgreSQL.
    def defer(self, sql: str, params: Sequence[Any]) -> None:
        if not hasattr(self, "_deferred"):
            self._deferred = []
        self._deferred.append((sql, params))

    def _take_deferred(self) -> Iterator[tuple[str, list[Sequence[Any]]]]:
        """The queued rows as (statement, rows) runs, in order, emptying the queue."""
        pending, self._deferred = getattr(self, "_deferred", []), []
        i = 0
        while i < len(pending):
            j = i
            while j < len(pending) and pending[j][0] == pending[i][0]:
                j += 1
            yield pending[i][0], [p for _, p in pending[i:j]]
            i = j

    def flush(self) -> None:
        for sql, rows in self._take_deferred():
            self.executemany(sql, rows)

    # -- schema ----------------------------------------------------------------------
    def migrate(self) -> None:
        """Apply, in order and each in its own transaction, the migration steps not applied yet."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for version, script in self.migrations:
            with self.write():
                if version <= self.schema_version():
                    continue
                for stmt in statements(script):
                    self.conn.execute(stmt)
                self.conn.execute(self._sql("INSERT INTO schema_version (version) VALUES (?)"), (version,))

    def schema_version(self) -> int:
        row = self.one("SELECT MAX(version) AS v FROM schema_version")
        return int(row["v"] or 0) if row else 0

    def discard(self) -> None:
        self._deferred = []

    # -- helpers ---------------------------------------------------------------------
    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self.execute(sql, params).fetchall())

    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.all("SELECT key, value FROM meta")}

    def set_meta(self, values: dict[str, str]) -> None:
        for k, v in values.items():
            self.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (k, v))

    # -- articles ---------------------------------------------------------------------
    def article(self, article_id: str) -> Row | None:
        return self.one("SELECT * FROM articles WHERE id = ?", (article_id,))

    def article_by_url(self, url: str) -> Row | None:
        row = self.one("SELECT * FROM articles WHERE canonical_url = ?", (url,))
        if row is None:
            row = self.one("SELECT * FROM articles WHERE url = ? ORDER BY n LIMIT 1", (url,))
        if row is None:
            alias = self.alias(url)
            if alias:
                row = self.article(alias["article_id"])
        return row

    def lookup(self, article_id: str, url: str, content_hash: str) -> dict[str, Row]:
        """The three dedup lookups (same id, URL already an alias, same content) in one round trip."""
        rows = self.all(
            "SELECT 'id' AS k, n, id, content_hash, versions, cluster_id FROM articles WHERE id = ? "
            "UNION ALL SELECT 'alias' AS k, CAST(NULL AS BIGINT), article_id, content_hash, CAST(NULL AS INTEGER), "
            "CAST(NULL AS TEXT) FROM aliases WHERE url = ? "
            "UNION ALL SELECT * FROM (SELECT 'hash' AS k, n, id, content_hash, CAST(NULL AS INTEGER) AS versions, "
            "cluster_id "
            "FROM articles WHERE content_hash = ? ORDER BY n LIMIT 1) h", (article_id, url, content_hash))
        return {r["k"]: r for r in rows}

    def article_by_hash(self, content_hash: str) -> Row | None:
        return self.one("SELECT * FROM articles WHERE content_hash = ? ORDER BY n LIMIT 1", (content_hash,))

    def alias(self, url: str) -> Row | None:
        return self.one("SELECT * FROM aliases WHERE url = ?", (url,))

    def is_known(self, canonical_url: str) -> bool:
        return (self.one("SELECT 1 AS k FROM articles WHERE canonical_url = ?", (canonical_url,)) is not None
                or self.one("SELECT 1 AS k FROM aliases WHERE url = ?", (canonical_url,)) is not None)

    def insert_article(self, row: Row) -> int:
        cols = list(row)
        sql = (f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
               "RETURNING n")
        return int(self.execute(sql, [row[c] for c in cols]).fetchone()["n"])

    def update_article(self, n: int, values: Row) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.execute(f"UPDATE articles SET {sets} WHERE n = ?", [*values.values(), n])

    def insert_version(self, article_id: str, version: int, content_hash: str, rec: tuple[str, int],
                       stored_at: str) -> None:
        self.defer("INSERT INTO versions (article_id, version, content_hash, record_file, record_offset,"
                   " stored_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (article_id, version, content_hash, rec[0], rec[1], stored_at))

    def versions(self, article_id: str) -> list[Row]:
        return self.all("SELECT * FROM versions WHERE article_id = ? ORDER BY version", (article_id,))

    def insert_alias(self, url: str, article_id: str, source: str | None, content_hash: str,
                     rec: tuple[str, int], stored_at: str) -> None:
        self.execute("INSERT INTO aliases (url, article_id, source, content_hash, record_file, record_offset,"
                     " stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (url, article_id, source, content_hash, rec[0], rec[1], stored_at))

    def aliases_of(self, article_id: str) -> list[str]:
        return [r["url"] for r in self.all("SELECT url FROM aliases WHERE article_id = ? ORDER BY url",
                                           (article_id,))]

    # -- near-duplicates -------------------------------------------------------------
    def candidates(self, keys: list[int]) -> list[Row]:
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        # The IN-subquery form keeps a nested loop over the articles primary key even when the
        # planner has no statistics (a join was planned as a hash join over all articles).
        return self.all(
            "SELECT n, id, minhash, cluster_id, published_utc FROM articles WHERE n IN "
            f"(SELECT DISTINCT article_n FROM lsh_bands WHERE bucket IN ({marks}))", keys)

    def set_bands(self, n: int, keys: list[int], replace: bool = False) -> None:
        if replace:
            self.execute("DELETE FROM lsh_bands WHERE article_n = ?", (n,))
        if keys:
            self.executemany("INSERT INTO lsh_bands (bucket, article_n) VALUES (?, ?) ON CONFLICT DO NOTHING",
                             [(k, n) for k in keys])

    def cluster_of(self, cluster_id: str, article_id: str) -> Row:
        row = self.cluster(cluster_id)
        return row or {"id": cluster_id, "head_id": article_id, "size": 1}

    def join_cluster(self, cluster_id: str, article_id: str, published_utc: str | None, first: Row) -> None:
        """Add an article to a cluster. A singleton has no row (its head is itself): the row is
        created when a second member joins, seeded from `first`, the member it was found near."""
        c = self.one("SELECT head_id, head_published FROM clusters WHERE id = ?", (cluster_id,))
        if c is None:
            c = {"head_id": first["id"], "head_published": first["published_utc"]}
            self.execute("INSERT INTO clusters (id, head_id, head_published, size) VALUES (?, ?, ?, 2)",
                         (cluster_id, c["head_id"], c["head_published"]))
        else:
            self.execute("UPDATE clusters SET size = size + 1 WHERE id = ?", (cluster_id,))
        if published_utc and (c["head_published"] is None or published_utc < c["head_published"]):
            self.execute("UPDATE clusters SET head_id = ?, head_published = ? WHERE id = ?",
                         (article_id, published_utc, cluster_id))

    def cluster(self, cluster_id: str) -> Row | None:
        return self.one("SELECT * FROM clusters WHERE id = ?", (cluster_id,))

    def cluster_members(self, cluster_id: str) -> list[Row]:
        return self.all("SELECT id, source, url, published FROM articles WHERE cluster_id = ? "
                        "ORDER BY published_utc, n", (cluster_id,))

    # -- captures (revisit decisions) -------------------------------------------------
    def last_capture(self, url: str) -> Row | None:
        return self.one("SELECT * FROM captures WHERE url = ?", (url,))

    def put_capture(self, url: str, digest: str, record_id: str, date: str, warc: str, offset: int) -> None:
        self.execute("INSERT INTO captures (url, payload_digest, record_id, warc_date, warc, warc_offset) "
                     "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                     "payload_digest = excluded.payload_digest, record_id = excluded.record_id, "
                     "warc_date = excluded.warc_date, warc = excluded.warc, warc_offset = excluded.warc_offset",
                     (url, digest, record_id, date, warc, offset))

    # -- errors, polls, stats ---------------------------------------------------------
    def _touch_source(self, source: str) -> None:
        self.execute("INSERT INTO source_stats (source) VALUES (?) ON CONFLICT (source) DO NOTHING", (source,))

    def add_error(self, source: str | None, url: str | None, kind: str, message: str, at: str) -> None:
        self.execute("INSERT INTO errors (source, url, kind, message, at) VALUES (?, ?, ?, ?, ?)",
                     (source, url, kind, message, at))
        if source:
            self._touch_source(source)
            self.execute("UPDATE source_stats SET errors = errors + 1, last_error = ? WHERE source = ?",
                         (at, source))

    def errors(self, *, source: str | None = None, since: str | None = None, kind: str | None = None,
               limit: int = 50) -> list[Row]:
        """Recorded failures, newest first; `since` is an ISO day or instant (`at` is ISO UTC text)."""
        where, params = [], []
        for column, op, value in (("source", "=", source), ("at", ">=", since), ("kind", "=", kind)):
            if value is not None:
                where.append(f"{column} {op} ?")
                params.append(value)
        sql = "SELECT source, url, kind, message, at FROM errors"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [dict(r) for r in self.all(sql + " ORDER BY at DESC, n DESC LIMIT ?", (*params, limit))]

    def add_poll(self, source: str, ok: bool, at: str) -> None:
        self._touch_source(source)
        if ok:
            self.execute("UPDATE source_stats SET polls = polls + 1, last_success = ? WHERE source = ?",
                         (at, source))
        else:
            self.execute("UPDATE source_stats SET polls = polls + 1, failed_polls = failed_polls + 1 "
                         "WHERE source = ?", (source,))

    def stats(self) -> list[Row]:
        per: dict[str, Row] = {}
        for r in self.all("SELECT source, COUNT(*) AS articles, SUM(versions) - COUNT(*) AS versions, "
                          "SUM(empty_body) AS empty, MAX(last_stored) AS last_stored "
                          "FROM articles GROUP BY source"):
            per[r["source"] or ""] = {"source": r["source"] or "", "articles": int(r["articles"]),
                                      "versions": int(r["versions"] or 0), "empty": int(r["empty"] or 0),
                                      "last_stored": r["last_stored"]}
        for r in self.all("SELECT source, COUNT(*) AS aliases FROM aliases GROUP BY source"):
            per.setdefault(r["source"] or "", {"source": r["source"] or ""})["aliases"] = int(r["aliases"])
        for r in self.all("SELECT * FROM source_stats"):
            per.setdefault(r["source"], {"source": r["source"]}).update(
                polls=r["polls"], failed_polls=r["failed_polls"], errors=r["errors"],
                last_poll_success=r["last_success"], last_error=r["last_error"])
        out = []
        for s in sorted(per):
            d = {"source": s, "articles": 0, "versions": 0, "aliases": 0, "empty": 0, "errors": 0,
                 "polls": 0, "failed_polls": 0, "last_stored": None, "last_poll_success": None,
                 "last_error": None, **per[s]}
            stamps = [x for x in (d["last_stored"], d["last_poll_success"]) if x]
            d["last_success"] = max(stamps) if stamps else None
            d["empty_share"] = round(d["empty"] / d["articles"], 4) if d["articles"] else 0.0
            out.append(d)
        return out

    def iter_articles(self, batch: int = 5000) -> Iterator[Row]:
        last = 0
        while True:
            rows = self.all("SELECT n, id, record_file, record_offset, versions FROM articles WHERE n > ? "
                            "ORDER BY n LIMIT ?", (last, batch))
            if not rows:
                return
            yield from rows
            last = rows[-1]["n"]

    def count(self, table: str) -> int:
        row = self.one(f"SELECT COUNT(*) AS c FROM {table}")
        return int(row["c"]) if row else 0
