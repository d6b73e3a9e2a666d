"""The metadata fields of an Article (title, lead, dates, authors, category, tags, news id, images),
each read from the chosen profile's selectors first, then the page's metadata, then the generic
heuristics of parsers.generic_fields.

Every reader records in `Page.prov[field]` which layer produced the value ("profile fars@2014:
.nwstxtTitle", "meta og:title", "json-ld headline", "generic: ..."); the Article carries that as
`provenance` and `bayegan parse --explain` prints it. Pure functions over the lxml tree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote

from lxml.html import HtmlElement

from parsers import generic_fields
from parsers.article import Image
from parsers.entities import decode_leftover_entities
from parsers.generic import PageMeta, ld_names, split_keywords, squash
from parsers.profiles import PageIndex, Profile, select_all
from parsers.structure import dedupe, news_id_from_text, safe_urljoin, strip_label, url_parts

_CLOCK = re.compile(r"\d\s*[:：]\s*\d")
_ORG_AUTHOR = re.compile(r"خبرگزاری|خبرگزاري|news agency|tasnim|isna|irna", re.IGNORECASE)
PUBLISHED_KEYS = ("article:published_time", "og:article:published_time", "datepublished",
                  "dc.date", "date", "pubdate", "publishdate")
_UPDATED_KEYS = ("article:modified_time", "og:article:modified_time", "datemodified")


@dataclass(slots=True)
class Page:
    doc: HtmlElement
    meta: PageMeta
    profile: Profile | None
    host: str
    url: str
    index: PageIndex
    prov: dict[str, str] = field(default_factory=dict)

    def note(self, name: str, how: str) -> None:
        self.prov.setdefault(name, how)

    def by_profile(self, css: str) -> str:
        return f"profile {self.profile.parser_name if self.profile else '?'}: {css}"


def field_text(page: Page, name: str, record: str | None = None) -> str | None:
    """Text of the profile's first matching selector for `name`; noted under `record` when found."""
    if page.profile is None:
        return None
    el, css = page.profile.first_with(page.doc, name, page.host, page.index)
    text = squash(el.text_content()) if el is not None else None
    if text and record:
        page.note(record, page.by_profile(css))
    return text


def title(page: Page) -> str:
    found = field_text(page, "title", "title")
    if found:
        return found
    headline = page.meta.ld("headline")
    og = page.meta.get("og:title", "twitter:title", "headline")
    og_key = next((k for k in ("og:title", "twitter:title", "headline") if page.meta.get(k)), "json-ld headline")
    og = og or (squash(headline) if isinstance(headline, str) else "")
    heads = [squash(h.text_content()) for h in page.doc.iter("h1")]
    for head in heads:  # the <h1> that the page's own title metadata confirms
        if head and (head in (og or "") or head in page.meta.title_tag):
            page.note("title", f"generic: <h1> confirmed by {og_key if head in (og or '') else '<title>'}")
            return head
    if og:
        page.note("title", f"meta {og_key}" if og_key != "json-ld headline" else og_key)
        return og
    if len([h for h in heads if h]) == 1:
        page.note("title", "generic: the page's only <h1>")
        return next(h for h in heads if h)
    page.note("title", "generic: <title> minus the site name")
    return generic_fields.title_without_site(page.meta.title_tag, page.meta.get("og:site_name"))


def supertitle(page: Page) -> str | None:
    if page.profile is not None:
        return field_text(page, "supertitle", "supertitle")
    found = generic_fields.kicker(page.doc)
    if found:
        page.note("supertitle", "generic: kicker near the <h1>")
    return found


def lead(page: Page) -> str | None:
    found = field_text(page, "lead", "lead")
    if found:
        return found
    if page.profile is not None and page.profile.name != "jsonld":
        return None  # agency CMSs mark their lead; a meta description there is an SEO snippet
    # a page that marks itself an article (og:type, JSON-LD) vouches for its description; a bare
    # page's description is often SEO text, kept only where the page prints it too
    vouched = page.meta.get("og:type") == "article" or bool(page.meta.jsonld)
    found, how = generic_fields.lead_with_source(page.doc, page.meta, cross_check=page.profile is None and not vouched)
    if found:
        page.note("lead", how)
    return decode_leftover_entities(found) if found else None


def _dates():
    from parsers import dates  # imported late so `import parsers` stays cheap
    return dates


def machine_dates(page: Page, keys: tuple[str, ...], ld_key: str) -> list[tuple[datetime, str]]:
    dates = _dates()
    values = [(v, f"meta {key}") for key in keys for v in page.meta.all(key)]
    if isinstance(page.meta.ld(ld_key), str):
        values.append((page.meta.ld(ld_key), f"json-ld {ld_key}"))
    out = []
    for value, how in values:
        try:
            parsed = dates.parse_persian_datetime(value)
        except (ValueError, OverflowError):
            parsed = None
        if parsed is not None:
            out.append((parsed, how))
    return out


def _iso(dt: datetime) -> str:
    return _dates().to_tehran(dt).replace(microsecond=0).isoformat()


def profile_date(page: Page, profile: Profile | None = None) -> tuple[str | None, datetime | None]:
    """(raw text, parsed) of the profile's visible date element."""
    profile = profile or page.profile
    if profile is None:
        return None, None
    dates = _dates()
    el, css = profile.first_with(page.doc, "date", page.host, page.index)
    if el is None:
        return None, None
    raw = strip_label(squash(el.text_content())) or None
    visible = dates.parse_persian_datetime(raw) if raw else None
    if visible is None and el.get("datetime"):
        visible = dates.parse_persian_datetime(el.get("datetime"))
    if profile is page.profile and raw:
        page.note("published", page.by_profile(css))
    return raw, visible


def published(page: Page) -> tuple[str | None, str | None]:
    """The page's visible Jalali date is the authority; a machine date (meta/JSON-LD) that agrees
    with it to the minute (or to the day, when the page shows no time) supplies the precision;
    without a visible date the machine date is used."""
    raw, visible = profile_date(page)
    machine = machine_dates(page, PUBLISHED_KEYS, "datePublished")
    if visible is not None:
        shows_clock = bool(raw and _CLOCK.search(raw))
        for candidate, how in machine:
            if abs((candidate - visible).total_seconds()) < 60 or (
                    not shows_clock and candidate.date() == visible.date()):
                page.prov["published"] = f"{page.prov.get('published', 'visible date')}, precision from {how}"
                return raw, _iso(candidate)
        return raw, _iso(visible)
    if machine:
        page.prov["published"] = machine[0][1]
        return raw or page.meta.get(*PUBLISHED_KEYS), _iso(machine[0][0])
    if raw is not None:
        return raw, None
    found = generic_fields.visible_published(page.doc)
    if found[1]:
        page.note("published", "generic: visible Jalali date near the <h1>")
    return found


def updated(page: Page) -> str | None:
    found = machine_dates(page, _UPDATED_KEYS, "dateModified")
    if found:
        page.note("updated", found[0][1])
    return _iso(found[0][0]) if found else None


def category(page: Page) -> str | None:
    if page.profile is not None:
        texts = _all_with(page, "category")
        if texts:
            return page.profile.category_join.join(texts) if page.profile.category_join else texts[0]
    for key in ("article:section", "og:article:section", "articlesection"):
        if page.meta.get(key):
            page.note("category", f"meta {key}")
            return page.meta.get(key)
    ld = page.meta.ld("articleSection")
    found = squash(ld if isinstance(ld, str) else (ld[0] if isinstance(ld, list) and ld else "")) or None
    if found:
        page.note("category", "json-ld articleSection")
    return found


def _meta_tags(page: Page) -> tuple[list[str], str]:
    tags = page.meta.all("article:tag") + page.meta.all("og:article:tag")
    how = "meta article:tag"
    if len(tags) == 1:
        tags = split_keywords(tags[0])
    if not tags:
        ld = page.meta.ld("keywords")
        tags, how = (split_keywords(ld) if isinstance(ld, str) else ld_names(ld)), "json-ld keywords"
    if not tags and page.meta.get("keywords"):
        tags, how = split_keywords(page.meta.get("keywords") or ""), "meta keywords"
    return tags, how


def tags(page: Page) -> list[str]:
    profile = page.profile
    if profile is not None and profile.tags_from_meta:
        meta_tags = split_keywords(page.meta.get("keywords") or "")
        how = "meta keywords (the profile's choice)"
        if not meta_tags:
            meta_tags, how = _meta_tags(page)
        if meta_tags:
            page.note("tags", how)
            return dedupe(meta_tags)
    if profile is not None:
        found = _all_with(page, "tags")
        if found:
            return found
    meta_tags, how = _meta_tags(page)
    if meta_tags:
        page.note("tags", how)
    return dedupe(meta_tags)


def _all_with(page: Page, name: str) -> list[str]:
    """Texts of the profile's first selector for `name` that matches anything (noted)."""
    assert page.profile is not None
    for css in page.profile.selectors(name, page.host):
        texts = [squash(el.text_content()) for el in select_all(page.doc, css, page.index)]
        if texts:  # the first selector that matches anything decides, as Profile.all does
            if any(texts):
                page.note(name, page.by_profile(css))
            return dedupe(texts)
    return []


def authors(page: Page) -> list[str]:
    if page.profile is not None:
        found = _all_with(page, "authors")
        if found:
            return found
    ld = page.meta.ld("author")
    people = [a for a in (ld if isinstance(ld, list) else [ld]) if a is not None
              and not (isinstance(a, dict) and "Organization" in str(a.get("@type")))]
    names = ld_names(people) + page.meta.all("author") + page.meta.all("article:author")
    publishers = {page.meta.get("og:site_name") or ""} | set(ld_names(page.meta.ld("publisher")))
    out = dedupe([n for n in names if n and n not in publishers and not _ORG_AUTHOR.search(n)
                  and not n.startswith("http")])
    if out:
        page.note("authors", "json-ld author" if ld_names(people) else "meta author")
    elif page.profile is None and (name := generic_fields.byline(page.doc)):
        page.note("authors", "generic: byline element near the <h1>")
        return [name]
    return out


def news_id(page: Page, source: str | None) -> str | None:
    from parsers.urls import news_id_from_url

    found = news_id_from_url(page.url, source) if page.url else None
    if found:
        page.note("news_id", "url rule (parsers/url_rules.toml)")
        return found
    if page.profile is not None and page.url:
        path = unquote(url_parts(page.url)[1])
        for pattern in page.profile.patterns("news_id_url", page.host):
            match = pattern.search(path)
            if match:
                page.note("news_id", f"{page.by_profile('news_id_url')} {pattern.pattern}")
                return match.group(1)
    if page.profile is not None:
        el, css = page.profile.first_with(page.doc, "news_id", page.host, page.index)
        found = news_id_from_text(squash(el.text_content())) if el is not None else None
        if found:
            page.note("news_id", page.by_profile(css))
            return found
    code = page.meta.get("nastooh:code")
    if code and news_id_from_text(code):
        page.note("news_id", "meta nastooh:code")
        return news_id_from_text(code)
    return None


def profile_images(page: Page) -> list[Image]:
    if page.profile is None:
        image = page.meta.get("og:image")
        if image:
            page.note("images", "meta og:image")
        return [Image(url=safe_urljoin(page.url, image))] if image else []
    out = []
    for el in page.profile.all(page.doc, "images", page.host, page.index):
        src = el.get("data-src") or el.get("src")
        if src and not src.startswith("data:"):
            out.append(Image(url=safe_urljoin(page.url, src.strip()), caption=""))
    if out:
        page.note("images", page.by_profile("images"))
    return out


def merge_images(first: list[Image], second: list[Image]) -> list[Image]:
    merged: dict[str, Image] = {}
    for image in first + second:
        if image.url not in merged or (image.caption and not merged[image.url].caption):
            merged[image.url] = image
    return list(merged.values())

