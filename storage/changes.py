"""Edits, removals and restorations of stored articles, and the re-check state behind them.

On disk (the source of truth) they are lines of the events JSONL:
  {"event": "change", "kind": "edited"|"removed"|"restored", "at", "article_id", "url", "source",
   "version", "http_status", "final_url", "diff"}
  {"event": "recheck", "at", "article_id", "source", "url", "outcome", "checks", "next_due",
   "removed", "etag", "last_modified"}
In the index they are the `changes` and `rechecks` tables (schema step 3). Live writes and
`index rebuild` go through the same `apply_event`, so a rebuilt index holds the same changes.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any

from parsers.dates import tehran_offset
from storage.index.base import Row, SqlIndex
from storage.records import iso_utc

DIFF_CONTEXT = 8          # words of unchanged text kept on each side of a change


class ChangeKind(StrEnum):
    EDITED = "edited"
    REMOVED = "removed"
    RESTORED = "restored"


class CheckOutcome(StrEnum):
    """What one re-check found."""
    SAME = "same"            # same normalized content (or 304): nothing stored
    EDITED = "edited"        # a new version
    REMOVED = "removed"      # 404/410, redirect to home/section, not an article any more
    GONE = "gone"            # still removed (reported once, when it went)
    RESTORED = "restored"    # was removed, answers with the article again
    RETRY = "retry"          # 5xx, timeout, refused, 429, host down: nothing decided, try later


@dataclass(slots=True)
class Change:
    kind: ChangeKind
    article_id: str
    url: str
    source: str | None
    at: str                                 # ISO 8601 UTC (`Z`)
    version: int | None = None              # edits (and a restoration that changed the text)
    http_status: int | None = None          # removals: the evidence
    final_url: str | None = None
    diff: dict[str, list[list[str]]] = field(default_factory=dict)   # field -> word-diff ops

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = str(self.kind)
        return out


@dataclass(slots=True)
class RecheckState:
    article_id: str
    source: str | None
    url: str
    first_stored: str
    checks: int = 0                  # schedule steps passed
    last_checked: str | None = None
    removed: bool = False
    etag: str | None = None
    last_modified: str | None = None


def word_diff(old: str, new: str, context: int = DIFF_CONTEXT) -> list[list[str]]:
    """Word-level diff as [op, text] pairs (op "=", "-", "+"); long unchanged runs are cut to
    `context` words either side ("…" marks the cut). difflib: exact, no dependency needed."""
    a, b = old.split(), new.split()
    ops: list[list[str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                head = words[:context] if ops else []
                tail = words[-context:] if i2 < len(a) or j2 < len(b) else []
                words = [*head, "…", *tail]
            ops.append(["=", " ".join(words)])
            continue
        if i2 > i1:
            ops.append(["-", " ".join(a[i1:i2])])
        if j2 > j1:
            ops.append(["+", " ".join(b[j1:j2])])
    return ops


def article_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Diffs of the as-published title, lead and text that differ (Article dicts)."""
    out = {}
    for name in ("title", "lead", "text"):
        before, after = old.get(name) or "", new.get(name) or ""
        if before != after:
            out[name] = word_diff(before, after)
    return out


def render_diff(ops: list[list[str]]) -> str:
    """`[-old-]` / `{+new+}` inline (git --word-diff style) for terminals and logs."""
    parts = []
    for op, text in ops:
        parts.append(text if op == "=" else f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return " ".join(p for p in parts if p)


# -- events <-> index --------------------------------------------------------------------
def change_event(change: Change) -> dict[str, Any]:
    return {"event": "change", **change.to_dict()}


def recheck_event(state: RecheckState, at: str, outcome: CheckOutcome, next_due: str | None) -> dict[str, Any]:
    return {"event": "recheck", "at": at, "article_id": state.article_id, "source": state.source,
            "url": state.url, "outcome": str(outcome), "checks": state.checks, "next_due": next_due,
            "removed": state.removed, "etag": state.etag, "last_modified": state.last_modified,
            "first_stored": state.first_stored}


def apply_event(idx: SqlIndex, ev: dict[str, Any]) -> None:
    """Put one change or recheck event line into the index (inside the caller's write)."""
    if ev.get("event") == "change":
        idx.execute("INSERT INTO changes (article_id, kind, at, source, url, version, http_status, final_url,"
                    " diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ev["article_id"], ev["kind"], ev["at"], ev.get("source"), ev.get("url"), ev.get("version"),
                     ev.get("http_status"), ev.get("final_url"),
                     json.dumps(ev["diff"], ensure_ascii=False) if ev.get("diff") else None))
    elif ev.get("event") == "recheck":
        idx.execute(
            "INSERT INTO rechecks (article_id, source, url, first_stored, checks, last_checked, next_due, removed,"
            " etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "checks = excluded.checks, last_checked = excluded.last_checked, next_due = excluded.next_due, "
            "removed = excluded.removed, etag = excluded.etag, last_modified = excluded.last_modified, "
            "url = excluded.url",
            (ev["article_id"], ev.get("source"), ev.get("url") or "", ev.get("first_stored") or ev["at"],
             int(ev.get("checks") or 0), ev["at"], ev.get("next_due"), int(bool(ev.get("removed"))),
             ev.get("etag"), ev.get("last_modified")))


def _change(row: Row) -> Change:
    return Change(ChangeKind(row["kind"]), row["article_id"], row["url"] or "", row["source"], row["at"],
                  row["version"], row["http_status"], row["final_url"],
                  json.loads(row["diff"]) if row.get("diff") else {})


def list_changes(idx: SqlIndex, *, source: str | None = None, since: str | None = None,
                 until: str | None = None, kind: str | None = None, article_id: str | None = None
                 ) -> list[Change]:
    """Changes in time order; `since`/`until` compare with the UTC `at` (ISO strings)."""
    where, params = [], []
    for column, op, value in (("source", "=", source), ("at", ">=", since), ("at", "<", until),
                              ("kind", "=", kind), ("article_id", "=", article_id)):
        if value is not None:
            where.append(f"{column} {op} ?")
            params.append(value)
    sql = "SELECT * FROM changes" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY at, n"
    return [_change(r) for r in idx.all(sql, params)]


def recheck_state(idx: SqlIndex, article: Row) -> RecheckState:
    row = idx.one("SELECT * FROM rechecks WHERE article_id = ?", (article["id"],))
    if row is None:
        return RecheckState(article["id"], article["source"], article["url"], article["first_stored"])
    return RecheckState(row["article_id"], row["source"], row["url"], row["first_stored"], int(row["checks"]),
                        row["last_checked"], bool(row["removed"]), row["etag"], row["last_modified"])


def due(idx: SqlIndex, source: str, now: str, never_checked_before: str, limit: int) -> list[Row]:
    """Articles of `source` due for a re-check at `now`: never re-checked and first stored before
    `never_checked_before` (first capture + the first interval), or whose next_due has come.
    Oldest due first. A NULL next_due means the schedule is exhausted."""
    return idx.all(
        "SELECT a.id, a.url, a.canonical_url, a.source, a.first_stored FROM articles a "
        "LEFT JOIN rechecks r ON r.article_id = a.id WHERE a.source = ? AND "
        "((r.article_id IS NULL AND a.first_stored <= ?) OR (r.next_due IS NOT NULL AND r.next_due <= ?)) "
        "ORDER BY COALESCE(r.next_due, a.first_stored), a.n LIMIT ?", (source, never_checked_before, now, limit))


def all_articles(idx: SqlIndex, source: str | None) -> list[Row]:
    sql = "SELECT id, url, canonical_url, source, first_stored FROM articles"
    return idx.all(sql + (" WHERE source = ? ORDER BY n" if source else " ORDER BY n"), (source,) if source else ())


def counts(idx: SqlIndex) -> dict[str, dict[str, int]]:
    """Per source: edits, removals, restorations (for `bayegan stats`)."""
    out: dict[str, dict[str, int]] = {}
    for r in idx.all("SELECT source, kind, COUNT(*) AS c FROM changes GROUP BY source, kind"):
        out.setdefault(r["source"] or "", {})[r["kind"]] = int(r["c"])
    return out


def time_bound(value: date | datetime | str | None, *, end: bool = False) -> str | None:
    """A --since/--until value as a UTC ISO string comparable with `at`. A day is a Tehran day
    (agencies' days); `until` includes the whole day."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        start = datetime.combine(value + timedelta(days=1) if end else value, time.min)
        value = start.replace(tzinfo=timezone(tehran_offset(start)))
    return iso_utc(value)
