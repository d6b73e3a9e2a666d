"""Fields the generic layer reads off an unknown CMS's visible page, when no profile or metadata
supplies them: the kicker above the <h1>, a visible Jalali date near it, a lead element, the
title out of <title> minus the site name, and the junk some CMSs leave after the body.

Pure functions over the lxml tree (parsers.extract calls them); no I/O.
"""
from __future__ import annotations

import re
from datetime import datetime

from lxml.html import HtmlElement

from parsers.article import Article, Block
from parsers.folding import YEH_KAF_TABLE
from parsers.generic import PageMeta, squash

_KICKER_HINT = re.compile(r"rutitr|ro-?titr|kicker|subtitle-top|supertitle|overtitle|uptitle|surtitle",
                          re.IGNORECASE)
_DATE_HINT = re.compile(r"date|time|publish", re.IGNORECASE)
_LEAD_HINT = re.compile(r"(?:^|[\s_-])(?:lead|lid|summary|intro|description|abstract|subtitle)(?:$|[\s_-])",
                        re.IGNORECASE)
_MAX_KICKER = 120
_MAX_DATE_TEXT = 80
_NEAR = 8  # elements before/after the <h1> (in document order) that still count as "near it"
_MIN_LEAD, _MAX_LEAD = 30, 800

# «خبرگزاری فارس -», «ایسنا -», «نمونه نیوز –»: the agency's name printed before the lead; a colon
# («خبرگزاری کار ایران: …») only after an outlet word, where it cannot be a quoted speaker.
_AGENCY_PREFIX = re.compile(r"^\s*([^\s\-–—|.،:؛]{2,25}(?:\s[^\s\-–—|.،:؛]{2,25}){0,3})\s*(?:[-–—]\s+|([:؛])\s*)")
# Only a name that is an outlet's counts: «تهران -» is a dateline, not an agency.
_OUTLET_WORD = re.compile(r"^(?:خبرگزاری|باشگاه خبرنگاران|پایگاه خبری|پایگاه اطلاع\S*\s*رسانی|روزنامه|سایت)\s")
# Entities escaped twice by the CMS show as literal text; only these few are safe to decode again.
_DOUBLE_ESCAPED = {"&zwnj;": "\u200c", "&#8204;": "\u200c", "&#x200c;": "\u200c", "&nbsp;": " ",
                   "&quot;": '"', "&laquo;": "«", "&raquo;": "»"}
_DOUBLE_ESCAPED_RE = re.compile("|".join(re.escape(k) for k in _DOUBLE_ESCAPED), re.IGNORECASE)
# Lines that end a body without being part of it: a stray number (a view count or item index left
# behind by the template), a half-stripped HTML comment ("-->"), a short link or a share prompt.
_JUNK_TAIL = re.compile(
    r"^\s*(?:[\d۰-۹٠-٩,،.]{1,12}|-->|<!--|[-–—>]+|https?://\S{1,40}|"
    r"(?:لینک\s*کوتاه|نشانی\s*کوتاه|کپی\s*لینک|short\s*link|(?:لینک|نشانی|آدرس)\s*(?:خبر)?|"
    r"اشتراک\s*گذاری|اشتراک‌گذاری|به\s*اشتراک\s*بگذارید)\s*[:：]?\s*(?:https?://\S*)?)\s*$", re.IGNORECASE)
_TITLE_SPLIT = re.compile(r"\s+[-|–]\s+")


def decode_double_escaped(text: str | None) -> str | None:
    """«مي&zwnj;يابد» -> «مي‌يابد»: the ZWNJ/nbsp/quote entities a CMS escaped twice, decoded once more."""
    if not text or "&" not in text:
        return text
    decoded = _DOUBLE_ESCAPED_RE.sub(lambda m: _DOUBLE_ESCAPED[m.group(0).lower()], text)
    return squash(decoded) if "&nbsp;" in text.lower() else decoded


def _hint(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def main_heading(doc: HtmlElement) -> HtmlElement | None:
    return next((h for h in doc.iter("h1") if squash(h.text_content())), None)


def _elements_around(heading: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """Elements before (nearest first) and after the heading in document order, within _NEAR."""
    # XPath's preceding/following axes leave out the heading's ancestors and descendants; lxml
    # returns both in document order, so the preceding list is reversed to put the nearest first.
    before = heading.xpath(f"preceding::*[position() <= {_NEAR * 3}]")
    after = heading.xpath(f"following::*[position() <= {_NEAR * 3}]")
    return list(reversed(before)), list(after)


def kicker(doc: HtmlElement) -> str | None:
    """The supertitle: an element near the <h1> hinted rutitr/kicker/…, else the short text line
    just above it. Only near the <h1>: a sidebar's teasers carry rutitr boxes of their own."""
    heading = main_heading(doc)
    if heading is None:
        return None
    before, after = _elements_around(heading)
    for el in before + after[:3]:
        if _KICKER_HINT.search(_hint(el)):
            text = squash(el.text_content())
            if 0 < len(text) <= _MAX_KICKER:
                return _strip_kicker(text)
    for el in before[:3]:
        if el.tag in ("div", "span", "p", "h2", "h3", "h4", "h5", "h6") and len(el) == 0:
            text = squash(el.text_content())
            if 0 < len(text) <= _MAX_KICKER and next(el.iterancestors("a", "nav", "ul"), None) is None:
                return _strip_kicker(text)
            return None
        if el.tag in ("a", "img", "ul", "nav"):
            return None
    return None


def _strip_kicker(text: str) -> str | None:
    return re.sub(r"\s*[؛:：]+\s*$", "", text) or None


def visible_date(doc: HtmlElement) -> tuple[str | None, datetime | None]:
    """A date shown near the <h1> in a date-like element (class/id date/time/publish, or <time>)."""
    from parsers.dates import parse_persian_datetime  # dates is heavy; imported when needed
    from parsers.structure import strip_label

    heading = main_heading(doc)
    if heading is None:
        return None, None
    before, after = _elements_around(heading)
    for el in after + before:
        if el.tag != "time" and not _DATE_HINT.search(_hint(el)):
            continue
        raw = strip_label(squash(el.text_content()))
        if not raw or len(raw) > _MAX_DATE_TEXT:
            continue
        parsed = parse_persian_datetime(raw) or parse_persian_datetime(el.get("datetime"))
        if parsed is not None:
            return raw, parsed
    return None, None


def lead_text(doc: HtmlElement, meta: PageMeta, *, cross_check: bool = True) -> str | None:
    """A lead/summary/intro element's text; else the meta description, if the page prints it too
    (`cross_check`: a page with JSON-LD vouches for its description, a bare page's is often SEO)."""
    return lead_with_source(doc, meta, cross_check=cross_check)[0]


def lead_with_source(doc: HtmlElement, meta: PageMeta, *, cross_check: bool = True) -> tuple[str | None, str]:
    """lead_text and how it was found (for Article.provenance)."""
    key = next((k for k in ("og:description", "description") if meta.get(k)), "")
    description = meta.get(key) if key else None
    heading = main_heading(doc)
    if heading is not None:
        _, after = _elements_around(heading)
        for el in after:
            if el.tag in ("h1", "p", "div", "h2", "h3", "section") and _LEAD_HINT.search(_hint(el)):
                text = squash(el.text_content())
                if _MIN_LEAD <= len(text) <= _MAX_LEAD:
                    return text, f"generic: lead-like element after the <h1> ({el.tag}.{_hint(el).split()[0]})"
    if description and not cross_check:
        return description, f"meta {key} (the page marks itself an article)"
    if description:
        page_text = squash(doc.text_content())
        core = split_agency_prefix(description)[0][:60]
        if core and core in page_text:
            return description, f"meta {key}, printed on the page too"
    return None, ""


def split_agency_prefix(lead: str, site_name: str | None = None) -> tuple[str, str | None]:
    """«خبرگزاری نمونه - قیمت نان …» -> («قیمت نان …», «خبرگزاری نمونه»). The prefix must name an
    outlet: an outlet word, a well-known agency (parsers.attribution) or the page's og:site_name."""
    from parsers.attribution import KNOWN_AGENCIES

    match = _AGENCY_PREFIX.match(lead)
    if match is None or len(lead) - match.end() < _MIN_LEAD // 2:
        return lead, None
    name = squash(match.group(1))
    letters = name.translate(YEH_KAF_TABLE)
    known = {n.translate(YEH_KAF_TABLE) for n in KNOWN_AGENCIES} | {(site_name or "").translate(YEH_KAF_TABLE)}
    outlet = bool(_OUTLET_WORD.match(letters + " "))
    if not (outlet or letters in known) or (match.group(2) and not outlet):
        return lead, None
    return lead[match.end():].strip(), name


def is_trailing_junk(text: str) -> bool:
    """True for a line that may end a body but is never article text (see _JUNK_TAIL)."""
    return bool(_JUNK_TAIL.match(text))


def drop_trailing_junk(blocks: list[Block]) -> list[Block]:
    """A bare number, a `-->` comment remnant or a short-link line at the body's end is not story."""
    while blocks and _JUNK_TAIL.match(blocks[-1].text):
        blocks = blocks[:-1]
    return blocks


def title_without_site(title_tag: str, site_name: str | None) -> str:
    """The part of `<title>` (split by | - –) that is not the site name."""
    parts = [p for p in (squash(p) for p in _TITLE_SPLIT.split(title_tag)) if p]
    if len(parts) < 2:
        return parts[0] if parts else ""
    if site_name:
        rest = [p for p in parts if p != site_name and p not in site_name and site_name not in p]
        if rest:
            return max(rest, key=len)
    # No site name to compare with: the site name is the shortest part, the headline the longest.
    return max(parts, key=len)


def polish(article: Article, site_name: str | None = None) -> None:
    """Last touches on a parsed article: twice-escaped entities decoded in title/lead/body, and an
    agency-name prefix moved out of the lead into attribution.agency (when that is empty)."""
    article.title = decode_double_escaped(article.title) or article.title
    article.lead = decode_double_escaped(article.lead)
    article.body = [Block(b.type, decode_double_escaped(b.text) or b.text) for b in article.body]
    article.text = "\n\n".join(b.text for b in article.body)
    if article.lead:
        lead, agency = split_agency_prefix(article.lead, site_name)
        article.lead = lead
        if agency and not article.attribution.agency:
            article.attribution.agency = agency


MIN_DATED_CHARS = 400  # an <h1> with a visible date near it vouches for a story this short


def dated_story(doc: HtmlElement, chars: int) -> bool:
    """A page without article metadata is still a story when it shows an <h1>, a date near it and
    a few paragraphs (a listing shows many headlines and no single dated <h1>)."""
    if chars < MIN_DATED_CHARS or sum(1 for h in doc.iter("h1") if squash(h.text_content())) != 1:
        return False
    return visible_date(doc)[1] is not None


def visible_published(doc: HtmlElement) -> tuple[str | None, str | None]:
    """(published_raw, published ISO in Tehran time) from the visible date near the <h1>."""
    from parsers.dates import to_tehran

    raw, parsed = visible_date(doc)
    return (raw, to_tehran(parsed).replace(microsecond=0).isoformat()) if parsed is not None else (None, None)


_HEADINGS = ("h1", "h2", "h3", "h4")


def linked_headings(root: HtmlElement, own_url: str = "") -> int:
    """Headings that are mostly one link to another page: the teasers of a homepage, section, tag or
    listing page. A headline linking to the page itself (IranSamaneh's <h1><a class=title>) is not one."""
    own = own_url.split("#")[0].rstrip("/")
    count = 0
    for heading in root.iter(*_HEADINGS):
        if _in_boilerplate(heading, root):
            continue  # a "related news" / "read more" box inside a story's body
        text = len(squash(heading.text_content()))
        for a in heading.iter("a"):
            href = (a.get("href") or "").split("#")[0].rstrip("/")
            if text and href and len(squash(a.text_content())) >= 0.6 * text and not (own and own.endswith(href)):
                count += 1
                break
    return count


def _in_boilerplate(el: HtmlElement, root: HtmlElement) -> bool:
    from parsers.clean import is_boilerplate_hint

    node: HtmlElement | None = el
    while node is not None and node is not root:
        if is_boilerplate_hint(_hint(node)):
            return True
        node = node.getparent()
    return False


def has_headline(doc: HtmlElement) -> bool:
    """An <h1> of the page's own (not a teaser link to another page)."""
    return any(squash(h.text_content()) for h in doc.iter("h1"))


_BYLINE_HINT = re.compile(r"(?:^|[\s_-])(?:author|byline|writer|reporter|nevisande)(?:$|[\s_-])", re.IGNORECASE)
_BYLINE_LABEL = re.compile(r"^(?:نویسنده|نوشته|گزارش|خبرنگار|به قلم|by)\s*[:：]?\s*", re.IGNORECASE)


def byline(doc: HtmlElement) -> str | None:
    """A writer's name printed near the <h1> in an author/byline element (press archives, blogs)."""
    heading = main_heading(doc)
    if heading is None:
        return None
    before, after = _elements_around(heading)
    for el in after[:_NEAR] + before[:3]:
        if _BYLINE_HINT.search(_hint(el)):
            name = _BYLINE_LABEL.sub("", squash(el.text_content()))
            if 3 <= len(name) <= 40 and not re.search(r"[\d۰-۹٠-٩:/@]", name):
                return name
    return None
