"""Date phrases in French and English, month names from Babel, year inference, clock times."""
from __future__ import annotations

from datetime import date, time, timedelta, timezone

import pytest

from newsdigest.importer.dates import find_dates, find_time, infer_year, resolve


def _triples(text, lang):
    return [(m.year, m.month, m.day) for m in find_dates(text, lang)]


@pytest.mark.parametrize("text, lang, expected", [
    ("OTTAWA, Jan. 27, 2026 /CNW/ -", "en", [(2026, 1, 27)]),
    ("OTTAWA, le 8 déc. 2025 /CNW/ -", "fr", [(2025, 12, 8)]),
    ("Published: 11 Feb. 2026, 10:32", "en", [(2026, 2, 11)]),
    (" date 2026-02-11  North Korea warns", "en", [(2026, 2, 11)]),
    ("le 1er mars 2024 et le 12 juil.", "fr", [(2024, 3, 1), (None, 7, 12)]),
    ("Sept. 3 and September 30, 2025", "en", [(None, 9, 3), (2025, 9, 30)]),  # "Sept." is not a CLDR form
    ("Le 11 FÉVRIER, puis en juillet 2025", "fr", [(None, 2, 11), (2025, 7, None)]),
    ("le 11 fevrier sans accent", "fr", [(None, 2, 11)]),
])
def test_date_phrases(text, lang, expected):
    assert _triples(text, lang) == expected


@pytest.mark.parametrize("text, lang", [
    ("They may 3 times refuse", "en"),  # lowercase "may" is a verb in English
    ("31 février", "fr"),  # no such day
    ("the 12 main points", "en"),
    ("Room 12 Marchand", "en"),  # not a month prefix that is unambiguous... nor a month
])
def test_not_dates(text, lang):
    assert find_dates(text, lang) == []


def test_missing_year_is_after_the_latest_dated_event():
    text = "Le 11 février, Yonhap a cité ... le 27 janvier ... En juillet 2025, les deux pays ..."
    mentions = find_dates(text, "fr")
    assert resolve(mentions[0], mentions, date(2030, 1, 1)) == (date(2026, 2, 11), True)


def test_missing_year_without_other_dates_is_the_last_such_day_up_to_today():
    assert infer_year(2, 11, [], date(2026, 3, 10)) == 2026
    assert infer_year(12, 24, [], date(2026, 3, 10)) == 2025
    assert infer_year(2, 29, [], date(2026, 3, 10)) == 2024  # the last 29 February


def test_a_written_year_is_not_inferred():
    mentions = find_dates("Jan. 27, 2026", "en")
    assert resolve(mentions[0], mentions, date(2020, 1, 1)) == (date(2026, 1, 27), False)


@pytest.mark.parametrize("text, expected", [
    ("Published: 11 Feb. 2026, 10:32", time(10, 32)),
    ("Publié le 3 mars 2026 à 14 h 05", time(14, 5)),
    ("Publié à 9h40", time(9, 40)),
    ("Published: March 3, 2026 9:15 AM", time(9, 15)),
    ("at 3 p.m.", time(15, 0)),
    ("12:05 a.m.", time(0, 5)),
    ("10:32 a.m. UTC+9", time(10, 32, tzinfo=timezone(timedelta(hours=9)))),
    ("18:05 GMT-05:00", time(18, 5, tzinfo=timezone(timedelta(hours=-5)))),
    ("Jan. 27, 2026", None),
    ("a 6-3 vote and 35.2 billion", None),
])
def test_clock_times(text, expected):
    assert find_time(text) == expected
