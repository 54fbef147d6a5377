"""The gathered site: every story read and checked, articles indexed per language.

Built once from content, before any page is planned or rendered; read-only afterwards.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from .config import Config
from .content import Article, Story
from .topics import Topics, gather_topics
from .urls import Urls


def newest_first(articles) -> list[Article]:
    # Ties broken by story key so the order is stable across runs and machines.
    return sorted(articles, key=lambda a: (a.date, a.story), reverse=True)


@dataclass(frozen=True)
class Site:
    config: Config
    stories: tuple[Story, ...]
    urls: Urls
    by_lang: dict[str, list[Article]] = field(default_factory=dict)
    _stories: dict[str, Story] = field(default_factory=dict)
    # (story key, lang) -> images.Photo: the sizes made of each local photo, set by the builder
    # once the photos are prepared (an article without one, or with a remote one, has no entry).
    photos: dict[tuple[str, str], Any] = field(default_factory=dict)
    topics: Topics | None = None  # set by gather()
    # id(article) -> (article, its site path): pages link to each article from a dozen others, and
    # formatting its date into the path was a good part of planning and rendering. The article is
    # kept beside its path so that an id reused by another object is never taken for it.
    _paths: dict[int, tuple[Article, str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def gather(cls, config: Config, stories: list[Story]) -> "Site":
        by_lang: dict[str, list[Article]] = {code: [] for code in config.codes}
        for story in stories:
            for lang, article in story.articles.items():
                by_lang[lang].append(article)
        ordered = tuple(sorted(stories, key=lambda s: s.key))
        by_lang = {lang: newest_first(items) for lang, items in by_lang.items()}
        return cls(config=config, stories=ordered, urls=Urls(config), by_lang=by_lang,
                   _stories={s.key: s for s in stories}, topics=gather_topics(config, by_lang, ordered))

    def story_named(self, key: str) -> Story | None:
        return self._stories.get(key)

    def with_articles(self, articles: list[Article]) -> "Site":
        """This site with each article in place of the version of the same story and language,
        for articles that keep their place in every list (their date, title, summary and topics:
        preview.py checks), so nothing is sorted or grouped again. Topics keep the old versions."""
        stories = dict(self._stories)
        by_lang = {lang: list(items) for lang, items in self.by_lang.items()}
        for new in articles:
            story = stories[new.story]
            old = story.articles[new.lang]
            stories[new.story] = replace(story, articles={**story.articles, new.lang: new})
            items = by_lang[new.lang]
            items[next(n for n, item in enumerate(items) if item is old)] = new
        return replace(self, stories=tuple(stories[story.key] for story in self.stories), by_lang=by_lang,
                       _stories=stories)

    def photo(self, article: Article):
        return self.photos.get((article.story, article.lang))

    def story(self, article: Article) -> Story:
        return self._stories[article.story]

    def translations(self, article: Article) -> list[Article]:
        """The same story in the other languages that exist, in configured order."""
        return [a for lang, a in self.story(article).articles.items() if lang != article.lang]

    def path(self, article: Article) -> str:
        """The article page's site path: urls.article(article), made once per article."""
        known = self._paths.get(id(article))
        if known is None or known[0] is not article:
            known = self._paths[id(article)] = (article, self.urls.article(article))
        return known[1]

    def href(self, article: Article) -> str:
        return self.urls.href(self.path(article))

    def image_href(self, article: Article, absolute: bool = False) -> str | None:
        """Where an article's image is served: an absolute URL as given, a "/..." path under the base
        path, or a file of the story folder, copied beside the article page."""
        image = article.image
        if not image or urlsplit(image).scheme:
            return image
        path = image.lstrip("/") if image.startswith("/") else self.path(article) + image
        return self.urls.absolute(path) if absolute else self.urls.href(path)

    def original(self, article: Article) -> Article:
        """The version a story was first published in (earliest date; ties go to the first configured
        language): the others are its translations in structured data."""
        versions = list(self.story(article).articles.values())
        return min(versions, key=lambda a: (a.date, self.config.codes.index(a.lang)))

    def stories_newest_first(self) -> list[Story]:
        return sorted(self.stories, key=lambda s: (max(a.date for a in s.articles.values()), s.key),
                      reverse=True)

    def days(self, lang: str) -> dict[date, list[Article]]:
        return _group(self.by_lang[lang], lambda a: a.date.date())

    def months(self, lang: str) -> dict[tuple[int, int], list[Article]]:
        return _group(self.by_lang[lang], lambda a: (a.date.year, a.date.month))


def _group(articles: list[Article], key) -> dict:
    groups: dict = defaultdict(list)
    for article in articles:  # already newest first, so each group is too
        groups[key(article)].append(article)
    return dict(sorted(groups.items(), reverse=True))
