"""Search snippets and highlights over the text AS STORED (not the folded index copy).

The index holds folded text (so `روسيه` finds `روسیه`); showing that folded text to a reader
would change their letters and digits. Here each folded query word becomes a regular
expression over the stored text: every character is a class of the characters that fold to it
(ی <- ي ى ئ, 2 <- ۲ ٢), with what folding deletes (diacritics, kashida) allowed in between,
so the marks land on the original characters.
"""
from __future__ import annotations

import functools
import re

from storage.query import Term
from storage.text import fold

_SEP = r"(?:[\W_]+)"                                    # what separates words of a phrase
_LETTER = r"[^\W_]"


@functools.cache
def _inverse() -> dict[str, frozenset[str]]:
    """folded character -> every character that folds to it (e.g. ی <- ي ى ئ ی, 2 <- ۲ ٢ 2)."""
    inv: dict[str, set[str]] = {}
    ranges = [range(0x30, 0x7B), range(0xC0, 0x250), range(0x600, 0x700), range(0x750, 0x780), range(0x8A0, 0x900),
              range(0xFB50, 0xFE00), range(0xFE70, 0xFF00)]
    for r in ranges:
        for cp in r:
            ch = chr(cp)
            f = fold(ch)
            if len(f) == 1:
                inv.setdefault(f, set()).add(ch)
    return {k: frozenset(v) for k, v in inv.items()}


@functools.cache
def _deleted() -> str:
    """A character class of what folding deletes inside words (diacritics, kashida, ZWJ, marks)."""
    gone = [chr(cp) for r in (range(0x610, 0x620), range(0x64B, 0x660), range(0x6D6, 0x6EE), range(0x200B, 0x2010))
            for cp in r if chr(cp) != "\u200c" and fold("a" + chr(cp) + "b") == "ab"] + ["\u0640", "\u0670", "\ufeff"]
    return "[" + "".join(re.escape(c) for c in gone) + "]*"


def _char(c: str) -> str:
    chars = sorted(_inverse().get(c, frozenset()) | {c})
    return re.escape(chars[0]) if len(chars) == 1 else "[" + "".join(re.escape(x) for x in chars) + "]"


@functools.lru_cache(maxsize=256)
def _pattern(term: Term) -> re.Pattern[str]:
    """A regex over the STORED text matching what the folded term matches in the index."""
    skip = _deleted()
    words = [skip.join(_char(c) for c in w) for w in term.words]
    body = _SEP.join(words) + (_LETTER + "*" if term.prefix else "")
    return re.compile(rf"(?<!{_LETTER}){body}(?!{_LETTER})")


def _spans(text: str, groups: list[list[Term]]) -> list[tuple[int, int]]:
    spans = [m.span() for alts in groups for term in alts for m in _pattern(term).finditer(text)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, groups: list[list[Term]], marks: tuple[str, str]) -> str | None:
    """The whole text with every match marked; None when nothing matches."""
    spans = _spans(text, groups)
    if not spans:
        return None
    out, pos = [], 0
    for s, e in spans:
        out += [text[pos:s], marks[0], text[s:e], marks[1]]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def snippet(text: str, groups: list[list[Term]], marks: tuple[str, str], width: int = 160) -> str | None:
    """A window of about `width` characters around the first match, matches marked."""
    spans = _spans(text, groups)
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start:
        sp = text.rfind(" ", 0, start)
        start = sp + 1 if sp >= 0 and start - sp < 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        sp = text.find(" ", end)
        end = sp if 0 <= sp < end + 20 else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [text[pos:s], marks[0], text[s:e], marks[1]]
        pos = e
    out.append(text[pos:end])
    return ("…" if start else "") + "".join(out).replace("\n", " ") + ("…" if end < len(text) else "")
