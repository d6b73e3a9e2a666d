"""Search snippets and highlights over the text AS STORED (not the folded index copy).

The index holds folded text (so `روسيه` finds `روسیه`); showing that folded text to a reader
would change their letters and digits. Here the stored text is folded character by character
with a map back to the original positions, the query words are found in the folded stream,
and the marks are placed around the original characters.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from storage.query import Term
from storage.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace() or unicodedata.category(ch) in ("Zs", "Cf") and ch != "\u200d":
        return " "                         # separators (ZWNJ included) split words, as in the index
    return fold(ch) or ""


def _folded_words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) with start/end offsets in the ORIGINAL text."""
    chars, origin = [], []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        chars.append(f)
        origin.extend([i] * len(f))
    folded = "".join(chars)
    return [(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer(folded)]


def _spans(text: str, groups: list[list[Term]]) -> list[tuple[int, int]]:
    words = _folded_words(text)
    spans = []
    for alts in groups:
        for term in alts:
            k = len(term.words)
            for i in range(len(words) - k + 1):
                ok = all(words[i + j][0] == term.words[j] for j in range(k - 1))
                last = words[i + k - 1][0]
                ok = ok and (last.startswith(term.words[-1]) if term.prefix else last == term.words[-1])
                if ok:
                    spans.append((words[i][1], words[i + k - 1][2]))
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
