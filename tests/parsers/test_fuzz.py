"""Random and truncated HTML into `parse`: an Article or a ParseError subclass, nothing else."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import Article, ParseError, parse
from tests.parsers.pages import iransamaneh_page
from tests.parsers.pages import seed_body_html as _body_html

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAGS = ["p", "div", "h1", "h2", "span", "a", "strong", "br", "li", "ul", "blockquote", "figure", "figcaption",
        "script", "style", "article", "meta", "title", "img", "table", "td"]
ATTRS = ['', ' class="body"', ' class="item-text"', ' class="story"', ' property="og:title" content="x"',
         ' name="generator" content="nastooh"', ' href="/news/1"', ' src="x.jpg"', ' style="display:none"',
         ' type="application/ld+json"', ' property="article:published_time" content="2019-05-29T19:50:37Z"']
WORDS = ["خبر", "انتهای پیام", "/ی", "«", "»", "&zwnj;", "&#x6AF;", "&amp;", "&#0;", "&#xD800;", "۱۳۹۸/۰۲/۱۲",
         "به گزارش", "؛", ":", "<", ">", "\x00", "\u200c", "ي", "ك", "\ufeff", "<!--", "-->", "<![CDATA[", "]]>",
         '{"@type": "NewsArticle", "headline": [1], "author": {"name": 5}, "datePublished": null}',
         '[{"@graph": [{"@type": ["Article"], "keywords": 3}]}]', "۹ خرداد ۱۳۹۸ / ۰۰:۲۰", "30 اسفند 1399"]


def check(data: bytes, url: str = "https://www.example.ir/news/1") -> None:
    try:
        result = parse(data, url)
    except ParseError:
        return
    assert isinstance(result, Article)
    result.to_json()


@st.composite
def html_soup(draw) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag}{draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(WORDS)))
        else:
            parts.append(draw(st.text(max_size=40)))
    text = "".join(parts)
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1256", "latin-1"]))
    return text.encode(encoding, errors="ignore")


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check(data)


@FUZZ
@given(html_soup())
def test_random_html(data):
    check(data)


@FUZZ
@given(html_soup(), st.sampled_from(["", "not a url", "https://www.isna.ir/", "ftp://x/y", "https://[::1"]))
def test_random_html_any_url(data, url):
    check(data, url)


@pytest.fixture(scope="module")
def real_pages(corpus: Path, seed_lines) -> list[bytes]:
    pages = [p.read_bytes() for p in sorted((corpus / "html").glob("*/*.html"))]
    pages.append(iransamaneh_page(supertitle=seed_lines[0], title=seed_lines[1], lead=seed_lines[2],
                                  body_html=_body_html(seed_lines), date="۱ دی ۱۳۹۶ - ۱۹:۲۵"))
    return pages


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_truncated_and_spliced_real_pages(real_pages, data):
    page = data.draw(st.sampled_from(real_pages))
    cut = data.draw(st.integers(0, len(page)))
    mode = data.draw(st.sampled_from(["head", "tail", "hole"]))
    if mode == "head":
        chunk = page[:cut]
    elif mode == "tail":
        chunk = page[cut:]
    else:
        end = data.draw(st.integers(cut, len(page)))
        chunk = page[:cut] + page[end:]
    check(chunk)
