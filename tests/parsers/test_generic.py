"""Unknown layouts: JSON-LD / OpenGraph / meta for metadata, the content finder for the body."""
from __future__ import annotations

import json

import pytest

from parsers import NotAnArticle, parse

SENTENCES = [
    "به گزارش خبرنگار ما، نشست شورای شهر امروز با حضور اعضا برگزار شد و طرح تازه حمل‌ونقل عمومی بررسی شد.",
    "رئیس شورا گفت: «اجرای این طرح از ماه آینده آغاز می‌شود و تا پایان سال ادامه دارد.»",
    "به گفته کارشناسان، این طرح می‌تواند ترافیک مرکز شهر را تا ۲۰ درصد کاهش دهد.",
    "پیش از این نیز شهرداری درباره آلودگی هوا و لزوم گسترش مترو هشدار داده بود.",
]
SIDEBAR = "".join(f'<li><a href="/news/{i}">عنوان خبر پربازدید شماره {i} در ستون کناری سایت</a></li>' for i in range(30))


def unknown_layout(jsonld: dict | None = None, og_type: str = "article") -> bytes:
    ld = f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>' if jsonld else ""
    body = "".join(f"<p>{s}</p>" for s in SENTENCES)
    return f"""<html><head><title>طرح تازه حمل‌ونقل عمومی تصویب شد | شهرنیوز</title>
<meta property="og:title" content="طرح تازه حمل‌ونقل عمومی تصویب شد">
<meta property="og:type" content="{og_type}">
<meta property="og:description" content="شورای شهر طرح تازه حمل‌ونقل عمومی را تصویب کرد.">
{"" if jsonld else '<meta property="article:published_time" content="2023-05-20T08:30:00Z">'}
<meta property="article:tag" content="شورای شهر"><meta property="article:tag" content="مترو">
{ld}</head><body><div class="topbar"><ul>{SIDEBAR[:400]}</ul></div>
<div class="layout"><div class="sidebar-most"><ul>{SIDEBAR}</ul></div>
<div class="post-content"><h1>طرح تازه حمل‌ونقل عمومی تصویب شد</h1>{body}
<div class="share-links"><a href="#">تلگرام</a></div></div></div>
<div class="footer">همه حقوق محفوظ است.</div></body></html>""".encode()


def test_generic_article():
    article = parse(unknown_layout(), "https://shahrnews.example/p/1234")
    assert article.parser.profile == "generic"
    assert article.title == "طرح تازه حمل‌ونقل عمومی تصویب شد"
    assert article.published == "2023-05-20T12:00:00+03:30"  # UTC converted to Tehran (no DST in 2023)
    assert article.tags == ["شورای شهر", "مترو"]
    assert [b.text for b in article.body] == SENTENCES
    assert "پربازدید" not in article.text and "تلگرام" not in article.text


def test_jsonld_newsarticle_metadata():
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "طرح تازه حمل‌ونقل عمومی تصویب شد",
          "datePublished": "2019-05-20T18:23:00.0000000Z", "keywords": "شورای شهر, مترو",
          "author": [{"@type": "Person", "name": "مریم رضایی"}],
          "publisher": {"@type": "NewsMediaOrganization", "name": "شهرنیوز"}}
    article = parse(unknown_layout(ld), "https://shahrnews.example/p/1234")
    assert article.parser.profile == "jsonld"
    assert article.published == "2019-05-20T22:53:00+04:30"  # daylight saving in force in 2019
    assert article.authors == ["مریم رضایی"]
    assert article.lead == "شورای شهر طرح تازه حمل‌ونقل عمومی را تصویب کرد."
    assert article.body[0].text == SENTENCES[0]


def listing_page() -> bytes:
    items = "".join(f'<div class="item"><h3><a href="/news/{i}">عنوان خبر شماره {i} درباره رویدادهای امروز کشور</a>'
                    f"</h3></div>" for i in range(40))
    return f"<html><head><title>آخرین اخبار</title></head><body><h1>آخرین اخبار</h1>{items}</body></html>".encode()


@pytest.mark.parametrize("url", ["https://shahrnews.example/", "https://shahrnews.example/archive?page=2", ""])
def test_listing_is_not_an_article(url):
    with pytest.raises(NotAnArticle) as info:
        parse(listing_page(), url)
    assert "not an article" in str(info.value)


def test_page_without_article_metadata_or_text_is_refused():
    html = "<html><head><title>درباره ما</title></head><body><h1>درباره ما</h1><p>ما یک سایت خبری هستیم که از سال ۱۳۹۰ فعالیت می‌کنیم.</p></body></html>"
    with pytest.raises(NotAnArticle):
        parse(html.encode(), "https://shahrnews.example/about")


@pytest.mark.parametrize("ld", [
    {"@type": "NewsArticle", "headline": ["not", "a string"], "author": 42, "keywords": {"x": 1},
     "datePublished": 20190520, "articleSection": [None]},
    [{"@type": ["NewsArticle"], "headline": None}, "stray", 7],
    {"@graph": [{"@type": "NewsArticle", "publisher": [{"name": ["x"]}], "author": [{"@type": None}]}]},
])
def test_odd_jsonld_values_do_not_break_parsing(ld):
    article = parse(unknown_layout(ld), "https://shahrnews.example/p/1234")
    assert article.title == "طرح تازه حمل‌ونقل عمومی تصویب شد"
    assert [b.text for b in article.body] == SENTENCES
