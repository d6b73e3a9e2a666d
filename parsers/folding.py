"""Character folding tables: the one home for every map of digits, yeh/kaf and invisible marks.

Each consumer folds for a different purpose, so each gets its own composed table, built here from
the same pieces (a digit or a yeh is folded the same way everywhere):

- `DIGITS_TABLE`: Persian and Arabic-Indic digits -> ASCII (structure: news ids, labels).
- `LETTERS_TABLE`: Arabic yeh/kaf -> Persian, kashida, harakat and bidi marks dropped (attribution).
- `YEH_KAF_TABLE`: Arabic yeh/kaf -> Persian alone (agency names before a lead, generic_fields).
- `DATE_TABLE`: digits, yeh/kaf, alef and heh forms, separators and spaces (dates).
- `SEARCH_MAP`: what the index and the queries fold (normalize.fold_for_search).
- `HAZM_LETTERS`: hazm 0.12's TRANSLATION_SRC -> TRANSLATION_DST (the first step of its
  Normalizer), kept as data here so that the normalized layer never imports hazm;
  tests/parsers/test_folding.py checks it against hazm's own constants.

Tables for str.translate are dicts of code points; maps for a regex sub are dicts of strings.
"""
from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "ARABIC_DIGITS", "DATE_TABLE", "DIGITS_TABLE", "HAZM_LETTERS", "LETTERS_MAP", "LETTERS_TABLE",
    "PERSIAN_DIGITS", "SEARCH_MAP", "YEH_KAF_TABLE", "folder",
]

PERSIAN_DIGITS = "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"  # ۰-۹
ARABIC_DIGITS = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"  # ٠-٩

_DIGITS: dict[str, str | None] = {
    **{d: str(i) for i, d in enumerate(PERSIAN_DIGITS)},
    **{d: str(i) for i, d in enumerate(ARABIC_DIGITS)},
}
# Arabic yeh (ي), alef maksura (ى) and Arabic kaf (ك) -> Persian ی / ک: the agencies' CMSs mix them.
_YEH_KAF: dict[str, str | None] = {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"}
# Direction marks and the BOM: invisible, never part of a word.
_BIDI: dict[str, str | None] = dict.fromkeys("\u200e\u200f\u202a\u202b\u202c\ufeff")
_KASHIDA: dict[str, str | None] = {"\u0640": None}
_HARAKAT: dict[str, str | None] = dict.fromkeys(chr(c) for c in range(0x064B, 0x0653))  # fathatan..sukun
_ALEF: dict[str, str | None] = {"\u0622": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627"}  # آ أ إ -> ا
_TEH_MARBUTA: dict[str, str | None] = {"\u0629": "\u0647", "\u06c0": "\u0647"}  # ة ۀ -> ه
_SEPARATORS: dict[str, str | None] = {"\u066b": ".", "\u066c": ","}  # Arabic decimal / thousands


def folder(mapping: dict[str, str | None]) -> Callable[[str], str]:
    """`text.translate(str.maketrans(mapping))`, paying only for the characters that change.

    str.translate costs ~0.4 µs for every character of non-ASCII text (0.2 s for a 1 MB
    paragraph); a regex over the mapped characters skips the rest at C speed.
    """
    pattern = re.compile("[" + re.escape("".join(mapping)) + "]")

    def fold(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group(0)] or "", text)

    return fold


def _table(*maps: dict[str, str | None]) -> dict[int, str | None]:
    merged: dict[str, str | None] = {}
    for m in maps:
        merged.update(m)
    return str.maketrans(merged)


DIGITS_TABLE = _table(_DIGITS)

YEH_KAF_TABLE = _table(_YEH_KAF)

LETTERS_MAP: dict[str, str | None] = {**_YEH_KAF, **_KASHIDA, **_HARAKAT, **_BIDI}
LETTERS_TABLE = _table(LETTERS_MAP)

DATE_TABLE = _table(
    _DIGITS, _YEH_KAF, _TEH_MARBUTA, _ALEF, _BIDI, _KASHIDA, _SEPARATORS,
    {"\u200c": " ", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200d": None, "\u060c": ","},
)

SEARCH_MAP: dict[str, str | None] = {
    **_DIGITS,
    # harakat and the rest of the Arabic marks up to U+065F, superscript alef, kashida
    **dict.fromkeys([chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"]),
    **_YEH_KAF, "\u0626": "\u06cc", "\u06d0": "\u06cc", "\u06d2": "\u06cc", "\u06aa": "\u06a9",
    **_TEH_MARBUTA, "\u06c1": "\u0647", "\u06d5": "\u0647",
    **_ALEF, "\u0671": "\u0627",
    "\u0624": "\u0648",
    "\u200c": " ", "\u00a0": " ", "\u200d": None, "\u200b": None, **_BIDI,
    **_SEPARATORS,
}

# hazm 0.12 constants.TRANSLATION_SRC/DST without the identities, grouped by what they become:
# presentation forms and regional variants of each letter -> the Persian letter, NBSP -> space,
# curly double quotes -> ". (Its own str.maketrans over the two strings; a later duplicate wins.)
_HAZM_GROUPS = {
    "\u0020": "\u00a0",  # space
    "\u0022": "\u201c\u201d",  # "
    "\u0621": "\ufe80",  # ء
    "\u0627": "\u0675\u0773\u0774\ufb50\ufb51\ufe81\ufe82\ufe83\ufe84\ufe87\ufe88\ufe8d\ufe8e",  # ا
    "\u0628": (  # ب
        "\u066e\u067b\u0680\u0750\u0751\u0752\u0753\u0754\u0755\u0756\u08a0\u08a1\u08b6\ufb52"
        "\ufb53\ufb54\ufb55\ufb5a\ufb5b\ufb5c\ufb5d\ufe8f\ufe90\ufe91\ufe92"
    ),
    "\u062a": (  # ت
        "\u0679\u067a\u067c\u067d\u067f\u08b8\ufb5e\ufb5f\ufb60\ufb61\ufb62\ufb63\ufb64\ufb65"
        "\ufb66\ufb67\ufb68\ufb69\ufe95\ufe96\ufe97\ufe98"
    ),
    "\u062b": "\ufe99\ufe9a\ufe9b\ufe9c",  # ث
    "\u062c": "\u08a2\ufe9d\ufe9e\ufe9f\ufea0",  # ج
    "\u062d": (  # ح
        "\u0681\u0682\u0685\u0757\u0758\u076e\u076f\u0772\u077c\ufb72\ufb73\ufb74\ufb75\ufb76"
        "\ufb77\ufb78\ufb79\ufea1\ufea2\ufea3\ufea4"
    ),
    "\u062e": "\ufea5\ufea6\ufea7\ufea8",  # خ
    "\u062f": (  # د
        "\u0688\u0689\u068a\u068b\u068c\u068d\u068e\u068f\u0690\u06ee\u0759\u075a\u08ae\ufb82"
        "\ufb83\ufb84\ufb85\ufb86\ufb87\ufb88\ufb89\ufea9\ufeaa"
    ),
    "\u0630": "\ufeab\ufeac",  # ذ
    "\u0631": (  # ر
        "\u0691\u0692\u0693\u0694\u0695\u0696\u0697\u0699\u06ef\u075b\u076b\u076c\u0771\u08aa"
        "\u08b9\ufb8c\ufb8d\ufead\ufeae"
    ),
    "\u0632": "\u08b2\ufeaf\ufeb0",  # ز
    "\u0633": "\u069a\u069b\u069c\u075c\u076d\u0770\u077d\u077e\ufeb1\ufeb2\ufeb3\ufeb4",  # س
    "\u0634": "\u06fa\ufeb5\ufeb6\ufeb7\ufeb8",  # ش
    "\u0635": "\u069d\u069e\u08af\ufeb9\ufeba\ufebb\ufebc",  # ص
    "\u0636": "\u06fb\ufebd\ufebe\ufebf\ufec0",  # ض
    "\u0637": "\u069f\u08a3\ufec1\ufec2\ufec3\ufec4",  # ط
    "\u0638": "\ufec5\ufec6\ufec7\ufec8",  # ظ
    "\u0639": "\u06a0\u075d\u075e\u075f\u08b3\ufec9\ufeca\ufecb\ufecc",  # ع
    "\u063a": "\u06fc\ufecd\ufece\ufecf\ufed0",  # غ
    "\u0641": (  # ف
        "\u06a1\u06a2\u06a3\u06a4\u06a5\u06a6\u0760\u0761\u08a4\u08bb\ufb6e\ufb6f\ufb70\ufb71"
        "\ufed1\ufed2\ufed3\ufed4"
    ),
    "\u0642": "\u066f\u06a7\u06a8\u08a5\u08bc\ufed5\ufed6\ufed7\ufed8",  # ق
    "\u0644": "\u06b5\u06b6\u06b7\u06b8\u076a\u08a6\ufedd\ufede\ufedf\ufee0",  # ل
    "\u0645": "\u0765\u0766\u08a7\ufee1\ufee2\ufee3\ufee4",  # م
    "\u0646": (  # ن
        "\u06b9\u06ba\u06bb\u06bc\u06bd\u0767\u0768\u0769\u08bd\ufb9e\ufb9f\ufba0\ufba1\ufba2"
        "\ufba3\ufee5\ufee6\ufee7\ufee8"
    ),
    "\u0647": (  # ه
        "\u06be\u06c1\u06c2\u06c3\u06d5\u06ff\ufba4\ufba5\ufba6\ufba7\ufba8\ufba9\ufbaa\ufbab"
        "\ufbac\ufbad\ufee9\ufeea\ufeeb\ufeec"
    ),
    "\u0648": (  # و
        "\u0676\u0677\u06c4\u06c5\u06c6\u06c7\u06c8\u06c9\u06ca\u06cb\u06cf\u0778\u0779\u08ab"
        "\u08b1\ufe85\ufe86\ufeed\ufeee"
    ),
    "\u067e": "\u08b7\ufb56\ufb57\ufb58\ufb59",  # پ
    "\u0686": "\u0687\u06bf\ufb7a\ufb7b\ufb7c\ufb7d\ufb7e\ufb7f\ufb80\ufb81",  # چ
    "\u0698": "\ufb8a\ufb8b",  # ژ
    "\u06a9": (  # ک
        "\u063b\u0643\u06aa\u06ab\u06ac\u06ad\u06ae\u0762\u0763\u0764\u077f\u08b4\ufb8e\ufb8f"
        "\ufb90\ufb91\ufed9\ufeda\ufedb\ufedc"
    ),
    "\u06af": (  # گ
        "\u06b0\u06b1\u06b2\u06b3\u06b4\u08b0\ufb92\ufb93\ufb94\ufb95\ufb96\ufb97\ufb98\ufb99"
        "\ufb9a\ufb9b\ufb9c\ufb9d"
    ),
    "\u06cc": (  # ی
        "\u0620\u063d\u063e\u063f\u0649\u064a\u0678\u06cd\u06ce\u06d0\u06d1\u06d2\u06d3\u0775"
        "\u0776\u0777\u077a\u077b\u08a8\u08a9\u08ac\u08ba\ufbae\ufbaf\ufbb0\ufbb1\ufbfc\ufbfd"
        "\ufe89\ufe8a\ufe8b\ufe8c\ufeef\ufef0\ufef1\ufef2\ufef3\ufef4"
    ),
}
HAZM_LETTERS: dict[str, str] = {src: dst for dst, srcs in _HAZM_GROUPS.items() for src in srcs}
