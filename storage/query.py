"""User search text -> a safe full-text expression for FTS5 or PostgreSQL tsquery.

The user's text is folded exactly like the indexed text (storage.text.fold), then reduced to
a tiny grammar: words (implicit AND), "quoted phrases", `OR` / `|` between terms, and a
trailing `*` for a prefix. Every term is rebuilt from word characters only, so stray quotes,
operators, parentheses or `*` can never reach the database as syntax (no raw SQL errors).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from storage.errors import SearchQueryError
from storage.text import fold

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_PIECE = re.compile(r'"([^"]*)"|(\S+)')


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]      # >1 word: a phrase
    prefix: bool = False


def parse(text: str) -> list[list[Term]]:
    """Return AND-groups of OR-alternatives: [[a], [b, c]] means a AND (b OR c)."""
    raw = text.strip()
    if raw.count('"') % 2:                       # unbalanced quote: treat quotes as spaces
        raw = raw.replace('"', " ")
    groups: list[list[Term]] = []
    pending_or = False
    for m in _PIECE.finditer(raw):
        phrase, word = m.group(1), m.group(2)
        if word is not None and word.upper() in ("OR", "|"):
            pending_or = bool(groups)
            continue
        if phrase is not None:
            toks = tuple(_TOKEN.findall(fold(phrase)))
            new_terms = [Term(toks)] if toks else []
        else:
            toks = tuple(_TOKEN.findall(fold(word)))
            prefix = word.rstrip("\"')").endswith("*")
            new_terms = [Term((t,), prefix and i == len(toks) - 1) for i, t in enumerate(toks)]
        for i, term in enumerate(new_terms):
            if pending_or and i == 0 and groups:
                groups[-1].append(term)
            else:
                groups.append([term])
            pending_or = False
    if not groups:
        raise SearchQueryError(f"nothing to search for in {text!r}")
    return groups


def to_fts5(groups: list[list[Term]]) -> str:
    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
    parts = []
    for alts in groups:
        inner = " OR ".join(term(t) for t in alts)
        parts.append(f"({inner})" if len(alts) > 1 else inner)
    return " AND ".join(parts)


def to_tsquery(groups: list[list[Term]]) -> str:
    def term(t: Term) -> str:
        lexemes = [f"'{w}'" for w in t.words]
        if t.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    parts = []
    for alts in groups:
        inner = " | ".join(term(t) for t in alts)
        parts.append(f"({inner})" if len(alts) > 1 else inner)
    return " & ".join(parts)
