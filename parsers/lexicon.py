"""The word lists the normalized layer needs from hazm 0.12, without importing hazm.

Importing hazm costs ~3 s and ~250 MB (nltk, its POS tagger, a Lemmatizer with a 346k-form verb
dict), and parsing its 3.4 MB words.dat another ~150 ms. hazm's Normalizer only ever asks three
questions of that data, so we keep three sets, generated from the installed hazm into
data/lexicon.txt.gz by `python -m parsers.lexicon --generate` (tests/parsers/test_lexicon.py
regenerates them and compares, so a new hazm or an edited file fails a test):

- `words`: every word of hazm's words.dat (is a word before a suffix, or a de-repeated spelling,
  a known word).
- `joinable`: the words with a ZWNJ and a count above 0: «X‌Y» is written joined when X and Y
  arrive as two tokens.
- `verbs`: the verb forms of Lemmatizer(joined_verb_parts=False) that hazm can ever look up: the
  lookups are always of one token pair joined by a ZWNJ, or a «می‌»/«نمی‌» form, so only forms
  with a ZWNJ and no space matter (28k of 346k).

The file is the three sorted lists, one word a line, separated by one empty line; loading it takes
~60 ms and ~20 MB.
"""
from __future__ import annotations

import gzip
import sys
import threading
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Lexicon", "LexiconError", "generate", "lexicon", "load"]

LEXICON_FILE = Path(__file__).with_name("data") / "lexicon.txt.gz"
ZWNJ = "\u200c"


class LexiconError(RuntimeError):
    """The lexicon file is missing or damaged (a broken install)."""


def word_set(words: Iterable[str]) -> AbstractSet[str]:
    """A read-only set of strings that the garbage collector never walks: the keys of a dict whose
    values are all None. CPython leaves such a dict untracked, while a (frozen)set is always
    tracked: with frozensets every full collection in a worker walked all 230k words (gc.collect()
    took ~35 ms instead of ~5). The empty string is never a word (a blank line of the file)."""
    table = dict.fromkeys(words)
    table.pop("", None)
    return table.keys()


@dataclass(frozen=True)
class Lexicon:
    # set-like (in, ==, |, isdisjoint, len) and untracked by the GC: see word_set
    words: AbstractSet[str]
    joinable: AbstractSet[str]
    verbs: AbstractSet[str]


def load(path: Path = LEXICON_FILE) -> Lexicon:
    try:
        sections = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n\n")
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise LexiconError(f"{path}: cannot read the normalizer's word lists: {e}") from e
    if len(sections) != 3:
        raise LexiconError(f"{path}: expected 3 word lists, found {len(sections)} parts")
    words, joinable, verbs = (word_set(s.strip("\n").split("\n")) for s in sections)
    return Lexicon(words, joinable, verbs)


_lexicon: Lexicon | None = None
_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The process-wide lexicon, loaded on first use."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                _lexicon = load()
    return _lexicon


# --------------------------------------------------------------------------- generator (build time)


def generate() -> Lexicon:
    """The three lists from the installed hazm (imports it: seconds; build and test time only)."""
    from hazm import Lemmatizer
    from hazm.utils import words_list

    counts = {word: count for word, count, _ in words_list()}   # a later line of a word wins, as in hazm
    verbs = Lemmatizer(joined_verb_parts=False).verbs
    words = frozenset(counts)
    joinable = frozenset(w for w, c in counts.items() if ZWNJ in w and c > 0)
    forms = frozenset(v for v in verbs if ZWNJ in v and " " not in v)
    return Lexicon(words, joinable, forms)


def dump(lex: Lexicon) -> bytes:
    lists = [sorted(s) for s in (lex.words, lex.joinable, lex.verbs)]
    if any("\n" in word for words in lists for word in words):
        raise ValueError("a word with a line break cannot be stored one a line")
    text = "\n\n".join("\n".join(words) for words in lists) + "\n"
    # mtime=0: the same lists give the same bytes, so a regeneration shows no spurious diff
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":
    if sys.argv[1:] != ["--generate"]:
        raise SystemExit("usage: python -m parsers.lexicon --generate")
    generated = generate()
    LEXICON_FILE.parent.mkdir(parents=True, exist_ok=True)
    LEXICON_FILE.write_bytes(dump(generated))
    print(f"{LEXICON_FILE}: {len(generated.words)} words, {len(generated.joinable)} joinable, "
          f"{len(generated.verbs)} verb forms")
