"""The language-neutral facts of an article, for comparing a French text with an English one:
names (written the same in both languages), countries and cities (mapped through Babel),
numbers and calendar dates.

Each fact is a key such as "N:rodong", "T:JP", "Z:Asia/Seoul", "#:35.2", "Y:2025", "D:01-27",
mapped to how the article wrote it, so a decision can show its evidence.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from types import MappingProxyType

from .dates import find_dates
from .lexicon import calendar_words, fold, places

# How much a shared fact says about two texts reporting the same event. A country is shared by
# many unrelated stories; a calendar day or an uncommon name much less so.
WEIGHTS = {"N": 1.0, "T": 0.5, "Z": 0.8, "#": 1.0, "n": 0.5, "Y": 0.5, "D": 1.5}
# Names are compared on their first letters so that cognates meet: Indo-Pacifique/Indo-Pacific,
# Démocrate/Democratic. Short names are compared whole.
NAME_PREFIX = 6

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?!\w)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:«\"“]\s*|\n)\s*$")
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu)['’]", re.I)


class Facts(Mapping[str, str]):
    """Key -> the text it was first found as; with how often each was mentioned, and which keys
    only name the article's own outlet (an agency is shared by many unrelated stories)."""

    def __init__(self, surface: dict[str, str], count: Counter, outlet: frozenset[str]):
        self._surface = dict(surface)
        self.count: Mapping[str, int] = MappingProxyType(dict(count))
        self.outlet = outlet

    def __getitem__(self, key: str) -> str:
        return self._surface[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._surface)

    def __len__(self) -> int:
        return len(self._surface)


def facts(text: str, lang: str, *, names: tuple[str, ...] = (), own_date: date | None = None) -> Facts:
    """The facts of `text`. `names` are the outlet names found around it (source line, photo
    credit); the article's own date is left out, as the date proximity already counts it."""
    found: dict[str, str] = {}
    count: Counter = Counter()
    for name in names:
        for word in _WORD.findall(name):
            if len(word) >= 3 and word[0].isupper():
                found.setdefault(_name_key(word), word)
    outlet = frozenset(found)
    folded = fold(text)
    if len(folded) != len(text):  # folding can change lengths (ligatures); keep offsets honest
        folded = "".join(fold(c)[:1] or " " for c in text)
    pattern, keys = places(lang)
    blanked = list(text)
    for m in pattern.finditer(folded):
        if not text[m.start()].isupper():
            continue  # "japon" as a plain word is not the country
        found.setdefault(keys[m.group(0)], text[m.start():m.end()])
        count[keys[m.group(0)]] += 1
        blanked[m.start():m.end()] = " " * (m.end() - m.start())
    rest = "".join(blanked)

    for mention in find_dates(rest, lang):
        own = own_date and (mention.month, mention.day, mention.year or own_date.year) == (
            own_date.month, own_date.day, own_date.year)
        if mention.day and not own:
            found.setdefault(f"D:{mention.month:02d}-{mention.day:02d}", mention.text)
            count[f"D:{mention.month:02d}-{mention.day:02d}"] += 1
        if mention.year and not own:
            found.setdefault(f"Y:{mention.year}", str(mention.year))
        rest = rest[: mention.start] + " " * (mention.end - mention.start) + rest[mention.end:]

    for m in _NUMBER.finditer(rest):
        value = _number_key(m.group(0).strip(), lang)
        if not value or (len(value) < 2 and "." not in value):
            continue  # one digit: too common to tell stories apart
        if re.fullmatch(r"(?:19|20)\d\d", value):
            kind = "Y"
        else:
            kind = "#" if len(value) >= 3 or "." in value else "n"
        if not (kind == "Y" and own_date and int(value) == own_date.year):
            found.setdefault(f"{kind}:{value}", m.group(0).strip())
            count[f"{kind}:{value}"] += 1

    calendar = calendar_words()
    for m in _WORD.finditer(rest):
        word = re.sub(r"['’]s$", "", _ELISION.sub("", m.group(0))).strip("'’-")
        if len(word) < 3 or not word[0].isupper() or fold(word) in calendar:
            continue
        if _SENTENCE_START.search(rest[: m.start()]) and not _capitalised_elsewhere(word, rest, m.start()):
            continue  # a capital that only marks the start of a sentence
        found.setdefault(_name_key(word), word)
        count[_name_key(word)] += 1
    return Facts(found, count, frozenset(k for k in outlet if not count[k]))


def _name_key(word: str) -> str:
    return f"N:{fold(word)[:NAME_PREFIX]}"


def _capitalised_elsewhere(word: str, text: str, position: int) -> bool:
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(word)}(?![\w-])", text):
        if m.start() != position and not _SENTENCE_START.search(text[: m.start()]):
            return True
    return False


def _number_key(raw: str, lang: str) -> str | None:
    """A number as digits with "." for decimals: "1 000,5" (fr) and "1,000.5" (en) -> "1000.5"."""
    raw = raw.replace("%", "").strip()
    compact = re.sub(r"[\s\u00a0\u202f]", "", raw)
    if lang == "fr":
        compact = compact.replace(".", "").replace(",", ".")
    else:
        compact = compact.replace(",", "")
    compact = compact.rstrip(".")
    if not re.fullmatch(r"\d+(?:\.\d+)?", compact):
        return None
    return compact.lstrip("0") or "0"


def weight(key: str) -> float:
    return WEIGHTS[key[0]]
