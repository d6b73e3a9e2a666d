"""JSON-LD pages in the manner of BBC Persian: the metadata lives in a
<script type="application/ld+json"> NewsArticle (headline, description = lead, datePublished
in UTC, keywords), the visible page is a <main> holding an <h1>, a <time> with only the Jalali
day, and plain <p>s and <h2> subheadings; promos and navigation sit outside the article.
"""
from __future__ import annotations

import json

from .boilerplate import analytics_script, attr, esc, nav_menu, site_footer
from .model import ArticleSpec
from .text import jalali, month_name, to_persian_digits


def render_article(spec: ArticleSpec, base: str) -> tuple[str, str]:
    url = base + spec.url_path
    p = spec.published
    j = jalali(p)
    raw = to_persian_digits(f"{j.day} {month_name(j.month)} {j.year}")
    utc = spec.published_utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ld = {
        "@context": "http://schema.org", "@type": "NewsArticle", "url": url,
        "publisher": {"@type": "NewsMediaOrganization", "name": spec.agency.name_fa,
                      "logo": {"@type": "ImageObject", "url": base + "/logo.png"}},
        "image": {"@type": "ImageObject", "url": base + spec.image_url},
        "thumbnailUrl": base + spec.image_url,
        "datePublished": utc, "dateModified": utc,
        "headline": spec.title, "description": spec.lead, "keywords": spec.tags,
        "articleSection": spec.category, "inLanguage": {"@type": "Language", "name": "Persian"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url, "name": spec.title},
        "author": {"@type": "NewsMediaOrganization", "name": spec.agency.name_fa},
    }
    body = []
    for b in spec.blocks:
        tag = "h2" if b.type == "heading" else "p"
        cls = "bbc-heading" if tag == "h2" else "bbc-paragraph"
        body.append(f'<div dir="rtl"><{tag} class="{cls}">{b.inner_html()}</{tag}></div>')
    related = "".join(f'<li class="promo"><a href="{attr(path)}"><span>{esc(t)}</span></a></li>'
                      for path, t in spec.related)
    page = f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charSet="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{esc(spec.title)} - {esc(spec.agency.name_fa)}</title>
<meta name="description" content="{attr(spec.lead)}"/>
<link rel="canonical" href="{attr(url)}"/>
<meta property="og:title" content="{attr(spec.title)}"/><meta property="og:type" content="article"/>
<meta property="og:description" content="{attr(spec.lead)}"/><meta property="og:url" content="{attr(url)}"/>
<meta property="og:image" content="{attr(base + spec.image_url)}"/><meta property="og:locale" content="fa_IR"/>
<meta property="article:published_time" content="{utc}"/>
<meta name="article:section" content="{attr(spec.category)}"/>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body><div id="root"><header role="banner"><a href="#content" class="skip">پرش به محتوا</a>
<nav role="navigation">{nav_menu("bbc-nav")}</nav></header>
<main role="main" class="bbc-main"><article><header><h1 id="content" class="bbc-headline" tabindex="-1">{esc(spec.title)}</h1></header>
<div class="bbc-byline"><time datetime="{p.strftime('%Y-%m-%d')}">{raw}</time></div>
<figure><img src="{attr(spec.image_url)}" alt=""/></figure>
{"".join(body)}
</article>
<section aria-labelledby="related-content-heading" class="bbc-related"><h2 id="related-content-heading">مطالب مرتبط</h2><ul>{related}</ul></section>
</main>
{site_footer(spec.agency.name_fa, j.year)}
</div>{analytics_script(spec.agency.id)}</body></html>
"""
    return page, raw


def listing_item(path: str, title: str, lead: str, published) -> str:
    j = jalali(published)
    stamp = to_persian_digits(f"{j.day} {month_name(j.month)} {j.year}")
    return (f'<li class="bbc-promo"><h3><a href="{attr(path)}">{esc(title)}</a></h3>'
            f'<p class="promo-summary">{esc(lead)}</p><time datetime="{published.strftime("%Y-%m-%d")}">{stamp}</time></li>')


__all__ = ["listing_item", "render_article"]
