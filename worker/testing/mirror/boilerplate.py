"""Page furniture shared by the generated families: menus, share bars, comment forms, footers,
and the padding that brings a page to a requested size with realistic boilerplate.

Nothing here may ever be article text: extractors are scored on keeping all of it out.
"""
from __future__ import annotations

import html
import random
import zlib
from urllib.parse import quote

from .text import CATEGORIES, TextMaker, jalali_text, slugify

MENU_ITEMS = ["صفحه اصلی", "سیاسی", "اقتصادی", "اجتماعی", "بین‌الملل", "ورزشی", "فرهنگی",
              "استان‌ها", "عکس", "فیلم", "چندرسانه‌ای", "آرشیو", "درباره ما", "تماس با ما"]
FOOTER_LINKS = ["درباره ما", "تماس با ما", "آگهی", "خبرنامه", "آر‌اس‌اس", "نقشه سایت",
                "حریم خصوصی", "شرایط استفاده", "فرصت‌های شغلی"]
SHARE_NETWORKS = ["telegram", "twitter", "facebook", "whatsapp", "linkedin", "email"]
COMMENT_RULES = [
    "لطفا نظرات خود را با حروف فارسی تایپ کنید.",
    "نظرات حاوی توهین و افترا منتشر نخواهد شد.",
    "نظرات پس از تأیید مدیر سایت منتشر می‌شود.",
]


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


def nav_menu(ul_class: str = "main-menu") -> str:
    items = "".join(f'<li><a href="/service/{i}">{esc(t)}</a></li>' for i, t in enumerate(MENU_ITEMS))
    return f'<nav class="{ul_class}"><ul>{items}</ul></nav>'


def share_bar(abs_url: str, title: str, cls: str = "share-bar") -> str:
    u = quote(abs_url, safe="")
    t = quote(title, safe="")
    links = "".join(
        f'<a class="share-{n}" rel="nofollow" target="_blank" href="https://share.example/{n}?url={u}&amp;text={t}">'
        f'<i class="fa fa-{n}"></i></a>' for n in SHARE_NETWORKS)
    return f'<div class="{cls}"><span>اشتراک‌گذاری</span>{links}</div>'


def comment_form(news_id: str) -> str:
    rules = "".join(f"<li>{esc(r)}</li>" for r in COMMENT_RULES)
    return (
        f'<section class="comments" id="comments"><h2>نظرات</h2><ul class="rules">{rules}</ul>'
        f'<form method="post" action="/comment/{news_id}" class="form-comment">'
        '<textarea name="body" placeholder="نظر شما"></textarea>'
        '<input type="text" name="name" placeholder="نام"><input type="email" name="email" placeholder="ایمیل">'
        '<button type="submit">ارسال</button></form></section>')


def site_footer(name_fa: str, year: int) -> str:
    links = "".join(f'<li><a href="/page/{i}">{esc(t)}</a></li>' for i, t in enumerate(FOOTER_LINKS))
    return (f'<footer class="main-footer"><ul class="footer-links">{links}</ul>'
            f'<p class="copyright">کلیه حقوق این سایت متعلق به {esc(name_fa)} است. © {year}</p></footer>')


def analytics_script(agency: str) -> str:
    return ("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
            f"gtag('js',new Date());gtag('config','UA-{zlib.crc32(agency.encode()) % 10**8}-1');</script>")


# ---- related / latest lists (titles of other, imaginary articles) -----------------------------

def other_titles(seed: str, k: int) -> list[str]:
    """Titles of other stories for related/latest boxes, deterministic from `seed`."""
    maker = TextMaker(seed, persian_digits=True, arabic_rate=0.0)
    return [maker.title() for _ in range(k)]


# ---- padding --------------------------------------------------------------------------------

_CSS_RULE = (".box-{i} .item-{j}{{margin:{a}px {b}px;padding:{b}px;border-bottom:1px solid #e{c}e{c}e{c};"
             "font:{a}px/1.8 IRANSans,Tahoma,sans-serif;color:#3{c}3{c}3{c}}}\n")
_JS_LINE = ("  {{id:{i},slot:'div-gpt-ad-{i}-{j}',sizes:[[{a}0,{b}0],[300,250]],targeting:{{pos:'{p}'}}}},\n")


def _latest_block(rng: random.Random, path_of, maker: TextMaker, k: int) -> tuple[str, list[str]]:
    titles = [maker.title() for _ in range(k)]
    lis = []
    for t in titles:
        href = path_of(t, rng)
        stamp = jalali_text_stub(rng)
        lis.append(f'<li class="news"><h3><a href="{attr(href)}" title="{attr(t)}">{esc(t)}</a></h3>'
                   f'<time>{stamp}</time></li>')
    cat = rng.choice(CATEGORIES)
    return (f'<section class="box list latest-news"><header><h2><a href="/archive">آخرین اخبار {esc(cat)}</a>'
            f'</h2></header><ul>{"".join(lis)}</ul></section>\n', titles)


def jalali_text_stub(rng: random.Random) -> str:
    return f"{rng.randint(1, 23)} ساعت قبل".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


_POOLS: dict[str, list[tuple[str, list[str]]]] = {}
POOL_BLOCKS = 90


def _pool(key: str, path_of) -> list[tuple[str, list[str]]]:
    """Boilerplate blocks for one URL style, rendered once per process: padding a 300 KiB page
    then costs a few list picks instead of rendering hundreds of titles."""
    pool = _POOLS.get(key)
    if pool is None:
        rng = random.Random(f"pool:{key}")
        maker = TextMaker(f"pool:{key}", arabic_rate=0.0)
        pool = []
        for i in range(POOL_BLOCKS):
            kind = i % 3
            titles: list[str] = []
            if kind == 0:
                block, titles = _latest_block(rng, path_of, maker, 12)
            elif kind == 1:
                lines = "".join(_JS_LINE.format(i=i, j=j, a=rng.randint(10, 99), b=rng.randint(5, 60),
                                                p=rng.choice(["top", "side", "bottom", "inline"]))
                                for j in range(25))
                block = f"<script>var adSlots{i}=[\n{lines}];googletag.cmd.push(function(){{}});</script>\n"
            else:
                rules = "".join(_CSS_RULE.format(i=i, j=j, a=rng.randint(10, 40), b=rng.randint(2, 30),
                                                 c=rng.randint(1, 9)) for j in range(20))
                block = f"<style>\n{rules}</style>\n"
            pool.append((block, titles))
        _POOLS[key] = pool
    return pool


def padding(target_bytes: int, seed: str, path_of, pool_key: str = "") -> tuple[str, list[str]]:
    """Boilerplate HTML of about `target_bytes` bytes (UTF-8): latest-news lists, ad-slot
    scripts and inline styles, as real pages carry. Returns (html, a sample of the titles used)."""
    rng = random.Random(seed)
    pool = _pool(pool_key, path_of)
    chunks: list[str] = []
    size = 0
    sample: list[str] = []
    while size < target_bytes:
        block, titles = pool[rng.randrange(len(pool))]
        if len(sample) < 30:
            sample.extend(t for t in titles[: 30 - len(sample)] if t not in sample)
        chunks.append(block)
        size += len(block.encode("utf-8"))
    return "".join(chunks), sample


def padded(page: str, size_kb: int | None, seed: str, path_of, pool_key: str = "") -> tuple[str, list[str]]:
    """Insert padding before </body> so the page is about size_kb KiB; no-op when already larger."""
    if not size_kb:
        return page, []
    deficit = size_kb * 1024 - len(page.encode("utf-8"))
    if deficit <= 0:
        return page, []
    pad, sample = padding(deficit, seed, path_of, pool_key)
    at = page.rfind("</body>")
    return page[:at] + pad + page[at:], sample


def slug_path(prefix: str, news_id_start: int):
    """A path_of(title, rng) function for padding links in one family's URL style."""
    def path_of(title: str, rng: random.Random) -> str:
        return f"{prefix}{news_id_start + rng.randint(1, 99999)}/{quote(slugify(title))}"
    return path_of


__all__ = [
    "analytics_script",
    "attr",
    "comment_form",
    "esc",
    "jalali_text",
    "nav_menu",
    "other_titles",
    "padded",
    "share_bar",
    "site_footer",
    "slug_path",
]
