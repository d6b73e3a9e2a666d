"""What the fetch stage hands to the parse stage, and parsing without side effects.

`FetchedPage` is the parse task's message; `parse_outcome` runs the parsers on one page and
returns the Article or (error kind, message), so it can run in any process (a Celery child,
re-ingest's pool) while the caller records errors in its archive.
"""
from __future__ import annotations

import base64
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from parsers import Article, NotAnArticle, ParseError
from parsers import parse as parse_page
from parsers.article import Capture, article_id
from worker.errors import describe
from worker.pipeline.deadline import ParseTimeout, parse_deadline_seconds, run_with_deadline
from worker.pipeline.outcomes import ErrorKind, ParseFailure


@dataclass(slots=True)
class FetchedPage:
    """One archived article page: what the fetch stage hands to the parse stage (a task message)."""
    url: str                      # URL finally fetched (after redirects)
    requested_url: str
    canonical_url: str
    source_id: str
    content: bytes                # body with content-encoding removed; charset decoding is the parser's
    content_type: str | None
    fetched_at: str
    warc: str | None = None
    offset: int | None = None
    revisit: bool = False         # the capture is a WARC revisit record (no payload at `offset`)
    record_id: str | None = None  # WARC-Record-ID of that capture: the parse result refers to it

    def to_message(self) -> dict[str, Any]:
        """The parse task's message. The body stays out of it when the WARC capture holds it:
        the parse worker reads it back from the shared archive (one seek and one gzip member),
        which is cheaper than pushing 70-300 KB through Redis twice."""
        d = {k: getattr(self, k) for k in self.__slots__}
        if self.warc is not None and self.offset is not None and not self.revisit:
            d["content"] = None
        else:
            d["content"] = base64.b64encode(self.content).decode("ascii")  # JSON: no raw bytes
        return d

    @classmethod
    def from_message(cls, d: dict[str, Any]) -> FetchedPage:
        d = dict(d)
        d["content"] = base64.b64decode(d["content"]) if d.get("content") is not None else b""
        return cls(**d)


def read_response_body(root: Path, warc: str, offset: int) -> bytes:
    """The payload of the WARC response record at `offset`, transfer/content encoding undone
    (warcio's content_stream, the same decoding the fetcher applied)."""
    with open(root / warc, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        if record.rec_type != "response":
            raise ValueError(f"{warc}@{offset}: a {record.rec_type} record, not a response")
        return record.content_stream().read()


def parse_outcome(page: FetchedPage, profile_hint: str | None = None) -> Article | ParseFailure:
    """Parse a page with no side effects: the Article, or a ParseFailure (error kind, message). Pure, so it runs
    in any process (re-ingest's pool) and the caller records errors in its archive."""
    try:
        article = run_with_deadline(
            lambda: parse_page(page.content, page.url, source=page.source_id, profile_hint=profile_hint,
                               content_type=page.content_type, fetched_at=page.fetched_at),
            parse_deadline_seconds(len(page.content)))
    except ParseTimeout as exc:   # recorded as an error; the pass goes on with the next page
        return ParseFailure(ErrorKind.TIMEOUT, f"{page.url}: {exc}")
    except NotAnArticle as exc:
        return ParseFailure(ErrorKind.NOT_ARTICLE, str(exc))
    except ParseError as exc:
        return ParseFailure(ErrorKind.PARSE, str(exc))
    except Exception as exc:  # a parser bug on one page must not stop the others
        return ParseFailure(ErrorKind.PARSER_CRASH, describe(exc))
    # The claim step is keyed by our canonical URL: the record must carry the same key.
    article.source = page.source_id
    if article.canonical_url != page.canonical_url:
        article.canonical_url = page.canonical_url
        article.id = article_id(page.canonical_url)
    article.fetched_at = article.fetched_at or page.fetched_at
    article.capture = Capture(warc=page.warc, offset=page.offset)
    return article


_WARM_PAGE = ("<html><head><title>گرم کردن</title></head><body><article><h1>آزمایش تجزیه‌گر</h1>"
              "<p>به گزارش خبرگزاری، این یک متن کوتاه برای بارگذاری نرمال‌ساز است که دو جمله دارد.</p>"
              "<p>جمله دوم برای این است که بدنه خالی نباشد و کل مسیر تجزیه اجرا شود.</p></article></body></html>")


def warm_up_parser() -> None:
    """Load the parsing stack (lxml, BeautifulSoup, the profiles, the normalizer's lexicon) once.

    Called in the Celery parent before it forks its pool, so children share those pages
    copy-on-write and never pay the import inside a task; `bayegan ingest` calls it in a
    thread while discovery waits on the network.
    """
    from parsers.normalize import fold_for_search, normalize_paragraphs

    with contextlib.suppress(ParseError):  # the profiles and cleaners are loaded either way
        parse_page(_WARM_PAGE.encode("utf-8"), "http://warm-up.invalid/news/1", content_type="text/html; charset=utf-8")
    normalize_paragraphs(["این یک متن کوتاه برای بارگذاری نرمال‌ساز است.", "جمله دوم."])
    fold_for_search("روسيه ۲۰۱۸")


def settle_before_fork(*, freeze: bool = True) -> None:
    """After the imports, before a pool forks: collect the import garbage, give freed heap back to
    the OS (glibc keeps it otherwise: ~10 MB of RSS in every process) and, for a long-lived pool
    parent, freeze what is left so the children's garbage collector never writes to (and thus
    copies) the parent's pages."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    if freeze:
        gc.freeze()
