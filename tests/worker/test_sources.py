"""The agency registry: the shipped file, and the errors a broken one produces."""
from __future__ import annotations

from datetime import date

import pytest

from worker.sources import SourceError, load_sources, sources_from_dicts

NAMED_IN_ISSUE = {"irna", "isna", "mehr", "tasnim", "fars", "iribnews", "yjc", "khabaronline", "hamshahri",
                  "tabnak", "asriran", "entekhab", "donya", "ilna", "imna", "shahr", "bbcpersian",
                  "radiofarda", "euronews", "independent", "dw"}


def test_shipped_registry_has_every_agency_with_real_endpoints():
    sources = load_sources()
    assert set(sources) >= NAMED_IN_ISSUE
    for s in sources.values():
        assert s.home.startswith("https://") and s.name_fa and s.name_en and s.hosts
        assert s.feeds and s.sitemaps and s.listings and s.article_patterns, s.id
        assert not s.allow_private and s.enabled
        assert s.profile in {"nastooh", "iransamaneh", "asam", "tasnim", "fars", "jsonld"}
    assert {s.profile for s in sources.values()} == {"nastooh", "iransamaneh", "asam", "tasnim", "fars", "jsonld"}


def test_archive_templates_produce_jalali_dated_pages():
    s = load_sources()
    nowruz = date(2023, 3, 21)   # 1402/01/01
    assert s["isna"].archive_page_url(nowruz, 2) == "https://www.isna.ir/archive?yr=1402&mn=01&dy=01&pi=2"
    assert s["mehr"].archive_page_url(nowruz, 1).startswith("https://www.mehrnews.com/page/archive.xhtml?yr=1402&mn=01")
    assert s["fars"].archive_page_url(nowruz, 3) == "https://www.farsnews.ir/archive?date=1402/01/01&p=3"
    assert "from_date=1402/01/01" in s["yjc"].archive_page_url(nowruz, 1)
    assert s["bbcpersian"].archive_url is None


def test_article_patterns_match_real_urls():
    s = load_sources()
    assert s["isna"].is_article_url("https://www.isna.ir/news/98030903723/کارشناسی")
    assert not s["isna"].is_article_url("https://www.isna.ir/service/Sport")
    assert not s["isna"].is_article_url("https://www.tasnimnews.com/fa/news/1398/02/30/2015910/x")
    assert s["tasnim"].is_article_url("https://www.tasnimnews.com/fa/news/1398/02/30/2015910/x")
    assert s["yjc"].is_article_url("http://www.yjc.ir/fa/news/6919119")
    assert s["iribnews"].is_article_url("https://zanjan.iribnews.ir/fa/news/4012345/x")
    assert s["bbcpersian"].is_article_url("https://www.bbc.com/persian/articles/c4nx2e0d9lzo")


def entry(**kw):
    e = {"id": "x", "name_fa": "ایکس", "name_en": "X", "home": "https://x.ir/", "hosts": ["x.ir", ".x.ir"]}
    e.update(kw)
    return e


@pytest.mark.parametrize("bad,message", [
    (entry(feedz=["https://x.ir/rss"]), "source 1 ('x'): unknown key 'feedz'"),
    (entry(feeds=["not a url"]), "key 'feeds': bad URL 'not a url'"),
    (entry(feeds=["https://elsewhere.com/rss"]), "key 'feeds': URL 'https://elsewhere.com/rss' is outside"),
    (entry(article_patterns=["^/news/(\\d+"]), "key 'article_patterns': bad regex"),
    (entry(archive_url="https://x.ir/a?d={day}"), "key 'archive_url': unknown placeholder(s) ['day']"),
    (entry(id="Bad Id"), "key 'id': 'Bad Id' must match"),
    (entry(poll_interval=10, min_poll=60), "'min_poll' <= 'poll_interval' <= 'max_poll'"),
    (entry(profile="joomla"), "key 'profile': 'joomla' is not one of"),
    (entry(enabled="yes"), "key 'enabled': expected true/false"),
    ({"id": "x", "name_fa": "ایکس"}, "missing key 'name_en'"),
])
def test_errors_name_entry_and_key(bad, message):
    with pytest.raises(SourceError) as err:
        sources_from_dicts([bad], origin="reg.toml")
    assert message in str(err.value) and str(err.value).startswith("reg.toml: source 1")


def test_duplicate_id_and_file_errors(tmp_path):
    with pytest.raises(SourceError, match=r"source 2 \('x'\): key 'id': duplicate id 'x'"):
        sources_from_dicts([entry(), entry()], origin="reg.toml")
    bad = tmp_path / "s.toml"
    bad.write_text('[[source]]\nid = "x"\nname_fa = "x"\n[[source]\n', encoding="utf-8")
    with pytest.raises(SourceError, match="s.toml: invalid TOML"):
        load_sources(bad)
    bad.write_text('[[sourc]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"unknown top-level key\(s\) \['sourc'\]"):
        load_sources(bad)
    with pytest.raises(SourceError, match="cannot read"):
        load_sources(tmp_path / "missing.toml")


def test_host_allow_list_semantics():
    s = sources_from_dicts([entry(hosts=["x.ir", ".cdn.x.ir"])])["x"]
    assert s.allows_host("x.ir") and s.allows_host("a.cdn.x.ir") and s.allows_host("cdn.x.ir")
    assert not s.allows_host("www.x.ir") and not s.allows_host("evilx.ir") and not s.allows_host("x.ir.evil.com")
