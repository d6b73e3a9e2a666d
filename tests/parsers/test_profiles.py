"""Profiles are data: they load, they detect their family from the page alone, overrides apply."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from parsers.generic import page_metadata
from parsers.detect import detect_profile
from parsers.profiles import PROFILE_DIR, ProfileError, load_profile, load_profiles

FAMILIES = {"nastooh", "iransamaneh", "asam", "tasnim", "fars", "jsonld", "wordpress", "drupal", "aspnet"}


def doc(html: str):
    return lxml.html.document_fromstring(html)


def detect(html: str, host: str = "unknown-site.ir", hint: str | None = None):
    d = doc(html)
    found = detect_profile(d, page_metadata(d).signals(host), hint)
    return found.name if found else None


def test_every_family_loads_with_its_fields():
    profiles = load_profiles()
    assert set(profiles) == FAMILIES
    for profile in profiles.values():
        for name in ("title", "body"):
            assert profile.fields.get(name), (profile.name, name)


@pytest.mark.parametrize(("html", "family"), [
    ('<html><head><meta name="generator" content="www.nastooh.ir"></head><body><h1>x</h1></body></html>', "nastooh"),
    ('<html><head><meta property="nastooh:code" content="1"></head><body></body></html>', "nastooh"),
    ('<html><body><div class="news_pdate_c">۱</div><div class="rutitr_body"></div><div class="news_path"></div>'
     "</body></html>", "iransamaneh"),
    ('<html><body><article class="single-news"><div class="story"><p>x</p></div></article></body></html>', "tasnim"),
    ('<html><body><div class="news-box"><div class="nt-body"><p>x</p></div></div></body></html>', "fars"),
    ('<html><body><div class="article_body"><div id="echo_detail"><p>x</p></div></div></body></html>', "asam"),
    ('<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
     '"headline":"x"}</script></head><body><p>x</p></body></html>', "jsonld"),
    ("<html><body><div><p>just a page</p></div></body></html>", None),
])
def test_family_detected_from_the_page_itself(html, family):
    assert detect(html) == family


def test_host_alone_is_weak_evidence_but_enough_with_a_marker():
    plain = "<html><body><div class='body'><p>x</p></div></body></html>"
    assert detect(plain, host="www.example.com") is None
    assert detect(plain, host="zanjan.iribnews.ir") == "iransamaneh"  # provincial subdomain of a known host


def test_site_override_comes_first_for_its_host_only():
    nastooh = load_profiles()["nastooh"]
    assert nastooh.selectors("date", "www.irna.ir")[0] == ".item-date span"
    assert nastooh.selectors("date", "www.isna.ir")[0] != ".item-date span"


def test_bad_selector_is_reported_with_the_file(tmp_path: Path):
    bad = tmp_path / "broken.toml"
    bad.write_text('name = "broken"\n[fields]\ntitle = ["h1[[["]\nbody = ["div"]\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert "h1[[[" in str(info.value)


def test_profile_files_are_all_in_the_package():
    assert {p.stem for p in PROFILE_DIR.glob("*.toml")} == FAMILIES


def test_cms_page_type_marks_a_listing():
    from parsers import NotAnArticle, parse

    story = "<p>" + "متن خبر که به اندازه کافی بلند است تا بدنه یک خبر باشد. " * 3 + "</p>"
    html = ('<html><head><meta name="generator" content="www.nastooh.ir"><meta property="nastooh:pageType" '
            'content="{kind}"><title>t</title></head><body><h1 class="first-title">عنوان</h1>'
            f'<div class="item-text">{story}</div></body></html>')
    assert parse(html.format(kind="news").encode(), "https://www.isna.ir/news/1/x").title == "عنوان"
    with pytest.raises(NotAnArticle) as info:
        parse(html.format(kind="archive").encode(), "https://www.isna.ir/page/archive.xhtml")
    assert "nastooh:pagetype=archive" in str(info.value)


@pytest.mark.parametrize(("layout", "message"), [
    ('[[layout]]\nrequire = [".x"]\n', "needs a name"),
    ('[[layout]]\nname = "old"\nvalid_until = "1393/05/12"\n', "expected a date"),
    ('[[layout]]\nname = "old"\nrequire = ["td[[["]\n', "td[[["),
    ('[[layout]]\nname = "old"\nurl = "newstext(.php"\n', "layout.old.url"),
])
def test_bad_layout_is_reported_with_the_file(tmp_path: Path, layout: str, message: str):
    bad = tmp_path / "old.toml"
    bad.write_text(f'name = "old"\n[fields]\ntitle = ["h1"]\nbody = ["div"]\n{layout}', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(bad)
    assert message in str(info.value) and "old.toml" in str(info.value)


def test_a_layout_puts_its_selectors_first_and_keeps_the_family_s():
    fars = load_profiles()["fars"]
    old = fars.with_layout(fars.layouts[0])
    assert old.parser_name == "fars@2014" and fars.parser_name == "fars"
    assert old.selectors("lead")[0] == ".Lead" and set(fars.selectors("lead")) <= set(old.selectors("lead"))
