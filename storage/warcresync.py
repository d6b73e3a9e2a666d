"""Finding the next intact WARC record after damage (gzip member resynchronization).

Each WARC record of a `.warc.gz` file is its own gzip member, so after a damaged or cut
member a reader can carry on at the next member: scan forward for the gzip magic
(1f 8b 08) and accept the spot only if it inflates to the start of a WARC header.
warcio has no resynchronization of its own (it stops at the first bad member).
"""
from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 1 << 20
_PROBE = 4096          # compressed bytes inflated to check for a WARC header


def _starts_warc_record(data: bytes) -> bool:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        head = inflater.decompress(data, 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def next_member(path: Path, after: int) -> int | None:
    """Offset of the first gzip member past `after` that begins a WARC record, or None."""
    with open(path, "rb") as fh:
        pos = after + 1
        while True:
            fh.seek(pos)
            block = fh.read(_CHUNK + _PROBE)
            if len(block) < len(GZIP_MAGIC):
                return None
            at = block.find(GZIP_MAGIC)
            while 0 <= at < _CHUNK:
                fh.seek(pos + at)
                if _starts_warc_record(fh.read(_PROBE)):
                    return pos + at
                at = block.find(GZIP_MAGIC, at + 1)
            if len(block) <= _CHUNK:
                return None
            pos += _CHUNK


# What a damaged spot raises in warcio or zlib (a cut member, bad gzip, a header cut off).
DAMAGE = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError)


def resync_records[T](path: Path, handle: Callable[[Any, ArchiveIterator], T | None],
                      on_damage: Callable[[int, BaseException], None]) -> Iterator[T]:
    """`handle(record, iterator)` for every record of one WARC file; its non-None results are yielded.

    At damage (raised by warcio or by `handle`, which may check a record and raise EOFError),
    `on_damage(offset of the record after the last good one, exception)` is called and the scan
    resumes at the next intact gzip member. The one resync loop of re-ingest (storage.replay) and
    of the captures rebuild (storage.capturestate).
    """
    start: int | None = 0
    while start is not None:
        offset = start
        try:
            with open(path, "rb") as fh:
                fh.seek(start)
                it = ArchiveIterator(fh)
                for rec in it:
                    item = handle(rec, it)
                    offset = it.get_record_offset() + it.get_record_length()
                    if item is not None:
                        yield item
            if offset < path.stat().st_size:   # warcio prints a failed gzip CRC and just stops reading
                raise EOFError(f"reading stopped {path.stat().st_size - offset} bytes before the end")
            start = None
        except DAMAGE as exc:
            on_damage(offset, exc)
            start = next_member(path, offset)
