"""The build's pairing hints: single-language stories that look like one story in two languages.

Two stories each in one language are suggested for `newsdigest pair` when the importer would pair
them: the decision is the importer's own (importer.pairing.pair over Candidates whose facts come
from importer.entities.facts), made from the articles the build already parsed, never from the
files again. Articles more than WINDOW_DAYS apart cannot pair (the date factor is 0 there), so
singles are grouped in blocks of WINDOW_DAYS days and each block is paired together with the
next one: every pair of singles close enough is weighed, and the cost grows with the number of
singles, not with its square. A pair is suggested when each article is the other's best partner.

An article's facts take milliseconds to find and a window's pairing more; the build cache keeps
both (the facts by article fingerprint, the decisions by the window's members and fingerprints),
so a build weighs again only the windows where a single was added, edited or removed. A pair an
editor separated (`unpaired_from:` in either file, written by `newsdigest unpair`) is never
suggested.
"""
from __future__ import annotations

import hashlib
import os
import shlex
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .cache import Cache
from .content import Article
from .markup import plain_text
from .parallel import fork_map
from .regroup import UNPAIRED_KEY, shown
from .site import Site

WINDOW_DAYS = 3  # importer.pairing scores articles further apart than this 0
TABLE = "pairing"  # the cache's tables: pairing/windows, pairing/facts-00 ... facts-3f
FACT_SHARDS = 64


@dataclass(frozen=True)
class Hint:
    first: Article  # the story to keep (the first configured language, as the importer names folders)
    second: Article  # the story that would move into it
    score: float
    threshold: float

    def message(self) -> str:
        a, b = self.first, self.second
        command = f"newsdigest pair {shlex.quote(a.story)} {shlex.quote(b.story)}"
        return (f"{shown(a.path.parent)} ({a.lang}) and {shown(b.path.parent)} ({b.lang}) look like one story "
                f"in two languages (pairing score {self.score:.2f}, threshold {self.threshold:.2f}). To join "
                f"them, run: {command} (or, if they are different stories, add "
                f"'{UNPAIRED_KEY}: {a.story}' to {shown(b.path)}).")


def singles(site: Site) -> list[Article]:
    """Articles whose story has no other version, not even an unpublished draft."""
    codes = site.config.codes
    found = []
    for story in site.stories:
        if len(story.articles) != 1:
            continue
        (article,) = story.articles.values()
        if any(os.path.exists(os.path.join(story.folder, f"{code}.md")) for code in codes if code != article.lang):
            continue  # a draft (or broken) version in another language is already there
        found.append(article)
    return found


def _with_a_neighbour(articles: list[Article]) -> list[Article]:
    """Those with a single in another language within WINDOW_DAYS: the only ones worth weighing."""
    langs_by_day: dict[int, set[str]] = defaultdict(set)
    for a in articles:
        langs_by_day[a.date.date().toordinal()].add(a.lang)
    return [a for a in articles
            if any(langs_by_day.get(day, set()) - {a.lang}
                   for day in range(a.date.date().toordinal() - WINDOW_DAYS,
                                    a.date.date().toordinal() + WINDOW_DAYS + 1))]


def _text(article: Article) -> str:
    return "\n".join(x for x in (article.title, article.caption, plain_text(article.body_html)) if x)


def _compute(articles: list[Article]) -> list:
    from .importer.entities import facts
    return [facts(_text(a), a.lang, names=(a.source,) if a.source else (), own_date=a.date.date())
            for a in articles]


def _block(article: Article) -> int:
    return article.date.date().toordinal() // WINDOW_DAYS


def _facts(articles: list[Article], everyone: list[Article], cache: Cache | None, workers: int | None,
           phase) -> list:
    """The facts of `articles`: from the cache's shards (by date block, so that a few new stories
    read a few shards), else found, spread over the cores. `everyone` is every single still
    weighed: a rewritten shard keeps only theirs."""
    shards = {_block(a) % FACT_SHARDS for a in articles}
    stored = {n: cache.load_table(f"{TABLE}/facts-{n:02x}", _facts_from) if cache else {} for n in shards}
    missing = [a for a in articles if a.fingerprint not in stored[_block(a) % FACT_SHARDS]]
    if missing:
        def work(chunk: list[Article], tick) -> list:
            found = _compute(chunk)
            for _ in chunk:
                tick()
            return found
        computed = fork_map(work, missing, workers, phase(len(missing)) if phase else None)
        for a, f in zip(missing, computed):
            stored[_block(a) % FACT_SHARDS][a.fingerprint] = f
        if cache:
            alive = {a.fingerprint for a in everyone}
            for n in {_block(a) % FACT_SHARDS for a in missing}:
                cache.save_table(f"{TABLE}/facts-{n:02x}", {k: v for k, v in stored[n].items() if k in alive},
                                 _facts_row)
    return [stored[_block(a) % FACT_SHARDS][a.fingerprint] for a in articles]


def _digest(pool: list[Article]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for a in sorted(pool, key=lambda a: a.story):
        digest.update(f"{a.story}\0{a.fingerprint}\n".encode())
    return digest.hexdigest()


def _separated(a: Article, b: Article) -> bool:
    return b.story in a.unpaired_from or a.story in b.unpaired_from


Pairing = tuple[str, str, float]  # (story, its partner, score): one decision of the importer


# The build cache holds plain data only (cache.py): the codecs of the two tables, checking every
# value read back, since the cache is untrusted input.

def _facts_row(found) -> tuple:
    return found.__reduce__()[1]  # (surface, count, outlet, lang, spellings): dicts, sets, strings


def _strs(values) -> bool:
    return set(map(type, values)) <= _STR


_STR = {str}


def _facts_from(row):
    from .importer.entities import Facts
    if type(row) is not tuple or len(row) != 5:
        raise ValueError("not facts")
    surface, count, outlet, lang, spellings = row
    if not (type(surface) is dict and _strs(surface) and _strs(surface.values())
            and type(count) is dict and _strs(count) and set(map(type, count.values())) <= {int}
            and type(outlet) is frozenset and _strs(outlet) and type(lang) is str
            and type(spellings) is dict and _strs(spellings)
            and all(type(v) is frozenset and _strs(v) for v in spellings.values())):
        raise ValueError("not facts")
    return Facts(surface, count, outlet, lang, spellings)


def _pairings_row(pairings: list[Pairing]) -> tuple:
    return tuple(pairings)


def _pairings_from(row) -> list[Pairing]:
    if type(row) is not tuple or not all(
            type(p) is tuple and len(p) == 3 and type(p[0]) is str and type(p[1]) is str and type(p[2]) in (float, int)
            for p in row):
        raise ValueError("not pairing decisions")
    return list(row)


def _within(pairings: list[Pairing], pool: list[Article]) -> bool:
    members = {a.story for a in pool}
    return all(key in members and partner in members for key, partner, _ in pairings)


def find(site: Site, cache: Cache | None = None, workers: int | None = None,
         phase: Callable[[int], Callable[[int], None]] | None = None) -> list[Hint]:
    """The pairs of single-language stories to suggest, ordered by the first story's folder.
    `phase(total)` may return a progress callback for finding the facts of `total` articles."""
    everyone = _with_a_neighbour(singles(site))
    blocks: dict[int, list[Article]] = defaultdict(list)
    for a in everyone:
        blocks[_block(a)].append(a)
    windows = {}  # digest -> the singles of one block and the next: every pair close enough is in one
    for block in sorted(blocks):
        pool = blocks[block] + blocks.get(block + 1, [])
        if len({a.lang for a in pool}) > 1:
            windows[_digest(pool)] = pool
    stored: dict[str, list[Pairing]] = cache.load_table(f"{TABLE}/windows", _pairings_from) if cache else {}
    # A stored decision can only name the window's own members (a damaged entry is weighed again).
    stale = len(stored)
    stored = {d: v for d, v in stored.items() if d in windows and _within(v, windows[d])}
    stale -= len(stored)
    todo = [(digest, pool) for digest, pool in windows.items() if digest not in stored]
    if todo:
        from .importer.pairing import Candidate, pair  # only when needed: it loads lexicons
        needed = list({a.story: a for _, pool in todo for a in pool}.values())
        candidates = {a.story: Candidate(key=a.story, lang=a.lang, day=a.date.date(), facts=f)
                      for a, f in zip(needed, _facts(needed, everyone, cache, workers, phase))}

        def work(chunk: list[tuple[str, list[Article]]], tick) -> list[list[Pairing]]:
            done = []
            for _, pool in chunk:
                decisions = pair([candidates[a.story] for a in pool], [])
                done.append([(d.article.key, d.partner.key, d.match.score) for d in decisions
                             if d.partner is not None and d.match is not None])
                tick()
            return done
        stored.update(zip((digest for digest, _ in todo), fork_map(work, todo, workers)))
    if cache and (todo or stale):
        cache.save_table(f"{TABLE}/windows", {digest: stored[digest] for digest in windows}, _pairings_row)

    best: dict[str, tuple[float, str]] = {}  # story -> (score, partner) of its best pairing
    for digest in windows:
        for key, partner, score in stored[digest]:
            if score > best.get(key, (-1.0, ""))[0]:
                best[key] = (score, partner)
    if not best:
        return []
    from .importer.pairing import THRESHOLD
    articles = {a.story: a for a in everyone}
    order = site.config.codes
    hints = []
    for key, (score, other) in best.items():
        if best.get(other, (0.0, ""))[1] != key:
            continue  # not each other's best partner
        a, b = sorted((articles[key], articles[other]), key=lambda x: (order.index(x.lang), x.story))
        if a.story != key or _separated(a, b):
            continue  # each pair once
        hints.append(Hint(a, b, max(score, best[other][0]), THRESHOLD))
    return sorted(hints, key=lambda h: (h.first.story, h.second.story))
