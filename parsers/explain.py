"""`bayegan parse FILE --explain`: per field, which selector or heuristic produced the value
(Article.provenance) and what else was on offer (every candidate the layers would have tried, with
the value each finds), plus which profile/layout candidates detection weighed and why each lost.

A second, slower pass over the page, run only on request: parsing itself never collects this.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from parsers import generic_fields
from parsers.article import Article
from parsers.detect import Considered, candidates
from parsers.encoding import decode_html_checked
from parsers.errors import NotAnArticle
from parsers.generic import PageMeta, find_main_content, ld_names, page_metadata, squash
from parsers.profiles import Profile, select_all
from parsers.structure import url_parts

MAX_SHOWN = 100  # characters of a candidate's value shown


@dataclass(slots=True)
class FieldReport:
    name: str
    value: str
    produced_by: str
    considered: list[tuple[str, str]] = field(default_factory=list)  # (candidate, the value it finds)


@dataclass(slots=True)
class Explanation:
    article: Article | None
    refused: str | None
    detection: list[Considered]
    fields: list[FieldReport]


def explain(data: bytes, url: str, *, source: str | None = None, content_type: str | None = None,
            profile_hint: str | None = None) -> Explanation:
    """Parse the page as parsers.parse does and report how. NotAnArticle is reported, not raised;
    other ParseErrors (undecodable input) propagate."""
    from parsers.extract import parse_page, parse_tree

    trace: list[Considered] = []
    article, refused = None, None
    try:
        article = parse_page(data, url, source=source, content_type=content_type, profile_hint=profile_hint,
                             trace=trace)
    except NotAnArticle as exc:
        refused = Exception.__str__(exc)
    text, _ = decode_html_checked(data, content_type, source=url or "<input>")
    doc = parse_tree(text, url or "<input>")
    meta = page_metadata(doc)
    chosen = next((c for c in candidates() if article and c.parser_name == article.parser.profile), None)
    host = url_parts(url)[0] if url.startswith(("http://", "https://")) else ""
    reports = [] if article is None else [_report(name, article, doc, meta, chosen, host) for name in FIELDS]
    return Explanation(article, refused, trace, reports)


def _short(text: str | None) -> str:
    text = squash(text)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _selectors(profile: Profile | None, name: str, doc: HtmlElement, host: str,
               joined: bool = False) -> list[tuple[str, str]]:
    """Every selector of the profile for `name` that matches, with its first (or all) match's text."""
    if profile is None:
        return []
    out = []
    for css in profile.selectors(name, host):
        found = select_all(doc, css)
        if found:
            texts = [(el.get("data-src") or el.get("src") or "") if name == "images" else squash(el.text_content())
                     for el in found]
            value = " | ".join(t for t in texts if t) if joined else texts[0]
            if name == "body":
                value = f"{len(squash(found[0].text_content()))} characters"
            out.append((f"profile {profile.parser_name}: {css}", value))
    return out


def _meta(meta: PageMeta, *keys: str) -> list[tuple[str, str]]:
    return [(f"meta {k}", v) for k in keys for v in meta.all(k)]


def _ld(meta: PageMeta, key: str) -> list[tuple[str, str]]:
    value = meta.ld(key)
    if value is None:
        return []
    return [(f"json-ld {key}", value if isinstance(value, str) else ", ".join(ld_names(value)) or str(value))]


def _generic(label: str, value: str | None) -> list[tuple[str, str]]:
    return [(f"generic: {label}", value)] if value else []


def _body_candidates(doc: HtmlElement) -> list[tuple[str, str]]:
    region = find_main_content(doc)
    if region is None:
        return []
    return [(f"generic: main-content scorer ({region.tag} {region.get('class', '')})".strip(),
             f"{len(squash(region.text_content()))} characters")]


def _date_candidates(doc: HtmlElement, meta: PageMeta) -> list[tuple[str, str]]:
    raw, _ = generic_fields.visible_date(doc)
    return (_meta(meta, "article:published_time", "og:article:published_time", "datepublished", "dc.date",
                  "date", "pubdate", "publishdate") + _ld(meta, "datePublished")
            + _generic("visible Jalali date near the <h1>", raw))


def _title_candidates(doc: HtmlElement, meta: PageMeta) -> list[tuple[str, str]]:
    heads = [("generic: <h1>", squash(h.text_content())) for h in doc.iter("h1") if squash(h.text_content())]
    return (_meta(meta, "og:title", "twitter:title") + _ld(meta, "headline") + heads
            + _generic("<title> minus the site name",
                       generic_fields.title_without_site(meta.title_tag, meta.get("og:site_name"))))


Finder = Callable[[HtmlElement, PageMeta], list[tuple[str, str]]]
# field name in the report -> (Article attribute, profile field, the page-level candidates)
FIELDS: dict[str, tuple[str, str | None, Finder]] = {
    "title": ("title", "title", _title_candidates),
    "supertitle": ("supertitle", "supertitle", lambda d, m: _generic("kicker near the <h1>", generic_fields.kicker(d))),
    "lead": ("lead", "lead", lambda d, m: _generic("lead element or description",
                                                   generic_fields.lead_with_source(d, m, cross_check=False)[0])
             + _meta(m, "og:description", "description")),
    "published": ("published", "date", _date_candidates),
    "updated": ("updated", None, lambda d, m: _meta(m, "article:modified_time", "datemodified")
                + _ld(m, "dateModified")),
    "body": ("body", "body", lambda d, m: _body_candidates(d)),
    "authors": ("authors", "authors", lambda d, m: _ld(m, "author") + _meta(m, "author", "article:author")
                + _generic("byline near the <h1>", generic_fields.byline(d))),
    "attribution": ("attribution", None, lambda d, m: []),
    "news_id": ("news_id", "news_id", lambda d, m: _meta(m, "nastooh:code")),
    "category": ("category", "category", lambda d, m: _meta(m, "article:section") + _ld(m, "articleSection")),
    "tags": ("tags", "tags", lambda d, m: _meta(m, "article:tag", "keywords") + _ld(m, "keywords")),
    "images": ("images", "images", lambda d, m: _meta(m, "og:image")),
}


def _shown(article: Article, attr: str) -> str:
    value = getattr(article, attr)
    if attr == "body":
        return f"{len(value)} blocks, {len(article.text)} characters"
    if attr == "attribution":
        return ", ".join(f"{k}={v}" for k, v in (("agency", value.agency), ("service", value.service),
                                                  ("dateline", value.dateline)) if v) or ""
    if attr == "images":
        return ", ".join(i.url for i in value)
    if isinstance(value, list):
        return " | ".join(value)
    if attr == "published" and article.published_raw:
        return f"{value} (shown as «{article.published_raw}»)"
    return value or ""


def _report(name: str, article: Article, doc: HtmlElement, meta: PageMeta, profile: Profile | None,
            host: str) -> FieldReport:
    attr, profile_field, finder = FIELDS[name]
    considered = (_selectors(profile, profile_field, doc, host, joined=name in ("tags", "authors"))
                  if profile_field else [])
    considered += finder(doc, meta)
    return FieldReport(name, _short(_shown(article, attr)), article.provenance.get(attr, "—"),
                       [(how, _short(v)) for how, v in considered if v])


def render(exp: Explanation, label: str) -> str:
    """The report as `bayegan parse --explain` prints it (plain text, UTF-8)."""
    lines = [f"page: {label}"]
    if exp.refused:
        lines.append(exp.refused)
    chosen = next((c for c in exp.detection if c.verdict == "chosen"), None)
    lines.append(f"layout: {chosen.name} (score {chosen.score})" if chosen else "layout: generic (no profile applies)")
    quiet = [c.name for c in exp.detection if c is not chosen and c.score == 0 and c.verdict == "below threshold"]
    for c in exp.detection:
        if c is not chosen and c.name not in quiet:
            lines.append(f"  not {c.name}: score {c.score}, {c.verdict}")
    if quiet:
        lines.append(f"  no evidence on the page for: {', '.join(quiet)}")
    for report in exp.fields:
        lines.append(f"{report.name}: {report.value or '—'}")
        lines.append(f"  by: {report.produced_by}")
        for how, value in report.considered:
            lines.append(f"  considered: {how} = {value}")
    return "\n".join(lines)
