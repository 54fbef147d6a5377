"""The faster ways of making the same output give the same results as the straightforward ones they
replaced, on random input: related stories (names read in one backwards search, topics and names
numbered, shared sets scored once) and the renderer's remembered dates, UI strings and paths.
The straightforward versions live only here, as the reference."""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from newsdigest import i18n
from newsdigest.content import Article
from newsdigest.related import NAME_WEIGHT, NEAREST, SHOWN, names, related
from newsdigest.remembered import Dates, RememberedUrls
from newsdigest.slugs import slugify
from newsdigest.urls import Urls

# --- the reference: related.py as it was, one candidate at a time -------------------------------

_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w’'-]*")
_SENTENCE = re.compile(r"(?<=[.!?…:;»”])\s+")


def reference_names(article) -> set[str]:
    found = set()
    for text in (article.title, article.summary):
        for sentence in _SENTENCE.split(text):
            for word in _WORD.findall(sentence)[1:]:
                if word[0].isupper() and len(word) > 2:
                    found.add(word.casefold())
    return found


def _keys(article) -> set[str]:
    return {"t" + slugify(tag) for tag in article.tags} | {"n" + name for name in reference_names(article)}


def _enough(shared: set[str]) -> bool:
    return any(key[0] == "t" for key in shared) or len(shared) >= 2


def reference_related(articles) -> dict[str, list]:
    keys = [_keys(article) for article in articles]
    postings: dict[str, list[int]] = defaultdict(list)
    for position, article_keys in enumerate(keys):
        for key in article_keys:
            postings[key].append(position)
    total = len(articles)
    weight = {key: math.log(1 + total / len(found)) * (NAME_WEIGHT if key[0] == "n" else 1.0)
              for key, found in postings.items()}
    result = {}
    for position, article in enumerate(articles):
        mine = keys[position]
        candidates: set[int] = set()
        for key in mine:
            found = postings[key]
            at = bisect_left(found, position)
            candidates.update(found[max(0, at - NEAREST):at + NEAREST + 1])
        candidates.discard(position)
        scores = {other: sum(weight[key] for key in mine & keys[other]) for other in candidates
                  if _enough(mine & keys[other])}
        best = sorted(scores, key=lambda other: (-round(scores[other], 9), abs(other - position), other))
        result[article.story] = [articles[other] for other in best[:SHOWN]]
    return result


# --- random articles ---------------------------------------------------------------------------

# Words that make names (capitalized, in many positions), near-names and the characters that
# decide what a word and a sentence are.
_PIECES = ["Japan", "Korea", "Ottawa", "Canada", "McDonald", "l'Europe", "Défense", "Œuvre", "ÉTAT", "Ab",
           "the", "said", "minister", "1Abc", "-Xyz", "_Qrs", "über", "Zoë", "ﬁnal", "İstanbul",
           " ", " ", " ", "  ", "\t", "\n", ".", ". ", "! ", "? ", "… ", ": ", "; ", "» ", "” ", ",", "«", "’",
           "'", "-", "x", "A", "Bc"]
TEXT = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)
TAGS = st.lists(st.sampled_from(["Japan", "japan", "Korea", "Défense", "Defense", "Economy", "World",
                                 "Ottawa", "Climate Change"]), max_size=4, unique=True)
START = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)


def _article(n: int, title: str, summary: str, tags, lang: str = "en") -> Article:
    return Article(story=f"s/{n}", lang=lang, path=Path(f"s/{n}/{lang}.md"), title=title, date=START,
                   has_time=True, updated=None, summary=summary, body=b"", words=1, slug=f"s{n}",
                   tags=tuple(tags))


ARTICLES = st.lists(st.tuples(TEXT, TEXT, TAGS), max_size=40).map(
    lambda rows: [_article(n, title, summary, tags) for n, (title, summary, tags) in enumerate(rows)])


@settings(max_examples=400, deadline=None)
@given(TEXT, TEXT)
def test_names_are_the_words_read_sentence_by_sentence(title, summary):
    article = _article(0, title, summary, ())
    assert names(article) == reference_names(article)


@settings(max_examples=300, deadline=None)
@given(ARTICLES)
def test_related_stories_are_those_of_one_candidate_at_a_time(articles):
    expected = reference_related(articles)
    found = related(articles)
    assert list(found) == list(expected)
    assert {story: [a.story for a in more] for story, more in found.items()} == \
        {story: [a.story for a in more] for story, more in expected.items()}


def test_related_ties_go_to_the_nearest_then_the_newer():
    # One shared topic each, so every score ties: the nearest in time first, the newer of two as near.
    articles = [_article(n, "A story", "", ["Japan"]) for n in range(12)]
    assert [a.story for a in related(articles)["s/5"]] == ["s/4", "s/6", "s/3", "s/7"]
    assert related(articles) == reference_related(articles)


# --- the renderer's remembered values ------------------------------------------------------------

ZONES = [timezone.utc, timezone(timedelta(hours=9)), timezone(timedelta(hours=1), "CET"),
         timezone(timedelta(hours=1)), ZoneInfo("Europe/Paris"), ZoneInfo("America/Toronto"), None]
MOMENTS = st.builds(lambda day, minutes, zone: datetime(2020, 1, 1, tzinfo=zone) + timedelta(days=day, minutes=minutes),
                    st.integers(0, 3000), st.integers(0, 24 * 60), st.sampled_from(ZONES))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(MOMENTS, st.sampled_from(["en", "fr", "fr_CA", "en_GB"])), max_size=12))
def test_remembered_dates_are_babels(values):
    dates = Dates()
    for _ in range(2):  # made, then remembered
        for moment, locale in values:
            assert dates.day(i18n.long_date, moment, locale) == i18n.long_date(moment, locale)
            assert dates.day(i18n.full_date, moment.date(), locale) == i18n.full_date(moment.date(), locale)
            assert dates.day(i18n.short_day, moment, locale) == i18n.short_day(moment, locale)
            assert dates.time(i18n.short_time, moment, locale) == i18n.short_time(moment, locale)
            assert dates.month(i18n.month_year, moment.year, moment.month, locale) == \
                i18n.month_year(moment.year, moment.month, locale)


def test_the_same_instant_in_two_zones_keeps_its_own_day_and_time():
    dates = Dates()
    late = datetime(2026, 2, 11, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    early = late.astimezone(timezone(timedelta(hours=9)))  # equal instants, another day
    assert late == early
    assert dates.day(i18n.long_date, late, "en") == "February 11, 2026"
    assert dates.day(i18n.long_date, early, "en") == "February 12, 2026"
    assert dates.time(i18n.short_time, late, "fr") == "23:30"
    assert dates.time(i18n.short_time, early, "fr") == "13:30"


def test_remembered_urls_are_urls(tmp_path):
    from newsdigest.config import load_config
    (tmp_path / "site.toml").write_text('base_url = "https://example.org/sub/"\n[languages.en]\ntitle = "T"\n',
                                        encoding="utf-8")
    config = load_config(tmp_path / "site.toml")
    remembered, plain = RememberedUrls(config), Urls(config)
    for _ in range(2):
        for lang, day in (("en", date(2026, 2, 11)), ("fr", date(2026, 2, 11)), ("en", date(2025, 12, 31))):
            assert remembered.day(lang, day) == plain.day(lang, day)
        moment = datetime(2026, 2, 11, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
        assert remembered.day("en", moment) == plain.day("en", moment)
        for tag, page in (("Défense", 1), ("Défense", 2), ("Corée du Nord", 1), ("l'OTAN", 3)):
            assert remembered.tag("fr", tag, page) == plain.tag("fr", tag, page)
    assert remembered.href("en/") == plain.href("en/") and remembered.absolute("x") == plain.absolute("x")
