"""Storage: WARC captures, JSONL records on disk (the truth), a rebuildable index, dedup."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.archive import Archive, Version
from storage.capture import Exchange
from storage.dedup import Status, StoreResult
from storage.errors import CorruptInput, DiskError, IndexError_, NotFound, SearchQueryError, StorageError
from storage.index import open_index
from storage.rebuild import RebuildReport
from storage.records import Skipped
from storage.warc import Capture

DEFAULT_WARC_MAX_BYTES = 1024 ** 3


def open_archive(root: str | Path, *, index_url: str | None = None, worker_name: str | None = None,
                 warc_max_bytes: int = DEFAULT_WARC_MAX_BYTES, near_dup_threshold: float = 0.8,
                 num_perm: int | None = None, read_only: bool = False) -> Archive:
    """Open (creating if needed) the archive at `root`.

    read_only: for the reading commands (search, show, export, stats, serve): nothing is created
    or written, and the SQLite index opens read-only, so an archive on a read-only disk is readable.

    index_url: None -> SQLite at <root>/index.sqlite3; `postgresql://...` -> PostgreSQL.
    worker_name names this process's WARC and record files (never shared between processes).
    num_perm: MinHash permutations, fixed when the index is created (default 128).
    """
    import os
    import socket

    from storage.minhash import DEFAULT_NUM_PERM

    root = Path(root)
    try:
        if not read_only:
            root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DiskError(f"cannot create archive directory: {exc.strerror}", str(root)) from exc
    name = worker_name or f"{socket.gethostname()}-{os.getpid()}"
    index = open_index(root, index_url, read_only=read_only)
    return Archive(root, index, worker_name=name, warc_max_bytes=warc_max_bytes,
                   near_dup_threshold=near_dup_threshold, num_perm=num_perm or DEFAULT_NUM_PERM)


class _ArchiveSettings(Protocol):
    """What storage reads of `worker.config.Settings` (storage must not import worker)."""

    @property
    def archive_dir(self) -> str | Path: ...


def open_from_settings(settings: _ArchiveSettings, *, read_only: bool = False) -> Archive:
    """Open the archive a `worker.config.Settings` describes."""
    return open_archive(settings.archive_dir, index_url=getattr(settings, "index_url", None),
                        worker_name=getattr(settings, "worker_name", None),
                        warc_max_bytes=getattr(settings, "warc_max_bytes", DEFAULT_WARC_MAX_BYTES),
                        near_dup_threshold=getattr(settings, "near_dup_threshold", 0.8), read_only=read_only)


__all__ = ["Archive", "Capture", "CorruptInput", "DiskError", "Exchange", "IndexError_", "NotFound",
           "RebuildReport", "SearchQueryError", "Skipped", "Status", "StorageError", "StoreResult", "Version",
           "open_archive", "open_from_settings"]
