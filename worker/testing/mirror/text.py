"""Persian news text for the test mirror: titles, leads, paragraphs, tags, Jalali dates.

Everything is built from word lists and sentence templates with a seeded `random.Random`,
so one seed always gives the same text. The text is our own (never copied from the corpus);
it only imitates what the parsers meet on real agency pages: ZWNJ inside words, Arabic
ي/ك in some strings, Latin and Persian digits, «quotes», «به گزارش ...» attribution openings.
"""
from __future__ import annotations

import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")  # carries Iran's DST history (+04:30 in summer until 2022)
ZWNJ = "\u200c"

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})

MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
          "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
# jdatetime: weekday() 0 = Saturday
WEEKDAYS = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه"]

PEOPLE = ["محمدرضا صفری", "علی‌اکبر موسوی", "زهرا کریمی", "حسین نادری", "مریم جهانگیری",
          "سعید رحمانی", "فاطمه اسدی", "مهدی طاهرخانی", "رضا قاسم‌زاده", "نرگس فرهادی",
          "امیرحسین یزدانی", "کامران شریفی", "لیلا صادقی", "بهروز عطایی", "پرویز حیدری",
          "سمیه نوروزی", "جواد ملکی", "هادی بیگدلی", "شیرین رستمی", "یوسف کاظمی"]
ROLES = ["رئیس سازمان", "معاون وزیر", "مدیرکل", "سخنگوی", "نماینده مجلس در کمیسیون",
         "عضو هیئت‌مدیره", "دبیر کارگروه", "استاندار", "فرماندار", "کارشناس ارشد"]
ORGS = ["سازمان برنامه و بودجه", "وزارت نیرو", "سازمان حفاظت محیط زیست", "وزارت بهداشت",
        "شهرداری تهران", "بانک مرکزی", "وزارت آموزش و پرورش", "سازمان هواشناسی",
        "فدراسیون فوتبال", "وزارت راه و شهرسازی", "سازمان نظام پزشکی", "وزارت جهاد کشاورزی",
        "شرکت ملی نفت", "سازمان میراث فرهنگی", "دانشگاه تهران", "سازمان تأمین اجتماعی",
        "مرکز آمار ایران", "وزارت ارتباطات", "سازمان ملی استاندارد", "کانون وکلای دادگستری"]
PLACES = ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "کرمان", "رشت", "اهواز", "یزد",
          "شهرکرد", "ارومیه", "زاهدان", "همدان", "کرمانشاه", "ساری", "بندرعباس", "قزوین",
          "سنندج", "اراک", "گرگان", "بوشهر", "خرم‌آباد", "ایلام", "بیرجند", "زنجان"]
TOPICS = ["طرح توسعه حمل‌ونقل عمومی", "بودجه سال آینده", "کیفیت هوای کلان‌شهرها",
          "واکسیناسیون دام‌های سبک", "ساخت مسکن ملی", "لیگ برتر فوتبال", "بازار ارز",
          "صادرات محصولات کشاورزی", "آموزش مجازی دانش‌آموزان", "بازسازی مناطق سیل‌زده",
          "مدیریت منابع آب", "نمایشگاه بین‌المللی کتاب", "قیمت خودرو", "انرژی‌های تجدیدپذیر",
          "حفاظت از یوزپلنگ آسیایی", "گردشگری سلامت", "شبکه ملی اطلاعات", "بیمه کشاورزان",
          "اصلاح نژاد دام", "مرمت بناهای تاریخی", "تعرفه‌های گمرکی", "پیش‌بینی بارش‌ها"]
ACTIONS = ["بررسی شد", "تصویب شد", "آغاز شد", "به پایان رسید", "اعلام شد", "تمدید شد",
           "افتتاح شد", "متوقف شد", "در دستور کار قرار گرفت", "به مجلس رفت"]
ADJS = ["جدید", "ملی", "منطقه‌ای", "فوری", "گسترده", "بی‌سابقه", "تازه", "مشترک", "نیمه‌تمام"]
SAY_VERBS = ["گفت", "اظهار کرد", "تأکید کرد", "افزود", "خاطرنشان کرد", "توضیح داد", "یادآور شد"]
TIME_WORDS = ["امروز", "صبح امروز", "دیروز", "عصر دیروز", "هفته گذشته", "شامگاه سه‌شنبه",
              "روز شنبه", "بامداد امروز"]
UNITS = ["درصد", "میلیارد تومان", "هزار تن", "کیلومتر", "هکتار", "نفر", "میلیون دلار", "واحد"]
CATEGORIES = ["سیاسی", "اقتصادی", "اجتماعی", "ورزشی", "فرهنگی", "بین‌الملل", "علمی",
              "استان‌ها", "فوتبال، فوتسال", "محیط زیست", "سلامت", "فناوری"]
TAG_POOL = ["محیط زیست", "اقتصاد", "مجلس", "تیم فوتبال پرسپولیس", "تیم فوتبال استقلال",
            "بورس", "کرونا", "آموزش و پرورش", "بودجه", "مسکن", "آب", "سیل", "هواشناسی",
            "دامپزشکی", "گردشگری", "خودرو", "نفت", "انرژی", "کتاب", "سینما", "دانشگاه",
            "بانک مرکزی", "صادرات", "کشاورزی", "بهداشت", "ورزش بانوان", "میراث فرهنگی"]

SENTENCE_TEMPLATES = [
    "{person}، {role} {org} {time} در جمع خبرنگاران درباره {topic} {say}: {clause}",
    "بر اساس اعلام {org}، {topic} در استان {place} {action}.",
    "{person} با اشاره به {topic} {say}: «{clause_q}»",
    "میزان {topic} در {place} نسبت به سال گذشته {num} {unit} {change} یافته است.",
    "این {noun} {adj} که با حضور {person} در {place} برگزار شد، {result}.",
    "وی ادامه داد: {clause}",
    "{role} {org} همچنین از اختصاص {num} {unit} برای {topic} خبر داد.",
    "{person} در پایان {say} که {clause_lower}",
    "گفتنی است {topic} از {few} سال پیش در دستور کار {org} قرار داشت.",
    "به گفته کارشناسان، {topic} می‌تواند تا {num} {unit} بر اقتصاد {place} اثر بگذارد.",
    "پیش از این نیز {org} درباره {topic} هشدار داده بود.",
    "در همین حال، مسئولان {org} در {place} از پیگیری {topic} در ماه‌های آینده خبر دادند.",
]
CLAUSES = [
    "برنامه‌ریزی لازم برای {topic} انجام شده و اجرای آن از ماه آینده آغاز می‌شود.",
    "هیچ محدودیتی برای ادامه {topic} وجود ندارد.",
    "باید از ظرفیت‌های استانی برای {topic} استفاده کنیم.",
    "مشکلات فعالان این حوزه بررسی و راهکارهای تازه‌ای ارائه شد.",
    "تا پایان سال {num} {unit} به این بخش اختصاص می‌یابد.",
    "همکاری دستگاه‌های اجرایی در {topic} ضروری است.",
    "نتایج این طرح به‌زودی به اطلاع مردم می‌رسد.",
]
NOUNS = ["نشست", "همایش", "گردهمایی", "جلسه", "نمایشگاه", "کارگاه"]
RESULTS = ["مورد استقبال شرکت‌کنندگان قرار گرفت", "با صدور بیانیه‌ای پایان یافت",
           "تا پایان هفته ادامه دارد", "با انتقاد برخی کارشناسان همراه بود"]
CHANGES = ["افزایش", "کاهش", "رشد"]
HEADINGS = ["واکنش‌ها به {topic}", "جزئیات {topic}", "آینده {topic}", "{topic} در {place}",
            "نگرانی‌ها درباره {topic}"]


def to_persian_digits(s: str) -> str:
    return s.translate(PERSIAN_DIGITS)


def arabize(s: str) -> str:
    """Arabic yeh/kaf, as some agencies (ISNA tags, Tabnak titles) write them."""
    return s.translate(ARABIC_LETTERS)


class TextMaker:
    """Seeded source of Persian news text for one article."""

    def __init__(self, seed: str, *, persian_digits: bool = True, arabic_rate: float = 0.08):
        self.rng = random.Random(seed)
        self.persian_digits = persian_digits
        self.arabic_rate = arabic_rate
        self._seen: set[str] = set()

    def pick(self, seq):
        return self.rng.choice(seq)

    def number(self, lo: int = 2, hi: int = 950) -> str:
        s = str(self.rng.randint(lo, hi))
        return to_persian_digits(s) if self.persian_digits else s

    def _fill(self, template: str) -> str:
        slots = {
            "person": self.pick(PEOPLE), "role": self.pick(ROLES), "org": self.pick(ORGS),
            "place": self.pick(PLACES), "topic": self.pick(TOPICS), "action": self.pick(ACTIONS),
            "adj": self.pick(ADJS), "say": self.pick(SAY_VERBS), "time": self.pick(TIME_WORDS),
            "unit": self.pick(UNITS), "num": self.number(), "noun": self.pick(NOUNS),
            "result": self.pick(RESULTS), "change": self.pick(CHANGES), "few": self.number(2, 30),
        }
        if "{clause" in template:
            clause = self.pick(CLAUSES).format(**slots)
            slots["clause"] = clause
            slots["clause_q"] = clause.rstrip(".")
            slots["clause_lower"] = clause
        return template.format(**slots)

    def sentence(self) -> str:
        # no sentence twice in one article: repeated sentences are a separate, deliberate case
        # (the normalizer drops them), never an accident of the generator
        for _ in range(8):
            s = self._sentence()
            if s not in self._seen:
                break
        self._seen.add(s)
        return s

    def _sentence(self) -> str:
        s = self._fill(self.pick(SENTENCE_TEMPLATES))
        if not s.endswith((".", "؟")):
            s += "."        # «...». : the full stop goes after the closing guillemet
        if self.rng.random() < self.arabic_rate:
            s = arabize(s)
        return s

    def paragraph(self, n_sentences: int | None = None) -> list[str]:
        return [self.sentence() for _ in range(n_sentences or self.rng.randint(1, 4))]

    def heading(self) -> str:
        for _ in range(8):
            h = self._fill(self.pick(HEADINGS))
            if h not in self._seen:
                break
        self._seen.add(h)
        return h

    def title(self) -> str:
        forms = [
            "{topic} در {place} {action}",
            "{person}: {clause_q}",
            "{noun} {adj} درباره {topic} در {place}",
            "{role} {org}: {topic} {action}",
            "{topic}؛ {num} {unit} {change} در {place}",
        ]
        t = self._fill(self.pick(forms))
        return t.rstrip(".")

    def lead(self) -> str:
        s = self._fill(self.pick(SENTENCE_TEMPLATES[1:5] + SENTENCE_TEMPLATES[8:]))
        return s if s.endswith((".", "»")) else s + "."

    def tags(self, k: int | None = None) -> list[str]:
        return self.rng.sample(TAG_POOL, k or self.rng.randint(2, 5))


def split_sentences(text: str) -> list[str]:
    """Sentences of one generated paragraph (they end in '.', '؟' or '»' after a colon-quote)."""
    parts = re.split(r"(?<=[.؟!])\s+(?=\S)", text.strip())
    return [p for p in parts if p]


def slugify(title: str, max_words: int = 12) -> str:
    words = re.sub(r"[«»:؛،,.؟?!|/()\"']", " ", title).split()
    return "-".join(words[:max_words])


# ---- dates ----------------------------------------------------------------------------------

def tehran_datetime(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TEHRAN)


def jalali(dt: datetime) -> jdatetime.datetime:
    return jdatetime.datetime.fromgregorian(datetime=dt.replace(tzinfo=None))


def month_name(m: int, *, arabic_yeh: bool = False) -> str:
    name = MONTHS[m - 1]
    return name.replace("ی", "ي") if arabic_yeh else name


def jalali_text(dt: datetime, *, sep: str = " - ", arabic_yeh: bool = False) -> str:
    """'۱۲ اردیبهشت ۱۳۹۸ - ۱۶:۱۲' (the visible date of most Iranian CMSs)."""
    j = jalali(dt)
    s = f"{j.day} {month_name(j.month, arabic_yeh=arabic_yeh)} {j.year}{sep}{j.hour:02d}:{j.minute:02d}"
    return to_persian_digits(s)


def jalali_numeric(dt: datetime) -> str:
    """'۱۳۹۸/۰۲/۱۲ - ۱۶:۱۲' (IranSamaneh's article:published_time)."""
    j = jalali(dt)
    return to_persian_digits(f"{j.year}/{j.month:02d}/{j.day:02d} - {j.hour:02d}:{j.minute:02d}")


def weekday_name(dt: datetime) -> str:
    return WEEKDAYS[jalali(dt).weekday()]
