"""The word lists the normalized layer needs from hazm 0.12, loaded without importing hazm.

Importing hazm costs ~3 s and ~250 MB (nltk, its POS tagger, a Lemmatizer with a 346k-form verb
dict). hazm's Normalizer only ever asks three questions of that data, so we keep three sets:

- `words`: every word of hazm's words.dat (is a word before a suffix, or a de-repeated spelling,
  a known word). Read straight from hazm's installed data file (its lines are `word<TAB>count<TAB>tags`),
  located with importlib's finder, which does not run hazm's __init__: ~70 ms.
- `joinable`: the words.dat entries with a ZWNJ and a count above 0 (the last line wins, as in
  hazm's dict): «X‌Y» is written joined when X and Y arrive as two tokens.
- `verbs`: the verb forms of Lemmatizer(joined_verb_parts=False) that hazm can ever look up: the
  lookups are always of one token pair joined by a ZWNJ, or a «می‌»/«نمی‌» form, so only forms
  with a ZWNJ and no space matter (28k of 346k). Building the forms needs hazm's Conjugation code,
  so they are generated into data/verb_forms.txt.gz by `python -m parsers.lexicon --generate`;
  tests/parsers/test_lexicon.py regenerates them from the installed hazm and compares.
"""
from __future__ import annotations

import gzip
import importlib.util
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Lexicon", "generate_verb_forms", "lexicon"]

VERB_FORMS_FILE = Path(__file__).with_name("data") / "verb_forms.txt.gz"
ZWNJ = "\u200c"
# One words.dat line: a word without surrounding whitespace, a count, tags (hazm keeps only lines
# with exactly three tab-separated fields, after strip()).
_WORD_LINE = re.compile(r"^(\S(?:[^\t\n]*\S)?)\t(\d+)\t[^\t\n]*$", re.MULTILINE)


class LexiconError(RuntimeError):
    """hazm's data files are missing or unreadable (hazm is a dependency of Bayegan)."""


@dataclass(frozen=True)
class Lexicon:
    words: frozenset[str]
    joinable: frozenset[str]
    verbs: frozenset[str]


def hazm_data_dir() -> Path:
    """hazm's data/ directory, found without importing (and so initialising) the hazm package."""
    spec = importlib.util.find_spec("hazm")
    if spec is None or not spec.submodule_search_locations:
        raise LexiconError("hazm is not installed: the normalizer needs its words.dat")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def load_words(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(all words, joinable words) of a hazm words.dat file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LexiconError(f"{path}: cannot read hazm's word list: {e}") from e
    counts = {m.group(1): m.group(2) for m in _WORD_LINE.finditer(text.replace("\r\n", "\n"))}
    joinable = frozenset(w for w, c in counts.items() if ZWNJ in w and int(c) > 0)
    return frozenset(counts), joinable


def load_verb_forms(path: Path = VERB_FORMS_FILE) -> frozenset[str]:
    try:
        return frozenset(gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")) - {""}
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise LexiconError(f"{path}: cannot read the verb forms: {e}") from e


_lexicon: Lexicon | None = None
_lock = threading.Lock()


def lexicon() -> Lexicon:
    """The process-wide lexicon, loaded on first use (~100 ms, ~20 MB)."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                words, joinable = load_words(hazm_data_dir() / "words.dat")
                _lexicon = Lexicon(words, joinable, load_verb_forms())
    return _lexicon


# --------------------------------------------------------------------------- generator (build time)


def generate_verb_forms() -> list[str]:
    """The verb forms hazm's Normalizer can look up, from the installed hazm (imports it: slow)."""
    from hazm import Lemmatizer

    forms = Lemmatizer(joined_verb_parts=False).verbs
    return sorted(f for f in forms if ZWNJ in f and " " not in f)


def write_verb_forms(path: Path = VERB_FORMS_FILE) -> int:
    forms = generate_verb_forms()
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same forms give the same bytes, so a regeneration shows no spurious diff
    path.write_bytes(gzip.compress(("\n".join(forms) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
    return len(forms)


if __name__ == "__main__":
    if sys.argv[1:] != ["--generate"]:
        raise SystemExit("usage: python -m parsers.lexicon --generate")
    print(f"{write_verb_forms()} verb forms written to {VERB_FORMS_FILE}")
