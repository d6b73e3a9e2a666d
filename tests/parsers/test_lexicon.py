"""parsers.lexicon: hazm's word lists, loaded without hazm, must be the ones hazm's Normalizer uses."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from parsers import lexicon as lexicon_module
from parsers.lexicon import Lexicon, LexiconError, dump, generate, lexicon, load
from tests.parsers.hazm_oracle import stock_normalizer

ZWNJ = "\u200c"


def test_checked_in_lexicon_equals_a_regeneration_from_hazm() -> None:
    # drift (a new hazm, an edited file) fails here: run `python -m parsers.lexicon --generate`
    assert load() == generate()
    assert dump(generate()) == lexicon_module.LEXICON_FILE.read_bytes()   # deterministic bytes


def test_verb_forms_are_every_form_hazm_can_look_up() -> None:
    verbs = stock_normalizer()._verbs
    assert not any("_" in v for v in verbs)   # hazm_steps leaves out hazm's `_`-joined test for this
    assert lexicon().verbs == {v for v in verbs if ZWNJ in v and " " not in v}
    assert "می\u200cروم" in lexicon().verbs and "میروم" not in lexicon().verbs


def test_words_equal_hazms_dictionary() -> None:
    hazm_words = stock_normalizer()._words
    lex = lexicon()
    assert lex.words == set(hazm_words)
    assert lex.joinable == {w for w, (count, _) in hazm_words.items() if count > 0 and ZWNJ in w}


def test_a_round_trip_keeps_the_lists_apart(tmp_path: Path) -> None:
    lex = Lexicon(frozenset({"آب", "کتاب"}), frozenset({"کتاب\u200cها"}), frozenset({"می\u200cروم"}))
    path = tmp_path / "lex.txt.gz"
    path.write_bytes(dump(lex))
    assert load(path) == lex


def test_a_broken_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"nothere\.gz"):
        load(tmp_path / "nothere.gz")
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(LexiconError, match=r"bad\.gz"):
        load(bad)
    two = tmp_path / "two.gz"
    two.write_bytes(gzip.compress("آب\n\nکتاب\n".encode()))
    with pytest.raises(LexiconError, match="expected 3 word lists"):
        load(two)


def test_normalizing_never_imports_hazm() -> None:
    code = ("import sys, json\nfrom parsers.normalize import normalize_paragraphs\n"
            "normalize_paragraphs(['کتاب ها را نمی دانم', 'سلامممم به همه'])\n"
            "print(json.dumps([m for m in sys.modules if m.split('.')[0] in ('hazm', 'nltk')]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_word_lists_are_not_walked_by_the_garbage_collector() -> None:
    """A (frozen)set is always GC-tracked, so every full collection would walk all the words."""
    import gc

    lex = lexicon()
    assert "کتاب" in lex.words and len(lex.words) > 100_000
    for words in (lex.words, lex.joinable, lex.verbs):
        assert not isinstance(words, set | frozenset)
        (holder,) = gc.get_referents(words)   # a dict's keys view refers to its dict alone
        assert isinstance(holder, dict) and len(holder) == len(words) and not gc.is_tracked(holder)
