"""Dates as Persian agencies print them -> aware datetimes with the Tehran offset of that day.

The calendar arithmetic is jdatetime's; the offset rules are the IANA tz database's (`Asia/Tehran`,
via `zoneinfo`, with the `tzdata` package as fallback where the OS has no zoneinfo). tzdata records
Iran's law as it was applied: clocks go forward at 24:00 on 1 Farvardin (so 2 Farvardin 00:00-01:00
does not exist) and back at 24:00 on 30 Shahrivar (so 30 Shahrivar 23:00-24:00 happens twice), in
1991-2005 and 2008-2022 (1370-1384, 1387-1401). DST was abolished from 1402 (2023) on; that we also
hard-code, so an outdated OS tz database cannot put DST back.

Rules for wall-clock times that do not map to one instant (PEP 495 `fold=0`):
- a time in the spring gap (2 Farvardin 00:00-00:59) is read with the offset before the switch
  (+03:30) and returned as the real wall time it denotes (00:20 -> 01:20+04:30);
- a time in the repeated autumn hour (30 Shahrivar 23:00-23:59) is the FIRST occurrence (+04:30).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import jdatetime

from parsers.folding import DATE_TABLE

__all__ = [
    "TEHRAN_DST",
    "TEHRAN_STANDARD",
    "format_iso",
    "gregorian_to_jalali",
    "jalali_to_gregorian",
    "parse_datetime",
    "parse_iso_datetime",
    "parse_persian_datetime",
    "parse_user_date",
    "tehran_offset",
    "to_tehran",
]

TEHRAN_STANDARD = timedelta(hours=3, minutes=30)
TEHRAN_DST = timedelta(hours=4, minutes=30)
# 1 Farvardin 1402: the first year without DST after the 2022 law.
_DST_ABOLISHED_UTC = datetime(2023, 3, 20, 20, 30, tzinfo=UTC)
_TEHRAN = ZoneInfo("Asia/Tehran")

# Digits of all three scripts -> ASCII; Arabic yeh/kaf -> Persian; invisible marks -> nothing.
_FOLD = DATE_TABLE


def _fold(text: str) -> str:
    return " ".join(text.translate(_FOLD).split())


# Month names after _fold (Persian yeh/kaf, bare alef). Longest first so «امرداد» beats «مرداد».
_JALALI_MONTHS = {
    "فروردین": 1, "اردیبهشت": 2, "خرداد": 3, "تیر": 4, "امرداد": 5, "مرداد": 5, "شهریور": 6,
    "مهر": 7, "ابان": 8, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}
_GREGORIAN_MONTHS = {
    "ژانویه": 1, "ژانویهٔ": 1, "فوریه": 2, "فوریهٔ": 2, "مارس": 3, "اوریل": 4, "اپریل": 4,
    "مه": 5, "می": 5, "مئی": 5, "ژوئن": 6, "جون": 6, "ژوئیه": 7, "ژوییه": 7, "جولای": 7,
    "اوت": 8, "اگوست": 8, "اگست": 8, "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}


def _alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# A month name must not be glued to other letters («مهر» is not «مه», «دیدار» is not «دی»).
_L, _R = r"(?<![^\W\d_])", r"(?![^\W\d_])"
_JALALI_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:ام|م)?\s*{_L}({_alternation(_JALALI_MONTHS)}){_R}\s*(?:ماه\s*)?"
    r"(?:سال\s*)?(\d{4}|\d{2})(?!\d)")
_GREG_TEXT_DMY = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s*{_L}({_alternation(_GREGORIAN_MONTHS)}){_R}\.?,?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE)
_GREG_TEXT_MDY = re.compile(
    rf"{_L}({_alternation(_GREGORIAN_MONTHS)}){_R}\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE)
_NUM_YMD = re.compile(r"(?<![\d/.-])(\d{4})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d/])")
_NUM_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d/])")
_TIME = re.compile(r"(?<![\d:])(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2})(?:\.(\d{1,9}))?)?(?![\d:])")
_PM = re.compile(r"ب\s*\.\s*ظ|(?<![^\W\d_])ب\s?ظ(?![^\W\d_])|"
                 r"بعد\s*از\s*ظهر|بعدازظهر|(?<![a-z])p\.?\s*m\b\.?", re.IGNORECASE)
_AM = re.compile(r"ق\s*\.\s*ظ|(?<![^\W\d_])ق\s?ظ(?![^\W\d_])|"
                 r"قبل\s*از\s*ظهر|قبل\s*ازظهر|(?<![a-z])a\.?\s*m\b\.?", re.IGNORECASE)
_UTC_MARK = re.compile(r"\b(?:GMT|UTC)\b|\bZ\s*$")
_ISO = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$", re.IGNORECASE)


# --------------------------------------------------------------------------- offsets


def _offset_of_instant(utc: datetime) -> timedelta:
    if utc >= _DST_ABOLISHED_UTC:
        return TEHRAN_STANDARD
    offset = utc.astimezone(_TEHRAN).utcoffset()
    assert offset is not None
    return offset


@lru_cache(maxsize=256)
def _fixed(offset: timedelta) -> timezone:
    return timezone(offset)


def _localize(naive: datetime) -> datetime:
    """Tehran wall-clock time -> aware datetime with a fixed offset (rules in the module doc)."""
    naive = naive.replace(tzinfo=None)
    guess = naive.replace(tzinfo=_TEHRAN, fold=0)
    utc = guess.astimezone(UTC)
    if naive >= datetime(2023, 3, 21) and guess.utcoffset() != TEHRAN_STANDARD:
        utc = naive.replace(tzinfo=_fixed(TEHRAN_STANDARD)).astimezone(UTC)
    return _from_utc(utc)


def _from_utc(utc: datetime) -> datetime:
    offset = _offset_of_instant(utc)
    return utc.astimezone(_fixed(offset))


def tehran_offset(d: date | datetime) -> timedelta:
    """The UTC offset of Tehran for a date (at local noon), a naive local datetime or an aware instant."""
    if isinstance(d, datetime):
        return to_tehran(d).utcoffset()  # type: ignore[return-value]
    return _localize(datetime(d.year, d.month, d.day, 12)).utcoffset()  # type: ignore[return-value]


def to_tehran(dt: datetime) -> datetime:
    """Naive datetimes are Tehran wall-clock time; aware ones are converted. Result has a fixed offset."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return _localize(dt)
    return _from_utc(dt.astimezone(UTC))


def format_iso(dt: datetime) -> str:
    """`2019-05-30T00:20:37+04:30`: seconds always, microseconds only when present, Tehran offset."""
    local = to_tehran(dt)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


# --------------------------------------------------------------------------- calendars


def jalali_to_gregorian(y: int, m: int, d: int) -> date:
    """Raises ValueError for a day that does not exist (e.g. 30 Esfand in a common year)."""
    return jdatetime.date(y, m, d).togregorian()


def gregorian_to_jalali(d: date) -> tuple[int, int, int]:
    j = jdatetime.date.fromgregorian(date=d)
    return j.year, j.month, j.day


# --------------------------------------------------------------------------- parsing


def _fraction_to_micro(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def _build_date(y: int, m: int, d: int, jalali: bool) -> date | None:
    # Plausible news dates only: keeps arithmetic near datetime's limits (year 1, 9999) away.
    if not (_is_jalali_year(y) if jalali else 1800 <= y <= 2200):
        return None
    try:
        return jalali_to_gregorian(y, m, d) if jalali else date(y, m, d)
    except ValueError:
        return None


def _is_jalali_year(y: int) -> bool:
    return 1200 <= y <= 1600


def parse_iso_datetime(text: str) -> datetime | None:
    """ISO 8601 (and the looser forms CMSs emit) -> aware Tehran datetime; naive = Tehran local.

    Accepts `Z`/offsets, any number of fractional digits (.NET writes 7), a space instead of `T`,
    any digit script, and Jalali years written ISO-style (`1398-02-12T16:12:00`).
    """
    if not text:
        return None
    m = _ISO.match(text.translate(_FOLD))
    if not m:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    day = _build_date(y, mo, d, jalali=_is_jalali_year(y))
    if day is None:
        return None
    hh, mm, ss = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    if hh > 24 or mm > 59 or ss > 60:
        return None
    naive = datetime(day.year, day.month, day.day) + timedelta(
        hours=hh, minutes=mm, seconds=min(ss, 59), microseconds=_fraction_to_micro(m[7]))
    tz = m[8]
    if tz is None:
        return _localize(naive)
    if tz.upper() == "Z":
        return _from_utc(naive.replace(tzinfo=UTC))
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return _from_utc((naive - offset).replace(tzinfo=UTC))


def _parse_rfc2822(text: str) -> datetime | None:
    """RSS `pubDate` (`Wed, 29 May 2019 19:50:37 GMT`)."""
    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", text):
        return None
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return to_tehran(dt) if dt.tzinfo else _localize(dt)


def _find_date(folded: str) -> tuple[date, tuple[int, int]] | None:
    """The calendar date in the text and its span. Jalali text first, as agencies print it."""
    m = _JALALI_TEXT.search(folded)
    if m:
        y = int(m[3])
        y = y + 1300 if y < 100 else y
        d = _build_date(y, _JALALI_MONTHS[m[2]], int(m[1]), jalali=True)
        if d:
            return d, m.span()
    m = _NUM_YMD.search(folded)
    if m:
        y = int(m[1])
        d = _build_date(y, int(m[3]), int(m[4]), jalali=_is_jalali_year(y))
        if d:
            return d, m.span()
    m = _NUM_DMY.search(folded)
    if m:
        y, a, b = int(m[4]), int(m[1]), int(m[3])
        # Iranian and European order is day/month; only an impossible month flips it.
        day, month = (b, a) if b > 12 >= a and not _is_jalali_year(y) else (a, b)
        d = _build_date(y, month, day, jalali=_is_jalali_year(y))
        if d:
            return d, m.span()
    for pattern, (di, mi, yi) in ((_GREG_TEXT_DMY, (1, 2, 3)), (_GREG_TEXT_MDY, (2, 1, 3))):
        m = pattern.search(folded)
        if m:
            d = _build_date(int(m[yi]), _GREGORIAN_MONTHS[m[mi].lower()], int(m[di]), jalali=False)
            if d:
                return d, m.span()
    return None


# How far from the date a clock time may stand and still belong to it («۹ خرداد ۱۳۹۸ / ۰۰:۲۰»,
# «۱۶:۱۲ - ۱۳۹۸/۰۲/۱۲», «… ساعت ۰۹:۰۵»); farther away it is another field («بروزرسانی …»).
MAX_TIME_DISTANCE = 30


def _find_time(folded: str, start: int, end: int) -> timedelta | None:
    """The clock time nearest to the date at folded[start:end] (after it wins a tie)."""
    best: tuple[int, re.Match[str]] | None = None
    for m in _TIME.finditer(folded):
        if start <= m.start() < end:
            continue
        distance = m.start() - end if m.start() >= end else start - m.end() + 1
        if distance <= MAX_TIME_DISTANCE and (best is None or distance < best[0]):
            best = (distance, m)
    if best is None:
        return None
    m = best[1]
    hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
    if hh > 24 or mm > 59 or ss > 59:
        return None
    after = folded[m.end():m.end() + 20]
    if _PM.match(after.lstrip()):
        hh = hh if hh >= 12 else hh + 12
    elif _AM.match(after.lstrip()) and hh == 12:
        hh = 0
    return timedelta(hours=hh, minutes=mm, seconds=ss, microseconds=_fraction_to_micro(m[4]))


def parse_persian_datetime(text: str | None) -> datetime | None:
    """Any date string an agency page carries -> aware datetime (Tehran offset of that day), or None.

    Jalali or Gregorian; month names (either yeh) or numbers; Persian/Arabic/Latin digits;
    weekday prefixes and separators (`/`, `-`, `،`) ignored; `ق.ظ`/`ب.ظ`/AM/PM; ISO 8601
    (`Z` = UTC, no offset = Tehran local) and RFC 2822. A time marked GMT/UTC is converted.
    No time in the text means local midnight.
    """
    if not text or not text.strip():
        return None
    try:
        return _parse_any(text)
    except (ValueError, OverflowError):  # a page's junk must never break parsing (e.g. offset +99:99)
        return None


def _parse_any(text: str) -> datetime | None:
    iso = parse_iso_datetime(text)
    if iso is not None:
        return iso
    rfc = _parse_rfc2822(text)
    if rfc is not None:
        return rfc
    folded = _fold(text)
    found = _find_date(folded)
    if found is None:
        return None
    day, (start, end) = found
    clock = _find_time(folded, start, end) or timedelta(0)
    naive = datetime(day.year, day.month, day.day) + clock
    if _UTC_MARK.search(folded):
        return _from_utc(naive.replace(tzinfo=UTC))
    return _localize(naive)


# One name for callers that do not care which form the string has.
parse_datetime = parse_persian_datetime


def parse_user_date(s: str) -> date:
    """A date typed on the command line (`--since 1402/01/01`, `۱۴۰۲/۰۱/۰۱`, `2023-03-21`).

    Years 1200-1600 are Jalali, others Gregorian. Raises ValueError naming the input.
    """
    raw = s
    folded = _fold(s or "")
    m = re.fullmatch(r"(\d{4})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})", folded)
    if not m:
        raise ValueError(
            f"invalid date {raw!r}: expected YYYY/MM/DD (Jalali, e.g. 1402/01/01) or YYYY-MM-DD (Gregorian)")
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    jalali = _is_jalali_year(y)
    if not jalali and not 1800 <= y <= 2200:
        raise ValueError(f"invalid date {raw!r}: year {y} is neither Jalali (1200-1600) nor Gregorian")
    result = _build_date(y, mo, d, jalali)
    if result is None:
        cal = "Jalali" if jalali else "Gregorian"
        raise ValueError(f"invalid date {raw!r}: no such {cal} day")
    return result
