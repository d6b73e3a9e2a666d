"""WACZ 1.1.1 export: the selection's WARC records, a CDXJ index, pages/pages.jsonl, datapackage.json.

The CDXJ lines come from `cdxj_indexer` (Webrecorder's indexer, the one the `wacz` package and
pywb use), so replay tools read the index as they read their own. The package itself is a plain
ZIP (`zipfile`): the `wacz` package's creator re-detects pages from the WARCs and cannot take our
parsed titles/texts without its own page detection, and it pins old pywb/redis versions that
conflict with ours. `wacz validate` (tests/replay) checks the result against the spec.

WARC files keep their per-day folders in the archive but share names across days, so inside the
WACZ each is `archive/YYYY-MM-DD-<name>` (the CDXJ `filename` field names that). With a source
(`--source ID`) the package holds one new WARC, `archive/bayegan-<ID>.warc.gz`, of that source's
records only (copied byte for byte: storage.waczselect), so no other source's capture leaks in.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import StorageError
from storage.records import parse_timestamp, utc_now_iso
from storage.warc import warc_files

if TYPE_CHECKING:
    from storage.archive import Archive

log = logging.getLogger(__name__)
WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles", "hasText": True}


@dataclass(slots=True)
class WaczSelection:
    source: str | None = None
    since: date | None = None
    until: date | None = None

    def covers(self, day: date | None) -> bool:
        if day is None:
            return self.since is None and self.until is None
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass(slots=True)
class WaczReport:
    path: str
    warcs: int
    pages: int


def _warc_day(rel: Path) -> date | None:
    try:
        y, m, d = (int(p) for p in rel.parts[:3])
        return date(y, m, d)
    except ValueError:
        return None


def _arcname(rel: Path) -> str:
    return "-".join((*rel.parts[:3], rel.name)) if len(rel.parts) > 3 else rel.name


def _cdxj_lines(path: Path, arcname: str) -> list[str]:
    from cdxj_indexer import CDXJIndexer

    out = io.StringIO()
    CDXJIndexer(output=out, inputs=[str(path)], filename=arcname).process_all()
    return [line for line in out.getvalue().splitlines() if line.strip()]


def _pages(archive: Archive, sel: WaczSelection) -> tuple[list[dict[str, str]], set[str]]:
    pages, warcs = [], set()
    for a in archive.iter_articles():
        if sel.source is not None and a.source != sel.source:
            continue
        fetched = parse_timestamp(a.fetched_at)
        if not sel.covers(fetched.date() if fetched else None):
            continue
        pages.append({"url": a.url, "ts": a.fetched_at or "", "title": a.title or "", "text": a.text or "",
                      "id": a.id})
        if a.capture and a.capture.warc:
            warcs.add(a.capture.warc)
    return pages, warcs


def _files(root: Path, sel: WaczSelection, article_warcs: set[str]) -> list[Path]:
    """WARCs of the days selected; with --source only days holding one of its articles' captures."""
    base = root / "warc"
    days = {_warc_day(Path(w).relative_to("warc")) for w in article_warcs if w.startswith("warc/")}
    chosen = []
    for path in sorted(base.rglob("*.warc.gz")) if base.is_dir() else []:
        day = _warc_day(path.relative_to(base))
        if day is not None and not sel.covers(day):
            continue
        if sel.source is not None and day not in days:
            continue
        chosen.append(path)
    return chosen


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def export_wacz(archive: Archive, out: str | Path, sel: WaczSelection | None = None) -> WaczReport:
    sel = sel or WaczSelection()
    root = Path(archive.root)
    pages, article_warcs = _pages(archive, sel)
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".wacz-") as tmp:
        if sel.source is not None:
            files = _source_warc(root, sel, pages, Path(tmp))
        else:
            files = [(path, _arcname(path.relative_to(root / "warc"))) for path in _files(root, sel, article_warcs)]
        if not files:
            raise StorageError("nothing to export: no WARC files in the selection")
        _write_package(out, files, pages)
    return WaczReport(str(out), len(files), len(pages))


def _source_warc(root: Path, sel: WaczSelection, pages: list[dict[str, str]], tmp: Path) -> list[tuple[Path, str]]:
    """One new WARC of the source's records (storage.waczselect): no other source's capture leaks in.
    Every day up to `until` is scanned: a revisit in the window may refer to an older capture."""
    from storage.waczselect import origin, select_records, write_selected

    origins = {o for p in pages if (o := origin(p["url"]))}
    base = root / "warc"
    files = [p for p in warc_files(root)
             if sel.until is None or (d := _warc_day(p.relative_to(base))) is None or d <= sel.until]
    skipped: list[str] = []
    refs = select_records(files, origins, sel.since, sel.until, skipped) if origins else []
    for problem in skipped:
        log.warning("wacz export: skipped %s", problem)
    if not refs:
        return []
    name = f"bayegan-{sel.source}.warc.gz"
    path = tmp / name
    with open(path, "wb") as fh:
        write_selected(refs, fh, name)
    return [(path, name)]


def _write_package(out: Path, files: list[tuple[Path, str]], pages: list[dict[str, str]]) -> None:
    resources: list[dict[str, object]] = []
    cdxj: list[str] = []
    with zipfile.ZipFile(out, "w") as z:
        for path, name in files:
            data = path.read_bytes()
            z.writestr(f"archive/{name}", data, compress_type=zipfile.ZIP_STORED)  # already gzip
            resources.append({"name": name, "path": f"archive/{name}", "hash": _digest(data), "bytes": len(data)})
            cdxj += _cdxj_lines(path, name)
        extra = {"indexes/index.cdx": "".join(f"{line}\n" for line in sorted(cdxj)).encode("utf-8"),
                 "pages/pages.jsonl": _pages_jsonl(pages)}
        for arc_path, data in extra.items():
            z.writestr(arc_path, data, compress_type=zipfile.ZIP_DEFLATED)
            resources.append({"name": Path(arc_path).name, "path": arc_path, "hash": _digest(data), "bytes": len(data)})
        package = _datapackage(resources)
        z.writestr("datapackage.json", package)
        z.writestr("datapackage-digest.json", json.dumps({"path": "datapackage.json", "hash": _digest(package)}))


def _pages_jsonl(pages: Iterable[dict[str, str]]) -> bytes:
    lines = [json.dumps(PAGES_HEADER)] + [json.dumps(p, ensure_ascii=False) for p in pages]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _datapackage(resources: list[dict[str, object]]) -> bytes:
    now = utc_now_iso(zulu=True)
    return json.dumps({"profile": "data-package", "wacz_version": WACZ_VERSION, "title": "Bayegan archive export",
                       "software": "Bayegan", "created": now, "modified": now, "resources": resources},
                      ensure_ascii=False, indent=2).encode("utf-8")
