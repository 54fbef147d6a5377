"""Word lists derived from Babel's CLDR data, never typed by hand: month and weekday names, and
country and city names that let a French and an English article be compared."""
from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from types import MappingProxyType
from typing import Mapping

from babel import Locale
from babel.core import get_global
from babel.dates import get_day_names, get_month_names

LANGS = ("en", "fr")
CONTINENTS = frozenset({"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
                        "Indian", "Pacific"})


def fold(text: str) -> str:
    """Lowercase without accents, so "Février", "fevrier" and "FÉVRIER" compare equal."""
    if text.isascii():
        return text.lower()  # NFKD leaves ASCII alone, and casefold is lower there
    return _fold_word(text) if len(text) <= 40 else _fold(text)


@functools.lru_cache(maxsize=100_000)
def _fold_word(text: str) -> str:
    return _fold(text)  # words recur across a text and a batch: fold each once


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.cache
def month_names(lang: str) -> Mapping[str, int]:
    """Folded month names and abbreviations (without their dot) -> month number."""
    names: dict[str, int] = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, locale=lang).items():
                names[fold(name).rstrip(".")] = number
    return MappingProxyType(names)


def month_number(token: str, lang: str) -> int | None:
    """The month a token names in `lang`: a Babel name or abbreviation, or an unambiguous prefix
    of at least three letters of a full name (newsroom styles such as "Sept." or "Janv")."""
    word = fold(token).rstrip(".")
    if len(word) < 3 or not word.isalpha():
        return None
    if lang == "en" and not token[:1].isupper():
        return None  # English capitalises months; "may" and "march" are also ordinary words
    names = month_names(lang)
    if word in names:
        return names[word]
    wide = {fold(n): k for k, n in get_month_names("wide", locale=lang).items()}
    matches = {k for name, k in wide.items() if name.startswith(word)}
    return matches.pop() if len(matches) == 1 else None


@functools.cache
def weekday_names() -> frozenset[str]:
    return frozenset(fold(name) for lang in LANGS for width in ("wide", "abbreviated")
                     for name in get_day_names(width, locale=lang).values())


@functools.cache
def _weekday_numbers(strict: bool) -> Mapping[str, int]:
    widths = ("wide",) if strict else ("wide", "abbreviated")
    return MappingProxyType({fold(name).rstrip("."): number for lang in LANGS for width in widths
                             for number, name in get_day_names(width, locale=lang).items()})


def weekday_number(token: str, strict: bool = False) -> int | None:
    """0 for "lundi", "Monday" (and, unless `strict`, "Mon.", "lun."), ... 6 for Sunday."""
    return _weekday_numbers(strict).get(fold(token).rstrip("."))


@functools.cache
def calendar_words() -> frozenset[str]:
    """Month and weekday names in every language, folded: capitalised, but not names of anything."""
    months = {fold(n).rstrip(".") for lang in LANGS for n in month_names(lang)}
    return frozenset(months | weekday_names())


def _phrase_pattern(names: Mapping[str, str]) -> re.Pattern[str]:
    alternatives = sorted(names, key=len, reverse=True)  # "Corée du Nord" before "Corée"
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w-])")


@functools.cache
def places(lang: str) -> tuple[re.Pattern[str], Mapping[str, str]]:
    """A pattern over folded text finding country and city names of `lang`, and a map from each
    folded name to a language-neutral key: "T:JP" for Japon/Japan, "Z:Asia/Seoul" for Séoul/Seoul.

    Countries come from Babel's territory names; cities from the exemplar cities of Babel's time
    zones (English ones are the zone ids themselves, e.g. Asia/Seoul -> Seoul)."""
    locale = Locale(lang)
    keys: dict[str, str] = {}
    for code, name in locale.territories.items():
        if code.isalpha() and len(code) == 2 and code not in ("ZZ", "EU", "EZ", "UN", "QO"):
            keys.setdefault(fold(name), f"T:{code}")
    aliases = get_global("zone_aliases")
    for zone in sorted(zoneinfo.available_timezones()):
        area, _, city_id = zone.partition("/")
        # Two-part canonical ids only: aliases and sub-zones (America/Indiana/Knox) add odd words.
        if area not in CONTINENTS or "/" in city_id or zone in aliases:
            continue
        city = locale.time_zones.get(zone, {}).get("city") if lang != "en" else None
        city = city or city_id.replace("_", " ")
        if len(city) > 3:
            keys.setdefault(fold(city), f"Z:{zone}")
    return _phrase_pattern(keys), MappingProxyType(keys)


@functools.cache
def language_name(code: str, lang: str = "en") -> str:
    return Locale(lang).languages.get(code, code)
