"""parsers.normalize builds hazm's Normalizer without its Lemmatizer (memory): it must be the same."""
from __future__ import annotations

from pathlib import Path

import pytest

from parsers import normalize as normalize_module


@pytest.fixture(scope="module")
def stock():  # type: ignore[no-untyped-def]
    from hazm import Normalizer

    return Normalizer(persian_numbers=False)


def test_verb_forms_equal_the_lemmatizers() -> None:
    from hazm import Lemmatizer

    assert normalize_module._verb_forms() == set(Lemmatizer(joined_verb_parts=False).verbs.keys())


def test_our_normalizer_has_the_stock_settings_and_verbs(stock) -> None:  # type: ignore[no-untyped-def]
    ours = normalize_module._hazm()
    assert ours is not stock
    assert ours._verbs == stock._verbs
    assert ours._seperate_mi is True
    assert {k: v for k, v in vars(ours).items() if k not in {"_verbs", "_tokenizer", "_words"}} == \
        {k: v for k, v in vars(stock).items() if k not in {"_verbs", "_tokenizer", "_words"}}
    assert ours._words == stock._words


@pytest.mark.parametrize("text", [
    "می روم و میخواهم بگویم که نمی دانستم",
    "او  گفت:«ما   میرویم » و کتاب ها را می‌خوانیم ؟",
    "دانشجویان می توانند درخواست های خود را ثبت کنند.",
])
def test_same_output_as_a_stock_normalizer(stock, text: str) -> None:  # type: ignore[no-untyped-def]
    assert normalize_module._hazm().normalize(text) == stock.normalize(text)


def test_same_output_as_a_stock_normalizer_on_the_seed(stock, seed_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for path in sorted(seed_dir.glob("*"))[:5]:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert normalize_module._hazm().normalize(text) == stock.normalize(text), path
