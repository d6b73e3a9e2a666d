"""URL canonicalization: one test per agency, then the generic rules."""
from __future__ import annotations

import pytest

from parsers.urls import InvalidURL, canonicalize, host_of, news_id_from_url, rules
from worker.sources import load_sources


def same(canonical: str, *variants: str, source: str | None = None) -> None:
    for v in variants:
        assert canonicalize(v, source) == canonical, v


def test_isna():
    same("https://www.isna.ir/news/98030903723",
         "https://www.isna.ir/news/98030903723/کارشناسی-داوری-دیدار-سپاهان-و-پرسپولیس-از-زبان-عسگری",
         "http://isna.ir/news/98030903723/%DA%A9%D8%A7%D8%B1%D8%B4%D9%86%D8%A7%D8%B3%DB%8C?utm_source=telegram",
         "https://m.isna.ir/news/98030903723/",
         "https://www.isna.ir/amp/98030903723/slug#comments",
         "https://www.isna.ir:443/news/98030903723")
    assert news_id_from_url("https://www.isna.ir/news/98030903723/x") == "98030903723"


def test_irna():
    same("https://www.irna.ir/news/85112233", "https://www.irna.ir/news/85112233/عنوان-خبر",
         "https://irna.ir/news/85112233/?fbclid=abc", "https://www.irna.ir/amp/85112233/")


def test_mehr():
    same("https://www.mehrnews.com/news/5708374", "https://www.mehrnews.com/news/5708374/سلام",
         "https://www.mehrnews.com/amp/5708374/", "https://m.mehrnews.com/news/5708374?gclid=1")


def test_tasnim_long_short_and_amp():
    same("https://tn.ai/2015910",
         "https://www.tasnimnews.com/fa/news/1398/02/30/2015910/%D9%84%DB%8C%DA%AF-%D9%82%D9%87%D8%B1%D9%85%D8%A7%D9%86%D8%A7%D9%86",
         "https://www.tasnimnews.com/fa/news/1398/02/30/2015910/لیگ-قهرمانان",
         "https://tn.ai/2015910", "http://tn.ai/2015910/",
         "https://www.tasnimnews.com/fa/amp/news/1398/02/30/2015910/x")
    assert news_id_from_url("https://tn.ai/2015910") == "2015910"


def test_fars():
    same("https://www.farsnews.ir/news/14020101000123",
         "https://www.farsnews.ir/news/14020101000123/عنوان", "https://farsnews.ir/printnews/14020101000123",
         "https://www.farsnews.ir/amp/14020101000123")


def test_yjc_iransamaneh():
    same("https://www.yjc.ir/fa/news/6919119", "http://www.yjc.ir/fa/news/6919119",
         "https://www.yjc.ir/fa/news/6919119/گردهمایی-رؤسای-سازمان-نظام-دامپزشکی-کشور-در-شهرکرد",
         "https://m.yjc.ir/fa/news/6919119/x", "https://www.yjc.news/fa/news/6919119")


def test_irib_provincial_subdomains_fold_to_one_story():
    same("https://www.iribnews.ir/fa/news/4012345", "https://zanjan.iribnews.ir/fa/news/4012345/خبر",
         "https://www.iribnews.ir/fa/news/4012345", "http://kerman.iribnews.ir/fa/amp/news/4012345")
    # non-article pages keep the provincial host: each province's home page is its own page
    assert canonicalize("https://zanjan.iribnews.ir/") == "https://www.iribnews.ir/"


@pytest.mark.parametrize("sid,host", [("tabnak", "tabnak.ir"), ("asriran", "asriran.com"),
                                      ("entekhab", "entekhab.ir")])
def test_other_iransamaneh_agencies(sid, host):
    same(f"https://www.{host}/fa/news/123456", f"http://{host}/fa/news/123456/عنوان?ref=home",
         f"https://www.{host}/fa/print/123456")
    assert news_id_from_url(f"https://www.{host}/fa/news/123456/x") == "123456"


@pytest.mark.parametrize("host", ["khabaronline.ir", "hamshahrionline.ir", "imna.ir", "shahr.ir"])
def test_other_nastooh_agencies(host):
    same(f"https://www.{host}/news/1712345", f"https://{host}/news/1712345/عنوان-خبر/",
         f"https://www.{host}/amp/1712345")


def test_ilna_and_donya_asam():
    same("https://www.ilna.ir/fa/tiny/news-1345678",
         "https://www.ilna.ir/بخش-سیاسی-3/1345678-عنوان-خبر", "https://ilna.ir/fa/tiny/news-1345678")
    same("https://donya-e-eqtesad.com/fa/tiny/news-3963574",
         "https://donya-e-eqtesad.com/%D8%A8%D8%AE%D8%B4-%D8%A8%D8%A7%D8%B2%D8%A7%D8%B1-61/3963574-%D8%B9%D9%86%D9%88%D8%A7%D9%86")


def test_bbc_persian():
    same("https://www.bbc.com/persian/articles/c4nx2e0d9lzo",
         "https://www.bbc.com/persian/articles/c4nx2e0d9lzo.amp",
         "https://www.bbc.co.uk/persian/articles/c4nx2e0d9lzo?at_medium=RSS&at_campaign=KARANGA")
    same("https://www.bbc.com/persian/iran-56789012", "https://www.bbc.co.uk/persian/iran-56789012.amp")


def test_radiofarda_dw_independent_euronews():
    same("https://www.radiofarda.com/a/32345678.html", "https://www.radiofarda.com/a/عنوان/32345678.html",
         "https://m.radiofarda.com/a/32345678.html")
    same("https://www.dw.com/fa-ir/a-64000000", "https://www.dw.com/fa-ir/%D8%B9%D9%86%D9%88%D8%A7%D9%86/a-64000000")
    same("https://www.independentpersian.com/node/312345",
         "https://www.independentpersian.com/node/312345/سیاست/عنوان")
    same("https://parsi.euronews.com/2023/03/21/نوروز-در-تهران",
         "https://parsi.euronews.com/2023/03/21/%D9%86%D9%88%D8%B1%D9%88%D8%B2-%D8%AF%D8%B1-%D8%AA%D9%87%D8%B1%D8%A7%D9%86/",
         "http://parsi.euronews.com/2023/03/21/نوروز-در-تهران?utm_medium=x")
    assert news_id_from_url("https://parsi.euronews.com/2023/03/21/x") is None


def test_every_registry_source_has_a_url_rule():
    assert set(load_sources()) == set(rules())


def test_generic_rules_on_unknown_hosts():
    same("http://example.com/a/b?x=1&y=2", "HTTP://Example.COM:80/a//b/?y=2&x=1&utm_campaign=z#top")
    same("https://example.com/", "https://example.com", "https://example.com/?fbclid=1")
    same("https://example.com/p%2Fq/r%20s", "https://example.com/p%2fq/r s", "https://example.com/p%2Fq/./r%20s")
    # reserved characters stay escaped, Persian is decoded, invalid UTF-8 is left escaped (uppercase)
    assert canonicalize("https://example.com/?q=%D8%B3%D9%84%D8%A7%D9%85%26x") == "https://example.com/?q=سلام%26x"
    assert canonicalize("https://example.com/%ff%fe") == "https://example.com/%FF%FE"
    assert canonicalize(canonicalize("https://example.com/a b/سلام?b=1&a=%D8%B3")) == \
        canonicalize("https://example.com/a b/سلام?b=1&a=%D8%B3")          # idempotent


def test_mirror_host_with_named_source_keeps_origin_and_drops_slug():
    assert canonicalize("http://127.0.0.1:8123/news/1402010100001/عنوان?utm_source=x", "isna") == \
        "http://127.0.0.1:8123/news/1402010100001"
    assert news_id_from_url("http://127.0.0.1:8123/fa/news/1402/01/01/123456/x", "tasnim") == "123456"
    assert news_id_from_url("http://127.0.0.1:8123/fa/news/123/x") is None


def test_host_of_and_invalid_urls():
    assert host_of("https://WWW.ISNA.IR:8443/news/1") == "www.isna.ir"
    assert host_of("not a url") == ""
    with pytest.raises(InvalidURL, match="not an absolute"):
        canonicalize("/relative/path")
    with pytest.raises(InvalidURL):
        canonicalize("mailto:someone@example.com")
