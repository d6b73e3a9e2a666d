"""Article.provenance (which layer produced each field) and `bayegan parse FILE --explain`."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from parsers import Article, parse
from parsers.article import content_hash
from worker.cli import cli

FIXTURES = Path(__file__).with_name("fixtures")
FARS_OLD = FIXTURES / "fars-2014-newstext.html"


def test_provenance_names_the_layer_of_each_field():
    article = parse(FARS_OLD.read_bytes(), "http://www.farsnews.com/newstext.php?nn=13930512000123")
    prov = article.provenance
    assert prov["title"] == "profile fars@2014: .nwstxtTitle"
    assert prov["lead"].startswith("profile fars@2014: .Lead")
    assert prov["news_id"].startswith("url rule")
    assert prov["tags"] == "meta keywords"
    assert "updated" not in prov and "authors" not in prov  # no value, no provenance


def test_generic_layer_provenance():
    article = parse((FIXTURES / "press-archive-issue.html").read_bytes(), "")
    assert article.provenance["published"] == "generic: visible Jalali date near the <h1>"
    assert article.provenance["body"].startswith("generic: main-content scorer")


def test_old_records_without_provenance_still_load_and_hash_ignores_it():
    article = parse(FARS_OLD.read_bytes(), "")
    old = article.to_dict()
    del old["provenance"]
    back = Article.from_dict(old)
    assert back.provenance == {} and back.title == article.title
    assert article.content_hash == content_hash(article.normalized.title, article.normalized.text)
    assert Article.from_json(article.to_json()).provenance == article.provenance


def explain(*args: str):
    return CliRunner().invoke(cli, ["parse", *args, "--explain"])


def test_explain_says_which_selector_produced_each_field_and_what_else_was_considered():
    result = explain(str(FARS_OLD))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "layout: fars@2014" in out
    assert "not aspnet: score 0, fingerprint: no" in out  # a candidate and why it lost
    title = out.split("\ntitle: ")[1].split("\nsupertitle: ")[0]
    assert title.startswith("افتتاح سه طرح آبرسانی روستایی در استان سمنان")
    assert "by: profile fars@2014: .nwstxtTitle" in title
    assert "considered: generic: <title> minus the site name = افتتاح سه طرح" in title
    for name in ("lead", "published", "body", "news_id", "attribution", "tags", "category"):
        assert f"\n{name}: " in out, name
    assert "considered: profile fars@2014: .Lead = خبرگزاری فارس: سه طرح" in out  # the raw value, before the split


def test_explain_of_a_generic_page_with_url(tmp_path: Path):
    page = tmp_path / "wp.html"
    page.write_bytes((FIXTURES / "wordpress-news.html").read_bytes())
    result = explain(str(page), "--url", "https://namoonehshahr.example/1402/05/kahesh-saat-kari/")
    assert result.exit_code == 0, result.stderr
    assert "layout: wordpress" in result.stdout
    assert "considered: meta article:published_time = 2023-08-01T05:12:40+00:00" in result.stdout


def test_explain_of_a_non_article_exits_2_and_says_why():
    result = explain(str(FIXTURES / "not_articles" / "homepage.html"))
    assert result.exit_code == 2
    assert "not an article: listing page" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_explain_of_a_bad_file_is_one_line(tmp_path: Path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"   ")
    result = explain(str(empty))
    assert result.exit_code == 1 and str(empty) in result.stderr
