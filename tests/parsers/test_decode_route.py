"""A page is decoded once: decode_page's text is the decision's codec applied with errors="replace",
and the HTML parser gets the page's own bytes only where they are exactly that text in UTF-8."""
from __future__ import annotations

import pytest
from lxml import etree

from parsers import DecodeError, parse
from parsers.encoding import Decision, decide_encoding, decode_html_checked, decode_page
from parsers.extract import parse_tree

TITLE = "سرگئی لاوروف وزیر امور خارجه روسیه"
ARABIC = "روابط روسيه و انگليس در سطح بسيار پاييني قرار دارد"   # windows-1256 has no Persian yeh


def page(head: str = "", title: str = TITLE, body: str = TITLE) -> str:
    return (f"<html><head>{head}<title>{title}</title><meta property='og:type' content='article'></head>"
            f"<body><article><h1>{title}</h1>" + f"<p>{body}، متن خبر امروز.</p>" * 6 + "</article></body></html>")


UTF8 = page().encode()
CASES = {
    "utf-8": (UTF8, Decision("utf-8")),
    "utf-8 with a BOM": (b"\xef\xbb\xbf" + UTF8, Decision("utf-8-sig")),
    "a Latin declaration on UTF-8": (page("<meta charset='iso-8859-1'>").encode(), Decision("utf-8")),
    "a declaration UTF-8 does not fit": (page("<meta charset='shift_jis'>").encode(), Decision("utf-8")),
    "declared UTF-8, really windows-1256": (page("<meta charset='utf-8'>", ARABIC, ARABIC).encode("cp1256"),
                                            Decision("cp1256")),
    "windows-1256, undeclared": (page("", ARABIC, ARABIC).encode("cp1256"), Decision("cp1256")),
    "UTF-16 with a BOM": (page().encode("utf-16"), Decision("utf-16")),
    "UTF-8 with a stray byte": (UTF8.replace(b"<p>", b"<p>\xff", 1), Decision("utf-8", 1)),
}


@pytest.mark.parametrize("name", CASES)
def test_the_text_is_the_decision_decoded_with_replacement(name: str) -> None:
    data, decision = CASES[name]
    text, warnings, decided = decode_page(data, source="page")
    assert decided == decision == decide_encoding(data)
    assert text == data.decode(decision.encoding, errors="replace")
    assert (text, warnings) == decode_html_checked(data, source="page")
    assert bool(warnings) == bool(decision.replaced)


@pytest.mark.parametrize("name", CASES)
def test_the_page_bytes_are_parsed_only_where_they_are_the_text_in_utf8(name: str) -> None:
    data, decision = CASES[name]
    text, _, _ = decode_page(data)
    assert (text.encode("utf-8", "surrogatepass") == data) is (decision == Decision("utf-8"))
    tree = etree.tostring(parse_tree(text, "page"), encoding="unicode")
    if decision == Decision("utf-8"):
        assert etree.tostring(parse_tree(text, "page", data), encoding="unicode") == tree
    title = ARABIC if decision.encoding == "cp1256" else TITLE
    assert parse(data, "https://www.example.ir/news/1").title == title   # an in-page declaration is ignored


def test_nul_bytes_refuse_a_page_only_above_one_percent() -> None:
    allowed = len(UTF8) // 100 + 1
    decode_page(UTF8 + b"\x00" * allowed)
    with pytest.raises(DecodeError, match="binary data"):
        decode_page(UTF8 + b"\x00" * (allowed + len(UTF8) // 10))
    decode_page(page().encode("utf-16"))   # UTF-16 is half NUL bytes and has its mark
