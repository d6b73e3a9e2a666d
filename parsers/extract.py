"""HTML bytes -> Article: decode, locate (lxml), clean (a copy of the region), structure,
then dates / attribution / normalization from their own modules.

Speed matters (thousands of pages an hour per worker): the whole page is parsed once with lxml
(~1.5 ms); every selector runs on that tree; only the article body region is copied for cleaning.
"""
from __future__ import annotations

import re
import threading
from datetime import date

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from parsers import fields, generic_fields
from parsers.article import PARSER_VERSION, Article, Attribution, Block, Image, Normalized, ParserInfo
from parsers.article import article_id, content_hash
from parsers.clean import clean_region, cut_at_end_marker, is_end_marker, is_reporter_code, strip_end_marker_suffix
from parsers.encoding import Decision, decode_page
from parsers.errors import DecodeError, NotAnArticle
from parsers.fields import Page
from parsers.generic import find_main_content, link_density, page_metadata, squash
from parsers.limits import check_markup
from parsers.detect import Considered, detect_profile
from parsers.profiles import PageIndex, Profile
from parsers.structure import body_parts, clean_supertitle, merge_split_attribution, url_parts

GENERIC = "generic"
MIN_BODY_CHARS = 60          # shorter than a one-line flash: nothing to archive
MAX_LINK_DENSITY = 0.5       # above it the "body" is a list of links: a listing or homepage
MIN_UNMARKED_CHARS = 1000   # a page with no article metadata must at least carry a story's worth of text
MAX_BODY_TEASERS = 2        # linked headlines a story's body may hold (a "see also" or two); more: a listing
MIN_PAGE_TEASERS = 6        # linked headlines that, on a page with no <h1> and no article marks, make a listing
_HOME_PATH = re.compile(r"^/?(?:[a-z]{2}/?)?(?:(?:index|default|home)\.\w+)?$", re.IGNORECASE)
_LOCAL = threading.local()  # an lxml parser object must not be shared between threads

def _html_parser() -> lxml_html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    return parser


_STRICT_UTF8 = Decision("utf-8")


def parse_tree(text: str, label: str, utf8: bytes | None = None) -> HtmlElement:
    """The lxml tree of `text`; `utf8`, when given, must be exactly `text` encoded as UTF-8 (the
    page's own bytes when they decoded strictly as UTF-8: encoding them again costs 0.3 ms)."""
    check_markup(text, label)
    # UTF-8 bytes and a parser told encoding="utf-8" make lxml ignore any (possibly wrong)
    # declaration inside the page.
    try:
        data = utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass")
        doc = lxml_html.document_fromstring(data, parser=_html_parser())
    except (etree.ParserError, ValueError, UnicodeError) as exc:
        raise DecodeError(f"not an HTML document ({exc})", label) from exc
    if doc is None or not isinstance(doc.tag, str):
        raise DecodeError("not an HTML document", label)
    return doc


def parse_page(data: bytes, url: str, *, source: str | None = None, content_type: str | None = None,
               fetched_at: str | None = None, use_profiles: bool = True, profile_hint: str | None = None,
               trace: list[Considered] | None = None) -> Article:
    """See parsers.parse. `use_profiles=False` runs the generic layer alone (bench/parse.py measures it);
    `trace` collects every profile/layout candidate detection weighed (parsers.explain)."""
    label = url or source or "<input>"
    text, decode_warnings, decision = decode_page(data, content_type, source=label)
    doc = parse_tree(text, label, data if decision == _STRICT_UTF8 else None)
    meta = page_metadata(doc)
    host = url_parts(url)[0] if url else ""
    index = PageIndex.of(doc)
    page = Page(doc, meta, None, host, url if url.startswith(("http://", "https://")) else "", index)
    if use_profiles:
        page.profile = detect_profile(doc, meta.signals(host), hint=profile_hint, index=index, url=page.url,
                                      page_date=lambda candidate: _page_day(page, candidate), trace=trace)
    page.url = url

    _refuse_marked_listing(page, label)
    title = fields.title(page)
    if not title:
        raise NotAnArticle("not an article: no headline found", label)
    region, located_by_profile = _body_region(page)
    if region is None:
        raise NotAnArticle("not an article: no article body found", label)
    _refuse_teasers(page, region, located_by_profile, label)
    if not located_by_profile:
        _refuse_listing(page, region, label)

    lead = fields.lead(page)
    blocks, images = _body(page, region)
    # The headline / lead printed again inside the body container is not body text.
    while blocks and blocks[0].text in (title, lead):
        blocks = blocks[1:]
    body_chars = sum(len(b.text) for b in blocks)
    if body_chars < MIN_BODY_CHARS and not (lead and body_chars):
        raise NotAnArticle(f"not an article: body too short ({body_chars} characters)", label)

    published_raw, published = fields.published(page)
    supertitle = clean_supertitle(fields.supertitle(page))
    canonical = _canonical(url, source)
    article = Article(
        id=article_id(canonical), source=source, url=url, canonical_url=canonical,
        news_id=fields.news_id(page, source), supertitle=supertitle, title=title, lead=lead, body=blocks,
        text="\n\n".join(b.text for b in blocks), published=published, published_raw=published_raw,
        updated=fields.updated(page), authors=fields.authors(page), category=fields.category(page),
        tags=fields.tags(page), images=fields.merge_images(fields.profile_images(page), images),
        attribution=_attribution(page, blocks),
        parser=ParserInfo(profile=page.profile.parser_name if page.profile else GENERIC, version=PARSER_VERSION),
        fetched_at=fetched_at, warnings=decode_warnings,
    )
    generic_fields.polish(article, page.meta.get("og:site_name"))
    if lead and "lead" in page.prov and generic_fields.split_agency_prefix(lead, page.meta.get("og:site_name"))[1]:
        page.prov["lead"] += ", the agency name before it split off"
    if article.attribution.agency:
        page.note("attribution", "generic: the agency name printed before the lead")
    article.provenance = {k: v for k, v in page.prov.items() if _has_value(article, k)}
    article.normalized = _normalized(article)
    article.content_hash = content_hash(article.normalized.title, article.normalized.text)
    return article


def _page_day(page: Page, candidate: Profile) -> date | None:
    """The page's own date as `candidate` reads it (its date selector), else its machine date:
    what a layout's valid_from/valid_until is checked against."""
    visible = fields.profile_date(page, candidate)[1]
    if visible is not None:
        return visible.date()
    machine = fields.machine_dates(page, fields.PUBLISHED_KEYS, "datePublished")
    return machine[0][0].date() if machine else None


def _has_value(article: Article, name: str) -> bool:
    value = getattr(article, name, None)
    return value not in (None, "", []) and not (name == "attribution" and not article.attribution.agency)


def _refuse_marked_listing(page: Page, label: str) -> None:
    """A CMS that labels its page types (Nastooh's `nastooh:pageType`) is believed."""
    if page.profile is None:
        return
    for key, value in page.profile.listing_meta:
        if any(v.strip().lower() == value for v in page.meta.all(key)):
            raise NotAnArticle(f"not an article: listing page ({key}={value})", label)


def _refuse_teasers(page: Page, region: HtmlElement, located_by_profile: bool, label: str) -> None:
    """Homepages, section, tag and listing pages told from the page alone (no URL needed): their main
    content is a column of headlines linking elsewhere, or they have no headline of their own."""
    teasers = generic_fields.linked_headings(region, page.url)
    if teasers > MAX_BODY_TEASERS:
        raise NotAnArticle(f"not an article: listing page ({teasers} linked headlines in the main content)", label)
    if located_by_profile or generic_fields.has_headline(page.doc) or _marked_article(page):
        return
    teasers = generic_fields.linked_headings(page.doc, page.url)
    if teasers >= MIN_PAGE_TEASERS:
        raise NotAnArticle(f"not an article: homepage or listing (no headline of its own, {teasers} linked "
                           "headlines)", label)


def _marked_article(page: Page) -> bool:
    """The page says it is one story: og:type article, a NewsArticle JSON-LD or a publication time."""
    return (page.meta.get("og:type") == "article" or bool(page.meta.jsonld)
            or page.meta.get(*fields.PUBLISHED_KEYS) is not None)


def _refuse_listing(page: Page, region: HtmlElement, label: str) -> None:
    """Without a profile to vouch for the body, a page must look like one story, not a list of them."""
    path = url_parts(page.url)[1] if page.url else None
    if path is not None and _HOME_PATH.match(path):
        raise NotAnArticle("not an article: homepage", label)
    density = link_density(region)
    if density > MAX_LINK_DENSITY:
        raise NotAnArticle(f"not an article: listing or homepage (link density {density:.2f})", label)
    marked = _marked_article(page)
    chars = len(squash(region.text_content()))
    if not marked and chars < MIN_UNMARKED_CHARS and not generic_fields.dated_story(page.doc, chars):
        raise NotAnArticle(f"not an article: no article metadata and only {chars} characters of text", label)


# --- body ------------------------------------------------------------------------------------------
def _body_region(page: Page) -> tuple[HtmlElement | None, bool]:
    if page.profile is not None:
        region, css = page.profile.first_with(page.doc, "body", page.host, page.index)
        if region is not None and len(squash(region.text_content())) >= MIN_BODY_CHARS // 2:
            page.note("body", page.by_profile(css))
            return region, True
    region = find_main_content(page.doc)
    if region is not None:
        hint = " ".join(f"{region.get('class', '')} {region.get('id', '')}".split()[:2])
        page.note("body", f"generic: main-content scorer ({region.tag}{' ' + hint if hint else ''})")
    return region, False


def _body(page: Page, region: HtmlElement) -> tuple[list[Block], list[Image]]:
    drop = page.profile.selectors("drop", page.host) if page.profile else ()
    ignore = page.profile.patterns("ignore_texts", page.host) if page.profile else []
    parts = body_parts(clean_region(region, drop, page.index), page.url)
    blocks = [b for b in parts.blocks
              if not is_reporter_code(b.text) and not any(p.search(b.text) for p in ignore)]
    kept, _ = cut_at_end_marker([b.text for b in blocks])
    blocks = blocks[:len(kept)]
    while blocks and (is_end_marker(blocks[-1].text) or not blocks[-1].text):
        blocks.pop()
    if blocks:
        last = strip_end_marker_suffix(blocks[-1].text)
        blocks[-1] = Block(blocks[-1].type, last) if last else blocks[-1]
        if not last:
            blocks.pop()
    return merge_split_attribution(generic_fields.drop_trailing_junk(blocks)), parts.images


def _attribution(page: Page, blocks: list[Block]) -> Attribution:
    from parsers.attribution import parse_attribution

    first = next((b.text for b in blocks if b.type == "paragraph"), None)
    found = parse_attribution(first) if first else None
    if found is not None and found.agency:
        page.note("attribution", "attribution: the body's first paragraph («به گزارش …»)")
    return found if found is not None else Attribution()


def _normalized(article: Article) -> Normalized:
    from parsers.normalize import normalize, normalize_paragraphs

    return Normalized(
        supertitle=normalize(article.supertitle or ""),
        title=normalize(article.title),
        lead=normalize(article.lead or ""),
        text="\n\n".join(normalize_paragraphs([b.text for b in article.body])),
    )


def _canonical(url: str, source: str | None) -> str:
    from parsers.urls import canonicalize

    try:
        return canonicalize(url, source)
    except ValueError:  # InvalidURL (a file path, a bare name): keep what we were given
        return url
