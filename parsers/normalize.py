"""The two text layers (docs/design.md, the Article model), plus the search folding.

- `collapse_ws`: the as-published layer — whitespace only, every letter, digit and ZWNJ kept.
- `normalize` / `normalize_paragraphs`: the hazm layer used for dedup, search and corpora.
- `fold_for_search` / `words`: what the index and the query both go through (fast: one regex pass).

hazm's Normalizer mangles anything that is not running Persian text: it puts spaces after every
`.` and `:` and around `/` (`http: / / x. ir`), turns `1.5` into `1٫5` and `1,234` into `1 , 234`.
So URLs, e-mails, dotted Latin tokens, dates, times and numbers with separators are cut out first,
replaced by single private-use characters (which hazm passes through as opaque tokens), and put back
verbatim afterwards.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # hazm is heavy (≈3 s to build its lexicon): imported only when first needed
    from hazm import Normalizer

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
_PROTECTED = re.compile(
    "|".join([
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
)
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


_normalizer: Normalizer | None = None
_normalizer_lock = threading.Lock()


def _hazm() -> Normalizer:
    """One Normalizer per process, built on first use (it loads hazm's lexicon and verb list)."""
    global _normalizer
    if _normalizer is None:
        with _normalizer_lock:
            if _normalizer is None:
                _normalizer = _build_normalizer()
    return _normalizer


def _build_normalizer() -> Normalizer:
    """hazm's Normalizer(persian_numbers=False), built without its ~50 MB peak.

    Why not just construct it: for `seperate_mi` hazm builds a whole Lemmatizer (a second copy of
    the 193k-word lexicon plus a dict of 346k verb forms) only to keep the set of verb forms. We
    build that set the way Lemmatizer(joined_verb_parts=False) does (hazm 0.12: "است" plus every
    Conjugation.get_all form of every verb in the verbs file) without the second lexicon: the
    worker's peak RSS drops from ~280 to ~230 MB at start-up. Any surprise from another hazm
    version falls back to the stock constructor; tests/parsers/test_normalize_lexicon.py checks
    the set and the output against a stock Normalizer.
    """
    from hazm import Normalizer

    # persian_numbers=False: digits stay in the script the agency used (docs/design.md).
    try:
        verbs = _verb_forms()
        normalizer = Normalizer(persian_numbers=False, seperate_mi=False)
        if getattr(normalizer, "_verbs", False) is not None or not hasattr(normalizer, "_seperate_mi"):
            raise AttributeError("unexpected hazm Normalizer layout")
        normalizer._verbs = verbs
        normalizer._seperate_mi = True
        return normalizer
    except (ImportError, AttributeError, OSError, TypeError):
        return Normalizer(persian_numbers=False)


def _verb_forms() -> set[str]:
    """`set(Lemmatizer(joined_verb_parts=False).verbs)` (hazm 0.12) without building a Lemmatizer."""
    from pathlib import Path

    from hazm.lemmatizer import Conjugation
    from hazm.utils import default_verbs

    with Path(default_verbs).open(encoding="utf-8") as fh:   # as WordTokenizer reads it
        verbs = list(reversed([verb.strip() for verb in fh if verb]))
    conjugation = Conjugation()
    forms = {"است"}
    for verb in verbs:
        forms.update(conjugation.get_all(verb))
    return forms


_hazm_letters: tuple[re.Pattern[str], dict[str, str]] | None = None


def _hazm_normalize(text: str) -> str:
    """`Normalizer.normalize` (hazm 0.12, persian_numbers=False): the same steps in the same order.

    Why not call it directly: its first step rebuilds a translation dict and runs str.translate on
    every call, and str.translate over non-ASCII text costs ~0.4 µs a character (1.4 ms of a 3.1 ms
    pass on the seed). A regex over the few characters that actually change does it in ~0.13 ms.
    tests/parsers/test_normalize.py checks the result equals hazm's own normalize().
    """
    global _hazm_letters
    normalizer = _hazm()
    if _hazm_letters is None:
        from hazm.constants import TRANSLATION_DST, TRANSLATION_SRC

        mapping = {a: b for a, b in zip(TRANSLATION_SRC, TRANSLATION_DST, strict=False) if a != b}
        _hazm_letters = (re.compile("[" + re.escape("".join(mapping)) + "]"), mapping)
    pattern, mapping = _hazm_letters
    text = pattern.sub(lambda m: mapping[m.group(0)], text)
    text = normalizer.persian_style(text)
    text = normalizer.remove_diacritics(text)
    text = normalizer.correct_spacing(text)
    text = normalizer.unicodes_replacement(text)
    text = normalizer.remove_specials_chars(text)
    text = normalizer.decrease_repeated_chars(text)
    return normalizer.seperate_mi(text)


def _tidy_lines(s: str) -> str:
    """Whitespace inside lines to one space; at most one blank line between lines."""
    lines = [" ".join(line.split()) for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _normalize_once(s: str) -> str:
    protected = _protect(s)
    if protected is None:  # absurdly many URLs/numbers: line by line, or leave such a line as is
        if "\n" in s:
            return "\n".join(_normalize_once(line) for line in s.split("\n"))
        return _tidy_lines(s)
    text, spans = protected
    text = _hazm_normalize(text)
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
    if not s or not s.strip():
        return ""
    tidy = _tidy_lines(s)
    out = _normalize_once(tidy)
    if out == tidy:  # already normalized (e.g. normalize(normalize(s))): one pass proves it
        return out
    for _ in range(3):
        again = _normalize_once(out)
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

_DIACRITICS = [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"]  # harakat, superscript alef, kashida
_FOLD_MAP: dict[str, str | None] = {
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{ch: None for ch in _DIACRITICS},
    "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0626": "\u06cc", "\u06d0": "\u06cc", "\u06d2": "\u06cc",
    "\u0643": "\u06a9", "\u06aa": "\u06a9",
    "\u0629": "\u0647", "\u06c0": "\u0647", "\u06c1": "\u0647", "\u06d5": "\u0647",
    "\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0671": "\u0627",
    "\u0624": "\u0648",
    "\u200c": " ", "\u00a0": " ", "\u200d": None, "\u200e": None, "\u200f": None, "\ufeff": None,
    "\u202a": None, "\u202b": None, "\u202c": None, "\u200b": None,
    "\u066b": ".", "\u066c": ",",
}
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
