"""Generated pages: deterministic, in each family's real markup, and their truth matches the HTML."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import jdatetime
import pytest
from bs4 import BeautifulSoup

from worker.testing.mirror.sitegen import FAMILIES, generate_article, generate_listing

# the selectors observed on the real pages of each family (see the corpus truth files)
BODY = {
    "nastooh": "div.item-text[itemprop=articleBody] > p, div.item-text[itemprop=articleBody] > h3",
    "iransamaneh": "div.body > p, div.body > h2",
    "tasnim": "div.story > p, div.story > h2",
    "jsonld": "main article div[dir=rtl] > p, main article div[dir=rtl] > h2",
}
TITLE = {"nastooh": "h1.first-title[itemprop=headline]", "iransamaneh": "div.title h1.Htags a.title",
         "tasnim": "article.single-news h1.title", "jsonld": "main h1"}
LEAD = {"nastooh": "p.summary", "iransamaneh": "div.subtitle h2.Htags_news_subtitle strong",
        "tasnim": "h3.lead", "jsonld": None}
DATE = {"nastooh": "div.meta-news span.text-meta", "iransamaneh": "div.news_pdate_c",
        "tasnim": "ul.details li.time", "jsonld": "main time"}
TAGS = {"nastooh": "footer.tags li a", "iransamaneh": "div.tag_items a.tags_item",
        "tasnim": "ul.smart-keyword li a", "jsonld": None}
PATHS = {
    "nastooh": r"^/news/\d{11,13}/[^/]+$",
    "iransamaneh": r"^/fa/news/\d+/[^/]+$",
    "tasnim": r"^/fa/news/1[34]\d\d/\d\d/\d\d/\d+/[^/]+$",
    "jsonld": r"^/persian/articles/c[0-9a-z]{9}o$",
}
PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]


def clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def extract(html: bytes, family: str) -> dict:
    soup = BeautifulSoup(html, "lxml")
    blocks = [clean(el.get_text()) for el in soup.select(BODY[family])]
    blocks = [b for b in blocks if b and not b.startswith("انتهای پیام")]
    ld = soup.find("script", type="application/ld+json")
    ld = json.loads(ld.string) if ld else {}
    return {
        "title": clean(soup.select_one(TITLE[family]).get_text()),
        "lead": clean(soup.select_one(LEAD[family]).get_text()) if LEAD[family] else ld["description"],
        "paragraphs": blocks,
        "date": clean(soup.select_one(DATE[family]).get_text().replace("تاریخ انتشار:", "")),
        "tags": [clean(a.get_text()) for a in soup.select(TAGS[family])] if TAGS[family] else ld["keywords"],
        "text": clean(soup.get_text(" ")),
    }


@pytest.mark.parametrize("family", FAMILIES)
def test_deterministic_and_distinct(family):
    a = generate_article(5, family, size_kb=90)
    assert generate_article(5, family, size_kb=90) == a
    b = generate_article(6, family, size_kb=90)
    assert b[0] != a[0] and b[1] != a[1] and b[2]["title"] != a[2]["title"]
    assert b[2]["paragraphs"] != a[2]["paragraphs"]


@pytest.mark.parametrize("family", FAMILIES)
def test_truth_matches_html(family):
    for n in range(25):
        html, path, truth = generate_article(n, family)
        got = extract(html, family)
        assert got["title"] == truth["title"], (n, family)
        assert got["lead"] == truth["lead"]
        assert got["paragraphs"] == truth["paragraphs"]
        assert got["tags"] == truth["tags"]
        assert got["date"] == truth["published_raw"]
        assert truth["paragraphs"][0].startswith(truth["body_first_sentence"])
        assert truth["paragraphs"][-1].endswith(truth["body_last_sentence"])
        assert truth["url_path"] == path and re.match(PATHS[family], path), path
        assert truth["family"] == family and truth["news_id"] in path
        # boilerplate is on the page but never inside the article text
        body = "\n".join(truth["paragraphs"])
        for t in truth["related_titles"]:
            assert t not in body
        assert any(t in got["text"] for t in truth["related_titles"])
        if truth["supertitle"]:
            assert truth["supertitle"] in got["text"]


def _expected_offset(jd: jdatetime.datetime) -> timedelta | None:
    """Iran DST (until 1401): 2 Farvardin .. 30 Shahrivar at +04:30; None on the edge days."""
    if jd.year >= 1402 or jd.month > 6 or (jd.month == 1 and jd.day == 1):
        return timedelta(hours=3, minutes=30)
    if (jd.month == 1 and jd.day == 2) or (jd.month == 6 and jd.day in (30, 31)):
        return None
    return timedelta(hours=4, minutes=30)


@pytest.mark.parametrize("family", ["nastooh", "iransamaneh", "tasnim"])
def test_dates_jalali_and_tehran_offset(family):
    offsets = set()
    for n in range(60):
        truth = generate_article(n, family)[2]
        dt = datetime.fromisoformat(truth["published_iso"])
        jd = jdatetime.datetime.fromgregorian(datetime=dt.replace(tzinfo=None))
        expected = _expected_offset(jd)
        if expected is not None:
            assert dt.utcoffset() == expected, truth["published_iso"]
        offsets.add(dt.utcoffset())
        raw = truth["published_raw"]
        digits = re.findall(r"\d+", raw.translate(PERSIAN_DIGITS))
        assert int(digits[0]) == jd.day and int(digits[1]) == jd.year
        assert int(digits[2]) == jd.hour and int(digits[3]) == jd.minute
        assert MONTHS[jd.month - 1] in raw.replace("ي", "ی")
        assert not re.search(r"[0-9]", raw), "visible dates use Persian digits"
    assert offsets == {timedelta(hours=4, minutes=30), timedelta(hours=3, minutes=30)}


def test_explicit_published_and_base_url():
    html, path, truth = generate_article(1, "tasnim", published=datetime(2023, 4, 10, 9, 5),
                                         base_url="http://127.0.0.1:9")
    assert truth["published_iso"] == "2023-04-10T09:05:00+03:30"
    assert path.startswith("/fa/news/1402/01/21/")
    html, path, truth = generate_article(1, "nastooh", published=datetime(2019, 5, 30, 0, 20, 37),
                                         base_url="http://127.0.0.1:9")
    assert truth["published_iso"] == "2019-05-30T00:20:37+04:30"
    assert truth["published_raw"] == "۹ خرداد ۱۳۹۸ / ۰۰:۲۰"
    assert b'content="2019-05-29T19:50:37Z"' in html            # article:published_time in UTC
    assert b'href="http://127.0.0.1:9' + path.encode() + b'"' in html   # canonical on the given origin


def test_persian_text_features():
    texts = [" ".join(generate_article(n, f)[2]["paragraphs"]) for n in range(20) for f in FAMILIES]
    joined = "\n".join(texts)
    assert "\u200c" in joined                   # ZWNJ
    assert "ي" in joined or "ك" in joined       # occasional Arabic yeh/kaf
    assert re.search("[۰-۹]", joined) and re.search("[0-9]", joined)
    assert "«" in joined and "»" in joined
    assert sum(t.startswith("به گزارش") for t in texts) >= 40
    # agencies' tasnim markup writes ZWNJ as an entity
    html = generate_article(2, "tasnim")[0]
    assert b"&zwnj;" in html


@pytest.mark.parametrize("size_kb", [70, 150, 300])
@pytest.mark.parametrize("family", FAMILIES)
def test_size_honoured(family, size_kb):
    html, _, truth = generate_article(11, family, size_kb=size_kb)
    assert size_kb * 1024 <= len(html) < (size_kb + 12) * 1024
    # padding is boilerplate, the article itself is unchanged
    assert truth["paragraphs"] == generate_article(11, family)[2]["paragraphs"]
    assert extract(html, family)["paragraphs"] == truth["paragraphs"]


@pytest.mark.parametrize("family", FAMILIES)
def test_listing(family):
    entries = []
    for n in range(4):
        _, path, truth = generate_article(n, family)
        entries.append({"url": path, "title": truth["title"], "lead": truth["lead"],
                        "published": datetime.fromisoformat(truth["published_iso"])})
    html = generate_listing(family, entries, page=2, prev_url="/list?p=1", next_url="/list?p=3").decode()
    for e in entries:
        assert f'href="{e["url"]}"' in html and e["title"] in html
    assert 'rel="next" href="/list?p=3"' in html and 'rel="prev" href="/list?p=1"' in html


def test_unknown_family():
    with pytest.raises(ValueError, match="unknown family"):
        generate_article(1, "wordpress")


def test_iransamaneh_head_quirks():
    """Some pages write <meta name="og:title" value=...> and hex entities, as the corpus YJC page."""
    heads = [generate_article(n, "iransamaneh")[0].split(b"</head>")[0] for n in range(40)]
    assert any(b'name="og:title" value="' in h or (b'value="' in h and b'name="og:title"' in h) for h in heads)
    assert any(b'&#x' in h for h in heads) and any(b'property="og:title" content="' in h for h in heads)
    for n in range(40):        # whatever the head looks like, the visible page still matches the truth
        html, _, truth = generate_article(n, "iransamaneh")
        assert extract(html, "iransamaneh")["title"] == truth["title"]
        og = BeautifulSoup(html, "lxml").find("meta", attrs={"property": "og:title"}) or \
            BeautifulSoup(html, "lxml").find("meta", attrs={"name": "og:title"})
        assert (og.get("content") or og.get("value")) == truth["title"]
