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
from collections import defaultdict

from .content import Article
from .slugs import slugify

SHOWN = 4  # stories listed under an article
NEAREST = 6  # candidates taken on each side of the article along each topic or name
NAME_WEIGHT = 0.5  # a shared name says less than a shared topic: "Canada" is in many stories

# A capitalized word that is not the first of its sentence: a proper noun in both languages
# (English capitalizes few common words mid-sentence, French fewer still).
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w’'-]*")
_SENTENCE = re.compile(r"(?<=[.!?…:;»”])\s+")


def names(article: Article) -> set[str]:
    """The proper nouns of an article's headline and standfirst, case-folded."""
    found = set()
    for text in (article.title, article.summary):
        for sentence in _SENTENCE.split(text):
            for word in _WORD.findall(sentence)[1:]:
                if word[0].isupper() and len(word) > 2:
                    found.add(word.casefold())
    return found


def related(articles: list[Article]) -> dict[str, list[Article]]:
    """story key -> its related stories, for one language's articles (newest first, as
    Site.by_lang holds them). Every shared topic adds its rarity (inverse document frequency), every
    shared name half of its own; ties go to the story closest in time, then the newer."""
    keys = [_keys(article) for article in articles]
    postings: dict[str, list[int]] = defaultdict(list)
    for position, article_keys in enumerate(keys):
        for key in article_keys:
            postings[key].append(position)  # ascending: newest first, like `articles`
    total = len(articles)
    weight = {key: math.log(1 + total / len(found)) * (NAME_WEIGHT if key[0] == "n" else 1.0)
              for key, found in postings.items()}
    result: dict[str, list[Article]] = {}
    for position, article in enumerate(articles):
        mine = keys[position]
        candidates: set[int] = set()
        for key in mine:
            found = postings[key]
            at = bisect_left(found, position)
            candidates.update(found[max(0, at - NEAREST):at + NEAREST + 1])
        candidates.discard(position)
        scores = {other: sum(weight[key] for key in mine & keys[other]) for other in candidates
                  if _enough(mine & keys[other])}
        best = sorted(scores, key=lambda other: (-round(scores[other], 9), abs(other - position), other))
        result[article.story] = [articles[other] for other in best[:SHOWN]]
    return result


def _keys(article: Article) -> set[str]:
    tags = {"t" + slugify(tag) for tag in article.tags}
    return tags | {"n" + name for name in names(article)}


def _enough(shared: set[str]) -> bool:
    """A shared topic, or two shared names: one common name alone ("Ottawa") is not a subject."""
    return any(key[0] == "t" for key in shared) or len(shared) >= 2
