"""Failure class 2 of issue 11: an agency-name prefix in the lead moves to attribution."""
from __future__ import annotations

import pytest

from parsers import parse
from parsers.generic_fields import split_agency_prefix


@pytest.mark.parametrize(("lead", "agency", "rest"), [
    ("خبرگزاری شهرنیوز - شورای شهر طرح را تصویب کرد.", "خبرگزاری شهرنیوز", "شورای شهر طرح را تصویب کرد."),
    ("خبرگزاری کار ایران: نرخ بیکاری کاهش یافت.", "خبرگزاری کار ایران", "نرخ بیکاری کاهش یافت."),
])
def test_prefix_split(lead, agency, rest):
    assert split_agency_prefix(lead) == (rest, agency)


@pytest.mark.parametrize("lead", ["شورای شهر طرح را تصویب کرد.",
                                  "خبرگزاری‌ها امروز از سفر وزیر و دیدار او با مقام‌ها خبر دادند.",
                                  "وزیر کشور: انتخابات شوراها طبق برنامه در خرداد برگزار می‌شود.",  # a speaker
                                  "تهران - شورای شهر طرح تازه حمل‌ونقل را تصویب کرد.",  # a dateline
                                  ""])
def test_no_prefix(lead):
    assert split_agency_prefix(lead) == (lead, None)


def test_lead_prefix_moves_to_attribution():
    body = "".join(f"<p>{'این جمله‌ای از متن خبر درباره طرح تازه حمل‌ونقل عمومی در شهر است. ' * 3}</p>" for _ in range(3))
    html = f"""<html><head><title>طرح تازه | شهرنیوز</title><meta property="og:title" content="طرح تازه">
<meta property="og:type" content="article">
<meta property="og:description" content="خبرگزاری شهرنیوز - شورای شهر طرح را بررسی می‌کند.">
<meta property="article:published_time" content="2023-05-20T08:30:00Z"></head>
<body><div class="post-content"><h1>طرح تازه</h1>{body}</div></body></html>"""
    article = parse(html.encode(), "https://shahrnews.example/p/78")
    assert article.lead == "شورای شهر طرح را بررسی می‌کند."
    assert article.attribution.agency == "خبرگزاری شهرنیوز"
