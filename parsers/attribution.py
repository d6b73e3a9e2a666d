"""The attribution line that opens a Persian news story.

    «به گزارش [سرویس|گروه|خبرنگار …] [agency] (به نقل از …)* (از DATELINE)؛ …»
    «تهران- ایرنا- …» (IRNA's dateline style)

No library parses this; it is a small grammar of phrases, so a few regular expressions and a list of
well-known agency names (used to find where the service ends and the agency begins; an unknown
name still parses) do the job.

Values are returned in the normalized letter forms (one yeh/kaf, no diacritics or kashida,
whitespace collapsed, line breaks inside the line removed) but with their spacing as written:
hazm's word joining would turn the service «بین الملل» into «بین‌الملل», and names are not words.
"""
from __future__ import annotations

import re

from parsers.article import Attribution
from parsers.folding import LETTERS_MAP, folder

__all__ = ["KNOWN_AGENCIES", "parse_attribution"]

# Letter-level normalization shared with the normalized layer (no word joining, see module doc).
_fold_letters = folder(LETTERS_MAP)


def _letters(s: str) -> str:
    s = " ".join(_fold_letters(s).split())
    # ZWNJ next to a space is meaningless («استان‌ ها»); drop it there only. Split/strip, not the
    # regex \u200c*( )\u200c*, which rescans a long ZWNJ run from every position (quadratic).
    return " ".join(word.strip("\u200c") for word in s.split(" ")).strip("\u200c ")


# Names as the opening line writes them (letter-normalized). Longer names first when matching.
KNOWN_AGENCIES: tuple[str, ...] = (
    "خبرگزاری دانشجویان ایران", "ایسنا", "خبرگزاری جمهوری اسلامی", "ایرنا", "خبرگزاری مهر", "مهر",
    "خبرگزاری تسنیم", "تسنیم", "خبرگزاری فارس", "فارس", "باشگاه خبرنگاران جوان", "باشگاه خبرنگاران",
    "خبرگزاری صدا و سیما", "صدا و سیما", "ایلنا", "خبرگزاری کار ایران", "ایکنا", "خبرگزاری بین‌المللی قرآن",
    "شبستان", "ایبنا", "ایمنا", "پانا", "رسا", "خبرگزاری حوزه", "حوزه نیوز", "آنا", "ایرنا پلاس",
    "خبرآنلاین", "همشهری آنلاین", "مشرق", "تابناک", "عصر ایران", "انتخاب", "الف", "جام جم آنلاین",
    "جماران", "دانشجو", "برنا", "میزان", "دفاع پرس", "رجانیوز", "فرارو", "اقتصادآنلاین", "اکوایران",
    "رویترز", "آسوشیتدپرس", "فرانس پرس", "خبرگزاری فرانسه", "اسپوتنیک", "تاس", "ریانووستی",
    "آناتولی", "شینهوا", "بی‌بی‌سی", "سی‌ان‌ان", "الجزیره", "المیادین", "العربیه", "یورونیوز",
)
# Words that begin a media outlet's name when no known name is there.
_MEDIA_MARKER = re.compile(
    r"(?<![^\W\d_])(?:خبرگزاری|باشگاه خبرنگاران|پایگاه خبری|پایگاه اطلاع[\u200c ]?رسانی|روزنامه|"
    r"هفته[\u200c ]?نامه|شبکه|سایت|وبسایت|وب[\u200c ]?سایت|رادیو|تلویزیون|پایگاه|خبرنامه|رسانه)(?![^\W\d_])")
_KNOWN_RE = re.compile(
    r"(?<![^\W\d_])(" + "|".join(re.escape(_letters(n)) for n in sorted(KNOWN_AGENCIES, key=len, reverse=True))
    + r")(?![^\W\d_])")
_SERVICE_WORD = re.compile(r"^(?:سرویس(?: خبری)?|گروه(?: خبری)?|بخش|واحد|دبیرخانه|تحریریه|میز)\s+")
_REPORTER_WORD = re.compile(r"^(?:خبرنگاران|خبرنگار|گزارشگر|مراسلان|مراسل)(?:\s+اعزامی)?\s+")
_OPENING = re.compile(r"(?<![^\W\d_])به\s*گزارش\s+")
_END = re.compile(r"\s*[،,؛;:]")
_VIA_SPLIT = re.compile(r"\s+(?:و\s+)?به\s+نقل\s+از\s+")
_FROM = re.compile(r"\s+از\s+")
_IRNA_STYLE = re.compile(r"^\s*([^\s\-–—،,:؛][^\-–—،,:؛]{0,30}?)\s*[-–—]\s*(" + _KNOWN_RE.pattern + r")\s*[-–—]")
_WHEN = re.compile(r"(?:روز|امروز|امشب|دیروز|شامگاه|صبحگاه|بامداد|سحرگاه|ظهر|عصر|شب|صبح|پیش|بعد|"
                   r"در\s+روز|در\s+تاریخ|هم\s*اکنون)"
                   r"(?![^\W\d_])")
_DISPATCHED_TO = re.compile(r"^به\s+(.+)$")
_QUOTES_ONLY = "«»\"'“”"
MAX_HEAD_CHARS = 220  # an opening phrase longer than this is not an attribution line


def _clean(s: str | None) -> str | None:
    """Strip surrounding quotes («انتخاب») and brackets wrapping the whole value; keep «… (ایسنا)»."""
    if s is None:
        return None
    s = s.strip().strip(_QUOTES_ONLY).strip()
    if s[:1] in "([" and s[-1:] in ")]" and "(" not in s[1:-1] and ")" not in s[1:-1]:
        s = s[1:-1].strip()
    s = s.lstrip(")]").rstrip("([").strip()
    return s or None


def _split_service_agency(main: str) -> tuple[str | None, str | None, str | None]:
    """«سرویس بین الملل خبرگزاری صدا و سیما» -> («بین الملل», «خبرگزاری صدا و سیما», None).

    The third value is a dateline hidden in the name part («خبرنگار اعزامی ایرنا به نیویورک»).
    """
    rest = _REPORTER_WORD.sub("", main, count=1)
    had_service_word = bool(_SERVICE_WORD.match(rest))
    rest = _SERVICE_WORD.sub("", rest, count=1)
    reporter = rest != main and not had_service_word
    starts = [m.start() for m in (_MEDIA_MARKER.search(rest), _KNOWN_RE.search(rest)) if m]
    service: str | None
    if starts:
        start = min(starts)
        service, agency = rest[:start].strip(), rest[start:].strip()
    elif had_service_word or reporter:
        # «گروه ورزشی جام جم آنلاین»: one word of service, then an unknown outlet.
        head, _, tail = rest.partition(" ")
        service, agency = (head, tail) if tail else (None, head)
    else:
        service, agency = None, rest
    if service:
        # The ezafe binding service to agency: «گروه استان‌های باشگاه …» -> «استان‌ها».
        service = re.sub(r"(ها)ی$", r"\1", service)
    dateline = None
    known = _KNOWN_RE.match(agency or "")
    if agency and known and known.end() < len(agency):
        tail = agency[known.end():].strip()
        if _WHEN.match(tail):  # «ایرنا روز دوشنبه»: when, not who
            agency = agency[:known.end()]
        elif reporter and (dispatched := _DISPATCHED_TO.match(tail)):  # «خبرنگار اعزامی ایرنا به نیویورک»
            agency, dateline = agency[:known.end()], dispatched[1]
    return _clean(service), _clean(agency), _clean(dateline)


def _split_from(part: str) -> tuple[str, str | None, bool]:
    """«خبرگزاری رویترز از مسکو» -> («خبرگزاری رویترز», «مسکو», False).

    The third value is True when what follows «از» is a media outlet (a source, not a place).
    """
    pieces = _FROM.split(part)
    if len(pieces) < 2:
        return part, None, False
    head, tail = " از ".join(pieces[:-1]), pieces[-1]
    return head, tail, bool(_MEDIA_MARKER.match(tail) or _KNOWN_RE.fullmatch(tail))


def parse_attribution(first_paragraph: str | None) -> Attribution | None:
    """Parse the attribution phrase of a story's first paragraph; None when there is none."""
    if not first_paragraph:
        return None
    text = _letters(first_paragraph)
    irna = _IRNA_STYLE.match(text)
    if irna and not _OPENING.match(text):
        return Attribution(agency=_clean(irna[2]), dateline=_clean(irna[1]))
    opening = _OPENING.search(text)
    if not opening or opening.start() > 80:
        return None
    after = text[opening.end():]
    end = _END.search(after)
    if end is None or end.start() > MAX_HEAD_CHARS:
        known = _KNOWN_RE.match(after)  # «به گزارش ایسنا محمد … گفت» (no comma): a known name only
        return Attribution(agency=known[1]) if known else None
    head = after[:end.start()].strip()
    if not head:
        return None

    parts = _VIA_SPLIT.split(head)
    # The dateline closes the phrase: «… از مسکو». «از <outlet>» is one more source instead.
    last, tail, is_outlet = _split_from(parts[-1])
    dateline = None
    if tail is not None:
        parts[-1] = last
        if is_outlet:
            parts.append(tail)
        else:
            dateline = tail
    if dateline is None and len(parts) > 1:
        # «به گزارش ایسنا از اراک به نقل از …»: the dateline can also close the agency part.
        first, place, is_outlet = _split_from(parts[0])
        if place is not None and not is_outlet:
            parts[0], dateline = first, place
    service, agency, dispatched_to = _split_service_agency(parts[0])
    dateline = dateline or dispatched_to
    via = [v for v in (_clean(p) for p in parts[1:]) if v]
    if not agency and not via:
        return None
    return Attribution(agency=agency, service=service, via=via, dateline=_clean(dateline))
