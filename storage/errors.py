"""Exception hierarchy of the storage layer (one base, specific leaves)."""
from __future__ import annotations


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
