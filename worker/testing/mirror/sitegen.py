"""Generated Persian news pages in the HTML shapes of the real CMS families, with their truth.

    html, url_path, truth = generate_article(7, "nastooh", size_kb=120)

Deterministic: the same (n, family, agency, published, base_url, size_kb) always gives the
same bytes. The text is our own, built from word lists; only the markup imitates the agencies
(see the family_*.py modules for what was observed on which real page).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from . import family_iransamaneh, family_jsonld, family_nastooh, family_tasnim
from .boilerplate import attr, esc, nav_menu, padded, site_footer, slug_path
from .model import AGENCIES, DEFAULT_AGENCY, FAMILIES, build_spec, truth_of
from .text import TEHRAN, jalali

RENDERERS = {
    "nastooh": family_nastooh,
    "iransamaneh": family_iransamaneh,
    "tasnim": family_tasnim,
    "jsonld": family_jsonld,
}
LINK_PREFIX = {"nastooh": "/news/", "iransamaneh": "/fa/news/", "tasnim": "/fa/news/1402/01/15/",
               "jsonld": "/persian/articles/c"}


def _base_for(family: str, agency: str | None, base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/")
    a = AGENCIES.get(agency or DEFAULT_AGENCY[family])
    return a.home if a else "https://www.example.ir"


def generate_article(n: int, family: str, *, size_kb: int | None = None, agency: str | None = None,
                     published: datetime | None = None, base_url: str | None = None,
                     story: int | None = None, revision: int = 0) -> tuple[bytes, str, dict]:
    """One article page: (UTF-8 html bytes, url_path, truth).

    n          seeds everything (title, text, date unless `published` is given, news id)
    family     nastooh | iransamaneh | tasnim | jsonld
    size_kb    pad with menus/latest lists/inline scripts and styles to about this size
    agency     agency id (names in the text and metadata; default: the family's typical agency)
    published  publication time (naive = Tehran local); default derived from n (2018-2024)
    base_url   origin for absolute links (og:url, canonical); default the agency's real home
    story      share the body text with every article of the same story (syndicated near-duplicates)
    revision   > 0: the same article edited later (an update paragraph appended)
    """
    if family not in RENDERERS:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")
    spec = build_spec(n, family, agency, published, story=story, revision=revision)
    base = _base_for(family, agency, base_url)
    page, raw = RENDERERS[family].render_article(spec, base)
    page, pad_titles = padded(page, size_kb, f"pad:{family}:{spec.agency.id}:{n}",
                              slug_path(LINK_PREFIX[family], 7_000_000), pool_key=family)
    truth = truth_of(spec, raw, pad_titles)
    truth["story"], truth["revision"] = story, revision
    return page.encode("utf-8"), spec.url_path, truth


def generate_listing(family: str, entries: Sequence[Mapping], *, title: str = "آخرین اخبار",
                     page: int = 1, prev_url: str | None = None, next_url: str | None = None,
                     agency: str | None = None, size_kb: int | None = None) -> bytes:
    """A listing/archive page of the family linking to `entries` (mappings with url (path or
    absolute), title, lead, published (datetime)), with prev/next pagination links."""
    if family not in RENDERERS:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")
    mod = RENDERERS[family]
    agency_obj = AGENCIES.get(agency or DEFAULT_AGENCY[family])
    name = agency_obj.name_fa if agency_obj else (agency or family)
    items = "\n".join(mod.listing_item(e["url"], e["title"], e.get("lead", ""), _aware(e["published"]))
                      for e in entries)
    pager = []
    if prev_url:
        pager.append(f'<li class="prev"><a rel="prev" href="{attr(prev_url)}">قبلی</a></li>')
    pager.append(f'<li class="active"><span>{page}</span></li>')
    if next_url:
        pager.append(f'<li class="next"><a rel="next" href="{attr(next_url)}">بعدی</a></li>')
    year = jalali(_aware(entries[0]["published"])).year if entries else 1403
    html = f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>{esc(title)} - {esc(name)}</title><meta name="robots" content="noindex, follow">
<meta property="og:type" content="website"></head>
<body class="page-archive"><header>{nav_menu("main-menu")}</header>
<main class="archive"><h1 class="archive-title">{esc(title)}</h1>
<section class="box list archive-list"><ul class="news-list">
{items}
</ul></section>
<nav class="pagination"><ul class="pagination">{"".join(pager)}</ul></nav></main>
{site_footer(name, year)}</body></html>
"""
    html, _ = padded(html, size_kb, f"listing:{family}:{page}", slug_path(LINK_PREFIX[family], 5_000_000),
                     pool_key=family)
    return html.encode("utf-8")


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=TEHRAN) if dt.tzinfo is None else dt.astimezone(TEHRAN)


__all__ = ["AGENCIES", "FAMILIES", "generate_article", "generate_listing"]
