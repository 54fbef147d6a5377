"""Metadata for search engines, feed readers and link previews: OpenGraph locales and schema.org
JSON-LD (NewsArticle with its translations, BreadcrumbList, WebSite), built as plain dicts that the
templates serialize with |tojson."""
from __future__ import annotations

import functools

from babel import Locale
from babel.core import get_global

from .content import Article
from .i18n import language_tag
from .site import Site


@functools.lru_cache(maxsize=None)
def og_locale(locale: str) -> str:
    """OpenGraph's language_TERRITORY form, filling a missing territory from CLDR's likely subtags:
    "fr" -> "fr_FR", "en" -> "en_US", "fr_CA" -> "fr_CA"."""
    parsed = Locale.parse(locale)
    if not parsed.territory:
        parsed = Locale.parse(get_global("likely_subtags").get(parsed.language, parsed.language))
    return f"{parsed.language}_{parsed.territory}" if parsed.territory else parsed.language


class StructuredData:
    def __init__(self, site: Site):
        self.site = site
        self.urls = site.urls
        self.config = site.config

    def _organization(self, lang: str) -> dict:
        language = self.config.language(lang)
        return {"@type": "Organization", "name": language.title, "url": self.urls.absolute(self.urls.front(lang))}

    def _ref(self, article: Article) -> dict:
        return {"@type": "NewsArticle", "@id": self.urls.absolute(self.urls.article(article)),
                "headline": article.title, "inLanguage": self._lang_tag(article.lang)}

    def _lang_tag(self, code: str) -> str:
        return language_tag(self.config.language(code).locale)

    def news_article(self, article: Article) -> dict:
        url = self.urls.absolute(self.urls.article(article))
        data = {
            "@context": "https://schema.org", "@type": "NewsArticle", "@id": url, "url": url,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": article.title, "description": article.summary,
            "datePublished": article.date.isoformat(),
            "dateModified": (article.updated or article.date).isoformat(),
            "inLanguage": self._lang_tag(article.lang),
            "wordCount": article.words,
            "author": ({"@type": "Person", "name": article.author} if article.author else
                       {"@type": "Organization", "name": article.source} if article.source else
                       self._organization(article.lang)),
            "publisher": self._organization(article.lang),
        }
        if article.tags:
            data["keywords"] = list(article.tags)
        if article.image:
            data["image"] = [self.site.image_href(article, absolute=True)]
        if article.source:
            data["sourceOrganization"] = {"@type": "Organization", "name": article.source}
        original = self.site.original(article)
        if original is article:
            others = self.site.translations(article)
            if others:
                data["workTranslation"] = [self._ref(other) for other in others]
        else:
            data["translationOfWork"] = self._ref(original)
        return data

    def breadcrumbs(self, trail: list[tuple[str, str]]) -> dict:
        """trail: (name, site path) from the front page down to the page itself."""
        return {"@context": "https://schema.org", "@type": "BreadcrumbList",
                "itemListElement": [{"@type": "ListItem", "position": i, "name": name,
                                     "item": self.urls.absolute(path)}
                                    for i, (name, path) in enumerate(trail, start=1)]}

    def website(self, lang: str | None) -> dict:
        languages = [self.config.language(lang)] if lang else list(self.config.languages)
        path = self.urls.front(lang) if lang else self.urls.home()
        data = {"@context": "https://schema.org", "@type": "WebSite", "url": self.urls.absolute(path),
                "name": " · ".join(l.title for l in languages),
                "inLanguage": [self._lang_tag(l.code) for l in languages] if not lang else self._lang_tag(lang)}
        description = " ".join(l.description for l in languages if l.description)
        if description:
            data["description"] = description
        if lang:  # each language searches its own stories (search.py); the bilingual home has no search
            data["potentialAction"] = {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint",
                           "urlTemplate": self.urls.absolute(self.urls.search(lang)) + "?q={search_term_string}"},
                "query-input": "required name=search_term_string"}
        return data
