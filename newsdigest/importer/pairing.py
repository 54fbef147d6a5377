"""Matching each article with the other-language version of the same story.

Two outlets writing about one event independently share its date (give or take a day) and its
facts: the people, places, organisations, figures, dates and the uncommon words both languages
share (entities.facts). They do not share much else: each outlet adds its own background, so the
share of facts in common stays low even for a true pair. The score therefore rests on the weight
of the evidence both texts share, E / (E + SATURATION), times how well their dates agree.

An article whose date is unknown is not treated as dated today: the dates it mentions (the
event's "mardi 14 octobre", "on Jan. 27") and its weekdays place it instead, and failing those
it can pair only on strong overlap. The same people a year apart are told apart by those dates.

A pair is made only above THRESHOLD, with enough shared facts that are not mere country names,
and only when neither article has a runner-up close behind: a wrong pair is worse than a missing one.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from .dates import find_dates, find_weekdays, resolve
from .entities import Facts, cognate_weight, facts, weight

THRESHOLD = 0.25
SATURATION = 6.0  # shared evidence worth this much scores 0.5
MIN_SPECIFIC = 3  # shared facts other than countries: names, cities, figures, dates
OUTLET_FACTOR = 0.3  # a shared name that is only one side's outlet (Yonhap, AFP) says little
AMBIGUITY_RATIO = 0.8  # a runner-up within this share of the best score means "in doubt"
DATE_FACTOR = {0: 1.0, 1: 0.9, 2: 0.7, 3: 0.4}  # by days apart; further apart: 0
UNDATED_FACTOR = 0.5  # an article with no date found can pair only on strong overlap
PLACED_FACTOR = 0.9  # ...unless a date it mentions falls on the other's day (at most this)
WEEKDAY_FACTOR = 0.6  # ...or the weekday it names does
EARLIER_FACTOR = 0.35  # every dated event it alone mentions is long before the other's day
EXCLUSIVE_MIN = 3.0  # evidence shared with one candidate only that settles a near tie...
EXCLUSIVE_RATIO = 2.0  # ...when it outweighs what is shared with the other only this many times


@dataclass(frozen=True)
class Candidate:
    key: str  # how decisions name it: the input file, or the content file
    lang: str
    day: date | None  # None when the text gave no date
    facts: Facts
    existing: bool = False  # already in content/, waiting for its other language
    # The days the text's own date mentions fall on (years inferred where missing), and the
    # weekdays it names: what places an undated article in time.
    events: tuple[date, ...] = field(default=())
    weekdays: frozenset[int] = field(default=frozenset())


def candidate(key: str, lang: str, text: str, day: date | None, *, today: date, names: tuple[str, ...] = (),
              existing: bool = False) -> Candidate:
    """A Candidate from an article's text (title, caption and body) and its date, if known."""
    mentions = find_dates(text, lang)
    anchor = day or today
    events = []
    for m in mentions:
        if m.day:
            resolved = resolve(m, [x for x in mentions if x.year], anchor)
            if resolved:
                events.append(resolved[0])
    return Candidate(key=key, lang=lang, day=day, facts=facts(text, lang, names=names, own_date=day),
                     existing=existing, events=tuple(sorted(set(events))), weekdays=frozenset(find_weekdays(text)))


@dataclass(frozen=True)
class Match:
    a: Candidate
    b: Candidate
    score: float
    days_apart: int | None
    shared: tuple[str, ...]  # the facts both share, as each wrote them ("Japon/Japan")
    specific: int


@dataclass(frozen=True)
class Decision:
    article: Candidate
    partner: Candidate | None
    match: Match | None  # the pair made, or the best candidate considered
    reason: str
    runner_up: Match | None = None  # the best other match of either side of a pair made

    def describe(self) -> str:
        m = self.match
        if self.partner and m:
            r = self.runner_up
            second = (f"; runner-up {r.a.key if r.b in (m.a, m.b) else r.b.key} with "
                      f"{r.b.key if r.b in (m.a, m.b) else r.a.key} scored {r.score:.2f}") if r else "; no runner-up"
            return (f"paired {self.article.key} ({self.article.lang}) with {self.partner.key} "
                    f"({self.partner.lang}): score {m.score:.2f} (threshold {THRESHOLD:.2f}); "
                    f"{_evidence(m)}{second}")
        if m:
            other = m.b if m.a is self.article else m.a
            return (f"left {self.article.key} ({self.article.lang}) unpaired: {self.reason}; best "
                    f"candidate {other.key} scored {m.score:.2f}; {_evidence(m)}")
        return f"left {self.article.key} ({self.article.lang}) unpaired: {self.reason}"


def _evidence(m: Match) -> str:
    days = "dates unknown" if m.days_apart is None else f"{m.days_apart} day{'s' * (m.days_apart != 1)} apart"
    shown = ", ".join(m.shared[:12]) + (f" and {len(m.shared) - 12} more" if len(m.shared) > 12 else "")
    return f"{days}; shared ({len(m.shared)}): {shown or 'nothing'}"


def _fact_weight(key: str, df: Counter) -> float:
    # A fact found in many articles of the pool (say "Canada" in a Canadian digest) says little.
    return weight(key) / (1 + math.log(max(df[key] - 1, 1)))


def _shared_weight(key: str, a: Candidate, b: Candidate, df: Counter) -> float:
    w = _fact_weight(key, df)
    if key[0] == "C":
        return w * cognate_weight(a.facts, b.facts, key)
    if key in a.facts.outlet or key in b.facts.outlet:
        return w * OUTLET_FACTOR
    if key[0] in "NZ":
        # A name both texts keep coming back to is what they are about.
        w *= 1 + 0.5 * math.log2(max(1, min(a.facts.count[key], b.facts.count[key])))
    return w


def date_agreement(a: Candidate, b: Candidate) -> tuple[int | None, float]:
    """(days apart when both dates are known, the factor the score is multiplied by)."""
    if a.day and b.day:
        days = abs((a.day - b.day).days)
        return days, DATE_FACTOR.get(days, 0.0)
    if not (a.day or b.day):
        return None, UNDATED_FACTOR
    dated, undated = (a, b) if a.day else (b, a)
    near = [abs((e - dated.day).days) for e in undated.events]
    if near and min(near) in DATE_FACTOR:
        return None, max(UNDATED_FACTOR, PLACED_FACTOR * DATE_FACTOR[min(near)])
    # Background both texts give (the kidnapping a year before the release) does not date either.
    own = [e for e in undated.events if e not in dated.events]
    if own and max(own) < dated.day - timedelta(days=45):
        return None, EARLIER_FACTOR
    days_before = {(dated.day - timedelta(days=n)).weekday() for n in range(3)}
    if undated.weekdays & days_before:
        return None, WEEKDAY_FACTOR
    return None, UNDATED_FACTOR * (0.8 if undated.weekdays else 1.0)


def score(a: Candidate, b: Candidate, df: Counter) -> Match:
    days, factor = date_agreement(a, b)
    common = [k for k in sorted(set(a.facts) & set(b.facts), key=lambda k: (-weight(k), k))
              if k[0] != "C" or cognate_weight(a.facts, b.facts, k) > 0]
    evidence = sum(_shared_weight(k, a, b, df) for k in common)
    overlap = evidence / (evidence + SATURATION)
    specific = sum(1 for k in common if k[0] not in "TCW")
    shared = tuple(a.facts[k] if fold_eq(a.facts[k], b.facts[k]) else f"{a.facts[k]}/{b.facts[k]}"
                   for k in common)
    return Match(a, b, round(factor * overlap, 3), days, shared, specific)


def fold_eq(x: str, y: str) -> bool:
    return x.casefold() == y.casefold()


def pair(batch: list[Candidate], existing: list[Candidate]) -> list[Decision]:
    """One decision per article of `batch`. Existing articles (in content/, without a partner
    yet) can be chosen as partners but are not reported on."""
    pool = batch + existing
    df = Counter(k for c in pool for k in set(c.facts))
    matches = [score(a, b, df) for i, a in enumerate(pool) for b in pool[i + 1:]
               if a.lang != b.lang and not (a.existing and b.existing)]
    best_for: dict[int, list[Match]] = {}
    for m in matches:
        best_for.setdefault(id(m.a), []).append(m)
        best_for.setdefault(id(m.b), []).append(m)
    for ms in best_for.values():
        ms.sort(key=lambda m: -m.score)

    decided: dict[int, Decision] = {}
    for m in sorted(matches, key=lambda m: -m.score):
        if id(m.a) in decided or id(m.b) in decided:
            continue
        if m.score < THRESHOLD:
            break
        if m.specific < MIN_SPECIFIC:
            continue
        rival = _rival(m, best_for, decided, df)
        if rival:
            reason = f"in doubt between it and {rival.key} (scores within {1 - AMBIGUITY_RATIO:.0%})"
            for c in (m.a, m.b):
                decided[id(c)] = Decision(c, None, m, reason)
            continue
        runner = max((o for side in (m.a, m.b) for o in best_for.get(id(side), [])[:2] if o is not m),
                     key=lambda o: o.score, default=None)
        decided[id(m.a)] = Decision(m.a, m.b, m, "", runner)
        decided[id(m.b)] = Decision(m.b, m.a, m, "", runner)

    decisions = []
    for c in batch:
        if id(c) in decided:
            decisions.append(decided[id(c)])
            continue
        options = best_for.get(id(c), [])
        best = options[0] if options else None
        if best is None:
            reason = "no article in the other language to compare with"
        elif best.score < THRESHOLD:
            reason = f"no candidate reaches the threshold {THRESHOLD:.2f}"
        elif best.specific < MIN_SPECIFIC:
            reason = f"fewer than {MIN_SPECIFIC} shared facts besides country names"
        else:
            reason = "its best candidate was paired with another article"
        decisions.append(Decision(c, None, best, reason))
    return decisions


def _rival(m: Match, best_for: dict[int, list[Match]], decided: dict[int, Decision], df: Counter) -> Candidate | None:
    """Another article scoring nearly as well with either side of `m`, if any. One already
    paired with a better partner is no rival, and neither is one that the facts of this event
    tell apart: a hard distractor shares the actors, but not the score, the toll or the venue."""
    for side in (m.a, m.b):
        for other in best_for.get(id(side), []):
            rival = other.b if other.a is side else other.a
            if other is m or (id(rival) in decided and decided[id(rival)].partner):
                continue
            if other.score >= AMBIGUITY_RATIO * m.score and other.score >= THRESHOLD * AMBIGUITY_RATIO:
                partner = m.b if side is m.a else m.a
                if not _told_apart(side, partner, rival, df):
                    return rival
            break  # sorted: the first other match is the runner-up
    return None


def _told_apart(article: Candidate, partner: Candidate, rival: Candidate, df: Counter) -> bool:
    """True when what `article` shares only with `partner` clearly outweighs what it shares only
    with `rival`."""
    with_partner = set(article.facts) & set(partner.facts)
    with_rival = set(article.facts) & set(rival.facts)
    only_partner = sum(_shared_weight(k, article, partner, df) for k in with_partner - with_rival)
    only_rival = sum(_shared_weight(k, article, rival, df) for k in with_rival - with_partner)
    return only_partner >= EXCLUSIVE_MIN and only_partner >= EXCLUSIVE_RATIO * only_rival
