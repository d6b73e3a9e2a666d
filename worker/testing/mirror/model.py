"""The content of one generated article, before any family renders it as HTML.

`build_spec` decides everything that is true about the article (title, date, body blocks,
tags, ...); the family modules only decide how the page looks. The truth dict the tests
and benchmarks score against is derived from the spec, never parsed back from the HTML.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .boilerplate import attr, esc, other_titles
from .text import CATEGORIES, PLACES, TEHRAN, TextMaker, arabize, jalali, slugify, to_persian_digits

FAMILIES = ("nastooh", "iransamaneh", "tasnim", "jsonld")


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    family: str
    name_fa: str
    name_en: str
    attribution: str   # how the agency names itself in «به گزارش ...»
    home: str = "https://www.example.ir"   # origin used in absolute links when no mirror URL is given


AGENCIES: dict[str, Agency] = {a.id: a for a in [
    Agency("isna", "nastooh", "ایسنا", "ISNA", "ایسنا", "https://www.isna.ir"),
    Agency("mehr", "nastooh", "خبرگزاری مهر", "Mehr", "خبرگزاری مهر", "https://www.mehrnews.com"),
    Agency("irna", "nastooh", "ایرنا", "IRNA", "ایرنا", "https://www.irna.ir"),
    Agency("yjc", "iransamaneh", "باشگاه خبرنگاران جوان", "YJC", "باشگاه خبرنگاران جوان", "https://www.yjc.ir"),
    Agency("tabnak", "iransamaneh", "تابناک", "Tabnak", "تابناک", "https://www.tabnak.ir"),
    Agency("tasnim", "tasnim", "خبرگزاری تسنیم", "Tasnim", "خبرگزاری تسنیم", "https://www.tasnimnews.com"),
    Agency("bbcpersian", "jsonld", "بی‌بی‌سی فارسی", "BBC Persian", "بی‌بی‌سی فارسی", "https://www.bbc.com"),
]}
DEFAULT_AGENCY = {"nastooh": "isna", "iransamaneh": "yjc", "tasnim": "tasnim", "jsonld": "bbcpersian"}
END_MARKERS = {"nastooh": "انتهای پیام", "iransamaneh": "انتهای پیام/", "tasnim": "انتهای پیام/", "jsonld": ""}
SERVICES = {"استان‌ها": "استان‌های", "سیاسی": "سیاسی", "اقتصادی": "اقتصادی", "ورزشی": "ورزشی",
            "علمی": "علمی", "فضای مجازی": "فضای مجازی"}   # desk -> its written ezafe form
VIA = ["رویترز", "خبرگزاری فرانسه", "آسوشیتدپرس", "ایرنا", "صدا و سیما"]


@dataclass(slots=True)
class Block:
    type: str                      # paragraph | heading
    parts: list[tuple[str, str]]   # (kind, text): kind in t (text), strong, a (link to the agency)
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.parts).strip()

    def inner_html(self, *, zwnj_entity: bool = False, link: str = "/") -> str:
        out = []
        for kind, t in self.parts:
            h = esc(t)
            if kind == "strong":
                h = f"<strong>{h}</strong>"
            elif kind == "a":
                h = f'<a href="{attr(link)}" target="_blank">{h}</a>'
            out.append(h)
        s = "".join(out)
        return s.replace("\u200c", "&zwnj;") if zwnj_entity else s


@dataclass(slots=True)
class ArticleSpec:
    n: int
    family: str
    agency: Agency
    news_id: str
    url_path: str                  # percent-encoded, as it appears in links and on the wire
    title: str
    supertitle: str | None
    lead: str
    published: datetime            # aware, Asia/Tehran
    blocks: list[Block]
    tags: list[str]
    category: str
    related: list[tuple[str, str]]  # (url_path, title) of related stories (boilerplate)
    image_url: str
    author: str | None
    attribution: dict | None
    persian_digits: bool
    rng: random.Random

    @property
    def published_utc(self) -> datetime:
        return self.published.astimezone(UTC)


def default_published(n: int) -> datetime:
    """A date derived from n spanning 2018-2024, so both Tehran offsets occur."""
    rng = random.Random(f"date:{n}")
    day = datetime(2018, 6, 1) + timedelta(days=rng.randrange(0, 6 * 365))
    # 06:00-22:59 only: the DST fall-back hour (23:00-24:00 on 30 Shahrivar) is never generated
    return datetime(day.year, day.month, day.day, rng.randint(6, 22), rng.randint(0, 59),
                    rng.randint(0, 59), tzinfo=TEHRAN)


def make_news_id(n: int, family: str, published: datetime) -> str:
    if family == "nastooh":  # ISNA: Jalali (yy)yymmdd + 5-digit sequence, e.g. 98030903723
        j = jalali(published)
        year = f"{j.year % 100:02d}" if j.year < 1400 else str(j.year)   # ISNA ids grew a digit in 1400
        return f"{year}{j.month:02d}{j.day:02d}{(n * 7919) % 100000:05d}"
    if family == "iransamaneh":
        return str(6_900_000 + n)
    if family == "tasnim":
        return str(2_000_000 + n)
    # BBC-like opaque ids: c + 9 base36 chars + o
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    v, out = (n * 2654435761) % 36 ** 9, []
    for _ in range(9):
        v, r = divmod(v, 36)
        out.append(digits[r])
    return "c" + "".join(reversed(out)) + "o"


def make_url_path(family: str, news_id: str, title: str, published: datetime) -> str:
    slug = quote(slugify(title))
    if family == "nastooh":
        return f"/news/{news_id}/{slug}"
    if family == "iransamaneh":
        return f"/fa/news/{news_id}/{slug}"
    if family == "tasnim":
        j = jalali(published)
        return f"/fa/news/{j.year}/{j.month:02d}/{j.day:02d}/{news_id}/{slug}"
    return f"/persian/articles/{news_id}"


def _body(maker: TextMaker, rng: random.Random, spec_family: str, agency: Agency) -> tuple[list[Block], dict | None]:
    blocks: list[Block] = []
    attribution = None
    n_par = rng.randint(3, 12)
    for i in range(n_par):
        sentences = maker.paragraph()
        if i == 0 and spec_family != "jsonld":
            place = rng.choice(PLACES)
            via = rng.choice(VIA) if rng.random() < 0.2 else None
            # IranSamaneh agencies name their desk: «به گزارش گروه استان‌های باشگاه ...»
            service = rng.choice(list(SERVICES)) if spec_family == "iransamaneh" else None
            lead_in: list[tuple[str, str]] = [("t", "به گزارش ")]
            if service:
                lead_in.append(("t", f"گروه {SERVICES[service]} "))
            lead_in.append(("a", agency.attribution))
            tail = f" از {place}" if rng.random() < 0.5 else ""
            tail += f" به نقل از {via}" if via else ""
            lead_in.append(("t", tail + "، "))
            prefix = "".join(t for _, t in lead_in)
            rest = " ".join(sentences)
            sentences[0] = prefix + sentences[0]
            attribution = {"agency": agency.attribution, "service": service,
                           "via": [via] if via else [], "dateline": place if tail.startswith(" از") else None}
            blocks.append(Block("paragraph", [*lead_in, ("t", rest)], sentences))
            continue
        if i not in (0, n_par - 1) and rng.random() < 0.18:
            blocks.append(Block("heading", [("t", maker.heading())]))
        if i not in (0, n_par - 1) and rng.random() < 0.2:
            label = maker.heading() + ":"
            parts = [("strong", label + " "), ("t", " ".join(sentences))]
            sentences = [label + " " + sentences[0], *sentences[1:]]
            blocks.append(Block("paragraph", parts, sentences))
        else:
            blocks.append(Block("paragraph", [("t", " ".join(sentences))], sentences))
    return blocks, attribution


def build_spec(n: int, family: str, agency_id: str | None = None, published: datetime | None = None,
               *, story: int | None = None, revision: int = 0) -> ArticleSpec:
    """story: body text seeded by the story instead of n, so agencies running the same wire story
    publish near-duplicates (same sentences, their own attribution, title and markup).
    revision: > 0 adds an update paragraph at the end (a later edit of the same article)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")
    agency_id = agency_id or DEFAULT_AGENCY[family]
    # an agency we have no names for still gets pages (its id doubles as its names)
    agency = AGENCIES.get(agency_id) or Agency(agency_id, family, agency_id, agency_id, agency_id)
    rng = random.Random(f"{family}:{agency.id}:{n}")
    if family == "tasnim":
        digits = False            # Tasnim bodies use ASCII digits
    elif family == "iransamaneh":
        digits = rng.random() < 0.5
    else:
        digits = True
    maker = TextMaker(f"text:{family}:{agency.id}:{n}", persian_digits=digits)
    body_maker = maker if story is None else TextMaker(f"story:{story}", persian_digits=digits)
    if published is None:
        published = default_published(n)
    elif published.tzinfo is None:
        published = published.replace(tzinfo=TEHRAN)
    else:
        published = published.astimezone(TEHRAN)
    if family in ("iransamaneh", "tasnim"):
        published = published.replace(second=0, microsecond=0)   # these CMSs publish minutes only
    published = published.replace(microsecond=0)
    title = maker.title()
    if family == "tasnim" and rng.random() < 0.3:
        title = f"{maker.pick(CATEGORIES)}| {title}"
    supertitle = maker.title() if family in ("nastooh", "iransamaneh") and rng.random() < 0.3 else None
    lead = maker.lead()
    blocks, attribution = _body(body_maker, random.Random(f"story:{story}") if story is not None else rng,
                                family, agency)
    if revision:
        upd = TextMaker(f"revision:{family}:{agency.id}:{n}:{revision}", persian_digits=digits).paragraph(2)
        blocks.append(Block("paragraph", [("t", " ".join(upd))], upd))
    tags = maker.tags()
    if family == "nastooh" and rng.random() < 0.5:
        tags = [arabize(t) for t in tags]   # ISNA writes tags with Arabic yeh
    news_id = make_news_id(n, family, published)
    related_titles = other_titles(f"related:{family}:{agency.id}:{n}", rng.randint(4, 8))
    related = [(make_url_path(family, make_news_id(n * 31 + k + 1, family, published), t, published), t)
               for k, t in enumerate(related_titles)]
    author = maker.pick(["امیرعلی عوض‌پور", "سارا محمدی", "حمید رضایی", None]) if family == "nastooh" else None
    return ArticleSpec(
        n=n, family=family, agency=agency, news_id=news_id,
        url_path=make_url_path(family, news_id, title, published), title=title, supertitle=supertitle,
        lead=lead, published=published, blocks=blocks, tags=tags, category=maker.pick(CATEGORIES),
        related=related, image_url=f"/images/{news_id}.jpg", author=author, attribution=attribution,
        persian_digits=digits, rng=rng)


def truth_of(spec: ArticleSpec, published_raw: str, extra_boilerplate: list[str]) -> dict:
    paragraphs = [b for b in spec.blocks if b.type == "paragraph"]
    body_text = "\n".join(b.text for b in spec.blocks)
    return {
        "url_path": spec.url_path,
        "family": spec.family,
        "agency": spec.agency.id,
        "news_id": spec.news_id,
        "title": spec.title,
        "supertitle": spec.supertitle,
        "lead": spec.lead,
        "published_iso": spec.published.isoformat(),
        "published_raw": published_raw,
        "body_first_sentence": paragraphs[0].sentences[0],
        "body_last_sentence": paragraphs[-1].sentences[-1],
        "paragraphs": [b.text for b in spec.blocks],
        "blocks": [{"type": b.type, "text": b.text} for b in spec.blocks],
        "tags": list(spec.tags),
        "category": spec.category,
        "author": spec.author,
        "attribution": spec.attribution,
        "end_marker": END_MARKERS[spec.family] or None,
        # boilerplate strings that must not reach the extracted text (a generated title that
        # happens to occur inside the body is left out, so the check stays fair)
        "related_titles": [t for t in [t for _, t in spec.related] + list(extra_boilerplate)
                           if t not in body_text],
    }


__all__ = [
    "AGENCIES",
    "FAMILIES",
    "Agency",
    "ArticleSpec",
    "Block",
    "build_spec",
    "to_persian_digits",
    "truth_of",
]
