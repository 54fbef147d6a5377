"""A headline for an article copied without one, made from its lead sentence.

The lead of a news story already says who did what; a headline is that statement without the
time adverbial, the asides and the trailing clauses. The clause words below are grammar, not
content: they mark where the main statement ends in French and English.
"""
from __future__ import annotations

import re

from .dates import find_dates
from .lexicon import fold, weekday_names

MAX_WORDS = 16
MIN_WORDS = 4

# Where a trailing clause starts: after a comma, a participle or conjunction that adds context.
_CLAUSE_BREAKS = {
    "fr": r"tout en|alors que|tandis que|selon|d'après|a-t-il|a-t-elle|ont-ils|ont-elles|a indiqué"
          r"|a déclaré|a affirmé|a annoncé|qui|dont|lequel|laquelle|après|avant|afin|pour|mais|car",
    "en": r"while|as|after|before|according to|said|says|which|who|whose|saying|adding|but"
          r"|amid|following|in a|when",
}
_TIME_ADVERBS = frozenset({"today", "yesterday", "tonight", "earlier", "aujourd'hui", "hier", "ce soir",
                           "ce matin", "morning", "matin", "soir"})
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No))(?<!\b(?:Mrs|Gen|Sgt|Col|Rep|Sen))"
                           r"(?<!\bGov)(?<!\bM)[.!?](?=\s+[«\"“A-ZÀ-Ý])")
_ASIDE = re.compile(r"\s[-–—]\s[^-–—]{2,120}?\s[-–—]\s|\s\([^()]{2,120}\)")
_DATELINE = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý' .-]{1,40}(?:,[^-–—]{0,60})?\s[-–—]{1,2}\s")


def first_sentence(paragraph: str) -> str:
    m = _SENTENCE_END.search(paragraph)
    return paragraph[: m.start()] if m else paragraph.rstrip(".!? ")


def infer_headline(lead: str, lang: str) -> str | None:
    """A headline from the lead paragraph, or None when nothing headline-sized is left."""
    text = _DATELINE.sub("", lead.strip())
    text = first_sentence(text)
    text = _strip_leading_time(text, lang)
    text = _ASIDE.sub(" ", f" {text} ").strip()
    text = _drop_dates(text, lang)
    breaks = re.compile(rf",\s+(?:{_CLAUSE_BREAKS[lang]})\b", re.IGNORECASE)
    m = breaks.search(text)
    if m and len(text[: m.start()].split()) >= MIN_WORDS:
        text = text[: m.start()]
    words = text.split()
    if len(words) > MAX_WORDS:
        # Cut at the last comma that keeps a statement; failing that, at a word boundary.
        cut = text[: len(" ".join(words[:MAX_WORDS]))]
        comma = cut.rfind(", ")
        if comma > 0 and len(cut[:comma].split()) >= MIN_WORDS:
            text = cut[:comma]
        else:
            # Before the first short lowercase word (a preposition or article) once the statement
            # has a subject, a verb and an object: "approved the final contract | for its ...".
            kept = words[:MAX_WORDS]
            stop = next((i for i in range(MIN_WORDS + 2, len(kept))
                         if len(kept[i]) <= 3 and kept[i].isalpha() and kept[i].islower()), len(kept))
            text = " ".join(kept[:stop])
    text = text.strip(" ,;:-–—")
    if len(text.split()) < MIN_WORDS:
        # Nothing statement-like: fall back on the lead's first words, which at least identify it.
        text = " ".join(first_sentence(lead).split()[:MAX_WORDS]).strip(" ,;:-–—")
    return (text[0].upper() + text[1:]) if text else None


def _drop_dates(text: str, lang: str) -> str:
    """Headlines carry no date: "a adopté le 14 février 2026 un budget" -> "a adopté un budget"."""
    for mention in reversed(find_dates(text, lang)):
        before = re.search(r"(?:\b(?:le|on|du|au|since|depuis)\s+)?$", text[: mention.start], re.I)
        start = before.start() if before and before.group(0) else mention.start
        if mention.day or before.group(0):
            text = (text[:start].rstrip() + " " + text[mention.end:].lstrip(" ,")).strip()
    return text


def _strip_leading_time(text: str, lang: str) -> str:
    """Drops an opening date phrase such as "Le 11 février, " or "On Wednesday, "."""
    dates = find_dates(text[:40], lang)
    if dates and dates[0].start <= 4:
        rest = text[dates[0].end:]
        m = re.match(r"\s*,\s*", rest)
        if m:
            return rest[m.end():]
    words = text.split(None, 3)
    for n in (2, 1):  # "On Wednesday, ...", "Mercredi, ...", "Today, ..."
        head = " ".join(words[:n])
        word = fold(words[n - 1].rstrip(",")) if len(words) >= n else ""
        if head.endswith(",") and (word in weekday_names() or word in _TIME_ADVERBS):
            return text[len(head):].lstrip()
    return text
