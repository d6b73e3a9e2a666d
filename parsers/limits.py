"""Input shapes that make libxml2 slow, refused before parsing (a clear ParseError, not a stall).

libxml2's HTML parser checks every new attribute against the tag's earlier ones, so one tag with
100,000 attributes takes minutes inside one C call that no alarm can interrupt. No real page has
more than a few dozen attributes on a tag, so a tag with more than MAX_ATTRIBUTES is refused.
"""
from __future__ import annotations

import re

from parsers.errors import ParseError

__all__ = ["MAX_ATTRIBUTES", "check_markup"]

MAX_ATTRIBUTES = 1_000
# A tag long enough to hold that many attributes; scanning `[^<>]{N}` stops at the next < or >,
# so the scan is linear in the page.
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{" + str(MAX_ATTRIBUTES * 3) + ",}")
_ATTRIBUTE = re.compile(r"""[\s"'][^\s=<>"']+\s*=""")


def check_markup(text: str, label: str) -> None:
    """Raise ParseError (naming `label`) for a tag with more than MAX_ATTRIBUTES attributes."""
    if text.count("=") <= MAX_ATTRIBUTES:
        # Every attribute _ATTRIBUTE counts ends in its own "=": a page with no more "=" than the
        # limit cannot hold such a tag (str.count is ~7x cheaper than the tag scan on real pages).
        return
    for match in _LONG_TAG.finditer(text):
        end = text.find(">", match.end())
        tag = text[match.start(): end if end >= 0 else len(text)]
        count = sum(1 for _ in _ATTRIBUTE.finditer(tag))
        if count > MAX_ATTRIBUTES:
            raise ParseError(f"a tag with {count} attributes (limit {MAX_ATTRIBUTES}); refused", label)
