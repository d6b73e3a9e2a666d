"""Hostile pages (issue 13 part A): each case failed on the code before the fix."""
from __future__ import annotations

import time

import pytest

from parsers import DecodeError, ParseError, parse
from parsers.attribution import _letters
from parsers.encoding import decode_html_checked

URL = "https://www.example-agency.ir/news/1"
BODY = "<p>متن عادی یک خبر که چند کلمه دارد و به اندازه کافی بلند است تا بدنه حساب شود.</p>" * 8


def page(inner: str, head: str = "<meta charset='utf-8'><meta property='og:type' content='article'>") -> bytes:
    return (f"<html><head>{head}<title>خبر آزمایشی</title></head><body><article>"
            f"<h1>خبر آزمایشی برای ورودی</h1>{inner}{BODY}</article></body></html>").encode()


@pytest.mark.parametrize("bad", [b"\xff", b"\x93"])
def test_one_stray_byte_keeps_the_article(bad: bytes) -> None:
    data = page("<p>پیش از بایت بد</p>").replace("پیش".encode(), "پیش".encode() + bad, 1)
    article = parse(data, URL)
    assert "\ufffd" in article.text
    assert article.warnings and "U+FFFD" in article.warnings[0]


def test_page_cut_mid_character_keeps_the_article() -> None:
    data = page("")[:-len("</article></body></html>")] + "خبر".encode()[:-1]
    text, warnings = decode_html_checked(data, "text/html; charset=utf-8")
    assert "متن عادی" in text and len(warnings) == 1


def test_clean_page_has_no_warnings() -> None:
    assert parse(page(""), URL).warnings == []


def test_mostly_undecodable_bytes_are_not_replaced_wholesale() -> None:
    data = bytes(range(128, 256)) * 50
    try:
        _text, warnings = decode_html_checked(b"<html><body>" + data, "text/html; charset=utf-8")
    except DecodeError:
        return   # refused: fine, it is not UTF-8 with a few bad bytes
    assert not any("as utf-8" in w for w in warnings)   # detection decided, not blanket U+FFFD


def test_deep_json_ld_is_no_recursion_error() -> None:
    deep = "[" * 1000 + "]" * 1000
    head = (f"<meta charset='utf-8'><meta property='og:type' content='article'>"
            f"<script type='application/ld+json'>{deep}</script>")
    article = parse(page("", head=head), URL)
    assert article.title


def test_tag_with_100000_attributes_is_refused_quickly() -> None:
    attrs = " ".join(f"a{i}='x'" for i in range(100_000))
    started = time.monotonic()
    with pytest.raises(ParseError, match="attributes"):
        parse(page(f"<p {attrs}>متن</p>"), URL)
    assert time.monotonic() - started < 60   # was minutes inside libxml2 (a generous bound, not a timing)


def test_zwnj_run_cleanup_is_linear_and_unchanged() -> None:
    assert _letters("استان\u200c ها") == "استان ها"
    assert _letters("\u200cالف\u200c\u200c ب\u200c") == "الف ب"
    assert _letters("می\u200cروم") == "می\u200cروم"
    run = "الف" + "\u200c" * 100_000 + "ب"
    started = time.monotonic()
    assert _letters(run) == run
    assert time.monotonic() - started < 30    # quadratic before: minutes
