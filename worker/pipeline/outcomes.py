"""The one home of the pipeline's statuses and error kinds, and the outcome of a poll.

StrEnum members are the strings themselves: JSON summaries, the error log (records and index)
and `bayegan run`'s columns keep exactly the values written before these enums existed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.discovery.links import Link


class PageStatus(StrEnum):
    """What happened to one page: a store status (storage.dedup.Status) or how its chain ended."""
    # The store statuses, spelled as storage.dedup.Status spells them (not imported: the CLI
    # imports this module and must not pay for storage's datasketch/numpy; a test checks they match).
    NEW = "new"
    VERSION = "version"
    UNCHANGED = "unchanged"
    ALIAS = "alias"
    SKIPPED = "skipped"     # not fetched: claimed elsewhere, robots, unchanged on the server...
    ERROR = "error"         # recorded in the archive's error log
    FETCHED = "fetched"     # daemon: archived, parse queued
    PARSED = "parsed"       # daemon: parsed, store queued


STORE_STATUSES: tuple[PageStatus, ...] = (PageStatus.NEW, PageStatus.VERSION, PageStatus.ALIAS, PageStatus.UNCHANGED)
# `bayegan run`/`ingest` summary columns, in their historical order.
SUMMARY_STATUSES: tuple[PageStatus, ...] = (PageStatus.NEW, PageStatus.VERSION, PageStatus.ALIAS,
                                            PageStatus.UNCHANGED, PageStatus.SKIPPED, PageStatus.ERROR)


class ErrorKind(StrEnum):
    """The `kind` of an entry in the archive's error log (the stage that failed)."""
    DISCOVERY = "discovery"
    POLL = "poll"
    FETCH = "fetch"
    ARCHIVE = "archive"
    NOT_ARTICLE = "not_article"
    PARSE = "parse"
    PARSER_CRASH = "parser_crash"
    TIMEOUT = "timeout"         # a page over its parse deadline
    STORE = "store"
    INGEST = "ingest"
    REINGEST = "reingest"
    RECHECK = "recheck"
    TASK = "task"


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a page gave no Article (parse_outcome's other result; picklable for re-ingest's pool)."""
    kind: ErrorKind
    message: str


@dataclass(slots=True)
class PollOutcome:
    """What one poll of a source found: the links this poll claimed, or why it failed."""
    source_id: str
    ok: bool
    discovered: int = 0
    links: list[Link] = field(default_factory=list)   # Links to fetch: new, claimed by this poll
    error: str | None = None
