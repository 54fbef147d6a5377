"""The language-neutral facts of an article, for comparing a French text with an English one.

Two outlets reporting one event independently share its facts, whatever their wording:
- names, written the same in both languages (accents, capitals and a possessive 's aside);
- countries and cities, mapped through Babel (Japon/Japan);
- numbers in either typography, with their magnitude ("250 millions" = "$250M"), match scores
  (3-1), clock times (14 h 30 = 2:30 p.m.), calendar dates and weekdays;
- cognates: the uncommon words both languages share a stem of (réacteur/reactor, avalanche),
  weighted by how rare they are (wordfreq's frequency lists ship in its wheel).

Each fact is a key such as "N:rodong", "T:JP", "Z:Asia/Seoul", "#:35.2", "S:1-3", "H:14:30",
"Y:2025", "D:01-27", "W:1", "C:reacte", mapped to how the article wrote it, so a decision can show
its evidence. Everything here is one pass over the text: linear in its length.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from types import MappingProxyType

from wordfreq import zipf_frequency

from .dates import find_dates, find_times, find_weekdays
from .lexicon import calendar_words, fold, places

# How much a shared fact says about two texts reporting the same event. A country is shared by
# many unrelated stories; a calendar day, a score or an uncommon name much less so. Cognates are
# weighted by rarity instead (cognate_weight).
WEIGHTS = {"N": 1.0, "T": 0.5, "Z": 0.8, "#": 1.0, "n": 0.5, "Y": 0.4, "D": 1.5, "S": 1.2, "H": 0.6,
           "W": 0.3, "C": 0.5}
# Names are compared on their first letters so that cognates meet: Indo-Pacifique/Indo-Pacific,
# Démocrate/Democratic. Short names are compared whole.
NAME_PREFIX = 6
COGNATE_PREFIX = 5
COGNATE_MIN_LENGTH = 5
COMMON_WORD = 5.0  # wordfreq Zipf value above which a word is too common to be evidence
RARE_NAME = 3.5  # a capital at a sentence start is a name when the word is rarer than this

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
                     r"(?:(?!\w)|(?=(?i:bn|mn|[mkb])\b))")
_MAGNITUDE = re.compile(
    r"\s*(?:(?P<word>milliards?|billions?|bn|mds?|mrds?|millions?|mn|m|mio|thousand|mille|k)\b\.?"
    r"|(?P<glued>(?<=\d)(?:bn|m|k|b)\b))", re.I)
_SCALE = {"milliard": 9, "milliards": 9, "md": 9, "mds": 9, "mrd": 9, "mrds": 9, "billion": 9, "billions": 9,
          "bn": 9, "b": 9, "million": 6, "millions": 6, "mn": 6, "m": 6, "mio": 6, "thousand": 3, "mille": 3,
          "k": 3}
_SCORE = re.compile(r"(?<![\w.,/:-])(?P<a>\d{1,2})\s?(?:-|–|à|to)\s?(?P<b>\d{1,2})(?![\w.,/:%-])")
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")
# Where a sentence starts: the text's start, a line break, or end punctuation and an opening quote.
_BOUNDARY = re.compile(r"(?:^|\n|[.!?:;]\s+|[«\"“]\s*)(?=[^\W\d_])")
# A capital after these is a name, not a sentence start: "M. Okafor", "Dr. Diallo".
_TITLE = re.compile(r"\b(?:M|Mr|Mrs|Ms|Mme|Dr|Pr|Gen|Sen|Rep|Gov|St|Lt|Col|Prof)\.\s+")


class Facts(Mapping[str, str]):
    """Key -> the text it was first found as; with how often each was mentioned, which keys only
    name the article's own outlet (an agency is shared by many unrelated stories), and every
    spelling of each cognate stem."""

    def __init__(self, surface: dict[str, str], count: Counter, outlet: frozenset[str], lang: str = "en",
                 spellings: Mapping[str, frozenset[str]] | None = None):
        self._surface = dict(surface)
        self.count: Mapping[str, int] = MappingProxyType(dict(count))
        self.outlet = outlet
        self.lang = lang
        self.spellings: Mapping[str, frozenset[str]] = MappingProxyType(dict(spellings or {}))

    def __getitem__(self, key: str) -> str:
        return self._surface[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._surface)

    def __len__(self) -> int:
        return len(self._surface)

    def __reduce__(self):  # plain dicts and sets: what the build cache and worker pipes carry
        return (Facts, (self._surface, dict(self.count), self.outlet, self.lang, dict(self.spellings)))


def facts(text: str, lang: str, *, names: tuple[str, ...] = (), own_date: date | None = None) -> Facts:
    """The facts of `text`. `names` are the outlet names found around it (source line, photo
    credit); the article's own date is left out, as the date proximity already counts it."""
    found: dict[str, str] = {}
    count: Counter = Counter()

    def add(key: str, surface: str) -> None:
        found.setdefault(key, surface)
        count[key] += 1

    for name in names:
        for word in _WORD.findall(name):
            if len(word) >= 3 and word[0].isupper():
                found.setdefault(_name_key(word), word)
    outlet = frozenset(found)
    rest = _places(text, lang, add)
    rest = _dates(rest, lang, own_date, add)
    rest = _clock_times(rest, add)
    rest = _scores(rest, add)
    rest = _numbers(rest, lang, own_date, add)
    spellings = _words(rest, lang, add, {m.end() for m in _BOUNDARY.finditer(text)})
    return Facts(found, count, frozenset(k for k in outlet if not count[k]), lang, spellings)


def _places(text: str, lang: str, add) -> str:
    folded = fold(text)
    if len(folded) != len(text):  # folding can change lengths (ligatures); keep offsets honest
        folded = "".join(fold(c)[:1] or " " for c in text)
    pattern, keys = places(lang)
    blanked = list(text)
    for m in pattern.finditer(folded):
        if not text[m.start()].isupper():
            continue  # "japon" as a plain word is not the country
        add(keys[m.group(0)], text[m.start():m.end()])
        blanked[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(blanked)


def _dates(text: str, lang: str, own_date: date | None, add) -> str:
    pieces = []
    last = 0
    for mention in find_dates(text, lang):
        own = own_date and (mention.month, mention.day, mention.year or own_date.year) == (
            own_date.month, own_date.day, own_date.year)
        if mention.day and not own:
            add(f"D:{mention.month:02d}-{mention.day:02d}", mention.text)
        if mention.year and not own:
            add(f"Y:{mention.year}", str(mention.year))
        pieces.append(text[last:mention.start])
        pieces.append(" " * (mention.end - mention.start))
        last = mention.end
    pieces.append(text[last:])
    text = "".join(pieces)
    for weekday in set(find_weekdays(text)):
        add(f"W:{weekday}", ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")[weekday]
            if lang == "fr" else ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[weekday])
    return text


def _clock_times(text: str, add) -> str:
    spans = []
    for start, end, clock in find_times(text):
        add(f"H:{clock.hour:02d}:{clock.minute:02d}", text[start:end].strip())
        spans.append((start, end))
    return _blank_spans(text, spans)


def _scores(text: str, add) -> str:
    spans = []
    for m in _SCORE.finditer(text):
        a, b = sorted((int(m.group("a")), int(m.group("b"))))
        add(f"S:{a}-{b}", m.group(0))
        spans.append(m.span())
    return _blank_spans(text, spans)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _numbers(text: str, lang: str, own_date: date | None, add) -> str:
    spans = []
    for m in _NUMBER.finditer(text):
        raw = m.group(0).strip()
        value = _number_key(raw, lang)
        if not value:
            continue
        magnitude = _MAGNITUDE.match(text, m.end())
        if magnitude:
            word = (magnitude.group("word") or magnitude.group("glued")).lower().rstrip(".")
            if word in _SCALE and not (word == "m" and re.match(r"\s+m\b", text[m.end():])):
                value = _scaled(value, _SCALE[word])
                raw = text[m.start():magnitude.end()].strip(" .")
                spans.append((m.end(), magnitude.end()))
        if len(value) < 2 and "." not in value:
            continue  # one digit: too common to tell stories apart
        if re.fullmatch(r"(?:19|20)\d\d", value):
            kind = "Y"
        else:
            kind = "#" if len(value) >= 3 or "." in value else "n"
        if not (kind == "Y" and own_date and int(value) == own_date.year):
            add(f"{kind}:{value}", raw)
    return _blank_spans(text, spans)


def _scaled(value: str, exponent: int) -> str:
    whole, _, decimals = value.partition(".")
    digits = whole + decimals
    zeros = exponent - len(decimals)
    if zeros < 0:
        return value
    return (digits + "0" * zeros).lstrip("0") or "0"


def _words(text: str, lang: str, add, starts: set[int]) -> dict[str, frozenset[str]]:
    """Names (capitalised words that are not just starting a sentence) and cognate stems.
    `starts` are the offsets where sentences start, found before numbers and dates were blanked."""
    titled = {m.end() for m in _TITLE.finditer(text)}
    words = []
    for m in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", _ELISION.sub("", m.group(0))).strip("'’-")
        words.append((word, m.start() in starts and m.start() not in titled, text[m.end():m.end() + 1]))
    lower_seen = {fold(w) for w, _, _ in words if w[:1].islower()}
    mid_capitals = {fold(w) for w, start, _ in words if w[:1].isupper() and not start}
    calendar = calendar_words()
    spellings: dict[str, set[str]] = {}
    for word, at_start, after in words:
        if len(word) < 3:
            continue
        key = fold(word)
        if word[0].isupper() and key not in calendar:
            if not at_start or key in mid_capitals or (
                    after != "," and key not in lower_seen and _zipf(key, lang) < RARE_NAME):
                add(_name_key(word), word)
                continue
        if len(key) >= COGNATE_MIN_LENGTH and key.isalpha() and key not in calendar and _zipf(key, lang) <= COMMON_WORD:
            stem = f"C:{key[:COGNATE_PREFIX]}"
            add(stem, word.lower())
            spellings.setdefault(stem, set()).add(key)
    return {k: frozenset(v) for k, v in spellings.items()}


@functools.lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    return zipf_frequency(word, lang)


def cognate_weight(a: Facts, b: Facts, key: str) -> float:
    """How much a shared stem says: 0 when no spelling of it in one text is close to one in the
    other (a stem shared by chance: "refer"/"référendum"), more the rarer the words are."""
    best = None
    for x in a.spellings.get(key, ()):
        for y in b.spellings.get(key, ()):
            if _similar(x, y):
                common = max(_zipf(x, a.lang), _zipf(y, b.lang))
                best = common if best is None else min(best, common)
    if best is None:
        return 0.0
    rarity = min(max((COMMON_WORD - 0.2 - best) / 2.3, 0.0), 1.0)
    return 0.15 + 0.85 * rarity


@functools.lru_cache(maxsize=65536)
def _similar(x: str, y: str) -> bool:
    """Cognates differ in their endings (réacteur/reactor, nucléaire/nuclear, vaccin/vaccine)."""
    shorter, longer = sorted((x, y), key=len)
    common = 0
    for p, q in zip(x, y):
        if p != q:
            break
        common += 1
    return (common >= COGNATE_PREFIX and len(shorter) >= 0.7 * len(longer)
            and (common >= len(shorter) - 2 or common / len(longer) >= 0.6))


def _name_key(word: str) -> str:
    return f"N:{fold(word)[:NAME_PREFIX]}"


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
