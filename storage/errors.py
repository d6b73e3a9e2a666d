"""Exception hierarchy of the storage layer (one base, specific leaves)."""
from __future__ import annotations

import errno

# ENOSPC: the file system is full; EDQUOT: the user's quota is.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class StorageError(Exception):
    """Base class. Raised for full / read-only disks and broken indexes; the caller may retry.

    When it is raised from a write, nothing half-written is visible: partial appends are cut back
    and the index transaction is rolled back.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{self.path}: {msg}" if self.path else msg


class DiskError(StorageError):
    """A write to the archive failed (disk full, read-only file system, permissions)."""


class DiskFull(DiskError):
    """The archive's disk (or quota) is full: no write can succeed until space is freed, so a pass
    stops at once instead of failing page after page (see `is_disk_full`)."""


class IndexError_(StorageError):
    """The index database refused an operation (not a user error)."""


class NotFound(StorageError, KeyError):
    """No article with that id or URL."""

    def __str__(self) -> str:  # KeyError would quote the message
        return StorageError.__str__(self)


class SearchQueryError(StorageError, ValueError):
    """A search query that has nothing searchable in it (never a raw SQL error)."""


class CorruptInput(Warning):
    """Warning category for skipped torn JSONL lines and truncated WARC records."""


def is_disk_full(exc: BaseException) -> bool:
    """Does this error, or one it was raised from, say the disk or the quota is full?

    Walks the cause/context chain: an ENOSPC/EDQUOT OSError inside a DiskError (records, WARC),
    SQLite's SQLITE_FULL inside an IndexError_, PostgreSQL's disk_full (SQLSTATE 53100).
    """
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, DiskFull) or (isinstance(cur, OSError) and cur.errno in _FULL_ERRNOS):
            return True
        if getattr(cur, "sqlite_errorcode", None) == 13 or getattr(cur, "sqlstate", None) == "53100":
            return True       # SQLITE_FULL (sqlite3.SQLITE_FULL); psycopg's DiskFull
        cur = cur.__cause__ or cur.__context__
    return False
