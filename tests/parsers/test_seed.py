"""The seed article (../shared/seed) carried by our own IranSamaneh-style page, built at test time."""
from __future__ import annotations

import pytest

from parsers import parse
from parsers.normalize import normalize
from tests.parsers.pages import HEADINGS, iransamaneh_page
from tests.parsers.pages import seed_body_html as _body_html

URL = "https://www.yjc.ir/fa/news/6412345/روابط-روسیه-و-انگلیس"
SUPERTITLE = "وزير امور خارجه روسيه"
TITLE = "روابط روسيه و انگليس در سطح بسيار پاييني قرار دارد"


@pytest.fixture(scope="module")
def seed_article(seed_lines):
    page = iransamaneh_page(supertitle=seed_lines[0], title=seed_lines[1], lead=seed_lines[2],
                            body_html=_body_html(seed_lines), date="۱ دی ۱۳۹۶ - ۱۹:۲۵")
    return parse(page, URL, source="yjc")


def test_seed_header_fields(seed_article, seed_lines):
    assert seed_lines[0].endswith("؛")  # the page publishes the rutitr with its separator
    assert seed_article.supertitle == SUPERTITLE
    assert seed_article.title == TITLE == seed_lines[1]
    assert seed_article.lead == seed_lines[2]
    assert seed_article.parser.profile == "iransamaneh"
    assert seed_article.published == "2017-12-22T19:25:00+03:30"
    assert seed_article.published_raw == "۱ دی ۱۳۹۶ - ۱۹:۲۵"
    assert seed_article.tags == ["روسیه", "انگلیس"]
    assert seed_article.category == "بین الملل"
    assert seed_article.news_id == "6412345"


def test_seed_attribution_spans_the_line_break(seed_article):
    attribution = seed_article.attribution
    assert attribution.agency == "خبرگزاری صدا و سیما"
    assert attribution.service == "بین الملل"
    assert attribution.via == ["خبرگزاری رویترز"]
    assert attribution.dateline == "مسکو"


def test_seed_subheadings_are_heading_blocks(seed_article, seed_lines):
    headings = [b.text for b in seed_article.body if b.type == "heading"]
    expected = [line for line in seed_lines if line.startswith(HEADINGS)]
    assert len(expected) == 2
    assert headings == expected


def test_seed_guillemet_passages_intact(seed_article, seed_lines):
    blocks = {b.text: b.type for b in seed_article.body}
    quoted = [line for line in seed_lines[3:] if "«" in line or "»" in line]
    assert quoted
    for line in quoted:
        assert blocks.get(line) in ("paragraph", "quote"), line[:40]


def test_seed_body_is_complete_and_clean(seed_article, seed_lines):
    text = seed_article.text
    for line in seed_lines[5:]:
        assert line in text
    assert seed_article.body[0].text == f"{seed_lines[3]} {seed_lines[4]}"
    for boilerplate in ("انتهای پیام", "بیشتر بخوانید", "اخبار مرتبط", "تبلیغ", "اشتراک", "نظر یک خواننده",
                        "کلیه حقوق"):
        assert boilerplate not in text
    assert seed_article.body[-1].text == seed_lines[-1]


def test_seed_normalized_layer(seed_article):
    norm = seed_article.normalized
    for value in (norm.supertitle, norm.title, norm.lead, norm.text):
        assert "\u064a" not in value and "\u0643" not in value  # no Arabic yeh / kaf
    assert "نمی\u200cکنیم" in norm.text and "نمیکنیم" not in norm.text
    repeated = normalize("ما بر سر اين نکته توافق کرديم که دو کشور لازم است تا در چارچوب")
    assert seed_article.text.count("ما بر سر اين نکته توافق کرديم که دو کشور") == 2  # as published
    assert norm.text.count(repeated) == 1
    assert seed_article.text.count("ي") > 0  # the as-published layer keeps the agency's letters


def test_attribution_split_over_two_paragraphs(seed_lines):
    """Some pages put «به گزارش سرويس بين الملل» and the agency line in separate <p>: one sentence."""
    html = _body_html(seed_lines).replace("<br />\n", "</p>\n<p>", 1)
    page = iransamaneh_page(supertitle=seed_lines[0], title=seed_lines[1], lead=seed_lines[2],
                            body_html=html, date="۱ دی ۱۳۹۶ - ۱۹:۲۵")
    article = parse(page, URL, source="yjc")
    assert article.body[0].text == f"{seed_lines[3]} {seed_lines[4]}"
    assert article.attribution.agency == "خبرگزاری صدا و سیما"
    assert article.attribution.dateline == "مسکو"
