"""Bytes -> text: header charset, meta charset, bogus declarations, windows-1256, entities."""
from __future__ import annotations

import pytest

from parsers import DecodeError, parse
from parsers.encoding import canonical_encoding, decode_html

PERSIAN = "سرگئی لاوروف وزیر امور خارجه روسیه روز جمعه اعلام کرد سطح روابط مسکو و لندن بسیار پایین است."
# windows-1256 has no Persian yeh (U+06CC): pages in it write the Arabic one, as here.
ARABIC_YEH = PERSIAN.replace("\u06cc", "\u064a")


def page(charset_meta: str = "", body: str = PERSIAN) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>خبر</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(("label", "codec"), [
    ("utf-8", "utf-8"), ("UTF8", "utf-8"), ("windows-utf-8", "utf-8"), ("x-utf-8", "utf-8"),
    ("windows-1256", "cp1256"), ("cp1256", "cp1256"), ("iso-8859-1", "iso8859-1"), ("no-such-codec", None), ("", None),
])
def test_canonical_encoding(label, codec):
    assert canonical_encoding(label) == codec


def test_header_charset_wins():
    data = page("", ARABIC_YEH).encode("cp1256")
    assert ARABIC_YEH in decode_html(data, "text/html; charset=windows-1256")


def test_meta_charset_windows_1256():
    data = page("windows-1256", ARABIC_YEH).encode("cp1256")
    assert ARABIC_YEH in decode_html(data)


def test_bogus_windows_utf8_declaration_is_read_as_utf8():
    data = page("windows-utf-8").encode("utf-8")
    assert PERSIAN in decode_html(data)


def test_latin1_declaration_on_utf8_bytes():
    data = page("iso-8859-1").encode("utf-8")
    assert PERSIAN in decode_html(data, "text/html; charset=ISO-8859-1")


def test_wrong_declaration_falls_back_to_what_decodes():
    data = page("utf-8", ARABIC_YEH * 5).encode("cp1256")  # declared UTF-8, really windows-1256
    assert ARABIC_YEH in decode_html(data)


def test_undeclared_windows_1256_is_detected():
    data = page("", " ".join([ARABIC_YEH] * 8)).encode("cp1256")
    assert ARABIC_YEH in decode_html(data)


def test_utf8_bom():
    assert decode_html(b"\xef\xbb\xbf" + page().encode("utf-8")).startswith("<html>")


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\x00\x01\x02" * 400])
def test_empty_or_binary_input_is_a_decode_error(data):
    with pytest.raises(DecodeError) as info:
        decode_html(data, source="page.html")
    assert "page.html" in str(info.value)


def test_numeric_entity_encoded_page_parses():
    def ent(s: str) -> str:
        return "".join(c if c.isascii() else f"&#x{ord(c):X};" for c in s)
    title = "گردهمایی رؤسای سازمان نظام دامپزشکی کشور"
    body = "".join(f"<p>{ent(PERSIAN)} {i}</p>" for i in range(4))
    html = (f'<html><head><title>{ent(title)}</title><meta property="og:title" content="{ent(title)}">'
            f'<meta property="og:type" content="article"></head><body><h1>{ent(title)}</h1>'
            f'<div class="content">{body}</div></body></html>')
    article = parse(html.encode("ascii"), "https://example.ir/news/1")
    assert article.title == title
    assert PERSIAN in article.text


def test_windows_1256_article_parses_end_to_end():
    title = "روابط روسيه و انگليس در سطح بسيار پاييني قرار دارد"
    html = (f'<html><head><meta charset="windows-1256"><meta name="generator" content="www.nastooh.ir">'
            f'<title>{title}</title></head><body><article id="item"><h1 class="first-title">{title}</h1>'
            f'<div class="item-text"><p>{ARABIC_YEH}</p><p>{ARABIC_YEH[:-1]} امروز.</p></div></article></body></html>')
    article = parse(html.encode("cp1256"), "https://www.isna.ir/news/98030903723/x")
    assert article.title == title and article.parser.profile == "nastooh"
    assert article.body[0].text == ARABIC_YEH


# One decider: the fetcher/feeds (detect_encoding) and the page parser (decode_html) agree.
@pytest.mark.parametrize(("data", "content_type", "codec"), [
    (page("", ARABIC_YEH).encode("cp1256"), "text/html; charset=iso-8859-1", "cp1256"),  # a server default
    (page("iso-8859-1").encode("utf-8"), None, "utf-8"),
    (page("windows-utf-8").encode("utf-8"), None, "utf-8"),
    (page("utf-8").encode("utf-8")[:-40] + b"\xff" + page("utf-8").encode("utf-8")[-40:], None, "utf-8"),
    (f'<?xml version="1.0" encoding="windows-1256"?><rss><title>{ARABIC_YEH}</title></rss>'.encode("cp1256"),
     "application/rss+xml", "cp1256"),
    (b"\xef\xbb\xbf" + page().encode("utf-8"), None, "utf-8-sig"),
    (b"<html>plain ascii</html>", "text/html; charset=windows-1256", "cp1256"),
])
def test_detect_encoding_is_the_decision_decode_html_uses(data, content_type, codec):
    from parsers.encoding import detect_encoding
    from worker.http.bodies import detect_encoding as fetcher_detect

    assert detect_encoding(data, content_type) == fetcher_detect(data, content_type) == codec
    assert decode_html(data, content_type) == data.decode(codec, errors="replace")


def test_latin1_declaration_on_windows_1256_bytes_reads_persian():
    data = page("iso-8859-1", ARABIC_YEH).encode("cp1256")
    assert ARABIC_YEH in decode_html(data, "text/html; charset=ISO-8859-1")
