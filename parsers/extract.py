"""HTML bytes -> Article: decode, locate (lxml), clean (BeautifulSoup on the region), structure,
then dates / attribution / normalization from their own modules.

Speed matters (thousands of pages an hour per worker): the whole page is parsed once with lxml
(~1.5 ms); every selector runs on that tree; only the article body region is copied into a
BeautifulSoup for cleaning.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from parsers import generic_fields
from parsers.article import PARSER_VERSION, Article, Attribution, Block, Image, Normalized, ParserInfo
from parsers.article import article_id, content_hash
from parsers.clean import cut_at_end_marker, is_end_marker, is_reporter_code, region_soup, strip_end_marker_suffix
from parsers.encoding import decode_html_checked
from parsers.entities import decode_leftover_entities
from parsers.errors import DecodeError, NotAnArticle
from parsers.generic import PageMeta, find_main_content, ld_names, link_density, page_metadata, split_keywords, squash
from parsers.limits import check_markup
from parsers.profiles import PageIndex, Profile, detect_profile
from parsers.structure import body_parts, clean_supertitle, dedupe, merge_split_attribution, news_id_from_text
from parsers.structure import safe_urljoin, strip_label, url_parts

GENERIC = "generic"
MIN_BODY_CHARS = 60          # shorter than a one-line flash: nothing to archive
MAX_LINK_DENSITY = 0.5       # above it the "body" is a list of links: a listing or homepage
MIN_UNMARKED_CHARS = 1000   # a page with no article metadata must at least carry a story's worth of text
_HOME_PATH = re.compile(r"^/?(?:[a-z]{2}/?)?(?:(?:index|default|home)\.\w+)?$", re.IGNORECASE)
_LOCAL = threading.local()  # an lxml parser object must not be shared between threads
_CLOCK = re.compile(r"\d\s*[:：]\s*\d")
_ORG_AUTHOR = re.compile(r"خبرگزاری|خبرگزاري|news agency|tasnim|isna|irna", re.IGNORECASE)


@dataclass(slots=True)
class _Page:
    doc: HtmlElement
    meta: PageMeta
    profile: Profile | None
    host: str
    url: str
    index: PageIndex


def _html_parser() -> lxml_html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    return parser


def parse_tree(text: str, label: str) -> HtmlElement:
    check_markup(text, label)
    # Re-encoding as UTF-8 bytes lets lxml ignore any (possibly wrong) declaration inside the page.
    try:
        doc = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_html_parser())
    except (etree.ParserError, ValueError, UnicodeError) as exc:
        raise DecodeError(f"not an HTML document ({exc})", label) from exc
    if doc is None or not isinstance(doc.tag, str):
        raise DecodeError("not an HTML document", label)
    return doc


def parse_page(data: bytes, url: str, *, source: str | None = None, content_type: str | None = None,
               fetched_at: str | None = None, use_profiles: bool = True, profile_hint: str | None = None) -> Article:
    """See parsers.parse. `use_profiles=False` runs the generic layer alone (bench/parse.py measures it)."""
    label = url or source or "<input>"
    text, decode_warnings = decode_html_checked(data, content_type, source=label)
    doc = parse_tree(text, label)
    meta = page_metadata(doc)
    host = url_parts(url)[0] if url else ""
    index = PageIndex.of(doc)
    profile = detect_profile(doc, meta.signals(host), hint=profile_hint, index=index) if use_profiles else None
    page = _Page(doc, meta, profile, host, url, index)

    _refuse_marked_listing(page, label)
    title = _title(page)
    if not title:
        raise NotAnArticle("not an article: no headline found", label)
    region, located_by_profile = _body_region(page)
    if region is None:
        raise NotAnArticle("not an article: no article body found", label)
    if not located_by_profile:
        _refuse_listing(page, region, label)

    lead = _lead(page)
    blocks, images = _body(page, region)
    # The headline / lead printed again inside the body container is not body text.
    while blocks and blocks[0].text in (title, lead):
        blocks = blocks[1:]
    body_chars = sum(len(b.text) for b in blocks)
    if body_chars < MIN_BODY_CHARS and not (lead and body_chars):
        raise NotAnArticle(f"not an article: body too short ({body_chars} characters)", label)

    published_raw, published = _published(page)
    supertitle = clean_supertitle(_field_text(page, "supertitle") if page.profile else generic_fields.kicker(page.doc))
    canonical = _canonical(url, source)
    article = Article(
        id=article_id(canonical), source=source, url=url, canonical_url=canonical,
        news_id=_news_id(page, source), supertitle=supertitle, title=title, lead=lead, body=blocks,
        text="\n\n".join(b.text for b in blocks), published=published, published_raw=published_raw,
        updated=_updated(page), authors=_authors(page), category=_category(page), tags=_tags(page),
        images=_merge_images(_profile_images(page), images), attribution=_attribution(blocks),
        parser=ParserInfo(profile=page.profile.name if page.profile else GENERIC, version=PARSER_VERSION),
        fetched_at=fetched_at, warnings=decode_warnings,
    )
    generic_fields.polish(article, page.meta.get("og:site_name"))
    article.normalized = _normalized(article)
    article.content_hash = content_hash(article.normalized.title, article.normalized.text)
    return article


def _refuse_marked_listing(page: _Page, label: str) -> None:
    """A CMS that labels its page types (Nastooh's `nastooh:pageType`) is believed."""
    if page.profile is None:
        return
    for key, value in page.profile.listing_meta:
        if any(v.strip().lower() == value for v in page.meta.all(key)):
            raise NotAnArticle(f"not an article: listing page ({key}={value})", label)


def _refuse_listing(page: _Page, region: HtmlElement, label: str) -> None:
    """Without a profile to vouch for the body, a page must look like one story, not a list of them."""
    path = url_parts(page.url)[1] if page.url else None
    if path is not None and _HOME_PATH.match(path):
        raise NotAnArticle("not an article: homepage", label)
    density = link_density(region)
    if density > MAX_LINK_DENSITY:
        raise NotAnArticle(f"not an article: listing or homepage (link density {density:.2f})", label)
    marked = (page.meta.get("og:type") == "article" or bool(page.meta.jsonld)
              or page.meta.get(*_PUBLISHED_KEYS) is not None)
    chars = len(squash(region.text_content()))
    if not marked and chars < MIN_UNMARKED_CHARS and not generic_fields.dated_story(page.doc, chars):
        raise NotAnArticle(f"not an article: no article metadata and only {chars} characters of text", label)


# --- fields ----------------------------------------------------------------------------------------
def _field_text(page: _Page, name: str) -> str | None:
    if page.profile is None:
        return None
    el = page.profile.first(page.doc, name, page.host, page.index)
    return squash(el.text_content()) if el is not None else None


def _title(page: _Page) -> str:
    title = _field_text(page, "title")
    if title:
        return title
    headline = page.meta.ld("headline")
    og = page.meta.get("og:title", "twitter:title", "headline")
    og = og or (squash(headline) if isinstance(headline, str) else "")
    heads = [squash(h.text_content()) for h in page.doc.iter("h1")]
    for head in heads:  # the <h1> that the page's own title metadata confirms
        if head and (head in (og or "") or head in page.meta.title_tag):
            return head
    if og:
        return og
    if len([h for h in heads if h]) == 1:
        return next(h for h in heads if h)
    return generic_fields.title_without_site(page.meta.title_tag, page.meta.get("og:site_name"))


def _lead(page: _Page) -> str | None:
    lead = _field_text(page, "lead")
    if lead:
        return lead
    if page.profile is not None and page.profile.name != "jsonld":
        return None  # agency CMSs mark their lead; a meta description there is an SEO snippet
    # a page that marks itself an article (og:type, JSON-LD) vouches for its description; a bare
    # page's description is often SEO text, kept only where the page prints it too
    vouched = page.meta.get("og:type") == "article" or bool(page.meta.jsonld)
    lead = generic_fields.lead_text(page.doc, page.meta, cross_check=page.profile is None and not vouched)
    return decode_leftover_entities(lead) if lead else None


def _body_region(page: _Page) -> tuple[HtmlElement | None, bool]:
    if page.profile is not None:
        region = page.profile.first(page.doc, "body", page.host, page.index)
        if region is not None and len(squash(region.text_content())) >= MIN_BODY_CHARS // 2:
            return region, True
    return find_main_content(page.doc), False


def _body(page: _Page, region: HtmlElement) -> tuple[list[Block], list[Image]]:
    drop = page.profile.selectors("drop", page.host) if page.profile else ()
    ignore = page.profile.patterns("ignore_texts", page.host) if page.profile else []
    parts = body_parts(region_soup(region, drop, page.index), page.url)
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


def _dates():
    from parsers import dates  # imported late so `import parsers` stays cheap
    return dates


def _machine_dates(page: _Page, keys: tuple[str, ...], ld_key: str) -> list:
    dates = _dates()
    values = [v for key in keys for v in page.meta.all(key)]
    if isinstance(page.meta.ld(ld_key), str):
        values.append(page.meta.ld(ld_key))
    out = []
    for value in values:
        try:
            parsed = dates.parse_persian_datetime(value)
        except (ValueError, OverflowError):
            parsed = None
        if parsed is not None:
            out.append(parsed)
    return out


_PUBLISHED_KEYS = ("article:published_time", "og:article:published_time", "datepublished",
                   "dc.date", "date", "pubdate", "publishdate")


def _iso(dt) -> str:
    dates = _dates()
    dt = dates.to_tehran(dt).replace(microsecond=0)
    return dt.isoformat()


def _published(page: _Page) -> tuple[str | None, str | None]:
    """The page's visible Jalali date is the authority; a machine date (meta/JSON-LD) that agrees
    with it to the minute (or to the day, when the page shows no time) supplies the precision;
    without a visible date the machine date is used."""
    dates = _dates()
    raw, visible = None, None
    if page.profile is not None:
        el = page.profile.first(page.doc, "date", page.host, page.index)
        if el is not None:
            raw = strip_label(squash(el.text_content())) or None
            visible = dates.parse_persian_datetime(raw) if raw else None
            if visible is None and el.get("datetime"):
                visible = dates.parse_persian_datetime(el.get("datetime"))
    machine = _machine_dates(page, _PUBLISHED_KEYS, "datePublished")
    if visible is not None:
        shows_clock = bool(raw and _CLOCK.search(raw))
        for candidate in machine:
            if abs((candidate - visible).total_seconds()) < 60 or (
                    not shows_clock and candidate.date() == visible.date()):
                return raw, _iso(candidate)
        return raw, _iso(visible)
    if machine:
        return raw or page.meta.get(*_PUBLISHED_KEYS), _iso(machine[0])
    return (raw, None) if raw is not None else generic_fields.visible_published(page.doc)


def _updated(page: _Page) -> str | None:
    found = _machine_dates(page, ("article:modified_time", "og:article:modified_time", "datemodified"),
                           "dateModified")
    return _iso(found[0]) if found else None


def _category(page: _Page) -> str | None:
    if page.profile is not None:
        found = page.profile.all(page.doc, "category", page.host, page.index)
        texts = dedupe([squash(el.text_content()) for el in found])
        if texts:
            return page.profile.category_join.join(texts) if page.profile.category_join else texts[0]
    section = page.meta.get("article:section", "og:article:section", "articlesection")
    if section:
        return section
    ld = page.meta.ld("articleSection")
    return squash(ld if isinstance(ld, str) else (ld[0] if isinstance(ld, list) and ld else "")) or None


def _meta_tags(page: _Page) -> list[str]:
    tags = page.meta.all("article:tag") + page.meta.all("og:article:tag")
    if len(tags) == 1:
        tags = split_keywords(tags[0])
    if not tags:
        ld = page.meta.ld("keywords")
        tags = split_keywords(ld) if isinstance(ld, str) else ld_names(ld)
    if not tags and page.meta.get("keywords"):
        tags = split_keywords(page.meta.get("keywords") or "")
    return tags


def _tags(page: _Page) -> list[str]:
    profile = page.profile
    if profile is not None and profile.tags_from_meta:
        meta_tags = split_keywords(page.meta.get("keywords") or "") or _meta_tags(page)
        if meta_tags:
            return dedupe(meta_tags)
    if profile is not None:
        tags = [squash(el.text_content()) for el in profile.all(page.doc, "tags", page.host, page.index)]
        if any(tags):
            return dedupe(tags)
    return dedupe(_meta_tags(page))


def _authors(page: _Page) -> list[str]:
    if page.profile is not None:
        names = [squash(el.text_content()) for el in page.profile.all(page.doc, "authors", page.host, page.index)]
        if any(names):
            return dedupe(names)
    ld = page.meta.ld("author")
    people = [a for a in (ld if isinstance(ld, list) else [ld]) if a is not None
              and not (isinstance(a, dict) and "Organization" in str(a.get("@type")))]
    names = ld_names(people) + page.meta.all("author") + page.meta.all("article:author")
    publishers = {page.meta.get("og:site_name") or ""} | set(ld_names(page.meta.ld("publisher")))
    return dedupe([n for n in names if n and n not in publishers and not _ORG_AUTHOR.search(n)
                   and not n.startswith("http")])


def _news_id(page: _Page, source: str | None) -> str | None:
    from parsers.urls import news_id_from_url

    found = news_id_from_url(page.url, source) if page.url else None
    if found:
        return found
    if page.profile is not None and page.url:
        path = unquote(url_parts(page.url)[1])
        for pattern in page.profile.patterns("news_id_url", page.host):
            match = pattern.search(path)
            if match:
                return match.group(1)
    text = _field_text(page, "news_id")
    if text and news_id_from_text(text):
        return news_id_from_text(text)
    return news_id_from_text(page.meta.get("nastooh:code")) if page.meta.get("nastooh:code") else None


def _canonical(url: str, source: str | None) -> str:
    from parsers.urls import canonicalize

    try:
        return canonicalize(url, source)
    except ValueError:  # InvalidURL (a file path, a bare name): keep what we were given
        return url


def _profile_images(page: _Page) -> list[Image]:
    if page.profile is None:
        image = page.meta.get("og:image")
        return [Image(url=safe_urljoin(page.url, image))] if image else []
    out = []
    for el in page.profile.all(page.doc, "images", page.host, page.index):
        src = el.get("data-src") or el.get("src")
        if src and not src.startswith("data:"):
            out.append(Image(url=safe_urljoin(page.url, src.strip()), caption=""))
    return out


def _merge_images(first: list[Image], second: list[Image]) -> list[Image]:
    merged: dict[str, Image] = {}
    for image in first + second:
        if image.url not in merged or (image.caption and not merged[image.url].caption):
            merged[image.url] = image
    return list(merged.values())


def _attribution(blocks: list[Block]) -> Attribution:
    from parsers.attribution import parse_attribution

    first = next((b.text for b in blocks if b.type == "paragraph"), None)
    found = parse_attribution(first) if first else None
    return found if found is not None else Attribution()


def _normalized(article: Article) -> Normalized:
    from parsers.normalize import normalize, normalize_paragraphs

    return Normalized(
        supertitle=normalize(article.supertitle or ""),
        title=normalize(article.title),
        lead=normalize(article.lead or ""),
        text="\n\n".join(normalize_paragraphs([b.text for b in article.body])),
    )
