"""Pulling an article apart: title, date and time, source, author, photo caption, standfirst and
body paragraphs, from raw text copied off a news page.

A copied page reads, top to bottom: page furniture (menus, the outlet's name and tagline, section
labels), the headline, a standfirst, the byline and date lines, a photo caption and credit, the
article, then closing lines (source, copyright, comments, related links). Each line is first
judged alone (lines.kind); the layout then places the article: its body starts at the first
sentence that no byline or date line follows, and the headline is the last headline-like line
above it that is about what the body says (a tagline or a related link is not).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
import datetime as dt
from datetime import date

from .boilerplate import is_banner, is_chrome, is_menu, is_programme
from .dates import Mention, find_dates, find_time, find_weekdays, resolve
from .headline import infer_headline
from .lexicon import fold
from .lines import (BYLINE, CAPTION_TAG, MARKER, STAMP, TAIL_LINES, UPDATED_LABELS, caption_parts, continues,
                    copyright_name, credit_of, date_line, dateline, is_furniture, kind, looks_like_headline,
                    letters, outlet_name, parse_byline, same_text, source_line, clean_line)

META = ("marker", "stamp", "byline", "date")
TEXT_DATES = ("the lead", "the standfirst", "the text")  # not a date line: flagged date_inferred
LOOKAHEAD = 4  # how far below a sentence a byline or date line makes it a standfirst
MIN_OVERLAP = 0.3  # share of a headline's words the body must use
MIN_OVERLAP_CLOSE = 0.15  # ...when a standfirst or byline follows it directly
_STEM = 5
_PUBLISHED_IN_TAIL = re.compile(r"(?i)\b(?:was (?:first )?published|first published|a été publié|publié pour la première fois)\b")


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
    month: tuple[int, int] | None = None  # (year, month) of a month-only marker, when that is all
    standfirst: str | None = None  # the line between headline and byline that sums the story up


@dataclass
class _Found:
    """What the layout collects; turned into an Extracted at the end."""
    title: str | None = None
    title_from: str = ""
    stamp: tuple[str, str] | None = None  # (where, text holding the date)
    month: Mention | None = None  # a month-only marker (" date 2025-03")
    updated: str | None = None
    clock: str | None = None
    byline_author: str | None = None
    byline_outlet: str | None = None
    dateline_outlet: str | None = None  # "Outlet Name Mar 3, 2025 14:05"
    masthead: str | None = None
    caption: str | None = None
    credit: str | None = None
    standfirst: str | None = None
    tail_source: str | None = None
    tail_stamp: str | None = None
    lead_in: list[str] = field(default_factory=list)  # sentences above the body that belong to it
    notes: list[str] = field(default_factory=list)

    def take_stamp(self, where: str, text: str) -> None:
        if not self.stamp or self.stamp[0] == "the ' date' marker":
            self.stamp = (where, text)


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in re.findall(r"[^\W\d_]{4,}", fold(text))}


def _overlap(line: str, body: set[str]) -> float:
    stems = _stems(line)
    return len(stems & body) / len(stems) if stems else 0.0


def _name_like(line: str) -> bool:
    """A few words, each long one capitalised ("La Voix de l'Outaouais"): a name, not a sentence."""
    words = re.findall(r"[^\W\d_]+", line)
    return len(line.split()) <= 6 and all(w[0].isupper() for w in words if len(w) >= 4)


def _following(kinds: list[str]) -> list[str]:
    """For each line, the kind of the next line that is not furniture ("text" past the end)."""
    result, nxt = [""] * len(kinds), "text"
    for i in range(len(kinds) - 1, -1, -1):
        result[i] = nxt
        if kinds[i] != "furniture":
            nxt = kinds[i]
    return result


def _body_start(lines: list[str], kinds: list[str]) -> int:
    """The first article sentence: a text line no byline or date line follows closely (one that
    is followed by them is a standfirst)."""
    substantial = [j for j, k in enumerate(kinds) if k not in ("furniture", "credit", "caption")]
    for i, k in enumerate(kinds):
        if k != "text":
            continue
        at = bisect_right(substantial, i)
        if not any(kinds[j] in META for j in substantial[at:at + LOOKAHEAD]):
            return i
    return next((i for i, k in enumerate(kinds) if k == "text"), len(lines))


def _read_meta(line: str, k: str, found: _Found, lang: str) -> None:
    if k == "marker":
        m = MARKER.match(line)
        iso = m.group("iso")
        if len(iso) == 7:
            found.month = find_dates(iso, lang)[0]
        elif not found.stamp:
            found.stamp = ("the ' date' marker", iso)
            found.clock = m.group("clock")
    elif k == "stamp":
        m = STAMP.match(line)
        if fold(m.group("label")) in UPDATED_LABELS:
            found.updated = found.updated or m.group("rest")
        else:
            found.take_stamp(f"the '{m.group('label')}' line", m.group("rest"))
    elif k == "byline":
        by = BYLINE.match(line)
        who = by.group("who") if by else line
        dated = date_line(who)
        if dated:  # "By Jane Doe, Reuters Mar 3, 2025": the byline and the date on one line
            who = dated[0] or who
            found.take_stamp("the byline", dated[1])
        found.byline_author, found.byline_outlet = parse_byline(who)
    elif k == "date":
        before, text = date_line(line)
        found.take_stamp("the date line", text)
        if before and not found.dateline_outlet and len(before.split()) <= 5 and before[0].isupper():
            found.dateline_outlet = outlet_name(re.sub(r"(?i)\s+(?:bureau|desk|staff)$", "", before))


def _layout_head(lines: list[str], kinds: list[str], start: int, body: set[str], found: _Found, lang: str) -> None:
    """Reads the lines above the body: metadata, caption, headline, standfirst."""
    candidates = []
    first_text = next((i for i in range(start) if kinds[i] == "text"), start)
    after = _following(kinds)
    shown = Counter(letters(line) for line in lines[:start])  # how often each line stands above the body
    for i in range(start):
        line, k = lines[i], kinds[i]
        following = after[i]
        if k == "masthead" and len(line.split()) >= 4 and _overlap(line, body) >= 0.5 and following in META:
            k = "headline"  # a headline in Title Case ("Health Service Chief Quits") over its byline
        if k in META:
            _read_meta(line, k, found, lang)
            if k == "marker" and (rest := (MARKER.match(line).group("title") or "").strip()) and looks_like_headline(rest):
                candidates.append((i, rest, "the ' date' marker line"))
        elif k in ("caption", "credit"):
            caption, credit = caption_parts(line)
            found.caption = found.caption or caption or None
            found.credit = found.credit or credit
        elif k == "masthead":
            found.masthead = found.masthead or outlet_name(line)
            found.notes.append(f"dropped the outlet's name: {line[:60]!r}")
        elif k == "headline":
            following = after[i]
            if following == "credit" and candidates:
                found.caption = found.caption or line  # a picture's caption, over its credit
            elif i + 1 < len(lines) and (is_menu(lines[i + 1]) or i > 0 and kinds[i - 1] == "masthead" and
                                         kinds[i + 1] in ("furniture", "masthead")):
                found.notes.append(f"dropped the outlet's tagline: {line[:60]!r}")  # menus follow it
            elif shown[letters(line)] > 1 and \
                    (_overlap(line, body) < 0.5 or _name_like(line)):
                found.masthead = found.masthead or outlet_name(line)  # the outlet's name, over the byline too
                found.notes.append(f"dropped the outlet's name: {line[:60]!r}")
            elif candidates and candidates[-1][0] == i - 1 and len(candidates[-1][1].split()) >= 5 and \
                    len(line.split()) >= 8 and not same_text(line, candidates[-1][1]) and \
                    _overlap(candidates[-1][1], body) >= MIN_OVERLAP_CLOSE:
                found.standfirst = found.standfirst or line  # the line right under the headline
            else:
                candidates.append((i, line, "the first line" if i == 0 else "the headline line"))
        elif k == "text" and found.standfirst is None and candidates:
            found.standfirst = line
        elif k == "text":
            found.lead_in.append(line)  # article text above a byline: kept, never dropped
        else:
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
    chosen = None
    for i, line, where in candidates:
        following = after[i]
        needed = MIN_OVERLAP_CLOSE if following in META + ("text",) else MIN_OVERLAP
        if i == 0 and following in META + ("text",):
            needed = 0.0  # what an editor pastes first, right above the article, is its headline
        if _overlap(line, body) >= needed and (chosen is None or i <= first_text):
            chosen = (line, where)
        elif chosen is None or i <= first_text:
            found.notes.append(f"not a headline (nothing the article says): {line[:60]!r}")
    if chosen:
        found.title, found.title_from = chosen
    if found.standfirst and found.title is None:
        # Without a headline above it, it is the article's first sentence.
        found.lead_in.insert(0, found.standfirst)
        found.standfirst = None


def _layout_tail(lines: list[str], start: int, body: set[str], found: _Found) -> int:
    """Consumes source line, repeated title, comments and furniture after the last paragraph;
    returns the index just past the last article paragraph."""
    end = len(lines)
    for _ in range(TAIL_LINES + 6):
        if end <= start + 1:
            break
        line = lines[end - 1]
        name = copyright_name(line)
        published = _PUBLISHED_IN_TAIL.search(line)
        if found.title and same_text(line, found.title):
            found.notes.append("dropped the title repeated at the end")
        elif published and (find_dates(line, "en") or find_dates(line, "fr")):
            found.tail_stamp = line  # "This report by The Canadian Press was first published Nov. 5, 2025."
        elif name:
            found.tail_source = found.tail_source or name
        elif is_banner(line):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif not found.tail_source and (name := source_line(line)):
            found.tail_source = name
        elif (not found.title and end == len(lines) and looks_like_headline(line) and not is_furniture(line)
              and _overlap(line, body) >= 0.5 and not looks_like_headline(lines[end - 2])
              and not is_chrome(lines[end - 2])):
            found.title, found.title_from = line, "the title line at the end"
        elif is_furniture(line) or ((parts := caption_parts(line)) is not None and not parts[0]):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif looks_like_headline(line) and _overlap(line, body) < 0.5 and end - 1 > start + 2:
            found.notes.append(f"dropped a link after the article: {line[:60]!r}")  # "Related stories"
        else:
            break
        end -= 1
    return end


def _join_broken_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for line in lines:
        if joined and continues(joined[-1], line) and len(joined[-1].split()) >= 6 and not (
                is_chrome(line) or is_chrome(joined[-1])):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def extract(text: str, lang: str, today: date, fallback_date: date | None = None) -> Extracted:
    """Everything the importer needs from one article's text in language `lang`."""
    lines = _join_broken_lines([c for c in (clean_line(raw) for raw in text.split("\n")) if c])
    kinds = [kind(line) for line in lines]
    found = _Found()
    start = _body_start(lines, kinds)
    body_words = _stems(" ".join(lines[start:start + 6]))
    _layout_head(lines, kinds, start, body_words, found, lang)
    end = max(_layout_tail(lines, start, body_words, found), start)

    body: list[str] = list(found.lead_in)
    for i in range(start, end):
        line, k = lines[i], kinds[i]
        if is_chrome(line) or is_programme(line):
            found.notes.append(f"dropped page furniture: {line[:60]!r}")
        elif found.title and same_text(line, found.title):
            found.notes.append("dropped a repeated title line")
        elif k in META and i - start <= LOOKAHEAD:
            _read_meta(line, k, found, lang)
        elif (parts := caption_parts(line)) and (CAPTION_TAG.search(line) or credit_of(line)):
            if not found.caption and parts[0]:
                found.caption = parts[0]
            found.credit = found.credit or parts[1]
            found.notes.append(f"photo caption taken out of the body: {line[:60]!r}")
        else:
            body.append(line)

    mentions = find_dates(text, lang)
    if found.month:
        mentions = [found.month] + [m for m in mentions if m.text != found.month.text]
    lead_dateline = dateline(body[0], lang) if body else None

    candidates: list[tuple[str, list[Mention]]] = []
    if found.stamp:
        candidates.append((found.stamp[0], find_dates(found.stamp[1], lang) or find_dates(found.stamp[1], "en")))
    if found.tail_stamp:
        candidates.append(("the closing line", find_dates(found.tail_stamp, lang)))
    if lead_dateline:
        candidates.append(("the dateline", lead_dateline[1]))
    if found.standfirst:
        candidates.append(("the standfirst", [m for m in find_dates(found.standfirst, lang) if m.weekday is not None]))
    if body:
        lead = body[0][: len(lead_dateline[2]) + 200] if lead_dateline else body[0]
        candidates.append(("the lead", [m for m in find_dates(lead, lang) if m.year or m.weekday is not None
                                        or not found.month or m.month == found.month.month]))
    if found.updated:
        candidates.append(("the 'updated' line", find_dates(found.updated, lang)))
    # A weekday fixes the year of a date written without one, wherever it stands ("ce mardi 14 octobre").
    candidates.append(("the text", [m for m in find_dates("\n".join(body), lang) if m.day and m.weekday is not None]))
    lead_weekdays = set(find_weekdays(" ".join(x for x in (found.standfirst, body[0] if body else "") if x)))
    when, inferred, when_from = None, False, None
    for where, found_dates in candidates:
        day = next((m for m in found_dates if m.day), None)
        if day:
            when, inferred = _resolve(day, mentions, found.month, lead_weekdays, today)
            if where in TEXT_DATES and not (where == "the lead" and _weekday_agrees(day, when)):
                # A date the article mentions may be its event's or an earlier one; only a date line
                # states the publication, or a lead whose weekday agrees ("Wednesday, Feb. 11, 2026").
                inferred = True
            when_from = f"{where} ({day.text!r}{', year inferred' if inferred else ''})"
            break
    if when is None and fallback_date:
        when, inferred, when_from = fallback_date, False, "--date"
    if when_from:
        found.notes.append(f"date from {when_from}")

    clock_text = found.clock or (found.stamp[1] if found.stamp else None) or (lead_dateline[2] if lead_dateline else None)
    clock = find_time(clock_text) if clock_text else None

    source = (found.tail_source or (lead_dateline[0] if lead_dateline else None) or found.byline_outlet
              or found.dateline_outlet or found.masthead)
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
        paragraphs=tuple(body), notes=tuple(found.notes), month=found.month and (found.month.year, found.month.month),
        standfirst=found.standfirst)


def _weekday_agrees(mention: Mention, day: date) -> bool:
    return mention.weekday is not None and mention.year is not None and day.weekday() == mention.weekday


def _resolve(mention: Mention, context: list[Mention], month: Mention | None, weekdays: set[int],
             today: date) -> tuple[date, bool]:
    """A day mention as a date. A month marker (" date 2025-03") states the year of its month; a
    weekday in the lead ("on Monday") picks the latest year in which the date falls on it."""
    if mention.year is None and month is not None and mention.weekday is None:
        year = month.year if mention.month == month.month else min(
            (month.year - 1, month.year, month.year + 1),
            key=lambda y: abs((y * 12 + mention.month) - (month.year * 12 + month.month)))
        try:
            return date(year, mention.month, mention.day), mention.month != month.month
        except ValueError:
            pass
    if mention.year is None and mention.weekday is None and weekdays:
        for year in range(today.year, today.year - 12, -1):
            try:
                d = date(year, mention.month, mention.day)
            except ValueError:
                continue
            if d <= today and d.weekday() in weekdays:
                return d, True
    return resolve(mention, context, today)
