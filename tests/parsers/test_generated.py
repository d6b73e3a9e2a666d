"""Pages of the test mirror's generator (worker.testing.mirror.sitegen), all four families, plain and padded."""
from __future__ import annotations

from datetime import datetime

import pytest

from parsers import NotAnArticle, parse
from worker.testing.mirror.sitegen import generate_article, generate_listing

FAMILIES = ("nastooh", "iransamaneh", "tasnim", "jsonld")
CASES = [(family, n, size) for family in FAMILIES for n in range(4) for size in (None, 120)]


def ws(text: str | None) -> str | None:
    return None if text is None else " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize(("family", "n", "size_kb"), CASES)
def test_generated_article_matches_its_truth(family, n, size_kb):
    html, path, truth = generate_article(n, family, size_kb=size_kb)
    article = parse(html, "https://www.example.ir" + path)
    assert article.parser.profile == family
    assert article.title == truth["title"]
    assert ws(article.supertitle) == ws(truth["supertitle"])
    assert ws(article.lead) == ws(truth["lead"])
    assert article.published == truth["published_iso"]
    assert ws(article.published_raw) == ws(truth["published_raw"])
    assert [(b.type, ws(b.text)) for b in article.body] == [(b["type"], ws(b["text"])) for b in truth["blocks"]]
    assert article.tags == truth["tags"]
    assert article.category == truth["category"]
    assert article.authors == ([truth["author"]] if truth["author"] else [])
    assert article.news_id == truth["news_id"]
    for related in truth["related_titles"]:
        assert related not in article.text
    assert "انتهای پیام" not in article.text
    if truth["end_marker"]:
        assert truth["end_marker"] not in article.text


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("size_kb", [None, 150])
def test_generated_listing_is_refused(family, size_kb):
    entries = []
    for n in range(12):
        _, path, truth = generate_article(n, family)
        entries.append({"url": path, "title": truth["title"], "lead": truth["lead"],
                        "published": datetime(2019, 3, 4, 6, 50)})
    html = generate_listing(family, entries, size_kb=size_kb)
    for url in ("https://www.example.ir/archive?page=2", ""):
        with pytest.raises(NotAnArticle):
            parse(html, url)


def test_parse_from_many_threads_gives_the_same_articles():
    from concurrent.futures import ThreadPoolExecutor

    pages = [generate_article(n, family)[:2] for n in range(3) for family in FAMILIES]
    sequential = [parse(html, "https://www.example.ir" + path).to_json() for html, path in pages]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda page: parse(page[0], "https://www.example.ir" + page[1]).to_json(), pages * 4))
    assert threaded == sequential * 4


@pytest.mark.parametrize("family", ("nastooh", "iransamaneh", "tasnim"))
def test_generated_attribution_matches_its_truth(family):
    checked = 0
    for n in range(40):
        html, path, truth = generate_article(n, family)
        expected = truth["attribution"]
        if not expected:
            continue
        got = parse(html, "https://www.example.ir" + path).attribution
        assert (got.agency, got.service, got.via, got.dateline) == (
            expected["agency"], expected["service"], expected["via"], expected["dateline"]), (family, n)
        checked += 1
    assert checked >= 30
