"""Export the latest version of every article: JSON Lines, CSV, or Parquet (optional pyarrow)."""
from __future__ import annotations

import contextlib
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from storage.errors import StorageError

if TYPE_CHECKING:
    from storage.archive import Archive

FORMATS = ("jsonl", "csv", "parquet")
CSV_COLUMNS = ["id", "source", "url", "canonical_url", "news_id", "published", "published_raw", "updated",
               "supertitle", "title", "lead", "text", "category", "tags", "authors", "content_hash",
               "normalized_title", "normalized_text", "parser_profile", "parser_version", "fetched_at"]


def _flat(a: Any) -> dict[str, Any]:
    return {"id": a.id, "source": a.source, "url": a.url, "canonical_url": a.canonical_url, "news_id": a.news_id,
            "published": a.published, "published_raw": a.published_raw, "updated": a.updated,
            "supertitle": a.supertitle, "title": a.title, "lead": a.lead, "text": a.text, "category": a.category,
            "tags": "|".join(a.tags), "authors": "|".join(a.authors), "content_hash": a.content_hash,
            "normalized_title": a.normalized.title, "normalized_text": a.normalized.text,
            "parser_profile": a.parser.profile, "parser_version": a.parser.version, "fetched_at": a.fetched_at}


# Parquet keeps real types so duckdb and pandas read it without casts; CSV stays flat text.
PARQUET_TIMESTAMPS = ("published", "updated", "fetched_at")
PARQUET_LISTS = ("tags", "authors")
PARQUET_INTEGERS = ("versions",)   # how many versions the archive holds (parquet only: CSV keeps its columns)
PARQUET_COLUMNS = [*CSV_COLUMNS, *PARQUET_INTEGERS, "article_json"]


def _utc(value: str | None) -> datetime | None:
    """An ISO timestamp as an aware UTC datetime; None when absent or unreadable (published_raw keeps the text)."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)


def _typed(a: Any, versions: int) -> dict[str, Any]:
    row = _flat(a)
    for column in PARQUET_TIMESTAMPS:
        row[column] = _utc(row[column])
    row["tags"], row["authors"] = list(a.tags), list(a.authors)
    row["versions"], row["article_json"] = versions, a.to_json()
    return row


def export(archive: Archive, fmt: str, out: str | Path | IO[Any]) -> int:
    if fmt not in FORMATS:
        raise StorageError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")
    if fmt == "parquet":
        return _parquet(archive, out)
    with contextlib.ExitStack() as stack:
        fh: IO[Any]
        if isinstance(out, (str, Path)):
            fh = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
        elif isinstance(out, (io.BufferedIOBase, io.RawIOBase)):
            fh = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        else:
            fh = out
        return _write_text(archive, fmt, fh)


def _write_text(archive: Archive, fmt: str, fh: IO[Any]) -> int:
    n = 0
    if fmt == "jsonl":
        for a in archive.iter_articles():
            fh.write(a.to_json() + "\n")
            n += 1
    else:
        w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for a in archive.iter_articles():
            w.writerow(_flat(a))
            n += 1
    fh.flush()
    return n


def _parquet(archive: Archive, out: str | Path | IO[Any]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise StorageError("parquet export needs pyarrow: pip install 'bayegan[parquet]'") from exc
    def column_type(name: str) -> Any:
        if name in PARQUET_TIMESTAMPS:
            return pa.timestamp("us", tz="UTC")
        if name in PARQUET_INTEGERS:
            return pa.int64()
        return pa.list_(pa.string()) if name in PARQUET_LISTS else pa.string()

    schema = pa.schema([(c, column_type(c)) for c in PARQUET_COLUMNS])
    writer = pq.ParquetWriter(out, schema, compression="zstd")
    n, rows = 0, []
    try:
        for a, versions in archive.iter_latest():
            rows.append(_typed(a, versions))
            if len(rows) >= 5000:
                writer.write_table(pa.Table.from_pylist(rows, schema))
                n += len(rows)
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema))
            n += len(rows)
    finally:
        writer.close()
    return n
