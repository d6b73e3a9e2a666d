"""Tasnim pages: the markup of tasnimnews.com article pages.

Observed on the real page: article.single-news h1.title and h3.lead (text padded with spaces),
ul.details li.time (Jalali, month in Arabic yeh), li.service a (category), div.story > p with
ZWNJ written as &zwnj;, a hidden div.hideTag at the start of the story, a «بیشتر بخوانید»
readmore box between paragraphs, an &nbsp;-only paragraph and «انتهای پیام/» at the end,
ul.smart-keyword li a (tags), JSON-LD datePublished in UTC with 7 fractional digits, and
a RELATIVE percent-encoded og:url.
"""
from __future__ import annotations

import json

from .boilerplate import analytics_script, attr, comment_form, esc, nav_menu, share_bar, site_footer
from .model import ArticleSpec
from .text import jalali, jalali_text


def render_article(spec: ArticleSpec, base: str) -> tuple[str, str]:
    rng = spec.rng
    short = f"{base}/{spec.news_id}"
    p = spec.published
    raw = jalali_text(p, arabic_yeh=True)
    utc = spec.published_utc.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    body = [f'<div class="hideTag"><a href="/fa/service/1/"> - اخبار {esc(spec.category)} - </a></div>']
    readmore_at = rng.randint(1, max(1, len(spec.blocks) - 1))
    for i, b in enumerate(spec.blocks):
        if i == readmore_at and spec.related:
            path, t = spec.related[0]
            body.append(f'<div class="markup-container readmore-container"><a href="{attr(base + path)}">{esc(t)}</a></div>')
        if b.type == "heading":
            body.append(f"<h2>{b.inner_html(zwnj_entity=True)}</h2>")
        else:
            body.append(f'<p style="text-align:justify">{b.inner_html(zwnj_entity=True, link="https://www.tasnimnews.com")}</p>')
    body.append('<p style="text-align:justify">&nbsp;</p><p style="text-align:justify">انتهای پیام/</p>'
                '<div class="clearfix"></div>')
    ld = {"headline": spec.title,
          "author": {"name": f"{spec.agency.name_fa} - Tasnim ", "@type": "Organization"},
          "keywords": ", ".join(spec.tags), "datePublished": utc, "dateModified": utc,
          "mainEntityOfPage": {"@id": spec.url_path, "@type": "WebPage"},
          "@context": "http://schema.org", "@type": "NewsArticle"}
    keywords = "".join(f'<li class="skeyword-item"><a href="/fa/keyword/{i + 10}/{attr(t)}"> {esc(t)} </a></li>'
                       for i, t in enumerate(spec.tags))
    more = "".join(f'<article class="list-item"><a href="{attr(path)}"><h2 class="title"> {esc(t)} </h2></a></article>'
                   for path, t in spec.related[1:])
    page = f"""<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="shortcut icon" href="/static/img/icons/favicon.ico" type="image/x-icon" /><meta name="description" content="{attr(spec.lead)}" /><meta name="keywords" content="{attr(', '.join(spec.tags))}" /><title>{esc(spec.title)}- اخبار {esc(spec.category)} - اخبار تسنیم - Tasnim</title><script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script><link rel="amphtml" href="{attr(spec.url_path)}/amp" /><meta property="og:type" content="article" /><meta property="og:title" content="{attr(spec.title)}- اخبار {attr(spec.category)} - اخبار تسنیم - Tasnim" /><meta property="og:description" content="{attr(spec.lead)}" /><meta property="og:site_name" content="{attr(spec.agency.name_fa)} - Tasnim " /><meta property="og:url" content="{attr(spec.url_path)}" /><meta property="og:image" content="{attr(base + spec.image_url)}" />{analytics_script(spec.agency.id)}</head><body><header id="header">{nav_menu("navbar")}</header><div class="container"><main><div class="row"><section class="body col-md-9"><div class="row"><section class="col-sm-8 col-xs-12"><article class="single-news"><h1 class="title"> {esc(spec.title)} </h1><h3 class="lead"> {esc(spec.lead)} </h3><ul class="list-inline details"><li class="time"> {raw} </li><li class="service"><a href="/fa/service/{rng.randint(1, 40)}/"> {esc(spec.category)} </a></li><li class="comments"><a href="#comment-form" title="نظرات"> نظرات </a></li></ul>{share_bar(short, spec.title, "sharer")}<div><figure><img src="{attr(spec.image_url)}" class="img-responsive" alt="{attr(spec.title)}" /></figure></div><div class="story" data-readMoreTitle="بیشتر بخوانید">{"".join(body)}</div><div class="footer"> R{rng.randint(10000, 99999)}/P{rng.randint(100000, 999999)}/S3,27/CT7 </div><section class="news-container"><header><span class="title"> واژه های کاربردی مرتبط </span></header><section class="content"><ul class="smart-keyword">{keywords}</ul></section></section><div class="short-url"><a href="{attr(short)}" id="short-link"> {esc(short)} </a></div>{comment_form(spec.news_id)}</article></section><section class="np-col col-sm-4"><section class="news-container news-box"><header><span class="title"> بیشتر بخوانید... </span></header>{more}</section></section></div></section></div></main></div>{site_footer(spec.agency.name_fa, jalali(p).year)}</body></html>"""
    return page, raw


def listing_item(path: str, title: str, lead: str, published) -> str:
    return (f'<article class="list-item"><a href="{attr(path)}"><h2 class="title"> {esc(title)} </h2>'
            f'<h4 class="lead"> {esc(lead)} </h4><time> {esc(jalali_text(published, arabic_yeh=True))} </time></a></article>')


__all__ = ["listing_item", "render_article"]
