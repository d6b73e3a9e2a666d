"""Every hand-checked truth file in the corpus ($BAYEGAN_CORPUS/truth/*/*.json) against `parse`."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import lxml.html
import pytest

from parsers import NotAnArticle, ParseError, parse
from tests.conftest import corpus_dir
from tests.parsers.conftest import load_truth, truth_files

END_MARKERS = ("انتهای پیام", "انتهاي پيام")


def ws(text: str | None) -> str | None:
    return None if text is None else " ".join(text.replace("\u00a0", " ").split())


def _truth_ids() -> list[str]:
    return [p.stem for p in truth_files(corpus_dir())] or ["<no truth files>"]


@pytest.fixture(scope="module", params=_truth_ids())
def case(request, corpus: Path):
    files = {p.stem: p for p in truth_files(corpus)}
    if request.param not in files:
        pytest.fail(f"no truth files under {corpus / 'truth'}")
    truth = load_truth(files[request.param])
    data = (corpus / truth["local_path"]).read_bytes()
    return truth, data, parse(data, truth["url"], source=truth["agency"])


def test_header_fields_equal_truth(case):
    truth, _, article = case
    assert ws(article.title) == ws(truth["title"])
    assert ws(article.supertitle) == ws(truth["supertitle"])
    assert ws(article.lead) == ws(truth["lead"])


def test_published_equals_truth(case):
    truth, _, article = case
    assert article.published == truth["published_iso"]
    assert ws(article.published_raw) == ws(truth["published"])


def test_first_and_last_sentence_in_text(case):
    truth, _, article = case
    text = ws(article.text)
    assert ws(truth["body_first_sentence"]) in text
    assert ws(truth["body_last_sentence"]) in text
    assert article.text == "\n\n".join(b.text for b in article.body)


def test_no_end_marker_or_related_news_in_text(case):
    truth, data, article = case
    for marker in END_MARKERS + (truth["body_end_marker"],):
        assert marker not in article.text
    assert not re.search(r"(^|\n)\s*/\s*\S{1,2}\s*($|\n)", article.text)  # «/ی»-style codes
    related = _related_link_texts(data, article.news_id)
    assert related, "the page should carry related-news links to check against"
    leaked = [r for r in related if r in ws(article.text)]
    assert leaked == []


def test_tags_category_authors_equal_truth(case):
    truth, _, article = case
    assert article.tags == truth["tags"]
    assert article.category == truth["category"]
    assert article.authors == ([truth["author"]] if truth.get("author") else [])


def test_derived_fields(case):
    truth, _, article = case
    assert article.news_id and article.news_id in truth["url"]
    assert article.parser.profile in ("nastooh", "iransamaneh", "tasnim")
    assert article.content_hash and len(article.content_hash) == 64
    assert article.normalized.title and article.normalized.text
    assert article.attribution is not None


def _related_link_texts(data: bytes, own_id: str | None) -> list[str]:
    """Texts of links to OTHER stories on the page (related boxes, read-more, most-viewed)."""
    doc = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    out = []
    for a in doc.iter("a"):
        href, text = a.get("href") or "", ws(a.text_content()) or ""
        is_story = re.search(r"/news/|tasnimnews\.com/\d+|/fa/news", href)
        if is_story and len(text) >= 25 and not (own_id and own_id in href):
            out.append(text)
    return out


# --- listing pages and pages without truth ---------------------------------------------------------
def _corpus_pages(kind: str) -> list[tuple[str, str]]:
    path = corpus_dir() / "SOURCES.tsv"
    if not path.exists():
        return [("<missing SOURCES.tsv>", "")]
    with path.open(encoding="utf-8") as fh:
        return [(row["local_path"], row["page_url"]) for row in csv.DictReader(fh, delimiter="\t")
                if row["kind"] == kind]


@pytest.mark.parametrize(("local_path", "url"), _corpus_pages("listing"))
@pytest.mark.parametrize("with_url", [True, False], ids=["with-url", "file-only"])
def test_listing_pages_are_refused(corpus, local_path, url, with_url):
    data = (corpus / local_path).read_bytes()
    with pytest.raises(NotAnArticle) as info:
        parse(data, url if with_url else "")
    assert "not an article" in str(info.value)


@pytest.mark.parametrize(("local_path", "url"),
                         [p for p in _corpus_pages("article") if "varzesh3" in p[0]] or [("<none>", "")])
def test_pages_without_truth_parse_or_refuse_cleanly(corpus, local_path, url):
    data = (corpus / local_path).read_bytes()
    try:
        article = parse(data, url, source="varzesh3")
    except ParseError:
        return
    assert article.title and article.text
    assert "انتهای پیام" not in article.text


def test_generic_layer_alone_on_real_pages(case):
    """An unknown site on no known CMS gets the generic layer; on our real pages it must still hold."""
    from parsers.extract import parse_page

    truth, data, _ = case
    article = parse_page(data, truth["url"], use_profiles=False)
    assert article.parser.profile == "generic"
    assert ws(article.title) == ws(truth["title"])
    assert article.published == truth["published_iso"]
    text = ws(article.text)
    assert ws(truth["body_first_sentence"]) in text and ws(truth["body_last_sentence"]) in text
    assert not any(m in article.text for m in END_MARKERS)
