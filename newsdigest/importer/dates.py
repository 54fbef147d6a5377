"""Dates and times written in French or English news text.

Month and weekday names come from Babel (see lexicon); the patterns here only say where the day,
month and year sit. A date written without a year gets one inferred, and says so: from its weekday
when one is written ("ce mardi 14 octobre": the latest such Tuesday up to the import), else from
the other dates in the text.

Numeric dates (12/03/2025) are read day first in French and with dots (the European habits), month
first in English with slashes (the US habit), and whichever way is possible when a number is over 12.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta, timezone

from .lexicon import fold, month_number, weekday_number

_MONTH = r"(?P<mon>[^\W\d_]{3,}\.?)"
_DAY = r"(?P<d>[0-3]?\d)(?:er|re|st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"
# An optional weekday before a day-month date: "mardi 14 octobre", "Tuesday, Oct. 14", "le lundi 3 mars".
_WEEKDAY = r"(?:(?P<wd>[^\W\d_]{3,}\.?),?\s+(?:(?:le|the)\s+)?)?"
_PATTERNS = (
    re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d/-])"),  # 2026-02-11
    re.compile(rf"(?<![\w-]){_WEEKDAY}{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR}(?!\d))?"),  # 11 février 2026
    re.compile(rf"(?<![\w-]){_WEEKDAY}{_MONTH}\s+{_DAY}(?![\d:])(?:,?\s+{_YEAR}(?!\d))?"),  # Jan. 27, 2026
    re.compile(rf"(?<![\w-]){_MONTH}\s+{_YEAR}(?!\d)"),  # juillet 2025: a month, for inferring years
    re.compile(r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)(?![\d/-])"),  # 2025-03: a month marker
)
# 12/03/2025, 03.03.2025, 3-12-2025: the order of day and month is decided by language and value.
# Two-digit years only with slashes: "1.2.25" is a version, "3/4/25" a US date.
_NUMERIC = re.compile(r"(?<![\w/.,-])(?P<a>[0-3]?\d)(?P<sep>[/.-])(?P<b>[01]?\d)(?P=sep)"
                      r"(?P<y>(?:19|20)\d\d|(?<=/)\d\d)(?![\w/-]|[.,]\d)")
_LONE_WEEKDAY = re.compile(r"(?<![\w-])[^\W\d_]{3,}\.?(?![\w-])")
_TIME = re.compile(
    r"(?<![\d:])(?P<h>[01]?\d|2[0-3])\s*(?::|\s?h\s?)\s*(?P<min>[0-5]\d)(?![\d:])"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?"
    r"|(?<![\d:])(?P<h12>1[0-2]|0?[1-9])\s*(?P<ampm2>[ap])\.?\s?m\b\.?",
    re.IGNORECASE)
_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d\d))?", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A date phrase found in text. `day` is None for a month phrase ("juillet 2025")."""
    start: int
    end: int
    text: str
    month: int
    day: int | None
    year: int | None
    weekday: int | None = None  # 0 = Monday, when written with the date

    def as_date(self, year: int | None = None) -> date | None:
        try:
            return date(year or self.year, self.month, self.day or 1)
        except (TypeError, ValueError):
            return None


def find_dates(text: str, lang: str) -> list[Mention]:
    """Every date phrase in `text`, in order, longest first where phrases overlap."""
    found: list[Mention] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = int(groups["m"]) if groups.get("m") else month_number(groups["mon"], lang)
            if not month:
                continue
            day = int(groups["d"]) if groups.get("d") else None
            year = int(groups["y"]) if groups.get("y") else None
            weekday = weekday_number(groups["wd"]) if groups.get("wd") else None
            # A word before the date that is not a weekday ("Published March 3") is not part of it.
            start = m.start() if weekday is not None or not groups.get("wd") else min(m.start("d"), m.start("mon"))
            mention = Mention(start, m.end(), text[start:m.end()], month, day, year, weekday)
            if day is not None and mention.as_date(year or 2000) is None:  # 2000: a leap year
                continue
            found.append(mention)
    found.extend(_numeric_dates(text, lang))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[Mention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def _numeric_dates(text: str, lang: str) -> list[Mention]:
    found = []
    for m in _NUMERIC.finditer(text):
        a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
        year += 2000 if year < 100 else 0  # "3/4/25": news copy is of this century
        day_first, month_first = _safe_date(year, b, a), _safe_date(year, a, b)
        if not (day_first or month_first):
            continue
        prefer_day_first = lang != "en" or m.group("sep") == "." or _day_first_context(text[m.end():m.end() + 40])
        month, day = (b, a) if day_first and (prefer_day_first or not month_first) else (a, b)
        found.append(Mention(m.start(), m.end(), m.group(0), month, day, year))
    return found


def _day_first_context(after: str) -> bool:
    """An English numeric date followed by a non-US time zone or a 24-hour clock is day first."""
    return bool(re.match(r"\s*,?\s*(?:at\s+)?(?:(?:1[3-9]|2[0-3]):\d\d|\d{1,2}[:.]\d\d\s*(?:hrs|h\b)"
                         r"|\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?\s*)?(?:IST|GMT|BST|CET|CEST|WAT|CAT|EAT|SAST|AEST|AEDT|SGT|HKT|PKT))",
                         after, re.I))


def find_weekdays(text: str) -> list[int]:
    """The weekdays a text names on their own ("mardi", "on Tuesday"), 0 = Monday."""
    days = []
    for m in _LONE_WEEKDAY.finditer(text):
        word = m.group(0)
        if word[:1].isupper() or fold(word) == word:
            number = weekday_number(word, strict=True)
            if number is not None:
                days.append(number)
    return days


def weekday_year(month: int, day: int, weekday: int, today: date) -> int | None:
    """The latest year up to `today` in which `day` `month` falls on `weekday`, within 12 years."""
    for year in range(today.year, today.year - 12, -1):
        d = _safe_date(year, month, day)
        if d and d <= today and d.weekday() == weekday:
            return year
    return None


def infer_year(month: int, day: int, others: list[Mention], today: date) -> int:
    """The year of a date written without one.

    News reports what has happened, so the date is taken to fall on or after the latest dated
    event the text mentions ("en juillet 2025" makes "le 11 février" 2026). With no dated event,
    the last such day up to today."""
    bounds = [d for d in (m.as_date() for m in others if m.year) if d and d <= today]
    if bounds:
        latest = max(bounds)
        year = latest.year
        while (_safe_date(year, month, day) or date.min) < latest:
            year += 1
        if (_safe_date(year, month, day) or date.max) <= today:
            return year  # never after the import: a plan "for July 2026" does not date the story
    year = today.year
    while (_safe_date(year, month, day) or date.max) > today:
        year -= 1
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve(mention: Mention, context: list[Mention], today: date) -> tuple[date, bool] | None:
    """The calendar date of a day mention, and whether its year was inferred."""
    if mention.day is None:
        return None
    if mention.year:
        return mention.as_date(), False
    year = None
    if mention.weekday is not None:
        year = weekday_year(mention.month, mention.day, mention.weekday, today)
    if year is None:
        year = infer_year(mention.month, mention.day, [m for m in context if m is not mention], today)
    return date(year, mention.month, mention.day), True


def _clock(m: re.Match) -> time | None:
    if m.group("h12"):
        hour, minute, ampm = int(m.group("h12")), 0, m.group("ampm2")
    else:
        hour, minute, ampm = int(m.group("h")), int(m.group("min")), m.group("ampm")
    if ampm:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    return time(hour, minute)


def find_times(text: str) -> list[tuple[int, int, time]]:
    """Every clock time in `text`, as (start, end, time), without time zones."""
    return [(m.start(), m.end(), clock) for m in _TIME.finditer(text) if (clock := _clock(m))]


def find_time(text: str) -> time | None:
    """The first clock time in `text`: 10:32, 10 h 32, 10h32, 3 p.m., 10:32 a.m.; with its UTC
    offset when one is written (UTC+9, GMT-05:00)."""
    m = _TIME.search(text)
    clock = _clock(m) if m else None
    if clock is None:
        return None
    offset = _OFFSET.search(text, m.end())
    if offset:
        sign = -1 if offset.group("sign") in "-−" else 1
        hours, minutes = int(offset.group("h")), int(offset.group("m") or 0)
        if hours <= 14:
            return clock.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return clock
