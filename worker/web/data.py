"""The archive as the pages and the JSON API see it: plain dicts, the CLI's --json fields.

Everything here only reads: SELECTs over the index and reads of records and WARC files.
"""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from storage import Archive
from storage import query as q
from storage.spelling import expand
from worker.web.persian import today_utc, word_diff

PAGE_SIZE = 20
QUIET_DAYS = 2            # an agency with no article and no successful poll for this long is "quiet"
_ID = re.compile(r"^[0-9a-f]{24}$")   # storage: article ids are 24 hex digits of a SHA-256


class NotFoundError(Exception):
    """An id that is malformed or not in the archive (a 404 page, never a traceback)."""


def valid_id(article_id: str) -> str:
    if not _ID.match(article_id):
        raise NotFoundError(f"شناسهٔ نامعتبر: {article_id[:80]}")
    return article_id


def search(arc: Archive, text: str, *, source: str | None, since: str | None, until: str | None,
           page: int) -> dict[str, Any]:
    """One page of hits plus the total, for /search and /api/search."""
    page = max(1, page)
    hits = arc.search(text, source=source or None, since=since, until=until, limit=PAGE_SIZE,
                      offset=(page - 1) * PAGE_SIZE, marks=("\x02", "\x03"))
    total = count(arc, text, source=source or None, since=since, until=until)
    return {"total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)), "results": hits}


def count(arc: Archive, text: str, *, source: str | None, since: str | None, until: str | None) -> int:
    """How many articles match: the same full-text expression and filters as Archive.search."""
    groups = expand(q.parse(text))
    idx = arc.index
    if idx.backend == "postgres":
        where, params = ["f.tsv @@ to_tsquery('simple', ?)"], [q.to_tsquery(groups)]
        base = "SELECT COUNT(*) AS c FROM fts f JOIN articles a ON a.n = f.n"
    else:
        where, params = ["fts MATCH ?"], [q.to_fts5(groups)]
        base = "SELECT COUNT(*) AS c FROM fts JOIN articles a ON a.n = fts.rowid"
    for col, op, value in (("source", "=", source), ("published_day", ">=", since), ("published_day", "<=", until)):
        if value:
            where.append(f"a.{col} {op} ?")
            params.append(value)
    if len(where) == 1:          # no filter: count the full-text matches alone (no join per match)
        base = base.split(" JOIN ")[0]
    row = idx.one(f"{base} WHERE {' AND '.join(where)}", params)
    return int(row["c"]) if row else 0


def sources_list(arc: Archive) -> list[str]:
    return [r["source"] for r in arc.index.all("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL "
                                                "ORDER BY source")]


def article(arc: Archive, article_id: str) -> dict[str, Any]:
    info = arc.describe(valid_id(article_id))
    if info is None:
        raise NotFoundError(f"مقاله‌ای با شناسهٔ {article_id} در بایگانی نیست")
    idx = arc.index
    members = idx.cluster_members(info["cluster"]["id"])
    return {**info, "members": members, "head": info["cluster"]["head"]}


def article_json(arc: Archive, article_id: str) -> dict[str, Any]:
    """The CLI's `show` JSON plus every version (as /api/articles/{id})."""
    info = article(arc, article_id)
    out = {**info["article"].to_dict(),
           "archive": {k: v for k, v in info.items() if k not in ("article", "members", "head")}}
    out["versions"] = [{"version": v.version, "stored_at": v.stored_at, "content_hash": v.content_hash,
                        "title": v.article.title, "text": v.article.text} for v in arc.versions(article_id)]
    return out


def versions(arc: Archive, article_id: str) -> dict[str, Any]:
    info = article(arc, article_id)
    vs = arc.versions(article_id)
    rows = []
    for prev, cur in zip([None, *vs[:-1]], vs, strict=True):
        rows.append({"version": cur, "title_diff": word_diff(prev.article.title, cur.article.title) if prev else None,
                     "text_diff": word_diff(prev.article.text, cur.article.text) if prev else None})
    events = [c.to_dict() for c in arc.article_changes(article_id)]   # removals/restorations found by re-checks
    return {"article": info["article"], "rows": rows, "events": events}


def changes(arc: Archive, limit: int = 100) -> list[dict[str, Any]]:
    """Latest edits, removals and restorations, newest first: the re-checks' change events
    (Archive.changes), plus articles stored in several versions by other paths (re-ingest
    --refetch, a second poll) that no change event covers."""
    rows: list[dict[str, Any]] = []
    covered: set[str] = set()
    for c in reversed(arc.changes()):
        covered.add(c.article_id)
        if len(rows) < limit:
            title = (arc.index.article(c.article_id) or {}).get("title")
            rows.append({**c.to_dict(), "id": c.article_id, "title": title})
    for r in arc.index.all("SELECT id, source, url, title, versions, last_stored FROM articles WHERE versions > 1 "
                           "ORDER BY last_stored DESC LIMIT ?", (limit,)):
        if r["id"] not in covered:
            rows.append({"kind": "edited", "id": r["id"], "article_id": r["id"], "source": r["source"],
                         "url": r["url"], "title": r["title"], "version": r["versions"], "at": r["last_stored"]})
    rows.sort(key=lambda row: row["at"] or "", reverse=True)
    return rows[:limit]


def sources(arc: Archive, days: int = 30) -> list[dict[str, Any]]:
    """Per agency: stats (as `bayegan stats --json`), articles per day, errors by kind, quiet flag."""
    today = today_utc()
    first = today - timedelta(days=days - 1)
    idx = arc.index
    per_day: dict[str, dict[str, int]] = {}
    for r in idx.all("SELECT source, published_day, COUNT(*) AS c FROM articles WHERE published_day >= ? "
                     "GROUP BY source, published_day", (first.isoformat(),)):
        per_day.setdefault(r["source"] or "", {})[r["published_day"]] = int(r["c"])
    kinds: dict[str, dict[str, int]] = {}
    for r in idx.all("SELECT source, kind, COUNT(*) AS c FROM errors GROUP BY source, kind"):
        kinds.setdefault(r["source"] or "", {})[r["kind"]] = int(r["c"])
    failed: dict[str, list[dict[str, Any]]] = {}
    for r in idx.all("SELECT source, url, kind, message, at FROM errors ORDER BY n DESC LIMIT 500"):
        lst = failed.setdefault(r["source"] or "", [])
        if len(lst) < 5:
            lst.append({"url": r["url"], "kind": r["kind"], "message": r["message"], "at": r["at"]})
    out = []
    for s in arc.stats():
        name = s["source"]
        daily = [per_day.get(name, {}).get((first + timedelta(days=i)).isoformat(), 0) for i in range(days)]
        last = s.get("last_success")
        quiet = not last or last[:10] < (today - timedelta(days=QUIET_DAYS)).isoformat()
        out.append({**s, "per_day": daily, "errors_by_kind": kinds.get(name, {}),
                    "latest_failed": failed.get(name, []), "quiet": quiet})
    return out


def chart_points(daily: list[int], width: int = 150, height: int = 30) -> list[tuple[float, float, float]]:
    """Bars (x, y, h) of a tiny inline SVG chart of articles per day."""
    top = max(daily) or 1
    step = width / max(1, len(daily))
    return [(round(i * step, 1), round(height - height * c / top, 1), round(height * c / top, 1))
            for i, c in enumerate(daily)]


def raw_capture(arc: Archive, article_id: str) -> bytes:
    """The archived HTML exactly as captured: the payload of the article's WARC response record."""
    from storage.replay import _read_payload  # the one reader of a WARC record at an offset

    info = article(arc, article_id)
    cap = info["article"].capture
    warc, offset = cap.warc, cap.offset
    if not warc or offset is None:
        row = arc.index.one("SELECT warc, warc_offset FROM captures WHERE url = ?", (info["article"].url,))
        if row is None:
            raise NotFoundError("برای این مقاله نسخهٔ خام بایگانی نشده است")
        warc, offset = row["warc"], row["warc_offset"]
    root = Path(arc.root).resolve()
    path = (root / warc).resolve()
    if not path.is_relative_to(root) or not path.is_file():     # never outside the archive
        raise NotFoundError("فایل WARC این مقاله در بایگانی پیدا نشد")
    try:
        return _read_payload(path, int(offset))
    except (OSError, StopIteration, ValueError) as exc:
        raise NotFoundError(f"نسخهٔ خام خوانده نشد: {exc}") from exc
