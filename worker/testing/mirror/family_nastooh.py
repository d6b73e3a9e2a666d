"""Nastooh CMS pages (ISNA, Mehr, IRNA): the markup of isna.ir article pages, our own text.

Observed on the real page: h1.first-title[itemprop=headline], p.summary[itemprop=description],
div.item-text[itemprop=articleBody] > p ending in «انتهای پیام», div.meta-news span.text-meta
with the Jalali date, meta itemprop=datePublished in Tehran local time without offset,
article:published_time in UTC with Z, footer.tags, ul.author-id, section.box.related.
"""
from __future__ import annotations

import json

from .boilerplate import analytics_script, attr, comment_form, esc, nav_menu, share_bar, site_footer
from .model import ArticleSpec
from .text import jalali, jalali_text, to_persian_digits, weekday_name


def _head(spec: ArticleSpec, base: str, url: str) -> str:
    p, utc = spec.published, spec.published_utc
    keywords = ",".join(spec.tags)
    ld = json.dumps({"@context": "https://schema.org", "@type": "WebPage", "url": url,
                     "name": spec.agency.name_fa}, ensure_ascii=False)
    return f"""<!DOCTYPE html>
<html class="no-js" lang="fa" xmlns="http://www.w3.org/1999/xhtml"><head>
    <title>{esc(spec.title)} - {esc(spec.agency.name_fa)}
    </title>
    <meta name="twitter:title" property="dc.title" content="{attr(spec.title)}" />
    <meta name="description" property="dc.description" content="{attr(spec.lead)}" />
    <meta property="dc.identifier" content="{attr(url)}" />
    <meta property="dc.date" content="{p.strftime('%Y-%m-%d T %H:%M:%S %z')}" />
    <meta property="og:type" content="article" />
    <meta name="twitter:url" property="og:url" content="{attr(url)}" />
    <meta property="article:modified_time" content="{utc.strftime('%Y-%m-%dT%H:%M:%SZ')}" />
    <meta property="article:section" content="{attr(spec.category)}" />
    <meta name="keywords" property="article:tag" content="{attr(keywords)}" />
    <meta property="nastooh:pageType" content="news" />
    <meta property="nastooh:publishDate" content="{p.strftime('%Y-%m-%d')}" />
    <meta property="nastooh:code" content="{spec.news_id}" />
    <meta property="og:title" itemprop="headline" content="{attr(spec.title)}" />
    <meta name="twitter:description" itemprop="description" property="og:description" content="{attr(spec.lead)}" />
    <meta name="twitter:image:src" itemprop="image" property="og:image" content="{attr(base + spec.image_url)}" />
    <meta itemprop="datePublished" property="article:published_time" content="{utc.strftime('%Y-%m-%dT%H:%M:%SZ')}" />
    <link rel="canonical" href="{attr(url)}" />
    <link rel="amphtml" href="{attr(base)}/amp/{spec.news_id}/" />
    <script data-schema="WebPage" type="application/ld+json">{ld}</script>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Language" content="fa" />
    <meta property="og:site_name" content="{attr(spec.agency.name_fa)}" />
    <meta name="generator" content="www.nastooh.ir" />
    <link href="/resources/theme/css/style.css" type="text/css" rel="stylesheet" />
</head>
"""


def render_article(spec: ArticleSpec, base: str) -> tuple[str, str]:
    url = base + spec.url_path
    p = spec.published
    raw = jalali_text(p, sep=" / ")
    local_meta = p.strftime("%Y-%m-%d %H:%M:%S") + f".{spec.rng.randint(100, 999)}"
    body = []
    for b in spec.blocks:
        if b.type == "heading":
            body.append(f"<h3>{b.inner_html()}</h3>")
        else:
            body.append(f'<p style="text-align:justify">{b.inner_html(link=base + "/")}</p>')
    body.append('<p style="text-align:justify">انتهای پیام</p>')
    body_html = "\n                ".join(body)
    supertitle = f'<h4 class="uptitle">{esc(spec.supertitle)}</h4>' if spec.supertitle else ""
    related = "".join(
        f'<li class="coverage"><div class="desc"><h3><a href="{attr(path)}" target="_blank">{esc(t)}\n</a></h3></div></li>'
        for path, t in spec.related)
    tags = "".join(f'<li><a href="/tag/{attr(t.replace(" ", "+"))}" rel="Index, Tag">{esc(t)}</a></li>' for t in spec.tags)
    author = (f'<li><i class="fa fa-edit"></i> <span>خبرنگار</span>\n<strong>{esc(spec.author)}</strong></li>'
              if spec.author else "")
    page = _head(spec, base, url) + f"""<body class="body-rtl rtl pt-news ptc-talk">
<header class="main-header">
{nav_menu("top-menu-bar")}
{nav_menu("main-menu collapse navbar-collapse")}
</header>
<main class="main-content">
<div class="container"><div class="row"><div class="col-md-7">
<article id="item" class="page item" itemscope="itemscope" itemtype="http://schema.org/NewsArticle">
    <div class="news-info">
        <div class="meta-news">
            <meta itemprop="datePublished" content="{local_meta}" />
            <ul>
                <li><i class="fa fa-calendar-o"></i> <span class="title-meta">{weekday_name(p)} /</span> <span class="text-meta">{raw}</span></li>
                <li><i class="fa fa-folder-o"></i> <span class="title-meta">دسته‌بندی: </span> <span class="text-meta" itemprop="articleSection">
                        {esc(spec.category)}

                    </span></li>
                <li><i class="fa fa-newspaper-o"></i> <span class="title-meta">کد خبر: </span> <span class="text-meta">{spec.news_id}</span></li>
                <li><i class="fa fa-microphone"></i> <span class="title-meta">خبرنگار :</span> <span class="text-meta">{spec.rng.randint(10000, 99999)}</span></li>
                <li class="hidden-xs hidden-print"><a href="/print/{spec.news_id}/"><i class="fa fa-print"></i><span class="title-meta">چاپ</span></a></li>
            </ul>
        </div>
    </div>
    <div class="full-news"><div class="full-news-text">
        <header class="item-header">
            <div class="item-title col-xs-12">
                {supertitle}<h1 class="first-title" itemprop="headline">{esc(spec.title)}</h1>
            </div>
        </header>
        <div class="item-body content-full-news">
            <figure class="item-img img-md"><img src="{attr(spec.image_url)}" alt="{attr(spec.title)}" itemprop="image" /></figure>
            <p class="summary" itemprop="description">{esc(spec.lead)}</p>

            <div itemprop="articleBody" class="item-text">{body_html}
            </div>
        </div>
        <div class="item-footer">
            <div class="item-sharing">{share_bar(url, spec.title, "list-inline")}</div>
            <ul class="author-id list-inline list-unstyled">{author}</ul>
            <div class="item-link"><label for="short-url">لینک کوتاه</label>
                <input type="text" id="short-url" readonly="readonly" value="{attr(base)}/news/{spec.news_id}/" /></div>
        </div>
        <footer class="tags">
            <i class="fa fa-tags"></i> <span>برچسب‌ها:</span>
            <ul>{tags}</ul>
        </footer>
    </div>
    <section class="box related list list-bullets"><header><h2>اخبار مرتبط</h2></header>
        <div><ul>{related}</ul></div></section>
    {comment_form(spec.news_id)}
    </div>
</article>
</div></div></div>
</main>
{site_footer(spec.agency.name_fa, jalali(p).year)}
{analytics_script(spec.agency.id)}
</body>
</html>
"""
    return page, raw


def listing_item(path: str, title: str, lead: str, published) -> str:
    stamp = to_persian_digits(f"{weekday_name(published)} {jalali_text(published)}")
    return (f'<li class="news"><div class="desc"><h3><a href="{attr(path)}" target="_blank">{esc(title)}</a></h3>'
            f'<p>{esc(lead)}</p><time title="{attr(stamp)}"><a href="{attr(path)}">{esc(stamp)}</a></time></div></li>')


__all__ = ["listing_item", "render_article"]
