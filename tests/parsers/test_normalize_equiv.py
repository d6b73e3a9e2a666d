"""Our hazm-equivalent steps (parsers.hazm_steps) give exactly what hazm 0.12's Normalizer gives.

The normalized layer feeds the archives' dedup keys, so it must stay byte-identical to the one the
hazm-based code wrote: checked on generated Persian text (hypothesis), on every paragraph of every
corpus page, on the seed and on our own fixture pages. The oracle is tests/parsers/hazm_oracle.py.
"""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.hazm_steps import hazm_normalize
from parsers.normalize import normalize, normalize_paragraphs
from tests.parsers.hazm_oracle import hazm_pass, oracle_normalize
from tests.parsers.pages import iransamaneh_page

LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءأإؤة"
# what the agencies' CMSs mix into running text: Arabic yeh/kaf, alef maksura, heh forms,
# presentation forms, ligatures, special marks hazm removes or expands
VARIANTS = "يكىۀەھﻻﷲ﷼ﺍﺏﻴﮐ\u0670\u06d4\u0654\u0655ٴ"
DIGITS = "0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
PUNCT = ".,:;!?،؛؟«»\"'“”()[]{}/\\-–…%٪٫٬@#_"
SPACES = "  \n\t\u00a0\u200c\u200c\u200d"
MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640"  # harakat, kashida
WORDS = ["می", "نمی", "ها", "های", "ای", "تر", "ترین", "گر", "است", "شده", "کرد", "کنند", "روم",
         "خواهد", "زمین", "لرزه", "کتاب", "دانم", "رود", "دانشجویان", "...", "ه", "ی", "ام", "اند",
         "خانه", "سلاممم", "خیلییییی", "COVID-19", "isna.ir", "1398/02/12", "12:30", "۱٫۵", "1,234"]

_char = st.sampled_from(LETTERS + VARIANTS + DIGITS + PUNCT + SPACES + MARKS)
_piece = st.one_of(_char, st.sampled_from(WORDS), st.sampled_from(WORDS).map(lambda w: " " + w + " "))
persian_text = st.lists(_piece, max_size=40).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(persian_text)
def test_the_steps_equal_hazms_normalizer(text: str) -> None:
    assert hazm_normalize(text) == hazm_pass(text)


@SETTINGS
@given(persian_text)
def test_the_normalized_layer_equals_the_hazm_based_one(text: str) -> None:
    assert normalize(text) == oracle_normalize(text)


@pytest.mark.parametrize("text", [
    "اِعلاممممم کَرد : « زمین لرزه ای به بُزرگیِ 6 دهم ریشتر ...»",
    "نمیدانم چه میگفت و کتاب ها را می خوانند",
    "جمعهها که کار نمی کنم مطالعه می کنم",
    "\u200cسلام\u200c به \u200cهمه\u200c",
    "پیامبر اکرم ﷺ و ﷲ و ﻻ و (ﷰ|ﷹ)",
    'او گفت "ما   میرویم" .و رفت',
    "سلامممممممممم " * 50,
    "ب" * 3000,
    "«»" * 500,
    "به گزارش " * 300,
    "الف" + "\u200c" * 500 + "ب",
    "\u200cالف\u200c.\u200cب\u200c_\u200c(\u200c)\u200c ۱\u200c2\u200cx\u200c",
    "خطی اول\n\n\n\nخط دوم   \n  \n",
])
def test_known_cases(text: str) -> None:
    assert hazm_normalize(text) == hazm_pass(text)
    assert normalize(text) == oracle_normalize(text)


def _paragraphs(html: bytes) -> list[str]:
    doc = lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    return [t for el in doc.iter("p", "h1", "h2", "h3", "li", "td", "div")
            if (t := el.text_content()) and t.strip()]


def test_every_corpus_paragraph(corpus: Path) -> None:
    pages = sorted((corpus / "html").rglob("*.html"))
    assert pages, f"no pages under {corpus / 'html'}"
    checked = 0
    for page in pages:
        paragraphs = _paragraphs(page.read_bytes())
        for text in paragraphs:
            assert hazm_normalize(text) == hazm_pass(text), (page.name, text[:80])
            assert normalize(text) == oracle_normalize(text), (page.name, text[:80])
            checked += 1
        ours = normalize_paragraphs(paragraphs)
        assert ours == [p for p in ours if p] and len(ours) <= len(paragraphs)
    assert checked > 1000


def test_the_seed(seed_dir: Path) -> None:
    for path in sorted(seed_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert hazm_normalize(text) == hazm_pass(text), path
        assert normalize(text) == oracle_normalize(text), path


def test_our_fixture_page() -> None:
    html = iransamaneh_page(supertitle="سوتیتر خبر", title="عنوان خبر  مي آيد", lead="لید خبر : اینجا",
                            body_html="<p>متن خبر كه مي گويد « سلام » و 2018 .</p><p>کتاب ها و نمی دانم</p>",
                            date="۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲")
    texts = _paragraphs(html)
    assert len(texts) > 5
    for text in texts:
        assert normalize(text) == oracle_normalize(text), text[:80]
