"""Failure class 2 of issue 11: entities escaped twice (`&amp;zwnj;`) shown literally in a lead."""
from __future__ import annotations

import pytest

from parsers import parse
from parsers.entities import decode_leftover_entities


@pytest.mark.parametrize(("raw", "expected"), [
    ("می&zwnj;شود", "می\u200cشود"), ("می&amp;zwnj;شود", "می\u200cشود"), ("&laquo;نه&raquo;", "«نه»"),
    ("می&#8204;شود", "می\u200cشود"), ("a&nbsp;b", "a\u00a0b"),
])
def test_known_references_decoded(raw, expected):
    assert decode_leftover_entities(raw) == expected


@pytest.mark.parametrize("raw", ["برچسب &lt;p&gt; در HTML", "R&D", "&copy; ۱۴۰۲", "&#60;script&#62;", "A & B"])
def test_markup_talk_left_alone(raw):
    assert decode_leftover_entities(raw) == raw


def test_double_escaped_lead_on_unknown_cms():
    body = "".join(f"<p>{'این جمله‌ای از متن خبر درباره طرح تازه حمل‌ونقل عمومی در شهر است. ' * 3}</p>" for _ in range(3))
    html = f"""<html><head><title>طرح تازه | شهرنیوز</title><meta property="og:title" content="طرح تازه">
<meta property="og:type" content="article">
<meta property="og:description" content="شورای شهر طرح را بررسی می&amp;amp;zwnj;کند.">
<meta property="article:published_time" content="2023-05-20T08:30:00Z"></head>
<body><div class="post-content"><h1>طرح تازه</h1><p>متن با می&amp;zwnj;شود در بدنه.</p>{body}</div></body></html>"""
    article = parse(html.encode(), "https://shahrnews.example/p/77")
    assert article.lead == "شورای شهر طرح را بررسی می\u200cکند."
    assert article.body[0].text == "متن با می\u200cشود در بدنه."
