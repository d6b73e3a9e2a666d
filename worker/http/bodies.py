"""Response bodies: bounded content-decoding (gzip bombs) and charset detection.

Content-decoding is done here, not by httpx, because the archive must keep the body exactly as
received (read with `iter_raw`) and the decompressed size must be capped while it grows: zlib's
`max_length` stops a bomb after cap+1 bytes instead of after it has filled memory.
Charset: the HTTP header, then <meta>, then detection (charset-normalizer); Persian sites still
serve windows-1256, and a header saying iso-8859-1 is usually a server default, not a fact.
"""
from __future__ import annotations

import codecs
import re
import zlib

import charset_normalizer

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


_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
# A header or meta naming one of these on a page with non-ASCII bytes is a default, not a fact.
_WEAK = {"iso8859-1", "latin-1", "ascii", "cp1252"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    m = _CT_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _looks_persian_cp1256(data: bytes) -> bool:
    try:
        text = data[:65536].decode("cp1256")
    except UnicodeDecodeError:
        return False
    high = [ch for ch in text if ord(ch) > 127]
    arabic = sum(1 for ch in high if "\u0600" <= ch <= "\u06ff" or ch == "\u200c")
    return bool(high) and arabic / len(high) > 0.8


def detect_encoding(data: bytes, content_type: str | None = None) -> str:
    """Python codec name for `data`: header charset, then <meta>/XML declaration, then detection."""
    non_ascii = any(b > 127 for b in data[:65536]) or any(b > 127 for b in data[65536:])
    head = data[:4096]
    declared = [charset_from_content_type(content_type)]
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    declared.append(m.group(1).decode("ascii", "ignore") if m else None)
    for name in declared:
        codec = _codec(name)
        if codec is None or (codec in _WEAK and non_ascii):
            continue
        if _decodes(data, codec):
            return codec
    if not non_ascii or _decodes(data, "utf-8"):
        return "utf-8"
    if _looks_persian_cp1256(data):   # detectors often call Persian windows-1256 Cyrillic or Greek
        return "cp1256"
    best = charset_normalizer.from_bytes(data[:262144]).best()
    if best is not None and best.encoding and _decodes(data, best.encoding):
        return _codec(best.encoding) or best.encoding
    return "cp1256"   # the legacy encoding of Persian pages; decoded with replacement by callers
