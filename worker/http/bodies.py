"""Response bodies: bounded content-decoding (gzip bombs) and charset detection.

Content-decoding is done here, not by httpx, because the archive must keep the body exactly as
received (read with `iter_raw`) and the decompressed size must be capped while it grows: zlib's
`max_length` stops a bomb after cap+1 bytes instead of after it has filled memory.
Charset: decided by parsers.encoding (the one decider, shared with the page parser); re-exported
here for the fetcher and feed readers.
"""
from __future__ import annotations

import zlib

from parsers.encoding import charset_from_content_type, detect_encoding

__all__ = ["BadEncoding", "BodyLimitExceeded", "charset_from_content_type", "decode_content", "detect_encoding"]


class BodyLimitExceeded(Exception):
    pass


class BadEncoding(Exception):
    pass


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    out = bytearray()
    d = zlib.decompressobj(wbits)
    buf = data
    while True:
        try:
            chunk = d.decompress(buf, cap + 1 - len(out))
        except zlib.error as exc:
            raise BadEncoding(str(exc)) from exc
        out += chunk
        if len(out) > cap:
            raise BodyLimitExceeded(f"decompressed body over {cap} bytes")
        if d.unconsumed_tail:
            buf = d.unconsumed_tail
            continue
        if d.eof and d.unused_data and wbits & 16:   # concatenated gzip members
            d, buf = zlib.decompressobj(wbits), d.unused_data
            continue
        break
    if not d.eof:
        raise BadEncoding("compressed stream ends early (truncated body)")
    return bytes(out)


def _unbrotli(data: bytes, cap: int) -> bytes:
    try:   # we never ask for br; a server sending it anyway is decoded when brotli is installed
        import brotli
    except ImportError as exc:
        raise BadEncoding("Content-Encoding br but the brotli module is not installed") from exc

    # output_buffer_limit (brotli >= 1.2) stops each call near the cap; feeding input in steps is
    # not enough, since one step of a br bomb expands to gigabytes inside a single call.
    d = brotli.Decompressor()
    out = bytearray()
    try:
        out += d.process(data, output_buffer_limit=cap + 1)
        while len(out) <= cap and not d.is_finished() and not d.can_accept_more_data():
            out += d.process(b"", output_buffer_limit=cap + 1 - len(out))
    except brotli.error as exc:
        raise BadEncoding(str(exc)) from exc
    if len(out) > cap:
        raise BodyLimitExceeded(f"decompressed body over {cap} bytes")
    if not d.is_finished():
        raise BadEncoding("brotli stream ends early (truncated body)")
    return bytes(out)


def decode_content(raw: bytes, content_encoding: str | None, cap: int) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br; stacked in order), never producing more than `cap`."""
    data = raw
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            data = _inflate(data, 16 + zlib.MAX_WBITS, cap)
        elif coding == "deflate":   # RFC says zlib-wrapped; some servers send raw deflate
            try:
                data = _inflate(data, zlib.MAX_WBITS, cap)
            except BadEncoding:
                data = _inflate(data, -zlib.MAX_WBITS, cap)
        elif coding == "br":
            data = _unbrotli(data, cap)
        elif coding == "identity":
            continue
        else:
            raise BadEncoding(f"unsupported Content-Encoding {coding!r}")
    if len(data) > cap:
        raise BodyLimitExceeded(f"body over {cap} bytes")
    return data
