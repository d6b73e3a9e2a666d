"""Input shapes that make libxml2 slow, refused before parsing (a clear ParseError, not a stall).

libxml2's HTML parser checks every new attribute against the tag's earlier ones, so one tag with
100,000 attributes takes minutes inside one C call that no alarm can interrupt. No real page has
more than a few dozen attributes on a tag, so a tag with more than MAX_ATTRIBUTES is refused.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.errors import ParseError

__all__ = ["MAX_ATTRIBUTES", "check_markup"]

MAX_ATTRIBUTES = 1_000
# A tag long enough to hold that many attributes; scanning `[^<>]{N}` stops at the next < or >,
# so the scan is linear in the page.
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{" + str(MAX_ATTRIBUTES * 3) + ",}")
_SHORTEST_LONG_TAG = MAX_ATTRIBUTES * 3 + 2   # "<", a letter, then the repeat above
_ATTRIBUTE = re.compile(r"""[\s"'][^\s=<>"']+\s*=""")


def check_markup(text: str, label: str) -> None:
    """Raise ParseError (naming `label`) for a tag with more than MAX_ATTRIBUTES attributes.

    A _LONG_TAG match contains no ">", and the tag text counted runs to the next ">": both lie in
    one ">"-free run of the page. So only runs at least as long as the shortest match, holding more
    "=" than the limit, are scanned (every attribute _ATTRIBUTE counts ends in its own "="). Real
    pages have no such run: the check is ~40 str.rfind calls instead of a regex pass over the page
    (2.5 ms on a 292 KB page), with the same matches, counts and message as a whole-page scan.
    """
    for start, end in _long_runs(text, _SHORTEST_LONG_TAG):
        if text.count("=", start, end) <= MAX_ATTRIBUTES:
            continue
        for match in _LONG_TAG.finditer(text, start, end):
            # the tag runs to the run's end: the next ">" or the end of the page
            count = sum(1 for _ in _ATTRIBUTE.finditer(text[match.start(): end]))
            if count > MAX_ATTRIBUTES:
                raise ParseError(f"a tag with {count} attributes (limit {MAX_ATTRIBUTES}); refused", label)


def _long_runs(text: str, length: int) -> Iterator[tuple[int, int]]:
    """(start, end) of every maximal ">"-free stretch of `text` at least `length` long, in order.

    Each step asks for the last ">" in the `length` characters after the previous one: found, no
    run starting before it can be that long; not found, those characters start a long run. rfind
    stops at the first ">" from the right, so a page dense with tags is crossed `length` characters
    per step, reading only a few of them.
    """
    last = -1   # the ">" before the stretch being looked at (-1: the start of the text)
    while last + 1 + length <= len(text):
        found = text.rfind(">", last + 1, last + 1 + length)
        if found >= 0:
            last = found
            continue
        end = text.find(">", last + 1 + length)
        end = len(text) if end < 0 else end
        yield last + 1, end
        last = end
