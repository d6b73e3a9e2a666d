"""IranSamaneh CMS pages (YJC, IRIB News, Tabnak): the markup of yjc.ir article pages.

Observed on the real page: div.rutitr_body strong.news_strong (supertitle, often empty),
div.title h1.Htags a.title, div.subtitle h2.Htags_news_subtitle strong (lead),
div.news_pdate_c after «تاریخ انتشار: » with the month in Arabic yeh, div.body > p ending in
«انتهای پیام/<letter>», div.tag_items a.tags_item, div.news_path a (category), and
<meta name="article:published_time"> holding a JALALI date in Persian digits, not ISO.
Some pages write non-ASCII text in <title> and meta tags as hex numeric entities.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from .boilerplate import analytics_script, attr, comment_form, esc, nav_menu, share_bar, site_footer
from .model import ArticleSpec
from .text import jalali, jalali_numeric, jalali_text, to_persian_digits

END_LETTERS = "زمحنعقب"


def _hex_entities(s: str) -> str:
    """Non-ASCII as &#x..; (how some IranSamaneh pages arrive after re-serialization)."""
    return "".join(c if ord(c) < 128 else f"&#x{ord(c):X};" for c in attr(s))


def _head(spec: ArticleSpec, base: str, short: str, meta: Callable[[str], str]) -> str:
    p = spec.published
    return f"""<!DOCTYPE HTML> <html lang="fa-IR"> <head> <title>{meta(spec.title)}</title> <meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{meta(spec.lead)}">
<meta name="keywords" content="{meta('،'.join(spec.tags))}">
<link rel="alternate" type="application/rss+xml" title="RSS FEED" href="{attr(base)}/fa/rss/allnews">
<meta property="og:description" content="{meta(spec.lead)}">
<meta property="og:locale" content="fa_IR"> <meta property="og:type" content="website">
<meta property="og:title" content="{meta(spec.title)}">
<meta property="og:url" content="{attr(short)}">
<meta property="og:site_name" content="{meta(spec.agency.name_fa)}">
<meta name="twitter:card" content="summary"> <meta name="twitter:title" content="{meta(spec.title)}">
<meta name="dc.identifier" content="{attr(short)}">
<meta name="article:author" content="{meta(spec.agency.name_fa)}">
<meta name="article:section" content="{meta(spec.category)}">
<meta name="article:tag" content="{meta(' , '.join(spec.tags))}">
<meta name="article:published_time" content="{jalali_numeric(p)}">
<meta name="article:modified_time" content="{jalali_numeric(p)}">
<link rel="amphtml" href="{attr(base)}/fa/amp/news/{spec.news_id}"> </head>
"""


def render_article(spec: ArticleSpec, base: str) -> tuple[str, str]:
    rng = spec.rng
    url = base + spec.url_path
    short = f"{base}/fa/news/{spec.news_id}"
    p = spec.published
    raw = jalali_text(p, arabic_yeh=rng.random() < 0.6)
    meta = _hex_entities if rng.random() < 0.3 else attr
    body = []
    for b in spec.blocks:
        if b.type == "heading":
            body.append(f"<h2>{b.inner_html()}</h2>")
        else:
            body.append(f"<p>{b.inner_html(link=base + '/fa/states')}</p>")
    body.append(f"<p>انتهای پیام/{rng.choice(END_LETTERS)}</p>")
    body_html = " ".join(body)
    supertitle = esc(spec.supertitle) if spec.supertitle else ""
    related = "".join(
        f'<div class="linear_news3"><h3 class="Htags_news_relatednews"><a class="title5" title="{attr(t)}" '
        f'href="{attr(base + path)}"><i class="fa fa-2x-bolet fa-dot-circle-o"></i> {esc(t)} </a></h3></div>'
        for path, t in spec.related)
    tags = " ، ".join(f'<a href="{attr(base)}/fa/tags/{i + 100}/1/{attr(t)}" class="tags_item">{esc(t)}</a>'
                      for i, t in enumerate(spec.tags))
    page = _head(spec, base, short, meta) + f"""<body> <div class="header_container">{nav_menu("menu_main")}</div>
<div class="row"> <div class="col-xs-36 col-sm-24 padd_left2 overflow-hidden"> <div class="news_p_box"> <div>
<div class="news_toolbar">
<div class="news_nav news_id_c"><span class="news_nav_title">کد خبر: </span>{to_persian_digits(spec.news_id)}</div>
<div class="news_path"> گروه : <a href="{attr(base)}/fa/service/{rng.randint(1, 99)}">{esc(spec.category)}</a> » <a href="{attr(base)}/fa/service/{rng.randint(100, 299)}">{esc(rng.choice(['عمومی', 'استانی', 'ویژه']))}</a> </div>
<div class="news_nav news_pdate_c"><span class="news_nav_title">تاریخ انتشار: </span>{raw}</div>
<div class="wrapper"></div> </div>
<div class="row news_tools"><a title="نسخه چاپی" rel="nofollow" class="news_print_botton" href="/fa/print/{spec.news_id}"> نسخه چاپی </a>
<a rel="nofollow" title="ارسال به دوستان" class="news_emails_botton" href="/fa/send/{spec.news_id}"> ارسال به دوستان </a></div>
</div>
<div class="news_body_con" style="direction: rtl;">
<div class="rutitr_body"><strong class="news_strong">{supertitle}</strong></div>
<div class="title"> <h1 class="Htags"> <a class="title" href="{attr(url)}"> {esc(spec.title)} </a> </h1> </div>
<div class="subtitle"> <h2 class="Htags_news_subtitle"> <strong class="news_strong">{esc(spec.lead)}</strong> </h2> </div>
<div class="body"> {body_html} <div class="wrapper"></div> </div> </div>
<div class="row share_to_box"><div class="shareto_txt">اشتراک گذاری</div>{share_bar(url, spec.title, "social_icons")}</div>
<div class="row"> <div class="page_title2">مطالب مرتبط</div> <div class="related_news">{related}</div> </div>
<div class="tags_container"> <div class="row tags_title"> <div class="tag_name">برچسب ها</div>
<div class="tag_items"> {tags} </div> </div> </div>
<div class="comments_pager"></div><div class="comment_txt">ارسال نظر</div>{comment_form(spec.news_id)}
</div> </div> </div>
{site_footer(spec.agency.name_fa, jalali(p).year)}
{analytics_script(spec.agency.id)}
</body> </html>
"""
    if rng.random() < 0.25:
        page = _value_attribute_head(page)
    return page, raw


def _value_attribute_head(page: str) -> str:
    """Some IranSamaneh pages arrive with <meta name="og:title" value="..."> (value= for content=,
    og:* under name=), as the corpus YJC page does."""
    head, sep, rest = page.partition("</head>")
    head = re.sub(r'<meta property="(og:[^"]+)" content="([^"]*)">', r'<meta value="\2" name="\1">', head)
    head = re.sub(r'<meta name="([^"]+)" content="([^"]*)">', r'<meta name="\1" value="\2">', head)
    return head + sep + rest


def listing_item(path: str, title: str, lead: str, published) -> str:
    return (f'<div class="linear_news"><div class="news_pdate">{esc(jalali_text(published))}</div>'
            f'<a class="title5" href="{attr(path)}" title="{attr(title)}" target="_blank">'
            f'<i class="fa fa-2x-bolet fa-dot-circle-o"></i>{esc(title)} </a>'
            f'<div class="subtitle_list">{esc(lead)}</div></div>')


__all__ = ["listing_item", "render_article"]
