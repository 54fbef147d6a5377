"""Pulling an article apart: title, date and time, source, author, photo caption and body
paragraphs, from raw text copied off a news page.

The text is read as lines. The lines before the first article paragraph (the head) may hold a
` date YYYY-MM-DD  Title` marker, a title line, a `Published:` line, a byline and a caption; the
lines after the last one (the tail) may hold a source line and the title again. Anything that is
page furniture is dropped wherever it is (see boilerplate).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
import datetime as dt
from datetime import date

from .boilerplate import is_banner, is_chrome
from .dates import Mention, find_dates, find_time, resolve
from .headline import infer_headline
from .lexicon import calendar_words, fold

MAX_TITLE_WORDS = 25
MAX_SOURCE_WORDS = 6
TAIL_LINES = 6

_MARKER = re.compile(r"^date\s*:?\s+(?P<iso>\d{4}-\d\d-\d\d)(?:[ T](?P<clock>\d{1,2}:\d\d))?\s*(?P<title>.*)$", re.I)
_STAMP = re.compile(
    r"^(?P<label>first published|published|posted|publi[ée]|mis en ligne|date de publication"
    r"|last updated|updated|mis [àa] jour|modifi[ée])(?:\s+(?:le|on|at))?\s*:?\s*(?P<rest>.+)$", re.I)
_UPDATED_LABELS = ("updated", "last updated", "mis à jour", "mis a jour", "modifié", "modifie")
_BYLINE = re.compile(r"^(?:par|by)\s+(?P<who>[A-ZÀ-Ý].{1,120})$", re.I)
_BYLINE_SPLIT = re.compile(r"\s*(?:,|\||\s[-–—]\s|/)\s*")
_CAPTION_TAG = re.compile(r"\s*\[(?P<credit>[^\[\]]{2,40})\]\s*$")
_CAPTION_PAREN = re.compile(r"\s*\((?P<credit>[^()]*\bphoto\b[^()]*)\)\s*$", re.I)
_CAPTION_LABEL = re.compile(r"^(?:photo|cr[ée]dit photo|photo credit|l[ée]gende)\s*:\s*", re.I)
_DATELINE_HEAD = re.compile(r"^(?P<head>.{2,140}?)\s[-–—]{1,2}\s")
_DATELINE_PLACE = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]*[A-ZÀ-Ý.](?=[\s,(]|$)")
_WIRE = re.compile(r"/\s*(?P<name>[^/]{2,40}?)\s*/")
_AGENCY = re.compile(r"\((?P<name>[^()]{2,40})\)")
_SOURCE_LINE = re.compile(
    r"^(?:sources?\s*:?\s+|©\s*|\(c\)\s*|[-–—]+\s*|avec\s+|with files from\s+|with\s+)?"
    r"\(?(?P<name>[^\W\d_][\w.'’&\- ]{0,58}?)\)?\.?$", re.I)
_OUTLET_WORDS = re.compile(r"\b(?:press|presse|agence|agency|news|nouvelles|radio|t[ée]l[ée]|tv|times|post|"
                           r"journal|herald|gazette|tribune|wire|newswire|reuters|bloomberg|media|m[ée]dias)\b",
                           re.I)
_SENTENCE_END = re.compile(r"[.:;,]$")


@dataclass(frozen=True)
class Extracted:
    title: str | None
    title_inferred: bool
    date: date | None
    date_inferred: bool
    time: dt.time | None  # the publication time, when given
    source: str | None
    author: str | None
    caption: str | None
    photo_credit: str | None
    paragraphs: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())  # how each field was found, for the log


def clean_line(raw: str) -> str:
    # Zero-width characters come along with copied HTML; non-breaking spaces inside a line are
    # typography and stay, at its ends (and on lines holding only one) they are padding.
    line = raw.replace("\u200b", "").replace("\ufeff", "").replace("\u2060", "")
    return re.sub(r"[ \t]+", " ", line).strip()


def same_text(a: str, b: str) -> bool:
    return _letters(a) == _letters(b)


def _letters(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def looks_like_headline(line: str) -> bool:
    """A line that can be a title: a few words, not ending like a sentence or a label."""
    bare = line.rstrip("\"'”»’ ")
    return (3 <= len(line.split()) <= MAX_TITLE_WORDS and not _SENTENCE_END.search(bare)
            and (line[0].isalnum() or line[0] in "«\"“'‘"))


def outlet_name(raw: str) -> str:
    """"YONHAP" -> "Yonhap"; short acronyms (AFP, CNW) and mixed case stay as written."""
    name = raw.strip(" .,-–—()[]")
    if name.isupper() and sum(c.isalpha() for c in name) > 4:
        # Words without a vowel are acronyms (AFP, CNN) and stay in capitals.
        return " ".join(w if not re.search(r"[AEIOUY]", w) else w.capitalize() for w in name.split())
    return name


def parse_byline(who: str) -> tuple[str | None, str | None]:
    """"Jean Roy, La Presse Canadienne" -> (author, outlet); "Reuters" -> (None, outlet)."""
    parts = [p for p in _BYLINE_SPLIT.split(who.strip()) if p]
    if not parts:
        return None, None
    first, rest = parts[0], parts[1:]
    outlet = outlet_name(rest[0]) if rest else None
    is_person = (not _OUTLET_WORDS.search(first) and not (first.isupper() and len(first.split()) == 1)
                 and 1 <= len(first.split()) <= 6)
    if is_person:
        return first, outlet
    return None, outlet_name(first)


def source_line(line: str) -> str | None:
    """The outlet a trailing line such as "Yonhap", "Source : AFP" or "(Reuters)" names."""
    if is_chrome(line) or len(line.split()) > MAX_SOURCE_WORDS or len(line) > 60:
        return None
    m = _SOURCE_LINE.match(line)
    if not m or not m.group("name")[0].isupper() or (line.endswith(".") and not line.endswith(").")):
        return None  # a sentence, not a name
    name = m.group("name").strip()
    if sum(1 for w in name.split()[1:] if len(w) >= 4 and w.islower()) > 1:
        return None  # names are capitalised, bar one word in French style ("La Presse canadienne")
    if fold(name) in calendar_words() or find_dates(name, "en") or find_dates(name, "fr"):
        return None
    return outlet_name(name)


def caption_parts(line: str) -> tuple[str, str | None] | None:
    """(caption, photo credit) when `line` is a photo caption, else None."""
    for pattern in (_CAPTION_TAG, _CAPTION_PAREN):
        m = pattern.search(line)
        if m and m.start() > 0:
            credit = re.sub(r"(?i)\b(?:photo|cr[ée]dit)\b\s*:?\s*", "", m.group("credit")).strip(" :")
            return line[: m.start()].strip(), outlet_name(credit) if credit else None
    m = _CAPTION_LABEL.match(line)
    if m and len(line) > m.end():
        return line[m.end():].strip(), None
    return None


@dataclass
class _Found:
    """What the head and tail scans collect; turned into an Extracted at the end."""
    title: str | None = None
    title_from: str = ""
    stamp: tuple[str, str] | None = None  # (where, text holding the date)
    updated: str | None = None
    clock: str | None = None
    byline_author: str | None = None
    byline_outlet: str | None = None
    caption: str | None = None
    credit: str | None = None
    tail_source: str | None = None
    notes: list[str] = field(default_factory=list)


def _scan_head(lines: list[str], found: _Found) -> int:
    """Consumes the lines before the first article paragraph; returns that paragraph's index."""
    for i, line in enumerate(lines):
        marker = _MARKER.match(line)
        stamp = _STAMP.match(line)
        byline = _BYLINE.match(line)
        if is_banner(line):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif marker and not found.stamp:
            found.stamp = ("the ' date' marker", marker.group("iso"))
            found.clock = marker.group("clock")
            if marker.group("title") and not found.title:
                found.title, found.title_from = marker.group("title").strip(), "the ' date' marker line"
        elif stamp and (find_dates(stamp.group("rest"), "en") or find_dates(stamp.group("rest"), "fr")
                        or find_time(stamp.group("rest"))):
            if fold(stamp.group("label")) in _UPDATED_LABELS:
                found.updated = found.updated or stamp.group("rest")
            elif not found.stamp or found.stamp[0] == "the ' date' marker":
                found.stamp = (f"the '{stamp.group('label')}' line", stamp.group("rest"))
        elif byline and len(line.split()) <= 14 and not line.endswith("."):
            found.byline_author, found.byline_outlet = parse_byline(byline.group("who"))
        elif (parts := caption_parts(line)) and not found.caption:
            found.caption, found.credit = parts
        elif not found.title and looks_like_headline(line) and i + 1 < len(lines):
            found.title, found.title_from = line, "the first line"
        else:
            return i
    return len(lines)


def _scan_tail(lines: list[str], found: _Found) -> int:
    """Consumes source line, repeated title and furniture after the last paragraph; returns the
    index just past the last article paragraph."""
    end = len(lines)
    for _ in range(TAIL_LINES):
        if end <= 1:
            break
        line = lines[end - 1]
        if found.title and same_text(line, found.title):
            found.notes.append("dropped the title repeated at the end")
        elif is_banner(line):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif not found.tail_source and (name := source_line(line)):
            found.tail_source = name
        elif not found.title and looks_like_headline(line):
            found.title, found.title_from = line, "the title line at the end"
        else:
            break
        end -= 1
    return end


def _dateline(paragraph: str, lang: str) -> tuple[str | None, list[Mention], str] | None:
    """(wire or agency, dates, head) for a lead opening with a dateline such as
    "OTTAWA, Jan. 27, 2026 /CNW/ -" or "PARIS (AFP) —"."""
    m = _DATELINE_HEAD.match(paragraph)
    if not m:
        return None
    head = m.group("head")
    wire = _WIRE.search(head)
    agency = _AGENCY.search(head)
    place = _DATELINE_PLACE.match(head)
    if not (place and len(re.sub(r"\W", "", place.group(0))) >= 3) and not (wire or agency):
        return None
    if not head[:1].isupper():
        return None
    name = wire.group("name") if wire else agency.group("name") if agency else None
    return (outlet_name(name) if name else None), find_dates(head, lang), head


def extract(text: str, lang: str, today: date, fallback_date: date | None = None) -> Extracted:
    """Everything the importer needs from one article's text in language `lang`."""
    lines = [c for c in (clean_line(raw) for raw in text.split("\n")) if c]
    found = _Found()
    start = _scan_head(lines, found)
    end = _scan_tail(lines, found)
    end = max(end, start)

    body: list[str] = []
    for line in lines[start:end]:
        if is_chrome(line):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif found.title and same_text(line, found.title):
            found.notes.append("dropped a repeated title line")
        elif (parts := caption_parts(line)) and _CAPTION_TAG.search(line):
            if not found.caption:
                found.caption, found.credit = parts
            found.notes.append(f"photo caption taken out of the body: {line[:60]!r}")
        else:
            body.append(line)

    mentions = find_dates(text, lang)
    dateline = _dateline(body[0], lang) if body else None

    when, inferred, when_from = None, False, None
    candidates: list[tuple[str, list[Mention]]] = []
    if found.stamp:
        candidates.append((found.stamp[0], find_dates(found.stamp[1], lang) or find_dates(found.stamp[1], "en")))
    if dateline:
        candidates.append(("the dateline", dateline[1]))
    if body:
        lead = body[0][: len(dateline[2]) + 200] if dateline else body[0]
        candidates.append(("the lead", find_dates(lead, lang)))
    if found.updated:
        candidates.append(("the 'updated' line", find_dates(found.updated, lang)))
    for where, found_dates in candidates:
        day = next((m for m in found_dates if m.day), None)
        if day:
            when, inferred = resolve(day, mentions, today)
            when_from = f"{where} ({day.text!r}{', year inferred from the other dates' if inferred else ''})"
            break
    if when is None and fallback_date:
        when, inferred, when_from = fallback_date, False, "--date"
    if when_from:
        found.notes.append(f"date from {when_from}")

    clock_text = found.clock or (found.stamp[1] if found.stamp else None) or (dateline[2] if dateline else None)
    clock = find_time(clock_text) if clock_text else None

    source = found.tail_source or (dateline[0] if dateline else None) or found.byline_outlet or found.credit
    title, title_inferred = found.title, False
    if not title and body:
        title, title_inferred = infer_headline(body[0], lang), True
        if title:
            found.notes.append("title inferred from the lead")
    elif title:
        found.notes.append(f"title from {found.title_from}")
    return Extracted(
        title=title, title_inferred=title_inferred, date=when, date_inferred=inferred, time=clock,
        source=source, author=found.byline_author, caption=found.caption, photo_credit=found.credit,
        paragraphs=tuple(body), notes=tuple(found.notes))
