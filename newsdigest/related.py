""""More on this topic": for each article, stories of its own language that share its topics and the
names in its headline and standfirst, the closest in time first.

A news reader wants the story's context: what came just before and after on the same subject, not
the best match from years ago. So candidates are only the stories nearest in time along each of the
article's topics and names, which keeps the work linear in the number of stories.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left

from .content import Article
from .slugs import slugify

SHOWN = 4  # stories listed under an article
NEAREST = 6  # candidates taken on each side of the article along each topic or name
NAME_WEIGHT = 0.5  # a shared name says less than a shared topic: "Canada" is in many stories

# A capitalized word that is not the first of its sentence: a proper noun in both languages
# (English capitalizes few common words mid-sentence, French fewer still). A word is a letter of
# _LETTER then word characters (_PART); sentences are split at whitespace after one of _END; a name
# is a word from a capital, longer than two letters (tests/test_speed_equivalence.py holds that
# reading word by word, the reference). Here it is one search over the text reversed, where what
# decides whether a capital starts a name comes after it, within reach of a lookahead: the rest of
# its word (two characters or more) before it; then only word characters that are not letters up
# to its word's start (else it is inside a word: "McDonald"); then a letter before the start of its
# sentence. Reading each sentence word by word was most of the time of related().
_LETTER, _PART, _END = "A-Za-zÀ-ÖØ-öø-ÿ", r"\w’'-", ".!?…:;»”"
_NAME_BACKWARDS = re.compile(rf"[A-ZÀ-ÖØ-Þ](?<=[{_PART}]{{2}}.)(?=(?:(?![{_LETTER}])[{_PART}])*(?![{_PART}]))"
                             rf"(?=(?:[^\s{_LETTER}]|\s+(?![\s{_END}]))*[{_LETTER}])")
_REST = re.compile(rf"[{_PART}]*")


def names(article: Article) -> set[str]:
    """The proper nouns of an article's headline and standfirst, case-folded."""
    found = set()
    for text in (article.title, article.summary):
        last = len(text) - 1
        for capital in _NAME_BACKWARDS.finditer(text[::-1]):
            found.add(_REST.match(text, last - capital.start()).group().casefold())
    return found


def related(articles: list[Article]) -> dict[str, list[Article]]:
    """story key -> its related stories, for one language's articles (newest first, as
    Site.by_lang holds them). Every shared topic adds its rarity (inverse document frequency), every
    shared name half of its own; ties go to the story closest in time, then the newer."""
    keys, postings, weight, topic = _index(articles)
    result: dict[str, list[Article]] = {}
    rank = _Ranks(weight, topic)
    for position, article in enumerate(articles):
        mine = keys[position]
        candidates: set[int] = set()
        for key in mine:
            found = postings[key]
            at = bisect_left(found, position)
            candidates.update(found[max(0, at - NEAREST):at + NEAREST + 1])
        candidates.discard(position)
        ranked = [(score, abs(other - position), other) for other in candidates
                  if (score := rank[mine & keys[other]]) is not None]
        ranked.sort()
        result[article.story] = [articles[other] for _, _, other in ranked[:SHOWN]]
    return result


class _Ranks(dict):
    """Shared keys -> the sort key of their score (rounded, so that sums of the same weights in
    another order tie, and negated: best first), None when they are not enough. Few distinct sets
    are shared, so each is scored once."""

    def __init__(self, weight: list[float], topic: list[bool]):
        super().__init__()
        self.weight, self.topic = weight, topic

    def __missing__(self, shared: frozenset[int]) -> float | None:
        # `shared` is never empty: the other article was found along one of them.
        if len(shared) == 1 and not self.topic[next(iter(shared))]:
            value = None  # one common name alone ("Ottawa") is not a subject
        else:
            value = -round(sum(self.weight[key] for key in shared), 9)
        self[shared] = value
        return value


def _index(articles: list[Article]) -> tuple[list[frozenset[int]], list[list[int]], list[float], list[bool]]:
    """Each article's topics and names as numbers (only those it shares with another article: the
    others can match nothing), each one's positions in `articles` (ascending), weight, and whether
    it is a topic. Numbers, and each tag slugified once, because related() compares every article
    with dozens of others."""
    number: dict[str, int] = {}
    slug_of: dict[str, str] = {}  # tag spelling -> slug: a site has few distinct tags
    owned: list[set[int]] = []
    for article in articles:
        own = set()
        for tag in article.tags:
            slug = slug_of.get(tag)
            if slug is None:
                slug = slug_of[tag] = slugify(tag)
            own.add(number.setdefault("t" + slug, len(number)))
        for name in names(article):
            own.add(number.setdefault("n" + name, len(number)))
        owned.append(own)
    postings: list[list[int]] = [[] for _ in number]
    for position, own in enumerate(owned):
        for key in own:
            postings[key].append(position)  # ascending: newest first, like `articles`
    total = len(articles)
    weight = [0.0] * len(number)
    topic = [False] * len(number)
    for key, key_number in number.items():
        weight[key_number] = math.log(1 + total / len(postings[key_number])) * (NAME_WEIGHT if key[0] == "n" else 1.0)
        topic[key_number] = key[0] == "t"
    keys = [frozenset(key for key in own if len(postings[key]) > 1) for own in owned]
    return keys, postings, weight, topic
