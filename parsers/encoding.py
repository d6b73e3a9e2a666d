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
# Replacement decoding is accepted when at most this share of the bytes (or a handful) is bad.
_TOLERATED_BAD_FRACTION = 0.001
_MIN_TOLERATED_BAD_BYTES = 8


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


def _lenient(data: bytes, encoding: str) -> tuple[str, int] | None:
    """Decode with U+FFFD for undecodable bytes; the text and how many replacements were made."""
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    already = data.count(b"\xef\xbf\xbd") if encoding == "utf-8" else 0  # U+FFFD written by the page
    return text, max(0, text.count("\ufffd") - already)


def _fits_nearly(data: bytes, bad: int) -> bool:
    # One stray byte or a cut last character must not lose the article; a page that is mostly
    # undecodable under the charset is not that charset (detection gets a turn instead).
    return bad <= max(_MIN_TOLERATED_BAD_BYTES, len(data) * _TOLERATED_BAD_FRACTION)


def decode_html(data: bytes, content_type: str | None = None, *, source: str | None = None) -> str:
    """Decode a page. Raises DecodeError (naming `source`) for empty or undecodable input."""
    return decode_html_checked(data, content_type, source=source)[0]


def decode_html_checked(data: bytes, content_type: str | None = None, *,
                        source: str | None = None) -> tuple[str, list[str]]:
    """Like decode_html, plus warnings (e.g. bytes replaced by U+FFFD) to record on the Article."""
    if not data or data.isspace():
        raise DecodeError("empty document", source)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom):], encoding)
            if text is not None:
                return text, []
    if data.count(b"\x00") > len(data) // 100 + 1:
        raise DecodeError("binary data, not an HTML page", source)

    declarations = [d for d in (charset_from_content_type(content_type), charset_from_meta(data)) if d]
    for declared in declarations:
        if declared in _LATIN_DECLARATIONS:
            as_utf8 = _try(data, "utf-8")
            if as_utf8 is not None and not as_utf8.isascii():
                return as_utf8, []
        text = _try(data, declared)
        if text is not None:
            return text, []

    text = _try(data, "utf-8")  # most pages; far cheaper than detection
    if text is not None:
        return text, []
    # A declared charset (or UTF-8) that fits all but a few bytes: keep the page, mark the damage.
    for candidate in dict.fromkeys([*(d for d in declarations if d not in _LATIN_DECLARATIONS), "utf-8"]):
        lenient = _lenient(data, candidate)
        if lenient is not None and _fits_nearly(data, lenient[1]):
            return lenient[0], [_replacement_warning(lenient[1], candidate)]
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise DecodeError("could not detect the character encoding", source)
    text = _try(data, best.encoding)
    if text is not None:
        return text, []
    # Detection looked at a prefix; tolerate a few stray bytes further on rather than lose the page.
    lenient = _lenient(data, best.encoding)
    if lenient is None:
        raise DecodeError("could not detect the character encoding", source)
    return lenient[0], [_replacement_warning(lenient[1], best.encoding)]


def _replacement_warning(bad: int, encoding: str) -> str:
    return f"decode: {bad} undecodable byte sequence(s) replaced by U+FFFD (as {encoding})"
