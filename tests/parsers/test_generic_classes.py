"""The generic Persian reader on unknown CMSs without article metadata: a dated <h1> story is an
article, and kicker, visible date, lead, trailing junk and <title> are read off the page."""
from __future__ import annotations

import pytest

from parsers import NotAnArticle, parse

URL = "https://nemooneh-news.example/fa/news/5521/x"
PARAGRAPHS = [
    "به گزارش پایگاه خبری نمونه، شورای شهر امروز با افزایش نرخ بلیت مترو موافقت کرد و این تصمیم"
    " از ماه آینده اجرا می‌شود.",
    "رئیس شورا گفت که این افزایش برای جبران هزینه‌های نگهداری خطوط و خرید قطارهای تازه لازم بوده است.",
    "مسافران هم از شلوغی ایستگاه‌ها در ساعت‌های اوج گلایه دارند و خواستار افزایش شمار قطارها شده‌اند.",
    "کارشناسان حمل‌ونقل می‌گویند افزایش نرخ بلیت بدون بهبود کیفیت خدمات با استقبال مردم روبه‌رو نخواهد شد.",
]


def page(*, kicker: str = '<div class="rutitr">گزارش شهری:</div>',
         date: str = '<div class="news-date"><span>2 تير 1399 - 12:09:08 ب.ظ</span></div>',
         lead: str = '<div class="lead">پایگاه خبری نمونه - نرخ بلیت مترو از ماه آینده افزايش مي&amp;zwnj;يابد.</div>',
         head: str = "", title: str = "نمونه نیوز | افزایش نرخ بلیت مترو در پایتخت",
         h1: str = "<h1>افزایش نرخ بلیت مترو در پایتخت</h1>", tail: str = "",
         paragraphs: list[str] = PARAGRAPHS) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>{title}</title>{head}</head><body>
<div class="top"><a href="/">صفحه اصلی</a> <a href="/fa/politics">سیاسی</a> <a href="/fa/city">شهری</a></div>
<div class="news-box">{kicker}{h1}{date}{lead}<div class="body">{body}{tail}</div></div>
<div class="foot"><a href="/fa/about">درباره ما</a></div></body></html>""".encode()


def test_unknown_cms_dated_story_without_metadata_is_an_article():
    article = parse(page(), URL)  # ~420 characters of body: under the 1000 asked of an undated page
    assert article.parser.profile == "generic"
    assert article.title == "افزایش نرخ بلیت مترو در پایتخت"
    assert [b.text for b in article.body] == PARAGRAPHS


def test_undated_short_page_without_metadata_is_still_refused():
    with pytest.raises(NotAnArticle, match="no article metadata"):
        parse(page(date=""), URL)


def test_dated_listing_is_still_refused():
    items = "".join(f'<div class="item"><h3><a href="/fa/news/{i}/y">عنوان خبر شماره {i} درباره مترو و اتوبوس شهری</a>'
                    f'</h3><span class="date">2 تير 1399</span></div>' for i in range(30))
    html = (f'<html><head><title>آخرین اخبار</title></head><body><h1>آخرین اخبار</h1>'
            f'<div class="date">2 تير 1399</div><div class="list">{items}</div></body></html>')
    with pytest.raises(NotAnArticle):
        parse(html.encode(), "https://nemooneh-news.example/fa/latest")


@pytest.mark.parametrize("kicker,expected", [
    ('<div class="rutitr">گزارش شهری:</div>', "گزارش شهری"),
    ('<span id="kicker">در حاشیه نشست شورا؛</span>', "در حاشیه نشست شورا"),
    ('<h3 class="supertitle">گفت‌وگو</h3>', "گفت‌وگو"),
    ("<div>روایت یک روز در مترو:</div>", "روایت یک روز در مترو"),  # no hint: the short line above the <h1>
    ("", None),
])
def test_kicker_above_the_headline_is_the_supertitle(kicker, expected):
    assert parse(page(kicker=kicker), URL).supertitle == expected


@pytest.mark.parametrize("date,raw,iso", [
    ('<div class="news-date"><span>2 تير 1399 - 12:09:08 ب.ظ</span></div>', "2 تير 1399 - 12:09:08 ب.ظ",
     "2020-06-22T12:09:08+04:30"),
    ('<span class="publish-time">تاریخ انتشار: ۱۵ اسفند ۱۴۰۱ - ۰۸:۳۰ ق.ظ</span>', "۱۵ اسفند ۱۴۰۱ - ۰۸:۳۰ ق.ظ",
     "2023-03-06T08:30:00+03:30"),
    ('<time datetime="2023-03-06T05:00:00Z">۱۵ اسفند ۱۴۰۱</time>', "۱۵ اسفند ۱۴۰۱", "2023-03-06T00:00:00+03:30"),
])
def test_visible_date_near_the_title_sets_published(date, raw, iso):
    article = parse(page(date=date), URL)
    assert (article.published_raw, article.published) == (raw, iso)


def test_metadata_date_wins_over_the_generic_visible_date():
    head = ('<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2021-01-01T10:00:00Z">')
    article = parse(page(head=head, date='<div class="date">2 تير 1399</div>'), URL)
    assert article.published == "2021-01-01T13:30:00+03:30"


def test_lead_element_loses_agency_prefix_to_attribution_and_double_escaped_zwnj():
    article = parse(page(), URL)
    assert article.lead == "نرخ بلیت مترو از ماه آینده افزايش مي\u200cيابد."
    assert article.attribution.agency == "پایگاه خبری نمونه"


def test_agency_prefix_does_not_override_the_body_attribution():
    lead = '<p class="summary">خبرگزاری مهر - شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.</p>'
    paragraphs = ["به گزارش خبرگزاری فارس، " + PARAGRAPHS[0].split("، ", 1)[1], *PARAGRAPHS[1:]]
    article = parse(page(lead=lead, paragraphs=paragraphs), URL)
    assert article.lead == "شورای شهر با افزایش نرخ بلیت مترو موافقت کرد."
    assert article.attribution.agency == "خبرگزاری فارس"


@pytest.mark.parametrize("lead,head,expected,agency", [
    ("تهران - شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "",  # a dateline, not an agency
     "تهران - شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "پایگاه خبری نمونه"),
    ("نمونه نیوز – شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.",
     '<meta property="og:site_name" content="نمونه نیوز">',
     "شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "پایگاه خبری نمونه"),  # the body's attribution stays
    ("ايسنا - شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "",
     "شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "پایگاه خبری نمونه"),
])
def test_lead_prefix_is_removed_only_when_it_names_an_outlet(lead, head, expected, agency):
    article = parse(page(lead=f'<div class="lead">{lead}</div>', head=head), URL)
    assert (article.lead, article.attribution.agency) == (expected, agency)


def test_lead_prefix_sets_the_agency_when_the_body_names_none():
    paragraphs = [p.replace("به گزارش پایگاه خبری نمونه، ", "") for p in PARAGRAPHS]
    lead = '<div class="lead">ایسنا - شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.</div>'
    article = parse(page(lead=lead, paragraphs=[*paragraphs, PARAGRAPHS[1]]), URL)
    assert (article.lead, article.attribution.agency) == ("شورای شهر با افزایش نرخ بلیت مترو موافقت کرد.", "ایسنا")


def test_sidebar_rutitr_is_not_the_kicker():
    sidebar = '<div class="side"><div class="rutitr">در حاشیه</div><a href="/fa/news/1/y">خبر دیگر</a></div>'
    html = page(kicker="").replace(b'<div class="foot">', sidebar.encode() * 40 + b'<div class="foot">')
    assert parse(html, URL).supertitle is None


def test_meta_description_is_the_lead_only_when_the_page_prints_it():
    text = "شورای شهر با افزایش نرخ بلیت مترو از ماه آینده موافقت کرد."
    head = f'<meta name="description" content="{text}">'
    printed = parse(page(lead=f"<div>{text}</div>", head=head), URL)
    assert printed.lead == text
    seo = '<meta name="description" content="خرید بلیت مترو ارزان و آنلاین در سایت ما">'
    seo_only = parse(page(lead="", head=seo), URL)
    assert seo_only.lead is None


def test_double_escaped_entities_decoded_in_title_and_body():
    quote = "او گفت: &amp;laquo;بلیت&amp;#8204;ها گران&amp;nbsp;شد&amp;raquo; و &amp;quot;مردم&amp;quot; ناراضی‌اند."
    paragraphs = [*PARAGRAPHS, quote]
    article = parse(page(h1="<h1>افزايش نرخ بلیت&amp;zwnj;ها</h1>", paragraphs=paragraphs), URL)
    assert article.title == "افزايش نرخ بلیت\u200cها"
    assert article.body[-1].text == 'او گفت: «بلیت\u200cها گران شد» و "مردم" ناراضی‌اند.'
    assert "&" not in article.text


@pytest.mark.parametrize("tail", ["<p>12</p>", "<p>۴۲</p><p>--></p>", "<p>--></p>",
                                  "<p>لینک کوتاه: https://nemooneh-news.example/x/5521</p>",
                                  "<div>کپی لینک</div><p>7</p>"])
def test_junk_after_the_body_is_dropped(tail):
    article = parse(page(tail=tail), URL)
    assert [b.text for b in article.body] == PARAGRAPHS


def test_a_numbered_paragraph_inside_the_body_is_kept():
    article = parse(page(paragraphs=[PARAGRAPHS[0], "12", *PARAGRAPHS[1:]]), URL)
    assert "12" in [b.text for b in article.body]


@pytest.mark.parametrize("title,head,expected", [
    ("نمونه نیوز | افزایش نرخ بلیت مترو در پایتخت", '<meta property="og:site_name" content="نمونه نیوز">',
     "افزایش نرخ بلیت مترو در پایتخت"),
    ("افزایش نرخ بلیت مترو در پایتخت - نمونه نیوز", "", "افزایش نرخ بلیت مترو در پایتخت"),
    ("پایگاه خبری نمونه – افزایش نرخ بلیت مترو در پایتخت", "", "افزایش نرخ بلیت مترو در پایتخت"),
])
def test_title_tag_without_the_site_name(title, head, expected):
    # Two <h1>s, neither confirmed by <title> or og:title: only <title> is left to name the story.
    h1 = "<h1>منو</h1><h1>شهری</h1>"
    head += '<meta property="og:type" content="article">'
    assert parse(page(title=title, head=head, h1=h1), URL).title == expected
