"""UI strings (gettext catalogs read straight from locales/<lang>/LC_MESSAGES/messages.po),
localized dates and language names, all from Babel. No UI string lives in Python code."""
from __future__ import annotations

import functools
import gettext
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from markupsafe import Markup, escape

from . import typography
from .config import Config
from .errors import ConfigError, Problem

DOMAIN = "messages"


class Translator:
    """gettext for one language, with that language's typography applied to every translation."""

    def __init__(self, catalog: gettext.NullTranslations, locale: str):
        self._catalog = catalog
        self.locale = locale
        self._fix = typography.for_locale(locale)

    def gettext(self, message: str) -> str:
        return self._fix(self._catalog.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._fix(self._catalog.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        return self._fix(self._catalog.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self._fix(self._catalog.npgettext(context, singular, plural, n))

    def markup(self, message: str, **values) -> Markup:
        """A translated, escaped string with escaped %(name)s values, for templates."""
        return Markup(escape(self.gettext(message))) % values if values else Markup(escape(self.gettext(message)))


def catalog_path(config: Config, code: str):
    """The site's own catalog for a language, else the default theme's."""
    relative = Path(code) / "LC_MESSAGES" / f"{DOMAIN}.po"
    return next((d / relative for d in config.locale_dirs if (d / relative).is_file()), config.locale_dirs[0] / relative)


def load_translators(config: Config) -> dict[str, Translator]:
    """One Translator per configured language; a missing or broken catalog is a ConfigError."""
    problems, result = [], {}
    for lang in config.languages:
        path = catalog_path(config, lang.code)
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang.locale, abort_invalid=True)
        except FileNotFoundError:
            problems.append(Problem(path, f"no message catalog for language '{lang.code}'. Create it with "
                                    f"'pybabel init -i locales/messages.pot -d locales -l {lang.code}' and "
                                    "translate it (see README, Translations)."))
            continue
        except (PoFileError, ValueError) as exc:
            problems.append(Problem(path, f"broken message catalog: {exc}. Fix the .po file."))
            continue
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        result[lang.code] = Translator(gettext.GNUTranslations(buffer), lang.locale)
    if problems:
        raise ConfigError(problems)
    return result


@functools.lru_cache(maxsize=None)
def parsed(locale: str) -> Locale:
    """Babel parses a locale id on every call that is given a string, which dominated rendering
    time; a parsed Locale is immutable, so each is parsed once."""
    return Locale.parse(locale)


def long_date(value: date | datetime, locale: str) -> str:
    """"February 11, 2026" / "11 février 2026"."""
    return format_date(value, format="long", locale=parsed(locale))


def short_time(value: datetime, locale: str) -> str:
    """The time as written (in its own offset): "10:32 AM" / "10:32"."""
    return format_time(value, format="short", locale=parsed(locale), tzinfo=value.tzinfo)


def full_date(value: date | datetime, locale: str) -> str:
    """With the weekday: "Wednesday, February 11, 2026" / "mercredi 11 février 2026"."""
    return format_date(value, format="full", locale=parsed(locale))


def short_day(value: date, locale: str) -> str:
    """A day within its month: "Wed 11" / "mer. 11"."""
    return format_date(value, "EEE d", locale=parsed(locale))


def utc_offset(value: datetime) -> str:
    """The zone a time was written in, the same in every language: "UTC+1", "UTC−4", "UTC+5:30", "UTC"."""
    offset = value.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes > 0 else "\u2212"  # a real minus sign
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def month_year(year: int, month: int, locale: str) -> str:
    """Stand-alone month name and year: "February 2026" / "février 2026"."""
    return format_date(date(year, month, 1), "LLLL y", locale=parsed(locale))


@functools.lru_cache(maxsize=None)
def language_name(code_locale: str, in_locale: str) -> str:
    """Name of a language in another (or its own) language, as Babel writes it mid-sentence
    ("anglais", "English"); templates capitalize it where it is a label."""
    return parsed(in_locale).languages.get(parsed(code_locale).language, code_locale)


def language_tag(locale: str) -> str:
    """The BCP 47 language tag of a Babel locale id: "fr_CA" -> "fr-CA", "en" -> "en". The one place
    it is computed: `<html lang>`, hreflang, the feeds' xml:lang and JSON-LD's inLanguage all use it
    (templates through the `language_tag` filter and the `lang_tag(code)` global)."""
    return locale.replace("_", "-")
