"""Our own article pages for tests, modelled on real CMS structures (never copies of real pages).

`iransamaneh_page` follows the YJC/IRIB layout seen in the corpus (div.rutitr_body, div.title h1
a.title, div.subtitle h2 strong, div.body, div.news_pdate_c, div.news_path, div.tag_items), with the
boilerplate those sites carry around and inside the body.
"""
from __future__ import annotations

from html import escape


def iransamaneh_page(*, supertitle: str, title: str, lead: str, body_html: str, date: str,
                     news_id: str = "۶۴۱۲۳۴۵", category: str = "بین الملل",
                     tags: tuple[str, ...] = ("روسیه", "انگلیس")) -> bytes:
    tag_links = " ، ".join(f'<a href="/fa/tags/{i}/1/x" class="tags_item">{escape(t)}</a>'
                           for i, t in enumerate(tags, 1))
    html = f"""<!DOCTYPE HTML>
<html lang="fa-IR"><head><meta charset="utf-8">
<title>{escape(title)} - باشگاه خبرنگاران جوان</title>
<meta name="description" content="{escape(lead)}">
<meta name="og:title" value="{escape(title)}">
<meta name="og:type" value="website">
<meta name="article:section" value="{escape(category)}">
<script>var yektanet = {{"pos": 1}}; document.write("<div>تبلیغ</div>");</script>
<style>.body p {{ text-align: justify }}</style>
</head><body>
<div class="header"><ul class="menu"><li><a href="/fa/politics">سیاسی</a></li><li><a href="/fa/world">بین الملل</a></li></ul></div>
<div class="news_toolbar">
  <div class="news_nav news_id_c"><span class="news_nav_title">کد خبر: </span>{news_id}</div>
  <div class="news_path"> گروه : <a href="/fa/world">{escape(category)}</a> » <a href="/fa/world/europe">اروپا</a></div>
  <div class="news_nav news_pdate_c"><span class="news_nav_title">تاریخ انتشار: </span>{date}</div>
</div>
<div class="news_body_con" style="direction: rtl;">
  <div class="rutitr_body"><strong class="news_strong">{escape(supertitle)}</strong></div>
  <div class="title"><h1 class="Htags"><a class="title" href="/fa/news/6412345/x">{escape(title)}</a></h1></div>
  <div class="subtitle"><h2 class="Htags_news_subtitle"><strong class="news_strong">{escape(lead)}</strong></h2></div>
  <div class="body">
{body_html}
  <div class="wrapper"></div>
  </div>
</div>
<div class="tag_items">{tag_links}</div>
<div class="share_news"><a href="https://telegram.me/share/url?url=x">اشتراک در تلگرام</a></div>
<div class="related_news"><div class="title">اخبار مرتبط</div>
  <ul><li><a href="/fa/news/1">ادعای تازه لندن درباره مسکو بی‌اساس است</a></li>
      <li><a href="/fa/news/2">واکنش کرملین به سفر وزیر خارجه انگلیس</a></li></ul></div>
<div class="comments"><div class="comment">نظر یک خواننده که نباید در متن بیاید.</div></div>
<div class="footer">کلیه حقوق محفوظ است</div>
</body></html>"""
    return html.encode("utf-8")


# The seed's two subheadings (their openings, as the issue names them).
HEADINGS = ("جانسون : هنوز", "ديدار جانسون با لاوروف در مسکو")


def seed_body_html(lines: list[str]) -> str:
    """Seed lines 4.. as an IranSamaneh body: the attribution line broken by a <br>, one subheading
    written as a bold paragraph and one as <h3>, a related-news box inside, the end marker last."""
    body = lines[3:]
    out = [f"<p>{escape(body[0])}<br />\n{escape(body[1])}</p>"]
    for i, line in enumerate(body[2:], start=2):
        if line.startswith(HEADINGS[0]):
            out.append(f"<p><strong>{escape(line)}</strong></p>")
        elif line.startswith(HEADINGS[1]):
            out.append(f"<h3>{escape(line)}</h3>")
        else:
            out.append(f'<p style="text-align: justify;">{escape(line)}</p>')
        if i == 6:
            out.append('<div class="inline_related"><a href="/fa/news/3">بیشتر بخوانید: '
                       "سفر بی‌سابقه وزیر خارجه انگلیس به روسیه</a></div>")
    out.append("<p>انتهای پیام/</p>")
    return "\n".join(out)
