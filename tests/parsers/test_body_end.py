"""Failure class 3 of issue 11: junk after the body (stray number lines, `-->` remnants, short-link
and share lines) must not end the text. Hand-written page modelled on an unknown news CMS."""
from __future__ import annotations

import pytest

from parsers import parse
from parsers.generic_fields import is_trailing_junk

SENTENCES = [
    "به گزارش خبرنگار ما، نشست شورای شهر امروز با حضور اعضا برگزار شد و طرح تازه حمل‌ونقل عمومی بررسی شد.",
    "رئیس شورا گفت: «اجرای این طرح از ماه آینده آغاز می‌شود و تا پایان سال ادامه دارد.»",
    "به گفته کارشناسان، این طرح می‌تواند ترافیک مرکز شهر را تا ۲۰ درصد کاهش دهد.",
]


def page(tail: list[str]) -> bytes:
    body = "".join(f"<p>{s}</p>" for s in SENTENCES + tail)
    return f"""<html><head><title>طرح تازه حمل‌ونقل عمومی تصویب شد | شهرنیوز</title>
<meta property="og:title" content="طرح تازه حمل‌ونقل عمومی تصویب شد">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2023-05-20T08:30:00Z"></head>
<body><div class="post-content"><h1>طرح تازه حمل‌ونقل عمومی تصویب شد</h1>{body}</div></body></html>""".encode()


@pytest.mark.parametrize("tail", [["12"], ["۱۲۳۴"], ["-->"], ["۴۵", "-->"], ["لینک کوتاه: https://shn.example/x7"],
                                  ["اشتراک گذاری"]])
def test_junk_lines_after_body_are_dropped(tail):
    article = parse(page(tail), "https://shahrnews.example/p/1234")
    assert [b.text for b in article.body] == SENTENCES


@pytest.mark.parametrize("text", ["12", "۱٬۲۳۴".replace("٬", ","), "-->", "https://t.co/abc", "لینک کوتاه:"])
def test_trailing_junk(text):
    assert is_trailing_junk(text)


@pytest.mark.parametrize("text", ["در سال ۱۴۰۲ این طرح اجرا شد.", SENTENCES[-1], "۲۰ درصد کاهش"])
def test_real_text_is_not_trailing_junk(text):
    assert not is_trailing_junk(text)


def test_number_inside_body_is_kept():
    middle = parse(page([]).replace(b"</p><p>", "</p><p>۱۲</p><p>".encode(), 1), "https://shahrnews.example/p/1")
    assert "۱۲" in [b.text for b in middle.body]
