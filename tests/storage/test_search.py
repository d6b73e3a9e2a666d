"""Full-text search with Persian folding, filters, snippets, hostile input — both backends."""
from __future__ import annotations

import pytest
from storage_helpers import make_article, persian_text

from storage import SearchQueryError


@pytest.fixture
def filled(archive):
    archive.store(make_article("https://www.isna.ir/news/1/", "سفر لاوروف به لندن",
                               "وزیر امور خارجه روسیه در سال ۲۰۱۸ به لندن رفت. " + persian_text(1),
                               published="2018-03-21T10:00:00+04:30"))
    archive.store(make_article("https://www.yjc.ir/news/2/", "بازار نفت",
                               "قیمت نفت در بازار جهانی بالا رفت و کتاب‌های تازه چاپ شد. " + persian_text(2),
                               source="yjc", published="2023-05-01T10:00:00+03:30"))
    archive.store(make_article("https://www.yjc.ir/news/3/", "روسيه و اوکراين",
                               "گزارش سال 2022 درباره جنگ. " + persian_text(3), source="yjc",
                               published="2022-06-01T10:00:00+04:30"))
    return archive


def ids(hits):
    return {h["url"] for h in hits}


def test_arabic_yeh_finds_persian_yeh_and_back(filled):
    assert "https://www.isna.ir/news/1/" in ids(filled.search("روسيه"))      # Arabic yeh in the query
    assert "https://www.yjc.ir/news/3/" in ids(filled.search("روسیه"))       # Arabic yeh in the text


def test_digit_scripts_fold(filled):
    assert ids(filled.search("2018")) == {"https://www.isna.ir/news/1/"}
    assert ids(filled.search("۲۰۲۲")) == {"https://www.yjc.ir/news/3/"}


def test_zwnj_versus_space(filled):
    assert "https://www.yjc.ir/news/2/" in ids(filled.search("کتاب های"))
    assert "https://www.yjc.ir/news/2/" in ids(filled.search('"کتاب‌های تازه"'))


def test_snippets_highlight_the_match(filled):
    hit = filled.search("لندن", marks=("[", "]"))[0]
    assert "[لندن]" in hit["snippet"] and "[لندن]" in hit["title_hl"]


def test_filters_by_source_and_published_day(filled):
    assert ids(filled.search("سال", source="yjc")) == {"https://www.yjc.ir/news/3/"}
    assert ids(filled.search("سال", since="2020-01-01")) == {"https://www.yjc.ir/news/3/"}
    assert ids(filled.search("سال", until="2019-01-01")) == {"https://www.isna.ir/news/1/"}
    assert filled.search("سال", since="2024-01-01") == []


def test_phrase_or_and_prefix(filled):
    assert ids(filled.search('"بازار جهانی"')) == {"https://www.yjc.ir/news/2/"}
    assert ids(filled.search('"جهانی بازار"')) == set()
    assert ids(filled.search("لندن OR اوکراین")) == {"https://www.isna.ir/news/1/", "https://www.yjc.ir/news/3/"}
    assert ids(filled.search("اوکرا*")) == {"https://www.yjc.ir/news/3/"}
    assert ids(filled.search("لندن جنگ")) == set()                           # implicit AND


@pytest.mark.parametrize("query", ['"روسیه', "روسیه\"'", "AND", "روسیه AND OR NOT", "*", "**روسیه",
                                   "(روسیه", "روسیه) NEAR(", "title:روسیه", "'; DROP TABLE articles; --",
                                   "^روسیه", "روسیه -", "{}[]", '"" OR ""', "a:*|!&"])
def test_hostile_queries_never_raise_sql_errors(filled, query):
    try:
        hits = filled.search(query)
    except SearchQueryError as exc:          # a clear "nothing to search for", never a driver error
        assert "search" in str(exc)
        return
    assert isinstance(hits, list)
    assert filled.index.count("articles") == 3


def test_limit(filled):
    assert len(filled.search("و", limit=2)) == 2


def test_snippets_show_the_stored_text_not_the_folded_index_copy(archive):
    archive.store(make_article("https://www.isna.ir/news/9/", "آمار جديد", "مرکز آمار ايران در سال ۱۴۰۲ گزارش‌ها را منتشر کرد."))
    hit = archive.search('امار ایران 1402 "گزارش ها"', marks=("[", "]"))[0]
    assert hit["snippet"] == "مرکز [آمار] [ايران] در سال [۱۴۰۲] [گزارش‌ها] را منتشر کرد."
    assert hit["title_hl"] == "[آمار] جديد"
