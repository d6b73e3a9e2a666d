"""parsers.normalize: the as-published and normalized text layers, and search folding."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import normalize as normalize_module
from parsers.normalize import (
    collapse_ws,
    fold_for_search,
    normalize,
    normalize_paragraphs,
    split_sentences,
    words,
)
from tests.parsers.hazm_oracle import hazm_pass

ZWNJ = "\u200c"


def seed_lines(seed_dir: Path) -> list[str]:
    files = sorted(seed_dir.glob("*.txt"))
    assert files, f"no seed text in {seed_dir}"
    return files[0].read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- collapse_ws


def test_collapse_ws_touches_whitespace_only() -> None:
    raw = "  روابط روسيه\u00a0\u00a0 و\tانگليس\n\nمی\u200cکنند ۱۲۳ 45 ٦٧  "
    assert collapse_ws(raw) == "روابط روسيه و انگليس می\u200cکنند ۱۲۳ 45 ٦٧"
    assert collapse_ws("بررسی و\u00a0 تجربیات") == "بررسی و تجربیات"
    assert collapse_ws(None) == "" and collapse_ws("   ") == ""


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(("raw", "expected"), [
    ("ما مخفی نمیکنیم که", f"ما مخفی نمی{ZWNJ}کنیم که"),
    ("آنها می کنند.", f"آنها می{ZWNJ}کنند."),
    ("روابط روسيه و انگليس", "روابط روسیه و انگلیس"),
    ("كتاب", "کتاب"),
    ("سلامـــــت", "سلامت"),  # kashida
    ("حَذفِ اِعراب", "حذف اعراب"),  # diacritics
    ("اوضاع ليبي ، يمن ، عراق", "اوضاع لیبی، یمن، عراق"),  # spacing around punctuation
    ("جانسون : هنوز", "جانسون: هنوز"),
    ("سال 2018 و ۵ درصد و ٦ نفر", "سال 2018 و ۵ درصد و ٦ نفر"),  # digits keep their script
    ("  چند   فاصله\u00a0\u00a0اضافه  ", "چند فاصله اضافه"),
])
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("protected", [
    "http://x.ir/a_b?c=1",
    "https://www.isna.ir/news/98030903723/کارشناسی-داوری-دیدار",
    "https://example.com/path/to/page.html?x=1&y=a.b#frag",
    "www.tasnimnews.com/fa/news/1398/02/30/2015910",
    "info@isna.ir",
    "isna.ir",
    "1398/02/12",
    "۱۳۹۸/۰۲/۱۲",
    "2019-05-30",
    "12:09",
    "12:09:08",
    "1,234.5",
    "۱٬۲۳۴",
    "۳٫۵",
    "3.14",
    "U.S.",
    "COVID-19",
    "F-35",
    "G7",
    "Node.js",
    "C++",
    "۱۰٪",
    "5%",
    "12.5%",
    "@isna_farsi",
])
def test_normalize_never_touches_urls_dates_numbers(protected: str) -> None:
    text = f"به گزارش ايسنا {protected} را ببينيد . مي گويند {protected}، و «{protected}»"
    out = normalize(text)
    assert out.count(protected) == text.count(protected), out
    assert "ی" in out and "ي" not in out  # the rest was normalized


def test_url_at_sentence_end_keeps_its_punctuation_outside() -> None:
    out = normalize("نشانی http://x.ir/a_b?c=1. بعدی")
    assert "http://x.ir/a_b?c=1" in out and out.endswith("بعدی")


def test_lexicon_is_loaded_once() -> None:
    from parsers.lexicon import lexicon

    normalize("کتاب ها")
    first = lexicon()
    normalize("نمی دانم")
    assert lexicon() is first


def test_multiline_text_keeps_lines() -> None:
    assert normalize("خط اول\n\n\n\nخط  دوم") == "خط اول\n\nخط دوم"


# --------------------------------------------------------------------------- the seed


def test_seed_normalized(seed_dir: Path) -> None:
    lines = [line for line in seed_lines(seed_dir) if line.strip()]
    paragraphs = normalize_paragraphs(lines)
    text = "\n\n".join(paragraphs)
    assert "ي" not in text and "ك" not in text
    assert f"نمی{ZWNJ}کنیم" in text and "نمیکنیم" not in text
    sentence = "ما بر سر این نکته توافق کردیم که دو کشور لازم است تا در چارچوب شورای امنیت سازمان ملل"
    assert text.count(sentence) == 1
    # the first occurrence stays (inside «لاوروف خاطرنشان کرد: …»)
    assert f"لاوروف خاطرنشان کرد: {sentence}" in text
    assert "سال 2018" in text  # digits unchanged


# --------------------------------------------------------------------------- paragraphs and sentences


def test_normalize_paragraphs_drops_repeats_and_empty_paragraphs() -> None:
    paragraphs = [
        "وزیر گفت: روابط دو کشور خوب است. هیچ مشکلی وجود ندارد.",
        "روابط دو کشور خوب است.",  # repeated verbatim: the paragraph vanishes
        "   ",
        "او افزود روابط دو کشور خوب است. قیمت 1.5 دلار در http://x.ir/a.b است. بله. بله.",
    ]
    out = normalize_paragraphs(paragraphs)
    assert out == [
        "وزیر گفت: روابط دو کشور خوب است. هیچ مشکلی وجود ندارد.",
        "او افزود روابط دو کشور خوب است. قیمت 1.5 دلار در http://x.ir/a.b است. بله. بله.",
    ]


def test_repeat_in_other_letter_forms_is_still_a_repeat() -> None:
    out = normalize_paragraphs(["ما بر سر اين نکته توافق کرديم.", "ما بر سر این نکته توافق کردیم."])
    assert out == ["ما بر سر این نکته توافق کردیم."]


def test_split_sentences_keeps_numbers_and_urls() -> None:
    assert split_sentences("قیمت 1.5 دلار است. نشانی x.ir/a.b را ببینید! چرا؟ بله\nخط") == [
        "قیمت 1.5 دلار است.", "نشانی x.ir/a.b را ببینید!", "چرا؟", "بله", "خط"]


# --------------------------------------------------------------------------- search folding


def test_fold_equalities() -> None:
    assert fold_for_search("روسيه") == fold_for_search("روسیه") == "روسیه"
    assert fold_for_search("۲۰۱۸") == fold_for_search("2018") == fold_for_search("٢٠١٨") == "2018"
    assert fold_for_search(f"می{ZWNJ}کنند") == fold_for_search("می کنند")
    assert fold_for_search("كتاب") == fold_for_search("کتاب")
    assert fold_for_search("مدرسة") == fold_for_search("مدرسه")
    assert fold_for_search("أحمد إسلام آب") == "احمد اسلام اب"
    assert fold_for_search("سَلامـــت") == "سلامت"
    assert fold_for_search("خانهٔ BBC  Persian") == "خانه bbc persian"


def test_words() -> None:
    assert words(f"روسيه می{ZWNJ}کنند، ۲۰۱۸ Hello!") == ["روسیه", "می", "کنند", "2018", "hello"]
    assert words("") == []


# --------------------------------------------------------------------------- properties (hypothesis)

PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكآأإؤئة"
TEXT_ALPHABET = PERSIAN_LETTERS + "  \u200c\u00a0،؛؟!.:«»()\"ـ\u064e\u0650\u0651۰۱۲۳۴۵۶۷۸۹0123456789abcXYZ\n-/"
persian_text = st.text(alphabet=TEXT_ALPHABET, max_size=120)
persian_words = st.lists(st.text(alphabet=PERSIAN_LETTERS, min_size=1, max_size=8), max_size=12).map(" ".join)

url_chars = "abcdefghijklmnopqrstuvwxyz0123456789-_"
urls = st.builds(
    lambda scheme, host, tld, path, query: f"{scheme}://{host}.{tld}{path}{query}",
    st.sampled_from(["http", "https"]),
    st.text(alphabet=url_chars, min_size=1, max_size=12).filter(lambda s: s[0].isalnum()),
    st.sampled_from(["ir", "com", "org", "co.uk"]),
    st.lists(st.text(alphabet=url_chars + "کتاب.", min_size=1, max_size=10), max_size=4)
    .map(lambda parts: "".join("/" + p for p in parts)),
    st.one_of(st.just(""), st.builds(lambda k, v: f"?{k}={v}&x_y=1.5",
                                     st.text(alphabet="abc_", min_size=1, max_size=4),
                                     st.text(alphabet="0123456789:", min_size=1, max_size=4))),
).filter(lambda u: not u.endswith("."))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persian_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persian_words, urls, persian_words, st.sampled_from(["", ".", "،", "!", " :", "»"]))
def test_normalize_never_alters_embedded_urls(before: str, url: str, after: str, punct: str) -> None:
    text = f"{before} {url}{punct} {after}"
    assert url in normalize(text)


@settings(max_examples=300, deadline=None)
@given(persian_text)
def test_fold_ignores_letter_forms_digits_and_zwnj(text: str) -> None:
    variant = (text.replace("ی", "ي").replace("ک", "ك").replace(ZWNJ, " ")
               .translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    assert fold_for_search(variant) == fold_for_search(text)
    folded = fold_for_search(text)
    assert fold_for_search(folded) == folded
    assert not set(folded) & set("يك\u200c۰۱۲۳۴۵۶۷۸۹ـ\u064e\u0650\u0651ABCXYZ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persian_text)
def test_our_hazm_pass_equals_hazm_normalize(text: str) -> None:
    # normalize() runs our own hazm-equivalent steps; they must not drift from hazm (the oracle).
    assert normalize_module.hazm_normalize(text) == hazm_pass(text)


def test_our_hazm_pass_equals_hazm_normalize_on_the_seed(seed_dir: Path) -> None:
    text = "\n".join(seed_lines(seed_dir))
    assert normalize_module.hazm_normalize(text) == hazm_pass(text)
