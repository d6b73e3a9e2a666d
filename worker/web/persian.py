"""What the pages show in Persian: Jalali dates beside Gregorian, Persian digits, word diffs."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import jdatetime

from parsers.dates import parse_user_date
from storage import changes

_TEHRAN = ZoneInfo("Asia/Tehran")
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# What a re-check found (storage.changes.ChangeKind values), as the pages name it; one table for
# every template (changes list, article versions).
CHANGE_KIND_FA = {"edited": "ویرایش", "removed": "حذف", "restored": "بازگشت"}


def change_kind(kind: str) -> str:
    return CHANGE_KIND_FA.get(str(kind), str(kind))


def fa_digits(value: object) -> str:
    return str(value).translate(_FA_DIGITS)


def _parse(value: str) -> datetime | date | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def jalali(value: str | None) -> str:
    """'1402/01/01 10:00 (2023-03-21)': Jalali in Persian digits, Tehran time, Gregorian beside."""
    if not value:
        return ""
    parsed = _parse(value)
    if parsed is None:
        return value
    if isinstance(parsed, datetime):
        local = parsed.astimezone(_TEHRAN) if parsed.tzinfo else parsed
        j = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None))
        return f"{fa_digits(j.strftime('%Y/%m/%d %H:%M'))} {_ltr(local.strftime('%Y-%m-%d'))}"
    jd = jdatetime.date.fromgregorian(date=parsed)
    return f"{fa_digits(jd.strftime('%Y/%m/%d'))} {_ltr(parsed.isoformat())}"


def _ltr(gregorian: str) -> str:
    """(2023-03-21) as a left-to-right isolate, so the bidi algorithm keeps it whole in RTL text."""
    return f"\u2066({gregorian})\u2069"


def user_day(value: str | None) -> str | None:
    """A Jalali or Gregorian date typed in a form -> ISO day; ValueError names what was wrong."""
    if not value or not value.strip():
        return None
    return parse_user_date(value.strip()).isoformat()   # it folds every digit script itself


def today_utc() -> date:
    return datetime.now(UTC).date()


class DiffOp(StrEnum):
    SAME = "same"
    INSERTED = "ins"
    DELETED = "del"


@dataclass(frozen=True, slots=True)
class DiffPiece:
    op: DiffOp
    text: str


_DIFF_OPS = {"=": DiffOp.SAME, "-": DiffOp.DELETED, "+": DiffOp.INSERTED}


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Word-level diff (storage.changes.word_diff, whole: no unchanged run is cut) as typed pieces."""
    return [DiffPiece(_DIFF_OPS[op], text) for op, text in changes.word_diff(old, new, context=sys.maxsize)]
