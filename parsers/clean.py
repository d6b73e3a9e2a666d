"""Boilerplate removal on a copy of the article region (an lxml subtree, located on the page tree).

The page is parsed once: the region is cleaned as an lxml copy rather than re-serialized into a
BeautifulSoup (which cost more than the whole page's lxml parse). Removes scripts, styles, share
bars, related-news boxes, comments, ads and the profile's `drop` selectors; at text level it
removes end markers («انتهای پیام», «انتهای پیام/», «انتهای پیام/ز», «/ی») and reporter codes.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from lxml import html as lxml_html
from lxml.html import HtmlElement

from parsers.profiles import PageIndex, select_all

# Elements that never carry article text.
_DROP_TAGS = frozenset(("script", "style", "noscript", "iframe", "form", "button", "input", "select",
                        "textarea", "nav", "aside", "svg", "canvas", "object", "embed", "video", "audio",
                        "template", "link", "meta"))
# Class/id tokens of boilerplate boxes inside a body (share bars, related news, comments, ads, ...).
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharer|social|related|relatednews|readmore|read-more|comments?|"
    r"ads?|advert\w*|banner|yektanet|sabavision|print|breadcrumb|hidetag|newsletter|subscribe|rating|"
    r"toolbar|tools|see-also|seealso|more-news|morenews)(?:$|[\s_-])",
    re.IGNORECASE)

_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)

_END_MARKER = re.compile(r"^\s*(?:انتهای\s*پیام|انتهاي\s*پيام|پایان\s*پیام)\s*(?:/\s*\S{0,6})?\s*$")
_END_MARKER_SUFFIX = re.compile(r"\s*(?:انتهای\s*پیام|انتهاي\s*پيام)\s*(?:/\s*\S{0,6})?\s*$")
_SLASH_CODE = re.compile(r"^\s*/\s*\S{1,3}\s*$")                       # «/ی», «/ز» alone
_SLASH_CODE_SUFFIX = re.compile(r"(?<=[.!؟?»)\]])\s*/\s*[\u0600-\u06FF]{1,2}\s*$")  # "… شد./ی"
_REPORTER_CODE = re.compile(r"^\s*[A-Z]{1,3}[\d,]+(?:\s*/\s*[A-Z]{1,3}[\d,]+)+\s*$|"  # R35347/P1015135/S3,27/CT7
                            r"^\s*(?:کد\s*خبر(?:نگار)?|خبرنگار|کد\s*خبرنگار)\s*[:：]?\s*[\d۰-۹٠-٩]+\s*$")


def clean_region(region: HtmlElement, drop_selectors: Iterable[str] = (),
                 index: PageIndex | None = None) -> HtmlElement:
    """A cleaned copy of `region` (the page tree is left untouched), whose children are the body.

    The root itself is never dropped, only what it holds: scripts and other never-text elements,
    boilerplate boxes (class/id hints), `display:none` elements and the profile's `drop` selectors.
    A dropped element's tail text stays, as it belongs to the element around it.
    """
    drop_selectors = [css for css in drop_selectors if index is None or index.may_match(css)]
    root = copy.deepcopy(region)
    # Run on the copy only: a selector matching an element of the copy matches it in the page tree
    # too (the copy lacks the region's ancestors and siblings, never an element's own context).
    for css in drop_selectors:
        for el in select_all(root, css):
            if el is not root and el.getparent() is not None:
                el.drop_tree()
    root = _body_root(root)
    doomed = [el for el in root.iterdescendants() if _is_dropped(el)]
    for el in doomed:
        el.drop_tree()  # one inside another already dropped goes with a detached subtree: harmless
    return root


def _body_root(root: HtmlElement) -> HtmlElement:
    """A <body> region reads as its first child element when the body opens with one (and as the
    whole body when it opens with text): the archived Articles were made that way, when the region
    went through BeautifulSoup, whose root was the first node inside the re-parsed <body>."""
    if root.tag != "body" or root.text or not len(root) or not isinstance(root[0].tag, str):
        if root.tag == "body" and _is_dropped(root):
            root = lxml_html.Element("body")  # the whole body was boilerplate-hinted or hidden
        return root
    first = root[0]
    first.tail = None
    return first


def _is_dropped(el: HtmlElement) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return False  # comments and processing instructions: the walker skips them, keeping their tail
    if tag in _DROP_TAGS:
        return True
    classes, ident = el.get("class"), el.get("id")
    # most elements carry neither: no string built, no regex run
    if (classes or ident) and is_boilerplate_hint(" ".join((classes or "").split()) + " " + (ident or "")):
        return True
    style = el.get("style")
    return bool(style) and bool(_HIDDEN.search(style))


def is_boilerplate_hint(hint: str) -> bool:
    """True when class/id text names a share bar, related-news box, comments, ads, ..."""
    return bool(hint.strip()) and bool(_BOILERPLATE.search(hint))


def is_end_marker(text: str) -> bool:
    return bool(_END_MARKER.match(text) or _SLASH_CODE.match(text))


def is_reporter_code(text: str) -> bool:
    return bool(_REPORTER_CODE.match(text))


def strip_end_marker_suffix(text: str) -> str:
    """Remove an end marker glued to the end of the last paragraph."""
    text = _END_MARKER_SUFFIX.sub("", text)
    return _SLASH_CODE_SUFFIX.sub("", text).rstrip()


def cut_at_end_marker(texts: list[str]) -> tuple[list[str], bool]:
    """Keep the paragraphs before the first end marker. Whatever an agency prints after its end
    marker (the YJC fixture has an orphan subheading there) is not part of the story."""
    for i, text in enumerate(texts):
        if is_end_marker(text):
            return texts[:i], True
    return texts, False
