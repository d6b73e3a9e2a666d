"""parsers.lexicon: hazm's word lists, loaded without hazm, must be the ones hazm's Normalizer uses."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from parsers import lexicon as lexicon_module
from parsers.lexicon import LexiconError, generate_verb_forms, lexicon, load_verb_forms, load_words
from tests.parsers.hazm_oracle import stock_normalizer

ZWNJ = "\u200c"


def test_checked_in_verb_forms_equal_a_regeneration_from_hazm() -> None:
    # drift (a new hazm, an edited file) fails here: run `python -m parsers.lexicon --generate`
    assert load_verb_forms() == frozenset(generate_verb_forms())


def test_verb_forms_are_every_form_hazm_can_look_up() -> None:
    verbs = stock_normalizer()._verbs
    assert not any("_" in v for v in verbs)   # hazm_steps leaves out hazm's `_`-joined test for this
    assert lexicon().verbs == {v for v in verbs if ZWNJ in v and " " not in v}


def test_words_equal_hazms_dictionary() -> None:
    hazm_words = stock_normalizer()._words
    lex = lexicon()
    assert lex.words == set(hazm_words)
    assert lex.joinable == {w for w, (count, _) in hazm_words.items() if count > 0 and ZWNJ in w}


def test_a_words_file_is_read_the_way_hazm_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "words.dat"
    path.write_text("کتاب\u200cها\t5\tN\nخانه\u200cای\t0\tN\nبد خط\n\nکتاب\u200cها\t0\tN\r\nآب\t9\tN,AJ\n",
                    encoding="utf-8")
    words, joinable = load_words(path)
    assert words == {"کتاب\u200cها", "خانه\u200cای", "آب"}
    assert joinable == set()   # the last line of a word wins, as in hazm's dict


def test_missing_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"nothere\.dat"):
        load_words(tmp_path / "nothere.dat")
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(LexiconError, match=r"bad\.gz"):
        load_verb_forms(bad)


def test_the_generated_file_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "v.txt.gz"
    lexicon_module.write_verb_forms(out)
    assert out.read_bytes() == lexicon_module.VERB_FORMS_FILE.read_bytes()
    assert gzip.decompress(out.read_bytes()).decode().endswith("\n")


def test_normalizing_never_imports_hazm() -> None:
    code = ("import sys, json\nfrom parsers.normalize import normalize_paragraphs\n"
            "normalize_paragraphs(['کتاب ها را نمی دانم', 'سلامممم به همه'])\n"
            "print(json.dumps([m for m in sys.modules if m.split('.')[0] in ('hazm', 'nltk')]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
