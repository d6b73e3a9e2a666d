"""URL canonicalization: the one home for it (placeholder until discovery work lands)."""
from __future__ import annotations


def canonicalize(url: str, source: str | None = None) -> str:
    return url


def news_id_from_url(url: str, source: str | None = None) -> str | None:
    return None
