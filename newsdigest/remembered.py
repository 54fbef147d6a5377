"""What the renderer asks for on every page, made once and remembered for the renderer's life (one
build): UI strings, localized dates, the paths that take a date formatted or a tag slugified.

A site of 5,000 stories has some 20,000 pages but only a few thousand distinct dates and a few
dozen UI strings, and each of them cost tens of microseconds to make again (Babel's formatting,
each language's typography). Every answer here is the very one the wrapped function gives for the
same arguments: the keys hold everything the result depends on.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime

from .i18n import Translator
from .urls import Urls


class Catalog:
    """A Translator's gettext family, each answer remembered (French typography runs a few regular
    expressions over every translation)."""

    def __init__(self, translator: Translator):
        self.gettext = functools.lru_cache(maxsize=None)(translator.gettext)
        self.ngettext = functools.lru_cache(maxsize=None)(translator.ngettext)
        self.pgettext = functools.lru_cache(maxsize=None)(translator.pgettext)
        self.npgettext = functools.lru_cache(maxsize=None)(translator.npgettext)


class Dates:
    """Localized dates and times by the value and locale, remembered."""

    def __init__(self) -> None:
        self._made: dict[tuple, str] = {}

    def day(self, format_: Callable[[date, str], str], value, locale: str) -> str:
        """format_(value, locale) for a formatting of the date alone (Babel's format_date formats a
        datetime's date: value.date()), so the key is the day. Aware datetimes could not be keys
        themselves: two equal ones (the same instant) may fall on different days."""
        kind = type(value)
        if kind is datetime:
            key = (format_, value.date(), locale)
        elif kind is date:
            key = (format_, value, locale)
        else:
            return format_(value, locale)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = format_(value, locale)
        return made

    def time(self, format_: Callable[[datetime, str], str], value: datetime, locale: str) -> str:
        """format_(value, locale) for a time of day as written: keyed by the instant with its
        offset, zone name and zone (so the wall-clock time, the day and the zone are all known)."""
        if type(value) is not datetime:
            return format_(value, locale)
        key = (format_, value, value.utcoffset(), value.tzname(), str(value.tzinfo), locale)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = format_(value, locale)
        return made

    def month(self, format_: Callable[[int, int, str], str], year: int, month: int, locale: str) -> str:
        key = (format_, year, month, locale)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = format_(year, month, locale)
        return made


class RememberedUrls(Urls):
    """Urls whose day and topic paths are remembered: an article page links to its day twice and to
    each of its topics, a list page to every day it shows."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self._days: dict[tuple[str, date], str] = {}
        self._tags: dict[tuple[str, str, int], str] = {}

    def day(self, lang: str, day: date) -> str:
        if type(day) is not date:  # a datetime: equal ones may be different days
            return Urls.day(lang, day)
        path = self._days.get((lang, day))
        if path is None:
            path = self._days[lang, day] = Urls.day(lang, day)
        return path

    def tag(self, lang: str, tag: str, page: int = 1) -> str:
        path = self._tags.get((lang, tag, page))
        if path is None:
            path = self._tags[lang, tag, page] = Urls.tag(lang, tag, page)
        return path
