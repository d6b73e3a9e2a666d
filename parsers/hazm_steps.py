"""Our own code for what hazm 0.12's `Normalizer(persian_numbers=False).normalize` does, step by step.

Why not hazm itself: importing it and building its lexicon takes ~3 s and ~250 MB, more than the
whole parse of a page, and one of its steps (decrease_repeated_chars) is quadratic in the length of
a letter run. The steps here give the same output (tests/parsers/test_normalize_equiv.py checks
them against a stock hazm Normalizer on generated text and on every corpus paragraph) and each is
one linear pass; the word lists come from parsers.lexicon, loaded only when a step needs them.

The order is hazm's: letter translation, persian_style, remove_diacritics, correct_spacing,
unicodes_replacement, remove_specials_chars, decrease_repeated_chars, seperate_mi.
"""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from parsers.folding import HAZM_LETTERS
from parsers.lexicon import lexicon, word_set

__all__ = ["hazm_normalize"]

ZWNJ = "\u200c"
_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"   # hazm's Persian letter class
_PUNC_AFTER = r"\.:!،؛؟»\]\)\}"
_PUNC_BEFORE = r"«\[\(\{"
_SUFFIXES = frozenset({
    "ی", "ای", "ها", "های", "هایی", "تر", "تری", "ترین", "گر", "گری", "ام", "ات", "اش", "یم", "ید",
    "ند", "مان", "تان", "شان", "هایمان", "هایتان", "هایشان", "ان", "ین", "م", "ت", "ش",
})


Rule = tuple[re.Pattern[str], str, tuple[str, ...]]


def _compile(rules: list[tuple[str, str, tuple[str, ...]]]) -> list[Rule]:
    return [(re.compile(p), r, needs) for p, r, needs in rules]


def _drop_space_before(text: str) -> str:
    """hazm's second punctuation rule, ` ([. : ! ، ؛ ؟ » ] ) }])` -> `\1`: every space right before
    one of those marks goes. Written with the mark as a look-ahead, so the engine jumps from space
    to space and substitutes nothing back (the consumed mark is never a space, so the matches are
    the same): 4x less than one str.replace per mark, and 250,000 « »» pairs still in ms."""
    return _SPACE_BEFORE_MARK.sub("", text) if " " in text else text


def _apply(rules: list[Rule], text: str) -> str:
    """Each rule in turn. `needs`: literals one of which every match contains; a rule whose
    literals are all absent is skipped (`in` scans ~20x faster than a regex finds nothing)."""
    for pattern, repl, needs in rules:
        if not needs:
            text = pattern.sub(repl, text)
            continue
        for literal in needs:   # a plain loop: any(genexpr) costs more than the scans it saves
            if literal in text:
                text = pattern.sub(repl, text)
                break
    return text


# --------------------------------------------------------------------------- letter translation

# A regex over the few characters that change, not str.translate: translate pays ~0.4 µs for every
# character of non-ASCII text, the regex only for the matches.
_TRANSLATE_RE = re.compile("[" + re.escape("".join(HAZM_LETTERS)) + "]")


def _translate(text: str) -> str:
    return _TRANSLATE_RE.sub(lambda m: HAZM_LETTERS[m.group(0)], text)


# --------------------------------------------------------------------------- persian_style, diacritics

_PERSIAN_STYLE = _compile([
    (r'"([^\n"]+)"', r"«\1»", ('"',)),           # "x" -> «x»
    (r"([\d+])\.([\d+])", r"\1٫\2", (".",)),     # 1.5 -> 1٫5 (hazm's class: any digit or a plus sign)
    (r" ?\.\.\.", " …", ("...",)),
])
_DIACRITICS = re.compile("[\u064b-\u0652]")


def _persian_style(text: str) -> str:
    if '"' not in text and "." not in text:
        return text
    return _apply(_PERSIAN_STYLE, text)


# --------------------------------------------------------------------------- correct_spacing

_EXTRA_SPACE = _compile([
    # (hazm's first rule, `^ +| +$` -> "", is _strip_edge_spaces: see _correct_spacing)
    (r" {2,}", " ", ("  ",)),
    (r"\n{3,}", "\n\n", ("\n\n\n",)),
    (r"\u200c{2,}", "\u200c", ("\u200c\u200c",)),
    (r"\u200c{1,} ", " ", ("\u200c ",)),
    (r" \u200c{1,}", " ", (" \u200c",)),
    # hazm's `\b\u200c*\B` then `\B\u200c*\b`: drop a ZWNJ that closes or opens a word. Runs are
    # single ZWNJs by now, so that is «a word character on exactly one side» (start and end count
    # as non-word), and one pattern led by the literal lets the regex engine jump from ZWNJ to ZWNJ
    # instead of testing a word boundary at every position.
    (r"\u200c(?<=\w\u200c)(?!\w)|\u200c(?<!\w\u200c)(?=\w)", "", (ZWNJ,)),
    (r"[ـ\r]", "", ("ـ", "\r")),      # kashida, carriage returns
])
_AFFIX_SPACING = _compile([
    (r"([^ ]ه) ی ", "\\1\u200cی ", ("ه ی ",)),
    (r"(^| )(ن?می) ", "\\1\\2\u200c", ("می ",)),
    # hazm's `(?<=X{2}) (...)` and `([^ ]ه) (ا...)` with the space first and the look-behind
    # after it: the same matches (each starts at that space; a match of the second ends in
    # م/ش/د/ی/ت, so no «Xه» before a later space lies inside it), but the engine jumps from space
    # to space instead of trying the look-behind at every letter.
    (rf" (?<=[^\n\d {_PUNC_AFTER}{_PUNC_BEFORE}]{{2}} )(تر(ین?)?|گری?|های?)(?=[ \n{_PUNC_AFTER}{_PUNC_BEFORE}]|$)",
     "\u200c\\1", (" تر", " گر", " ها")),
    (rf" (?<=[^ ]ه )(ا(م|یم|ش|ند|ی|ید|ت))(?=[ \n{_PUNC_AFTER}]|$)", "\u200c\\1", ("ه ا",)),
    (r"(ه)(ها)", "\\1\u200c\\2", ("هها",)),
])
_AFTER, _BEFORE = ".:!،؛؟»])}", "«[({"   # the characters of _PUNC_AFTER and _PUNC_BEFORE
_SPACE_BEFORE_MARK = re.compile(f" (?=[{_PUNC_AFTER}])")
_PUNCTUATION_SPACING = _compile([
    (r'" ([^\n"]+) "', r'"\1"', ('" ',)),
    # (hazm's second rule, ` ([{_PUNC_AFTER}])` -> `\1`, is _drop_space_before: see _correct_spacing)
    (f"([{_PUNC_BEFORE}]) ", r"\1", tuple(c + " " for c in _BEFORE)),
    (f"([{_PUNC_AFTER[:3]}])([^ {_PUNC_AFTER}" + r"\d۰۱۲۳۴۵۶۷۸۹])", r"\1 \2", (".", ":")),
    (f"([{_PUNC_AFTER[3:]}])([^ {_PUNC_AFTER}])", r"\1 \2", tuple(_AFTER[2:])),
    # hazm's `([^ B])([B])`, `(\d)([L])` and `([L])(\d)` -> `\1 \2`, led by the rarer character
    # (B, the digit) with the other side as a look-around: the sets on the two sides are
    # disjoint, so no character belongs to two pairs and the matches are the same, but the engine
    # scans for the rare character instead of attempting a match at every letter.
    (f"[{_PUNC_BEFORE}](?<=[^ {_PUNC_BEFORE}][{_PUNC_BEFORE}])", r" \g<0>", tuple(_BEFORE)),
    (rf"\d(?=[{_LETTERS}])", r"\g<0> ", ()),
    (rf"\d(?<=[{_LETTERS}]\d)", r" \g<0>", ()),
])
# hazm's WordTokenizer: question/exclamation runs, digit/dot/colon runs and single punctuation
# marks become tokens of their own; the rest splits on spaces.
#   hazm: re.sub(r'([؟!?]+|[\d.:]+|[:.،؛»\])}"«\[({/\\])', r" \1 ", line), then split(" ")
# After that padding every token is a maximal run of one class (question marks, digits/dots/
# colons), a single mark, or a maximal run of anything else but a space; the three classes and
# the marks are disjoint. So one findall of those four alternatives yields hazm's tokens directly,
# without building the padded line (`.` and `:` are in the digit class, which hazm tries first).
_TOKEN_MARKS = '،؛»])}"«[({/\\'
_MARK_CLASS = re.escape(_TOKEN_MARKS)
_TOKENS = re.compile(rf"[^ ؟!?\d.:{_MARK_CLASS}]+|[\d.:]+|[{_MARK_CLASS}]|[؟!?]+")  # the commonest first


def _join_tokens(tokens: list[str]) -> list[str]:
    """hazm's token_spacing: a token joins the previous one (with a ZWNJ) when the pair is a known
    verb form or a joined word, or when it is a suffix after a known word.

    hazm also refuses a join when `token_next` is a verb form joined by `_`; with
    joined_verb_parts=False no verb form has one, so that test never fires and is left out.
    Only a token in _join_tails() can end a join: any other is appended without building its pair.
    """
    lex = lexicon()
    joinable, verbs, words, tails = lex.joinable, lex.verbs, lex.words, _join_tails()
    if tails.isdisjoint(tokens):   # one C-level pass: most lines of non-Persian text, 1 MB of «»
        return tokens
    result: list[str] = []
    append = result.append
    for token in tokens:
        if token in tails and result:
            pair = result[-1] + ZWNJ + token
            if pair in verbs or pair in joinable or (token in _SUFFIXES and result[-1] in words):
                result[-1] = pair
                continue
        append(token)
    return result


_tails: AbstractSet[str] | None = None


def _join_tails() -> AbstractSet[str]:
    """Every token that can end a join: what follows a ZWNJ in a verb form or joined word, and the
    suffixes. Any other token is appended as it is, without building and looking up its pair."""
    global _tails
    if _tails is None:
        lex, found = lexicon(), set(_SUFFIXES)
        for entry in lex.verbs | lex.joinable:
            at = entry.find(ZWNJ)
            while at >= 0:
                found.add(entry[at + 1:])
                at = entry.find(ZWNJ, at + 1)
        _tails = word_set(found)
    return _tails


def _tokens_spaced(line: str) -> str:
    return " ".join(_join_tokens(_TOKENS.findall(line.replace("\t", " "))))


def _strip_edge_spaces(text: str) -> str:
    """hazm's `^ +| +$` -> "" without MULTILINE: spaces at the very start, and spaces at the very
    end or right before a final newline (where `$` also matches). The regex tries ` +$` at every
    space of the text (a third of correct_spacing's regex time); this is two C-level strips."""
    text = text.lstrip(" ")
    if text.endswith("\n"):
        return text[:-1].rstrip(" ") + "\n"
    return text.rstrip(" ")


def _correct_spacing(text: str) -> str:
    text = _apply(_EXTRA_SPACE, _strip_edge_spaces(text))
    text = "\n".join(_tokens_spaced(line) if line.strip() else line for line in text.split("\n"))
    text = _apply(_AFFIX_SPACING, text)
    text = _apply(_PUNCTUATION_SPACING[:1], text)
    return _apply(_PUNCTUATION_SPACING[1:], _drop_space_before(text))


# --------------------------------------------------------------------------- unicodes, specials

# hazm replaces these with str.replace, so «(ﷰ|ﷹ)» and «ﻵ|ﻶ|…» are literal strings, not patterns.
_UNICODE_REPLACEMENTS = [
    ("﷽", "بسم الله الرحمن الرحیم"), ("﷼", "ریال"), ("(ﷰ|ﷹ)", "صلی"), ("ﷲ", "الله"),
    ("ﷳ", "اکبر"), ("ﷴ", "محمد"), ("ﷵ", "صلعم"), ("ﷶ", "رسول"), ("ﷷ", "علیه"), ("ﷸ", "وسلم"),
    ("ﻵ|ﻶ|ﻷ|ﻸ|ﻹ|ﻺ|ﻻ|ﻼ", "لا"),
]
_UNICODE_FIRST = re.compile("[﷽﷼(ﷲﷳﷴﷵﷶﷷﷸﻵ]")
_SPECIALS = re.compile(
    "[\u0605\u0653-\u065f\u0670\u0610-\u0616\u0618-\u061a\u061e\u06d4\u06d6-\u06ed\u06fd\u06fe"
    "\u08ad\u08d4-\u08ff\ufbb2-\ufbc1\ufc5e-\ufc63\ufcf2-\ufcf4\ufd3e\ufd3f\ufe70-\ufe72\ufe76-\ufe7f"
    "\ufdfa\ufdfb]"
)


def _unicodes_replacement(text: str) -> str:
    if not _UNICODE_FIRST.search(text):
        return text
    for old, new in _UNICODE_REPLACEMENTS:
        text = text.replace(old, new)
    return text


# --------------------------------------------------------------------------- decrease_repeated_chars

_TRIPLE = re.compile(rf"([{_LETTERS}])\1{{2}}")
_MORE_THAN_TWO = re.compile(rf"([{_LETTERS}])\1{{2,}}")
_LETTER_RUN = re.compile(rf"[{_LETTERS}]+")
_TRIPLES = tuple(letter * 3 for letter in _LETTERS)


def _derepeat(m: re.Match[str]) -> str:
    word = m.group(0)
    if not _TRIPLE.search(word):
        return word
    words = lexicon().words
    if word in words:
        return word
    once, twice = _MORE_THAN_TWO.sub(r"\1", word), _MORE_THAN_TWO.sub(r"\1\1", word)
    if (once in words) != (twice in words):
        return once if once in words else twice
    return twice


def _decrease_repeated_chars(text: str) -> str:
    """hazm's step on each maximal run of letters holding a letter three times in a row.

    hazm finds those runs with `[L]*([L])\\1{2,}[L]*`, which backtracks over the whole run from
    every start position (20,000 letters: seconds); a run is what that pattern matches, since a
    match begins where the run does and its greedy tails reach both ends. Here: substring tests
    for a triple, then one pass over the letter runs.
    """
    for triple in _TRIPLES:   # substring tests: faster than the regex scan over running text
        if triple in text:
            return _LETTER_RUN.sub(_derepeat, text)
    return text


# --------------------------------------------------------------------------- seperate_mi

# hazm's `\bن?می[L]+`, led by its first letter with the word boundary checked behind it: a match
# starts at the same places (a «نمی» word at its ن, a «می» word at its م), but the engine only
# stops at ن and م instead of testing a boundary at every character.
_MI_WORD = re.compile(rf"(?:ن(?<=\bن)می|م(?<=\bم)ی)[{_LETTERS}]+")
_MI_PREFIX = re.compile(r"^(ن?می)")


def _separate_mi(text: str) -> str:
    if "می" not in text:
        return text
    verbs = lexicon().verbs

    def split(m: re.Match[str]) -> str:
        word = m.group(0)
        joined = _MI_PREFIX.sub("\\1\u200c", word)
        return joined if joined in verbs else word

    return _MI_WORD.sub(split, text)


# --------------------------------------------------------------------------- the whole pass


def hazm_normalize(text: str) -> str:
    """What `hazm.Normalizer(persian_numbers=False).normalize(text)` returns (hazm 0.12.1)."""
    text = _translate(text)
    text = _persian_style(text)
    text = _DIACRITICS.sub("", text)
    text = _correct_spacing(text)
    text = _unicodes_replacement(text)
    text = _SPECIALS.sub("", text)
    text = _decrease_repeated_chars(text)
    return _separate_mi(text)
