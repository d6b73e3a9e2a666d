"""Cleaning and block typing on small hand-written bodies."""
from __future__ import annotations

import lxml.html
import pytest

from parsers.clean import clean_region, cut_at_end_marker, is_end_marker, is_reporter_code, strip_end_marker_suffix
from parsers.structure import body_parts, clean_supertitle, news_id_from_text, strip_label


def blocks(html: str, drop: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    region = lxml.html.fragment_fromstring(html, create_parent="div")
    parts = body_parts(clean_region(region, drop), "https://example.ir/news/1")
    return [(b.type, b.text) for b in parts.blocks]


@pytest.mark.parametrize("text", ["انتهای پیام", "انتهای پیام/", "انتهای پیام/ز", " انتهای  پیام / ی ", "/ی", "/ز",
                                  "انتهاي پيام"])
def test_end_markers(text):
    assert is_end_marker(text)


@pytest.mark.parametrize("text", ["پیام رئیس جمهور به مناسبت عید", "انتهای پیام رهبری درباره سیل جنوب کشور بود",
                                  "1398/02/12"])
def test_not_end_markers(text):
    assert not is_end_marker(text)


def test_end_marker_glued_to_last_paragraph():
    assert strip_end_marker_suffix("این طرح تا پایان سال اجرا می‌شود. انتهای پیام/") == "این طرح تا پایان سال اجرا می‌شود."
    assert strip_end_marker_suffix("این طرح تا پایان سال اجرا می‌شود./ی") == "این طرح تا پایان سال اجرا می‌شود."
    assert strip_end_marker_suffix("نسبت ۲/۳ است") == "نسبت ۲/۳ است"


def test_everything_after_the_end_marker_is_cut():
    kept, found = cut_at_end_marker(["یک.", "دو.", "انتهای پیام/ز", "زیرتیتر یتیم"])
    assert (kept, found) == (["یک.", "دو."], True)


def test_reporter_codes():
    assert is_reporter_code("R35347/P1015135/S3,27/CT7")
    assert is_reporter_code("کد خبرنگار: ۷۱۶۱۷")
    assert not is_reporter_code("در سال 2018 در روسیه")


def test_block_types():
    html = """
      <h2>زیرتیتر اول</h2>
      <p>پاراگراف <b>با</b> <a href="/x">پیوند</a> درون‌خطی.</p>
      <p><strong>زیرتیتر پررنگ</strong></p>
      <p><strong>برچسب:</strong> متن پس از برچسب.</p>
      <blockquote><p>«نقل قولی مستقیم از سخنران.»</p></blockquote>
      <ul><li>مورد یک</li><li>مورد دو</li></ul>
      <figure><img src="/a.jpg"><figcaption>عکس: شرح تصویر</figcaption></figure>
      <div>سطر اول متن<br>سطر دوم متن<br><br>سطر سوم</div>
      <p>خط اول<br>ادامهٔ همان جمله.</p>"""
    assert blocks(html) == [
        ("heading", "زیرتیتر اول"),
        ("paragraph", "پاراگراف با پیوند درون‌خطی."),
        ("heading", "زیرتیتر پررنگ"),
        ("paragraph", "برچسب: متن پس از برچسب."),
        ("quote", "«نقل قولی مستقیم از سخنران.»"),
        ("list_item", "مورد یک"), ("list_item", "مورد دو"),
        ("caption", "عکس: شرح تصویر"),
        ("paragraph", "سطر اول متن"), ("paragraph", "سطر دوم متن"), ("paragraph", "سطر سوم"),
        ("paragraph", "خط اول ادامهٔ همان جمله."),
    ]


def test_images_carry_captions_and_absolute_urls():
    region = lxml.html.fragment_fromstring(
        '<div><figure><img src="/a.jpg"><figcaption>شرح</figcaption></figure><p>متن <img data-src="b.png"></p></div>')
    parts = body_parts(clean_region(region), "https://example.ir/news/1")
    assert [(i.url, i.caption) for i in parts.images] == [
        ("https://example.ir/a.jpg", "شرح"), ("https://example.ir/news/b.png", "")]


def test_boilerplate_removed_and_page_tree_untouched():
    html = """<div><p>متن اصلی خبر که باید بماند.</p>
      <div class="share-box"><a href="#">اشتراک</a></div><div class="related-news"><a href="/n/2">خبر مرتبط</a></div>
      <div class="ad-slot">تبلیغ</div><script>var x = "اسکریپت";</script><style>p{}</style>
      <div class="comments">نظر کاربر</div><p style="display:none">پنهان</p><div class="keep">بخش ماندنی</div></div>"""
    region = lxml.html.fragment_fromstring(html)
    before = lxml.html.tostring(region)
    texts = [t for _, t in [(b.type, b.text) for b in body_parts(clean_region(region, (".keep",)), "").blocks]]
    assert texts == ["متن اصلی خبر که باید بماند."]
    assert lxml.html.tostring(region) == before  # drop selectors work on a copy


def test_supertitle_separator_removed():
    assert clean_supertitle(" وزير امور خارجه روسيه؛ ") == "وزير امور خارجه روسيه"
    assert clean_supertitle("رئیس‌جمهور:") == "رئیس‌جمهور"
    assert clean_supertitle("  ") is None


def test_small_helpers():
    assert news_id_from_text("کد خبر: ۶۹۱۹۱۱۹") == "6919119"
    assert strip_label("تاریخ انتشار: ۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲") == "۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲"
    assert strip_label("۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲") == "۱۲ ارديبهشت ۱۳۹۸ - ۱۶:۱۲"
