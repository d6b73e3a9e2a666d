"""Our own pages of more CMS families and eras (tests/parsers/fixtures/*.html, expected fields in the
.json beside each), and pages that are not articles (fixtures/not_articles/). Each article page is
parsed with its URL and as a bare file: the page itself must pick its layout."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import NotAnArticle, parse
from tests.parsers.conftest import load_truth, truth_files

FIXTURES = Path(__file__).with_name("fixtures")
CASES = sorted(FIXTURES.glob("*.json"))
NOT_ARTICLES = sorted((FIXTURES / "not_articles").glob("*.html"))
END_MARKERS = ("انتهای پیام", "انتهاي پيام")


def fixture(path: Path) -> tuple[dict, bytes]:
    return json.loads(path.read_text(encoding="utf-8")), path.with_suffix(".html").read_bytes()


def value(article, dotted: str):
    if dotted == "paragraphs":
        return sum(1 for b in article.body if b.type == "paragraph")
    out = article
    for part in dotted.split("."):
        out = getattr(out, part)
    return out


def test_there_are_fixtures_of_each_kind():
    assert len(CASES) >= 5 and {p.stem for p in NOT_ARTICLES} == {"homepage", "section", "tag", "listing"}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_fields(path: Path):
    case, html = fixture(path)
    article = parse(html, case["url"])
    for name, expected in case["expect"].items():
        assert value(article, name) == expected, name
    assert article.text.startswith(case["body_first"])
    assert article.text.endswith(case["body_last"])
    assert not any(m in article.text for m in END_MARKERS)
    assert {"title", "body"} <= set(article.provenance)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_as_a_bare_file_picks_the_same_layout(path: Path):
    case, html = fixture(path)
    with_url, bare = parse(html, case["url"]), parse(html, "")
    assert bare.parser.profile == with_url.parser.profile
    assert (bare.title, bare.lead, bare.text, bare.published) == (with_url.title, with_url.lead, with_url.text,
                                                                   with_url.published)


@pytest.mark.parametrize("path", NOT_ARTICLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("url", ["", "https://namoonehshahr.example/news/50999/x"])
def test_not_an_article_from_the_page_alone(path: Path, url: str):
    with pytest.raises(NotAnArticle) as info:
        parse(path.read_bytes(), url)
    assert "not an article" in str(info.value)


def test_no_corpus_truth_page_is_refused_even_as_a_bare_file(corpus: Path):
    for path in truth_files(corpus):
        truth = load_truth(path)
        article = parse((corpus / truth["local_path"]).read_bytes(), "")
        assert article.title == truth["title"], path.name


# --- layouts chosen by the page ----------------------------------------------------------------------
FARS_OLD = FIXTURES / "fars-2014-newstext.html"


def test_old_fars_layout_gets_its_lead_and_news_id_without_a_url():
    article = parse(FARS_OLD.read_bytes(), "")
    assert article.parser.profile == "fars@2014"
    assert article.lead and article.lead.startswith("سه طرح آبرسانی")
    assert article.news_id == "13930512000123"  # from the page's «شماره خبر» line


def verdicts(html: bytes, url: str) -> dict[str, str]:
    """What detection said of every candidate (the generic reader may then refuse the page)."""
    from parsers.extract import parse_page

    trace: list = []
    try:
        parse_page(html, url, trace=trace)
    except NotAnArticle:
        pass
    return {c.name: c.verdict for c in trace}


def test_a_layout_outside_its_date_range_does_not_apply():
    later = FARS_OLD.read_bytes().replace("۱۳۹۳/۰۵/۱۲ - ۱۰:۲۳".encode(), "۱۴۰۲/۰۵/۱۲ - ۱۰:۲۳".encode())
    assert "outside" in verdicts(later, "")["fars@2014"]
    assert verdicts(FARS_OLD.read_bytes(), "")["fars@2014"] == "chosen"


def test_a_layout_whose_url_pattern_fails_does_not_apply():
    found = verdicts(FARS_OLD.read_bytes(), "https://www.farsnews.ir/news/13930512000123/x")
    assert "URL does not match" in found["fars@2014"]


def test_the_host_is_a_hint_not_a_verdict():
    """An old-layout page of a known host used to get the modern profile, lose its lead and its id."""
    old = FARS_OLD.read_bytes().replace(b"nwstxtmainbody", b"mainbody").replace(b"newstext.php", b"show.php")
    found = verdicts(old, "http://www.farsnews.com/show.php?nn=13930512000123")
    assert found["fars"].startswith("host only") and found["fars@2014"].startswith("fingerprint")
    assert "chosen" not in found.values()


def test_modern_fars_page_keeps_the_family_profile():
    story = "".join(f"<p>بند {i} از متن خبر که برای آزمون نوشته شده و جمله‌ای کامل و بلند دارد.</p>" for i in range(5))
    html = (f'<html><body><div class="news-box"><h1 class="title">عنوان تازه</h1><p class="lead">لید خبر</p>'
            f'<div class="nt-body">{story}</div><div class="publish-time">۱۴۰۲/۰۵/۱۲ - ۱۰:۲۳</div></div></body></html>')
    article = parse(html.encode(), "https://www.farsnews.ir/news/14020512000123/x")
    assert article.parser.profile == "fars" and article.lead == "لید خبر"


def test_a_related_news_box_inside_the_body_does_not_make_a_listing():
    case, html = fixture(FIXTURES / "wordpress-news.json")
    box = "".join(f'<h4><a href="/1402/05/r{i}/">خبر مرتبط شماره {i} درباره مصرف برق ادارات</a></h4>' for i in range(5))
    html = html.replace(b'<div class="sharedaddy', f'<div class="related-posts">{box}</div><div class="sharedaddy'.encode())
    assert parse(html, case["url"]).title == case["expect"]["title"]
    bare = html.replace(b'class="related-posts"', b'class="x"')
    with pytest.raises(NotAnArticle):  # the same headlines as the body's own content: a listing
        parse(bare, case["url"])
