"""Our hazm-equivalent steps (parsers.hazm_steps) give exactly what hazm 0.12's Normalizer gives.

The normalized layer feeds the archives' dedup keys, so it must stay byte-identical to the one the
hazm-based code wrote: checked on generated Persian text (hypothesis), on every paragraph of every
corpus page, on the seed and on our own fixture pages. The oracle is tests/parsers/hazm_oracle.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parsers.hazm_steps import hazm_normalize
from parsers.normalize import _PROTECTED, _SPAN_PATTERNS, normalize, normalize_paragraphs
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
    # the rules rewritten to lead with their rarer character (hazm_steps): chains and neighbours
    "خانه ام خانه ای خانهام.خانه اید\nه ای ه ای", "ه ام و ه اید", "ها تر و تر ها",
    "بنمیدانم کمیدانم نمیدانم میدانم و امیدوارم", "۲نمیدانم _میدانم",
    "کتاب ها بزرگ تر ها تر ها ترین\n ها تر",
    "a(b((c «x»«y» [z](w) {v}",
    "۱۲ب ب۱۲ 3x ۳ب۴پ۵ 1آ2ب3 ت4",
    "  سلام  \n", " \n ", "سلام \n", "\n  ", "   ",
])
def test_known_cases(text: str) -> None:
    assert hazm_normalize(text) == hazm_pass(text)
    assert normalize(text) == oracle_normalize(text)


_latin_text = st.lists(st.one_of(
    _char, st.sampled_from([*"abcXYZ019._%+#&@'-/:", "http://", "https://", "ftp://", "www.", " .", "\ue100"]),
    st.sampled_from(WORDS)), max_size=40).map("".join)


@SETTINGS
@given(_latin_text)
def test_protected_spans_are_the_plain_alternations(text: str) -> None:
    """The look-ahead in front of _PROTECTED only names the characters a span can start with."""
    plain = re.compile(_SPAN_PATTERNS)
    assert [m.span() for m in _PROTECTED.finditer(text)] == [m.span() for m in plain.finditer(text)]


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


# Each rule hazm_steps rewrote for speed, against hazm's own regex, on text dense in what the rules
# look at (ه before a space and a suffix, digits beside letters, brackets, spaces and newlines).
_RULE_ALPHABET = [" ", " ", "ه", "ه ", "ب", "ام", "ای", "اید", "ها", "تر", "ترین", "گری", "ی", "\n", "۱", "2",
                  ".", "«", "(", "»", "؛"]
_rule_text = st.lists(st.sampled_from(_RULE_ALPHABET), max_size=30).map("".join)


def _hazm_rules() -> list[tuple[str, str, int, int]]:
    """(hazm's pattern, its replacement, which list of ours, index there) for the rewritten rules."""
    from hazm.constants import AFFIX_SPACING_PATTERNS as affix
    from hazm.constants import PUNCTUATION_SPACING_PATTERNS as punctuation

    return [(*affix[2], 0, 2), (*affix[3], 0, 3),
            (*punctuation[5], 1, 4), (*punctuation[6], 1, 5), (*punctuation[7], 1, 6)]


@settings(max_examples=1500, deadline=None)
@given(_rule_text)
@example("ه ام ")
@example(" ه ای.")
@example("ب ها")
@example("ب«(۱ب2«")
def test_rewritten_rules_equal_hazms_regexes(text: str) -> None:
    from parsers.hazm_steps import (
        _AFFIX_SPACING,
        _PUNCTUATION_SPACING,
        _apply,
        _drop_space_before,
        _strip_edge_spaces,
    )

    ours = (_AFFIX_SPACING, _PUNCTUATION_SPACING)
    for pattern, repl, which, at in _hazm_rules():
        assert _apply([ours[which][at]], text) == re.sub(pattern, repl, text), pattern
    assert _strip_edge_spaces(text) == re.sub(r"^ +| +$", "", text)
    from hazm.constants import PUNCTUATION_SPACING_PATTERNS as punctuation

    assert _drop_space_before(text) == re.sub(*punctuation[1], text)


def _tidy_lines_general(s: str) -> str:
    lines = [" ".join(line.split()) for line in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@SETTINGS
@given(st.text(alphabet=SPACES + "\r\x1c\x85\u2028ab", max_size=30))
def test_one_line_tidy_is_the_general_one(text: str) -> None:
    from parsers.normalize import _tidy_lines

    assert _tidy_lines(text) == _tidy_lines_general(text)
