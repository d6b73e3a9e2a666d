"""The two text layers of an Article (see docs/design.md), plus the search folding.

- `collapse_ws`: the as-published layer — whitespace only, every letter, digit and ZWNJ kept.
- `normalize` / `normalize_paragraphs`: the hazm layer used for dedup, search and corpora. The
  hazm steps are our own code in parsers/hazm_steps.py (same output, linear, no hazm import).
- `fold_for_search` / `words`: what the index and the query both go through (fast: one regex pass).

hazm's Normalizer mangles anything that is not running Persian text: it puts spaces after every
`.` and `:` and around `/` (`http: / / x. ir`), turns `1.5` into `1٫5` and `1,234` into `1 , 234`.
So URLs, e-mails, dotted Latin tokens, dates, times and numbers with separators are cut out first,
replaced by single private-use characters (which hazm passes through as opaque tokens), and put back
verbatim afterwards.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from parsers.folding import SEARCH_MAP
from parsers.hazm_steps import hazm_normalize

__all__ = ["collapse_ws", "fold_for_search", "normalize", "normalize_paragraphs", "split_sentences", "words"]

# --------------------------------------------------------------------------- as-published layer


def collapse_ws(s: str | None) -> str:
    """Collapse every whitespace run (spaces, NBSP, tabs, newlines) to one space and strip.

    ZWNJ (U+200C) is not whitespace and is kept, as are Arabic letters and all digits.
    """
    if not s:
        return ""
    return " ".join(s.split())


# --------------------------------------------------------------------------- protected spans

_D = "0-9\u06f0-\u06f9\u0660-\u0669"  # ASCII, Persian and Arabic-Indic digits
_SPAN_PATTERNS = "|".join([
    # URLs; trailing sentence punctuation is not part of the address
    r"(?:https?|ftp)://[^\s<>\"«»]+?(?=[.,;:!?،؛؟»)\]'\"]*(?:\s|$))",
    r"www\.[^\s<>\"«»]+?(?=[.,;:!?،؛؟»)\]'\"]*(?:\s|$))",
    # Latin tokens, which hazm splits (COVID-19 -> «COVID- 19», G7 -> «G 7»): e-mail addresses,
    # domains (isna.ir), U.S., Node.js, .NET, C++, a/b paths, @handles
    r"(?:(?<!\S)\.)?[A-Za-z0-9_%+#&@'-]*[A-Za-z][A-Za-z0-9_%+#&@'-]*(?:[./][A-Za-z0-9_%+#&@'-]+)*/?",
    # dates 1398/02/12, 2019-05-30, times 12:09:08, numbers 1,234.5 ۱٬۲۳۴ ۳٫۵ 98-97, 10٪ 5%
    rf"[{_D}]+(?:[.,/:\-\u066b\u066c][{_D}]+)+[%\u066a]?",
    rf"[{_D}]+[%\u066a]",
    # private-use characters already in the input would collide with our placeholders
    r"[\ue000-\uf8ff]+",
])
# Every span starts with one of these (h/f/w, a Latin-token character or a leading dot, a digit of
# the three scripts, a private-use character). Persian letters start none, and without the
# look-ahead the engine tries all six alternatives at every letter: 7x slower on running text.
_SPAN_START = r"[A-Za-z0-9_%+#&@'\-.\u0660-\u0669\u06f0-\u06f9\ue000-\uf8ff]"
_PROTECTED = re.compile(f"(?={_SPAN_START})(?:{_SPAN_PATTERNS})")
_PLACEHOLDER_BASE = 0xE100
_PLACEHOLDER_MAX = 0xF8FF - _PLACEHOLDER_BASE
_PLACEHOLDER_RE = re.compile("[\ue100-\uf8ff]")


def _protect(text: str) -> tuple[str, list[str]] | None:
    spans: list[str] = []

    def stash(m: re.Match[str]) -> str:
        spans.append(m.group(0))
        return chr(_PLACEHOLDER_BASE + len(spans) - 1)

    out = _PROTECTED.sub(stash, text)
    if len(spans) > _PLACEHOLDER_MAX:
        return None
    return out, spans


def _restore(text: str, spans: list[str]) -> str:
    if not spans:
        return text
    return _PLACEHOLDER_RE.sub(lambda m: spans[ord(m.group(0)) - _PLACEHOLDER_BASE], text)


# --------------------------------------------------------------------------- hazm layer

_ZWNJ_RUN = re.compile("\u200c+")


def _drop_stray_zwnj(text: str) -> str:
    """Keep a ZWNJ only between two letters (a literal scan + check beats a look-around regex 5x)."""
    if "\u200c" not in text:
        return text

    def keep_or_drop(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        return "\u200c" if before.isalpha() and after.isalpha() else ""

    return _ZWNJ_RUN.sub(keep_or_drop, text)


def _tidy_lines(s: str) -> str:
    """Whitespace inside lines to one space; at most one blank line between lines."""
    if "\n" not in s and "\r" not in s:   # one line (most paragraphs): what the general path gives
        return " ".join(s.split())
    lines = [" ".join(line.split()) for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


Step = Callable[[str], str]


def _normalize_once(s: str, step: Step) -> str:
    protected = _protect(s)
    if protected is None:  # absurdly many URLs/numbers: line by line, or leave such a line as is
        if "\n" in s:
            return "\n".join(_normalize_once(line, step) for line in s.split("\n"))
        return _tidy_lines(s)
    text, spans = protected
    text = step(text)
    # hazm's later steps can leave a ZWNJ beside a space or a digit; it only means something
    # between two letters, and a leftover one would change on the next pass.
    text = _drop_stray_zwnj(text)
    return _tidy_lines(_restore(text, spans))


def normalize(s: str | None) -> str:
    """The normalized layer: one yeh/kaf, ZWNJ repaired, punctuation spacing, no kashida/diacritics.

    Digits keep their script; URLs, e-mails, dates, times and numbers with separators are untouched.
    Idempotent: hazm's steps can need a second pass to settle (spacing creates a pair of quotes
    that persian_style turns into «», a join creates a new joinable pair), so the result is
    iterated to a fixed point: one extra pass normally, at most four in all.
    """
    return _normalize_with(s, hazm_normalize)


def _normalize_with(s: str | None, step: Step) -> str:
    """`normalize` with another hazm-equivalent pass (the tests give hazm's own as the oracle)."""
    if not s or not s.strip():
        return ""
    tidy = _tidy_lines(s)
    out = _normalize_once(tidy, step)
    if out == tidy:  # already normalized (e.g. normalize(normalize(s))): one pass proves it
        return out
    for _ in range(3):
        again = _normalize_once(out, step)
        if again == out:
            break
        out = again
    return out


# Sentence ends: . ! ? ؟ … followed by whitespace (so 1.5, x.ir/a and 12:09 never split), or a newline.
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"'»)\]]*\s+|\s*\n\s*")
# Very short sentences («بله.», «ادامه دارد.») repeat legitimately; only longer repeats are dropped.
MIN_DEDUP_WORDS = 3
_CLAUSE_AFTER_COLON = re.compile(r"\s*:\s+")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, each with its closing punctuation, whitespace stripped."""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        piece = paragraph[start:m.start()] + m.group(0).rstrip()
        if piece.strip():
            parts.append(piece.strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def normalize_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Normalize each paragraph and drop sentences the page already said verbatim.

    Sentences are compared in normalized form across the whole page; the first occurrence stays.
    Paragraphs left empty disappear.
    """
    seen: set[str] = set()
    out: list[str] = []
    for paragraph in paragraphs:
        norm = normalize(paragraph)
        if not norm:
            continue
        kept: list[str] = []
        sentences = split_sentences(norm)
        for sentence in sentences:
            key = fold_for_search(sentence)
            if len(key.split()) >= MIN_DEDUP_WORDS:
                if key in seen:
                    continue
                seen.add(key)
                # «X گفت: <quote>»: the quote alone is what a later sentence repeats verbatim.
                for clause in _CLAUSE_AFTER_COLON.split(key)[1:]:
                    if len(clause.split()) >= MIN_DEDUP_WORDS:
                        seen.add(clause)
            kept.append(sentence)
        if len(kept) == len(sentences):
            out.append(norm)  # nothing dropped: keep the paragraph exactly (line breaks included)
        elif kept:
            out.append(" ".join(kept))
    return out


# --------------------------------------------------------------------------- search folding

_FOLD_MAP = SEARCH_MAP  # parsers/folding.py
# A regex over the characters that change, not str.translate: translate costs ~0.4 µs for every
# character of non-ASCII text (1.7 ms for the 3.4 KB seed), the regex only pays for the matches.
_FOLD_RE = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD_MAP[m.group(0)] or ""


def fold_for_search(s: str | None) -> str:
    """Fold text for the index and for queries alike: `روسيه`==`روسیه`, `۲۰۱۸`==`2018`, ZWNJ==space.

    Digits -> ASCII, Arabic yeh/kaf/teh marbuta/alef forms -> Persian base letters, diacritics and
    kashida removed, Latin lowercased, whitespace collapsed.
    """
    if not s:
        return ""
    return " ".join(_FOLD_RE.sub(_fold_char, s).lower().split())


_WORD = re.compile(r"[^\W_]+")


def words(s: str | None) -> list[str]:
    """Word tokens of the folded text (letters and digits), e.g. for MinHash shingles."""
    if not s:
        return []
    return _WORD.findall(fold_for_search(s))
