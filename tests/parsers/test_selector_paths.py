"""Our compiled selectors (parsers.profiles.compile_selector rewrites cssselect's class tests to run on
the class attributes) select exactly what cssselect's own XPath selects, element for element."""
from __future__ import annotations

import lxml.html
import pytest
from lxml.cssselect import CSSSelector

from parsers.profiles import REGEX_FIELDS, compile_selector, fast_class_tests, load_profiles
from worker.testing.mirror.sitegen import generate_article

EXTRA = (".a > .b", "div.a.b", ":root .x", "li.a:first-child", "p.x + p.y", "p.x ~ .y", "*.x", ".a .b .c",
         "div:not(.x)", "a.title[href]", ".a, .b", "li.a:nth-child(2)", "a[href]", "[href^='/n']", "[class*=a]",
         "[class$=b]", "[class~=b]", "[id]", "div:empty", "[foo!=bar]", "[itemprop=author] [itemprop=name]")
HAND = """<html><body class="x"><div class="a  b"><p class="x">1</p><p class=" y x">2</p><span class="b">3</span>
<div class="a"><div class="b c"><i class="c">4</i></div></div></div><ul><li class="a">5</li><li class="a">6</li></ul>
<a class="title" href="/n" itemprop="author"><b itemprop="name">7</b></a>
<!-- a comment --><?pi x?><a class="title">8</a><div class="xa">9</div><div class="a-b">10</div></body></html>"""


def _selectors() -> list[str]:
    found: set[str] = set(EXTRA)
    for profile in load_profiles().values():
        tables = [profile.fields, *(o.fields for o in profile.overrides), *(lay.fields for lay in profile.layouts)]
        for table in tables:
            found.update(css for key, values in table.items() if key not in REGEX_FIELDS for css in values)
        found.update(profile.markers + profile.require)
        for lay in profile.layouts:
            found.update(lay.require + (lay.markers or ()))
    return sorted(found)


def _pages() -> list[lxml.html.HtmlElement]:
    pages = [lxml.html.document_fromstring(HAND)]
    for n, family in enumerate(("nastooh", "iransamaneh", "tasnim", "jsonld")):
        pages.append(lxml.html.document_fromstring(generate_article(n, family)[0]))
    return pages


def test_class_tests_are_rewritten():
    path = CSSSelector(".tag_items a", translator="html").path
    assert fast_class_tests(path) != path
    assert "/@class[" in compile_selector(".tag_items a").path
    assert compile_selector(".a > .b").path.count("node()/@class[") == 2
    assert "/@itemprop[" in compile_selector("[itemprop=name]").path
    assert compile_selector("div:empty").path == CSSSelector("div:empty", translator="html").path


@pytest.mark.parametrize("css", _selectors())
def test_same_elements_as_cssselect(css):
    reference, ours = CSSSelector(css, translator="html"), compile_selector(css)
    for doc in PAGES:
        for root in [doc, *doc.iter("div", "ul")]:
            expected, got = reference(root), ours(root)
            same = len(got) == len(expected) and all(a is b for a, b in zip(got, expected, strict=True))
            assert same, (css, root.tag)


PAGES = _pages()


def test_page_index_holds_every_class_token_and_id():
    from parsers.profiles import PageIndex

    for doc in PAGES:
        elements = [el for el in doc.getroottree().iter() if isinstance(el.tag, str)]
        index = PageIndex.of(doc)
        assert index.classes == {t for el in elements for t in (el.get("class") or "").split()}
        assert index.ids == {el.get("id").strip() for el in elements if el.get("id") is not None}
