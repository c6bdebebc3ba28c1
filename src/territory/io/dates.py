"""Dates are never guessed.

``01/03/2022`` is 1 March in Kyiv and 3 January in Washington: a column of such
dates is read only when its own values prove the order (a day above 12 in one
position and never in the other), or when the user names the format
(``--date-format %d/%m/%Y``, the Data page's "Date format" field). Relative
words (``today``, ``now``) are refused: a file's meaning must not change with
the day it is read. A column mixing formats (``2022-03-01`` beside
``01/03/2022`` or ``March 1, 2022``) is refused as a whole: it was stitched
from sources that may disagree on the order. ISO dates (``YYYY-MM-DD``, with
or without a time), ``YYYY/MM/DD``, ``YYYYMMDD`` and written-out month names
are unambiguous and always read.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from territory.report import opt

#: datetime64[ns] covers 1677-09-21 .. 2262-04-11; anything outside is a typo.
MIN_DAY = pd.Timestamp("1678-01-01")
MAX_DAY = pd.Timestamp("2262-01-01")

RELATIVE = frozenset({"today", "now", "yesterday", "tomorrow", "current", "latest", "present"})
ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}\S*(?: ?[+-]\d{2}(?::?\d{2})?)?)?$")
YMD_SLASH = re.compile(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}\S*(?: ?[+-]\d{2}(?::?\d{2})?)?)?$")
COMPACT = re.compile(r"^\d{8}$")
PARTIAL = re.compile(r"^\d{4}(?:-\d{1,2})?$")
DAY_MONTH = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
MONTH_NAME = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b")
FORMAT_HINT = (f"name the order with {opt('date_format')} (e.g. %d/%m/%Y reads 01/03/2022 as 1 March, "
               "%m/%d/%Y as 3 January), or write dates as YYYY-MM-DD")


def _in_range(ts: pd.Timestamp | None) -> pd.Timestamp | None:
    if ts is None or ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # keep the local calendar day the source meant
    ts = ts.normalize()
    return ts if MIN_DAY <= ts < MAX_DAY else None


def _timestamp(text: str) -> pd.Timestamp | None:
    try:
        return _in_range(pd.Timestamp(text))
    except (ValueError, TypeError, OverflowError):
        return None


def family(text: str) -> str:
    """The format family of a date text: iso, day-month, text, relative or other."""
    t = text.strip()
    if t.casefold() in RELATIVE:
        return "relative"
    if ISO.match(t) or YMD_SLASH.match(t) or COMPACT.match(t) or PARTIAL.match(t):
        return "iso"
    if DAY_MONTH.match(t):
        return "day-month"
    if MONTH_NAME.search(t):
        return "text"
    return "other"


FAMILY_NAMES = {"iso": "YYYY-MM-DD", "day-month": "DD/MM/YYYY or MM/DD/YYYY", "text": "month written out",
                "other": "free text"}


def check_format(fmt: str) -> str | None:
    """Why a --date-format cannot work, or None."""
    if not any(d in fmt for d in ("%d", "%j")) or not any(m in fmt for m in ("%m", "%b", "%B", "%j")) \
            or not any(y in fmt for y in ("%Y", "%y")):
        return f"the date format '{fmt}' needs a day, a month and a year (e.g. %d/%m/%Y)"
    try:
        datetime.strftime(datetime(2001, 2, 3), fmt)
    except ValueError as exc:
        return f"the date format '{fmt}' is not valid ({exc})"
    return None


def parse_one(text: str, fmt: str | None = None) -> tuple[pd.Timestamp | None, str | None]:
    """(day, None) or (None, why not) for a single date text (a CLI option, a claims cell)."""
    days, problems, mixed = parse_texts([text], fmt)
    if mixed:
        return None, mixed
    return days.get(text), problems.get(text)


def parse_texts(values: list[str], fmt: str | None = None) -> tuple[dict, dict, str | None]:
    """Parse the distinct non-blank texts of one column, by the rules above.

    Returns (text -> day, text -> reason refused, message if the column mixes formats).
    """
    days: dict[str, pd.Timestamp] = {}
    problems: dict[str, str] = {}
    if fmt:
        for v in values:
            t = v.strip()
            if t.casefold() in RELATIVE:
                problems[v] = f"'{t}' is not a date but a word relative to the day the file is read"
                continue
            try:
                day = _in_range(pd.Timestamp(datetime.strptime(t, fmt)))
            except ValueError:
                day = _timestamp(t) if ISO.match(t) else None  # ISO is never ambiguous
            if day is None:
                problems[v] = f"'{t[:80]}' does not match the date format '{fmt}'"
            else:
                days[v] = day
        return days, problems, None
    fams = {v: family(v) for v in values}
    for v, fam in fams.items():
        if fam == "relative":
            problems[v] = (f"'{v.strip()}' is not a date but a word relative to the day the file is read "
                           "(write the date itself, YYYY-MM-DD)")
    present = {f for f in fams.values() if f not in ("relative",)}
    if len(present - {"other"}) > 1:
        first = {}
        for v, f in fams.items():
            first.setdefault(f, v)
        a, b = sorted(present - {"other"})[:2]
        mixed = (f"the column mixes date formats: '{first[a].strip()[:40]}' ({FAMILY_NAMES[a]}) and "
                 f"'{first[b].strip()[:40]}' ({FAMILY_NAMES[b]}); dates are never guessed")
        return days, problems, mixed
    dm = [v for v, f in fams.items() if f == "day-month"]
    if dm:
        parts = {v: DAY_MONTH.match(v.strip()) for v in dm}
        firsts = [int(m[1]) for m in parts.values()]
        seconds = [int(m[3]) for m in parts.values()]
        can_dm = all(a <= 31 and b <= 12 for a, b in zip(firsts, seconds, strict=True))
        can_md = all(a <= 12 and b <= 31 for a, b in zip(firsts, seconds, strict=True))
        order = None
        if can_dm and not can_md:
            order = "dm"
        elif can_md and not can_dm:
            order = "md"
        elif can_dm and can_md and all(a == b for a, b in zip(firsts, seconds, strict=True)):
            order = "dm"  # 03/03/2022: the same either way
        for v, m in parts.items():
            if len(m[4]) == 2:
                problems[v] = f"'{v.strip()}' has a two-digit year: which century is not guessed"
                continue
            if order is None:
                why = ("is ambiguous (day/month or month/day?)" if can_dm and can_md
                       else "mixes day/month and month/day orders with other rows")
                problems[v] = f"'{v.strip()}' {why}"
                continue
            d, mo = (int(m[1]), int(m[3])) if order == "dm" else (int(m[3]), int(m[1]))
            try:
                day = _in_range(pd.Timestamp(int(m[4]), mo, d))
            except ValueError:
                day = None
            if day is None:
                problems[v] = f"'{v.strip()}' is not a date"
            else:
                days[v] = day
    for v, fam in fams.items():
        if fam in ("iso", "text", "other") and v not in problems:
            t = v.strip()
            day = _timestamp(t) if fam != "other" else None
            if day is None and COMPACT.match(t):
                day = _timestamp(f"{t[:4]}-{t[4:6]}-{t[6:]}")
            if day is None and fam == "other":
                day = _from_name(t)  # e.g. "snapshot 20150131"
            if day is None:
                problems[v] = _out_of_range(t) or f"'{t[:80]}' is not a date"
            else:
                days[v] = day
    return days, problems, None


def _out_of_range(text: str) -> str | None:
    """The problem of a real calendar date Territory cannot hold (a war of 1618, a typo'd 10022), if it is one."""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    if MIN_DAY.date() <= day < MAX_DAY.date():
        return None  # in range: something else is wrong with the text
    side = "before" if day < MIN_DAY.date() else "after"
    edge = MIN_DAY.date() if side == "before" else (MAX_DAY - pd.Timedelta(days=1)).date()
    return (f"'{text[:80]}' is {side} {edge.isoformat()}, the {'earliest' if side == 'before' else 'latest'} "
            "date Territory can hold")


DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def _from_name(text: str) -> pd.Timestamp | None:
    for match in DATE_IN_NAME.finditer(text):
        try:
            day = pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        if MIN_DAY <= day < MAX_DAY:
            return day
    return None


def date_from_filename(name: str) -> pd.Timestamp | None:
    """The date in a snapshot's file name (YYYYMMDD or YYYY-MM-DD), or None."""
    return _from_name(name)
