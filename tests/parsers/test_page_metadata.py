"""generic.page_metadata reads <meta>, JSON-LD <script>, <title> and <link rel=canonical> in one walk:
each keeps its own document order, the first <title> and the first canonical link win."""
from __future__ import annotations

import lxml.html

from parsers.generic import page_metadata

PAGE = """<html><head><link rel="stylesheet" href="/s.css"><meta name="keywords" content="یک">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "اول"}</script>
<title> عنوان   صفحه </title><link rel="Canonical" href=" https://a.ir/news/1 ">
<meta property="og:title" content="og"><meta name="Keywords" value="دو"></head>
<body><link rel="canonical" href="https://a.ir/other"><svg><title>نماد</title></svg>
<script type="application/ld+json">[{"@type": ["Article", "Thing"], "headline": "دوم"}]</script>
<meta itemprop="keywords" content="سه"><script>var x = 1;</script></body></html>"""


def test_one_walk_reads_what_four_did() -> None:
    meta = page_metadata(lxml.html.document_fromstring(PAGE))
    assert meta.meta == {"keywords": ["یک", "دو", "سه"], "og:title": ["og"]}
    assert [obj["headline"] for obj in meta.jsonld] == ["اول", "دوم"]
    assert meta.jsonld_types == ["NewsArticle", "Article", "Thing"]
    assert meta.title_tag == "عنوان صفحه"
    assert meta.canonical == "https://a.ir/news/1"
