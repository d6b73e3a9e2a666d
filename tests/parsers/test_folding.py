"""parsers.folding: the one home of the folding tables; hazm's translation table kept as our data."""
from __future__ import annotations

import re

from parsers import folding
from parsers.attribution import parse_attribution
from parsers.dates import parse_iso_datetime as parse_iso
from parsers.hazm_steps import _SPECIALS
from parsers.normalize import fold_for_search
from parsers.structure import ascii_digits


def test_hazm_letters_equal_hazms_translation_table() -> None:
    from hazm.constants import TRANSLATION_DST, TRANSLATION_SRC
    from hazm.utils import maketrans

    theirs = {chr(k): v for k, v in maketrans(TRANSLATION_SRC, TRANSLATION_DST).items() if chr(k) != v}
    assert theirs == folding.HAZM_LETTERS


def test_special_characters_equal_hazms() -> None:
    from hazm.constants import SPECIAL_CHARS_PATTERNS

    theirs = re.compile(SPECIAL_CHARS_PATTERNS[0][0])
    bmp = "".join(chr(c) for c in range(0xD800))
    assert _SPECIALS.findall(bmp) == theirs.findall(bmp)


def test_digits_fold_the_same_everywhere() -> None:
    persian, arabic = folding.PERSIAN_DIGITS, folding.ARABIC_DIGITS
    assert ascii_digits(persian + arabic) == "0123456789" * 2
    assert fold_for_search(persian + " " + arabic) == "0123456789 0123456789"
    assert "۱۳۹۸".translate(folding.DATE_TABLE) == "1398"
    assert parse_iso("۲۰۱۹-۰۵-۳۰T۱۲:۰۹:۰۸+۰۴:۳۰") == parse_iso("2019-05-30T12:09:08+04:30")


def test_yeh_and_kaf_fold_the_same_everywhere() -> None:
    arabic, persian = "\u064a\u0649\u0643", "\u06cc\u06cc\u06a9"
    for table in (folding.LETTERS_TABLE, folding.DATE_TABLE):
        assert arabic.translate(table) == persian
    assert fold_for_search(arabic) == persian
    assert parse_attribution("به گزارش خبرگزاري تسنيم، متن") == parse_attribution("به گزارش خبرگزاری تسنیم، متن")


def test_a_folder_equals_str_translate() -> None:
    text = "كتاب‌ها ي ى ـــ حَذفِ \u200f« » abc ۱۲ " * 3
    for mapping in (folding.LETTERS_MAP, folding.SEARCH_MAP):
        assert folding.folder(mapping)(text) == text.translate(str.maketrans(mapping))
    assert folding.folder(folding.LETTERS_MAP)("") == ""
