"""Issue 8 part A: typed seams keep their strings, one Fetcher factory, one declaration per agency,
the registry's profile reaching the parser, a new family as one dropped TOML file."""
from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

import pytest

import parsers
from parsers import known_profiles, parse
from parsers.profiles import load_profiles
from parsers.urls import canonicalize, news_id_from_url, rules
from storage.dedup import Status
from worker.http.fetcher import make_fetcher
from worker.http.politeness import LocalPoliteness, RedisPoliteness
from worker.pipeline.outcomes import STORE_STATUSES, ErrorKind, PageStatus, ParseFailure
from worker.pipeline.pages import FetchedPage, parse_outcome
from worker.pipeline.stages import Pipeline
from worker.sources import SourceError, load_sources

PROFILE_DIR = Path(parsers.__file__).parent / "profiles"


# -- enums: the same strings as before ------------------------------------------------------
def test_statuses_and_kinds_keep_their_strings():
    assert [str(s) for s in STORE_STATUSES] == ["new", "version", "alias", "unchanged"]
    assert {s.value for s in Status} == {s.value for s in STORE_STATUSES}   # storage's spelling
    assert json.dumps({"status": PageStatus.SKIPPED, "kind": ErrorKind.NOT_ARTICLE}) == \
        '{"status": "skipped", "kind": "not_article"}'
    assert PageStatus("error") is PageStatus.ERROR and ErrorKind("parser_crash") is ErrorKind.PARSER_CRASH
    assert f"{PageStatus.NEW}" == "new" and PageStatus.NEW == Status.NEW


def test_not_an_article_is_told_apart_by_class():
    page = FetchedPage(url="http://127.0.0.1/x", requested_url="http://127.0.0.1/x",
                       canonical_url="http://127.0.0.1/x", source_id="t", content=b"<html><body></body></html>",
                       content_type="text/html; charset=utf-8", fetched_at="2024-01-01T00:00:00Z")
    outcome = parse_outcome(page)
    assert isinstance(outcome, ParseFailure) and outcome.kind is ErrorKind.NOT_ARTICLE


# -- one Fetcher factory -------------------------------------------------------------------
def test_every_fetcher_shares_one_politeness_through_redis(redis_db3, settings):
    client, prefix = redis_db3
    settings = dataclasses.replace(settings, queue_prefix=prefix, politeness_interval=1.0)
    first, second = make_fetcher(settings, client), make_fetcher(settings, client)
    pipeline_fetcher = Pipeline(settings, sources={}, redis=client).fetcher
    assert all(isinstance(f.politeness, RedisPoliteness) for f in (first, second, pipeline_fetcher))
    first.politeness.penalize("agency.example", 30.0)
    # what one process learns about a host, every other Fetcher built the same way obeys
    assert second.politeness.reserve("agency.example", 1.0) > 20.0
    assert pipeline_fetcher.politeness.reserve("agency.example", 1.0) > 20.0
    assert isinstance(make_fetcher(settings).politeness, LocalPoliteness)   # no Redis: in-process


def test_cli_helpers_use_the_factory(monkeypatch, settings):
    from worker.cli import sources as cli_sources
    from worker.http import fetcher as fetcher_module

    calls = []
    real = fetcher_module.make_fetcher
    monkeypatch.setattr(fetcher_module, "make_fetcher", lambda s, r=None: calls.append(r) or real(s, r))
    cli_sources.make_fetcher(dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    assert calls == [None]   # Redis unreachable: same factory, in-process politeness


# -- one declaration per agency ------------------------------------------------------------
NEW_AGENCY = '''
[[source]]
id = "newagency"
name_fa = "خبرگزاری تازه"
name_en = "New Agency"
home = "https://www.newagency.example/"
hosts = ["newagency.example", "www.newagency.example", "m.newagency.example"]
feeds = ["https://www.newagency.example/rss"]
profile = "nastooh"

[source.url_rules]
canonical_host = "www.newagency.example"
ids = [{ path = '^/(?:fa/)?story/(?P<id>\\d{4,})(?:/|$)', canonical = "/story/{id}" }]
'''


def test_an_agency_is_one_source_block_with_its_url_rules(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(NEW_AGENCY, encoding="utf-8")
    try:
        sources = load_sources(path)
        assert sources["newagency"].profile == "nastooh"
        url = "https://m.newagency.example/fa/story/123456/some-slug?utm_source=x"
        assert canonicalize(url, "newagency") == "https://www.newagency.example/story/123456"
        assert news_id_from_url(url, "newagency") == "123456"
    finally:
        rules().pop("newagency", None)


def test_bad_inline_url_rules_name_the_source_and_key(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(NEW_AGENCY.replace("canonical_host", "canonical_hots"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"newagency.*url_rules.*canonical_hots"):
        load_sources(path)
    assert "newagency" not in rules()


def test_the_shipped_registry_still_loads():
    assert len(load_sources()) >= 5


# -- the registry's profile reaches the parser ---------------------------------------------
BODY = "".join(f"<p>این بند شماره {i} از متن خبر است که برای آزمون نوشته شده و جمله‌ای کامل دارد.</p>"
               for i in range(30))
THIN_TASNIM = (
    '<html lang="fa"><head><meta charset="utf-8"><title>عنوان خبر آزمون</title>'
    '<meta property="og:type" content="article"><meta property="og:title" content="عنوان خبر آزمون">'
    '<meta property="article:published_time" content="2024-03-01T10:00:00+03:30"></head><body>'
    f'<h1>عنوان خبر آزمون</h1><h3 class="lead">لید خبر آزمون</h3><div class="content">{BODY}</div>'
    '</body></html>').encode()


def test_profile_hint_reaches_the_parser_and_the_page_still_decides():
    url = "http://127.0.0.1:8000/news/1234567"
    assert parse(THIN_TASNIM, url).parser.profile != "tasnim"    # one marker: too thin alone
    assert parse(THIN_TASNIM, url, profile_hint="tasnim").parser.profile == "tasnim"
    # a hint for a family the page shows no sign of does not win
    assert parse(THIN_TASNIM, url, profile_hint="fars").parser.profile != "fars"


def test_pipeline_passes_the_registry_profile(settings):
    sources = load_sources()
    tasnim = next(s for s in sources.values() if s.profile == "tasnim")
    pipeline = Pipeline(settings, sources=sources)
    assert pipeline.profile_hint(tasnim.id) == "tasnim" and pipeline.profile_hint("nosuch") is None
    page = FetchedPage(url="http://127.0.0.1:8000/news/1234567", requested_url="http://127.0.0.1:8000/news/1234567",
                       canonical_url="http://127.0.0.1:8000/news/1234567", source_id=tasnim.id,
                       content=THIN_TASNIM, content_type="text/html; charset=utf-8",
                       fetched_at="2024-03-01T07:00:00Z")
    article = parse_outcome(page, pipeline.profile_hint(tasnim.id))
    assert not isinstance(article, ParseFailure) and article.parser.profile == "tasnim"


# -- a new family is one TOML file -----------------------------------------------------------
def test_a_new_family_is_one_dropped_toml_file(tmp_path):
    name = f"testfam{uuid.uuid4().hex[:6]}"
    path = PROFILE_DIR / f"{name}.toml"
    path.write_text(f'''name = "{name}"
[detect]
generator = ["testcms"]
markers = ["div.tc-article"]
[fields]
title = ["div.tc-article h1.tc-title"]
lead = ["div.tc-article p.tc-lead"]
body = ["div.tc-article div.tc-body"]
''', encoding="utf-8")
    load_profiles.cache_clear()
    try:
        assert name in known_profiles()
        registry = tmp_path / "sources.toml"
        registry.write_text(NEW_AGENCY.replace('profile = "nastooh"', f'profile = "{name}"'), encoding="utf-8")
        assert load_sources(registry)["newagency"].profile == name
        page = ('<html><head><meta name="generator" content="TestCMS 2"><title>t</title>'
                '<meta property="og:type" content="article"></head><body><div class="tc-article">'
                f'<h1 class="tc-title">عنوان تازه</h1><p class="tc-lead">لید</p><div class="tc-body">{BODY}</div>'
                '</div></body></html>').encode()
        article = parse(page, "https://www.newagency.example/story/1234")
        assert article.parser.profile == name and article.title == "عنوان تازه"
    finally:
        path.unlink()
        load_profiles.cache_clear()
        rules().pop("newagency", None)
