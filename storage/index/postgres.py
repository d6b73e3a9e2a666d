"""PostgreSQL index (for a fleet): psycopg 3, one writer at a time via a transaction-scoped
advisory lock, unique constraints as the second line of defence, tsvector('simple') + GIN
over the folded text for search (see schema.py for why not pg_trgm)."""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

from storage.errors import IndexError_, SearchQueryError
from storage.index.base import Row, SqlIndex
from storage.index.schema import POSTGRES_MIGRATIONS
from storage.query import Term, to_tsquery

try:
    import psycopg
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover
    psycopg = None  # type: ignore[assignment]  # optional extra: the constructor says how to install it

_PLAIN_INSERT = re.compile(r"^INSERT INTO (\w+) \(([\w, ]+)\) VALUES \([?, ]+\)$")
WRITER_LOCK = 0x6261796567616E   # "bayegan": serializes dedup decisions across the fleet


class PostgresIndex(SqlIndex):
    backend = "postgres"
    migrations = POSTGRES_MIGRATIONS

    def __init__(self, url: str) -> None:
        if psycopg is None:
            raise IndexError_("PostgreSQL index needs psycopg: pip install 'bayegan[postgres]'")
        self.url = url
        try:
            self.conn = psycopg.connect(url, row_factory=dict_row, autocommit=True)
            # Short index lookups: never parallel workers (their start-up dominates), and plans
            # made for the current table sizes, not cached ones made when the tables were small.
            self.conn.execute("SET max_parallel_workers_per_gather = 0")
            self.conn.execute("SET plan_cache_mode = force_custom_plan")
        except psycopg.Error as exc:
            raise IndexError_(f"cannot connect to PostgreSQL: {exc}") from exc
        self._tx: Any = None
        self._inserted = 0          # articles inserted since this process last ran ANALYZE
        self._analyze_at = 1000
        self.migrate()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(self._sql(sql), list(params), prepare=True)
        except psycopg.errors.QueryCanceled as exc:
            raise IndexError_(f"PostgreSQL: {exc}") from exc

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        if self._tx is not None:              # nested: part of the caller's transaction
            yield
            return
        try:
            with self.conn.transaction() as tx:
                self._tx = tx
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
                yield
                self.flush()
            self._tx = None
            self._maybe_analyze()
        except psycopg.OperationalError as exc:
            raise IndexError_(f"PostgreSQL write failed: {exc}") from exc
        finally:
            self._tx = None
            self.discard()

    def flush(self) -> None:
        """Deferred rows: plain inserts go through COPY (the bulk path), upserts via executemany."""
        for sql, rows in self._take_deferred():
            m = _PLAIN_INSERT.match(sql)
            if m:
                with self.conn.cursor() as cur, cur.copy(f"COPY {m.group(1)} ({m.group(2)}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
            else:
                self.executemany(sql, rows)

    def set_bands(self, n: int, keys: list[int], replace: bool = False) -> None:
        if replace:
            self.execute("DELETE FROM lsh_bands WHERE article_n = ?", (n,))
        if keys:                                            # one statement, one round trip
            self.execute("INSERT INTO lsh_bands (bucket, article_n) SELECT k, %s FROM unnest(%s::bigint[]) AS k "
                         "ON CONFLICT DO NOTHING", (n, keys))

    def insert_article(self, row: Row) -> int:
        self._inserted += 1
        return super().insert_article(row)

    def _maybe_analyze(self) -> None:
        """Refresh planner statistics as the tables grow. Autovacuum may be off (it is on the
        development machine), and plans made for an empty table are ruinous at a million rows."""
        if self._inserted < self._analyze_at:
            return
        self.conn.execute("ANALYZE articles, lsh_bands, aliases, versions")
        self._analyze_at = max(1000, self.count("articles") // 5)
        self._inserted = 0

    def fts_put(self, n: int, title: str, lead: str, body: str) -> None:
        self.defer("INSERT INTO fts (n, title, lead, body) VALUES (?, ?, ?, ?) ON CONFLICT (n) DO UPDATE "
                     "SET title = excluded.title, lead = excluded.lead, body = excluded.body",
                     (n, title, lead, body))

    def fts_add(self, n: int, title: str, lead: str, body: str) -> None:
        self.defer("INSERT INTO fts (n, title, lead, body) VALUES (?, ?, ?, ?)", (n, title, lead, body))

    def search(self, match: list[list[Term]], *, source: str | None, since: str | None, until: str | None,
               limit: int, offset: int, marks: tuple[str, str]) -> list[Row]:
        where, params = ["f.tsv @@ to_tsquery('simple', %s)"], [to_tsquery(match)]
        if source:
            where.append("a.source = %s")
            params.append(source)
        if since:
            where.append("a.published_day >= %s")
            params.append(since)
        if until:
            where.append("a.published_day <= %s")
            params.append(until)
        # Snippets and highlights are made by storage.snippets over the stored text, not here.
        sql = ("SELECT a.id, a.source, a.url, a.title, a.published, a.cluster_id, a.versions, a.record_file,"
               " a.record_offset FROM fts f JOIN articles a ON a.n = f.n"
               f" WHERE {' AND '.join(where)}"
               " ORDER BY f.n DESC LIMIT %s OFFSET %s")
        try:
            return list(self.conn.execute(sql, [*params, limit, offset]).fetchall())
        except psycopg.Error as exc:
            raise SearchQueryError(f"cannot search for that: {exc.diag.message_primary}") from exc

    def reset(self) -> None:
        with self.write():
            tables = [r["tablename"] for r in self.all(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
            for t in tables:
                self.conn.execute(f'DROP TABLE IF EXISTS "{t}" CASCADE')
        self.migrate()

    def size_bytes(self) -> int:
        row = self.one("SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS s FROM pg_class c "
                       "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
                       "WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'm')")
        return int(row["s"]) if row else 0

    def checkpoint(self) -> None:
        pass

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


