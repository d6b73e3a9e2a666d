"""Text helpers for dedup and search: folding (parsers.normalize.fold_for_search, the same
function at index and at query time) and word shingles for MinHash."""
from __future__ import annotations

import re

from parsers.normalize import fold_for_search

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(s: str | None) -> str:
    """Search folding, identical at index and query time."""
    return fold_for_search(s) if s else ""


def tokens(s: str | None) -> list[str]:
    """Folded word tokens (what the full-text tokenizers see)."""
    return _WORD.findall(fold(s))


def shingles(normalized_text: str, k: int = 3) -> set[str]:
    """Word k-shingles of the folded normalized text: the sets MinHash compares."""
    return folded_shingles(fold(normalized_text), k)


def folded_shingles(folded_text: str, k: int = 3) -> set[str]:
    """`shingles` of text already folded (folding is idempotent): saves folding a page twice."""
    ws = _WORD.findall(folded_text)
    if len(ws) < k:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i:i + k]) for i in range(len(ws) - k + 1)}
