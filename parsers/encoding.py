"""Bytes -> str for HTML pages: the one place that decides a page's character encoding.

Order of evidence (WHATWG-like, adapted to what Persian sites really send):
1. a byte-order mark;
2. the HTTP Content-Type charset;
3. a <meta charset> / <meta http-equiv=Content-Type> declaration in the first bytes;
4. charset-normalizer's detection.
A declaration is only trusted if the bytes decode under it. Bogus names are repaired
(a real Mehr page says `windows-utf-8`), and pages that declare a Latin code page but are
really UTF-8 (a common CMS misconfiguration) are read as UTF-8. Numeric character references
(`&#x6AF;`) are left to the HTML parser, which decodes them.
"""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from parsers.errors import DecodeError

_META_SNIFF_BYTES = 32_768  # isna puts <meta charset> after ~2 KB of <meta> tags; be generous
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Code pages that a misconfigured server/CMS declares while actually serving UTF-8.
_LATIN_DECLARATIONS = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}


def canonical_encoding(name: str | None) -> str | None:
    """Python codec name for a declared charset, repairing bogus labels; None if unusable."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    compact = label.replace("-", "").replace("_", "")
    if "utf8" in compact:  # `windows-utf-8`, `utf8`, `x-utf-8`: all mean UTF-8 in practice
        return "utf-8"
    if compact in {"windows1256", "cp1256", "arabic", "xmaccp1256"}:
        return "cp1256"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return canonical_encoding(match.group(1)) if match else None


def charset_from_meta(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_META_SNIFF_BYTES])
    return canonical_encoding(match.group(1).decode("ascii", "ignore")) if match else None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, content_type: str | None = None, *, source: str | None = None) -> str:
    """Decode a page. Raises DecodeError (naming `source`) for empty or undecodable input."""
    if not data or data.isspace():
        raise DecodeError("empty document", source)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom):], encoding)
            if text is not None:
                return text
    if data.count(b"\x00") > len(data) // 100 + 1:
        raise DecodeError("binary data, not an HTML page", source)

    for declared in (charset_from_content_type(content_type), charset_from_meta(data)):
        if declared is None:
            continue
        if declared in _LATIN_DECLARATIONS:
            as_utf8 = _try(data, "utf-8")
            if as_utf8 is not None and not as_utf8.isascii():
                return as_utf8
        text = _try(data, declared)
        if text is not None:
            return text

    text = _try(data, "utf-8")  # most pages; far cheaper than detection
    if text is not None:
        return text
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise DecodeError("could not detect the character encoding", source)
    text = _try(data, best.encoding)
    if text is None:
        # Detection looked at a prefix; tolerate a few stray bytes further on rather than lose the page.
        text = data.decode(best.encoding, errors="replace")
    return text
