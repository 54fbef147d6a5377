"""`check`, continued: what each page's head tells link previews and search engines.

* OpenGraph: title, description, url (the canonical URL) and locale on every page but 404.html, URL
  tags absolute, one og:locale:alternate per other-language hreflang version; a Twitter card;
* JSON-LD: every block is JSON; an article page (og:type article) has a NewsArticle about itself and
  a BreadcrumbList; translations (workTranslation / translationOfWork) point at built articles that
  point back; breadcrumbs end with the page; the home pages (the root and the versions it names in
  hreflang) have a WebSite.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from .values import absolute, head_alternates, iso_date_or_datetime, resolve
from ..errors import Problem

from .model import URL_METAS, PageInfo, SiteFiles

TWITTER_CARDS = {"summary", "summary_large_image", "app", "player"}
NEWS_ARTICLE_FIELDS = ("headline", "datePublished", "dateModified", "inLanguage", "author", "publisher",
                       "mainEntityOfPage")
INVERSE = {"workTranslation": "translationOfWork", "translationOfWork": "workTranslation"}


# OpenGraph and Twitter cards

def _metas(page: PageInfo) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for key, content, line in page.metas:
        found.setdefault(key, []).append((content.strip(), line))
    return found


def check_social(page: PageInfo, site: SiteFiles) -> list[Problem]:
    problems = []
    metas = _metas(page)
    not_found_page = page.file == site.dir / "404.html"
    if not not_found_page:
        for key in ("og:title", "og:description", "og:url", "og:locale", "twitter:card"):
            if not any(content for content, _ in metas.get(key, [])):
                attribute = "name" if key.startswith("twitter:") else "property"
                problems.append(Problem(page.file, f"missing or empty <meta {attribute}=\"{key}\">."))
        for card, line in metas.get("twitter:card", []):
            if card and card not in TWITTER_CARDS:
                problems.append(Problem(page.file, f"twitter:card '{card}' is not one of "
                                        f"{', '.join(sorted(TWITTER_CARDS))}.", line))
    for key in sorted(URL_METAS & metas.keys()):
        for content, line in metas[key]:
            if content and not absolute(content):
                problems.append(Problem(page.file, f"{key} '{content}' must be an absolute URL, i.e. "
                                        f"{urljoin(page.url, content)}", line))
            elif key == "og:url" and unquote(content) not in (page.url, page.url + "index.html"):
                problems.append(Problem(page.file, f"og:url {content} differs from the canonical URL {page.url}", line))
    for key in ("article:published_time", "article:modified_time"):
        for content, line in metas.get(key, []):
            if not iso_date_or_datetime(content):
                problems.append(Problem(page.file, f"{key} '{content}' is not an ISO 8601 date-time with an "
                                        "offset.", line))
    if page.alternates and page.lang and not not_found_page:  # a bilingual page without versions has no set
        others = sorted({code.lower() for code, _, _ in page.alternates} - {"x-default", page.lang.lower()})
        locales = metas.get("og:locale:alternate", [])
        if len(locales) != len(others):
            line = (locales or metas.get("og:locale") or [("", None)])[0][1]
            problems.append(Problem(page.file, f"{len(locales)} og:locale:alternate for {len(others)} other-language "
                                    f"version{'s' if len(others) != 1 else ''} in the hreflang links "
                                    f"({', '.join(others) or 'none'}).", line))
    return problems


# JSON-LD

def _types(node: dict) -> list[str]:
    kind = node.get("@type")
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return [kind] if isinstance(kind, str) else []


def _ref(value: Any) -> str | None:
    """The URL a schema.org reference names: a string, or an object's @id (else its url)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ref = value.get("@id") or value.get("url")
        return ref if isinstance(ref, str) else None
    return None


def _many(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


@dataclass
class JsonLdArticle:
    """What check_translations needs of a page's NewsArticle: its translation references."""
    page: PageInfo
    line: int
    refs: dict[str, list[str | None]]  # workTranslation / translationOfWork -> URLs


def _article(page: PageInfo, node: dict, line: int) -> JsonLdArticle:
    return JsonLdArticle(page, line, {prop: [_ref(value) for value in _many(node.get(prop))] for prop in INVERSE})


def check_json_ld(page: PageInfo, site: SiteFiles, pages: dict[Path, PageInfo], home: bool,
                  articles: dict[str, JsonLdArticle]) -> tuple[list[Problem], int]:
    """One page's JSON-LD; its NewsArticle goes into `articles` (by page URL) for check_translations."""
    problems = []
    nodes: list[tuple[dict, int]] = []
    for text, line in page.json_ld:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(page.file, f"<script type=\"application/ld+json\"> is not valid JSON: "
                                    f"{exc.msg}.", line + exc.lineno - 1))
            continue
        for item in _many(data):
            if isinstance(item, dict):
                nodes.append((item, line))
                nodes.extend((sub, line) for sub in _many(item.get("@graph")) if isinstance(sub, dict))
    is_article = any(content == "article" for key, content, _ in page.metas if key == "og:type")
    news = [(node, line) for node, line in nodes if "NewsArticle" in _types(node)]
    crumbs = [(node, line) for node, line in nodes if "BreadcrumbList" in _types(node)]
    websites = [(node, line) for node, line in nodes if "WebSite" in _types(node)]
    if is_article and not news:
        problems.append(Problem(page.file, "an article page (og:type article) has no NewsArticle JSON-LD."))
    if is_article and not crumbs:
        problems.append(Problem(page.file, "an article page (og:type article) has no BreadcrumbList JSON-LD."))
    if home and not websites:
        problems.append(Problem(page.file, "a home page has no WebSite JSON-LD."))
    for node, line in news:
        problems.extend(_check_news_article(page, node, line, site, pages))
        if page.url not in articles:
            articles[page.url] = _article(page, node, line)
    for node, line in crumbs:
        problems.extend(_check_breadcrumbs(page, node, line, site, pages))
    for node, line in websites:
        if not isinstance(node.get("url"), str) or unquote(node["url"]) != page.url:
            problems.append(Problem(page.file, f"WebSite url {json.dumps(node.get('url'))} differs from the "
                                    f"canonical URL {page.url}", line))
    return problems, len(page.json_ld)


def _check_news_article(page: PageInfo, node: dict, line: int, site: SiteFiles,
                        pages: dict[Path, PageInfo]) -> list[Problem]:
    problems = []

    def say(message: str) -> None:
        problems.append(Problem(page.file, message, line))

    for key in NEWS_ARTICLE_FIELDS:
        if node.get(key) in (None, "", [], {}):
            say(f"NewsArticle has no {key}.")
    for key in ("datePublished", "dateModified"):
        if isinstance(node.get(key), str) and not iso_date_or_datetime(node[key]):
            say(f"NewsArticle {key} '{node[key]}' is not an ISO 8601 date-time with an offset.")
    if "url" not in node and "@id" not in node:
        say(f"NewsArticle has neither url nor @id; give it {page.url}")
    for key in ("url", "@id"):
        if key in node and unquote(str(node[key])) not in (page.url, page.url + "index.html"):
            say(f"NewsArticle {key} {node[key]} differs from the canonical URL {page.url}")
    main = _ref(node.get("mainEntityOfPage"))
    if "mainEntityOfPage" in node and (main is None or unquote(main) not in (page.url, page.url + "index.html")):
        say(f"NewsArticle mainEntityOfPage {main} differs from the canonical URL {page.url}")
    language = node.get("inLanguage")
    if isinstance(language, str) and language and page.lang and language.lower() != page.lang.lower():
        say(f"NewsArticle inLanguage \"{language}\" differs from <html lang=\"{page.lang}\">.")
    for image in _many(node.get("image")):
        _, reason = resolve(_ref(image) or "", site, pages, "NewsArticle image", page_only=False, outside_ok=True)
        if reason:
            say(reason)
    return problems


def _check_breadcrumbs(page: PageInfo, node: dict, line: int, site: SiteFiles,
                       pages: dict[Path, PageInfo]) -> list[Problem]:
    items = node.get("itemListElement")
    if not isinstance(items, list) or not items:
        return [Problem(page.file, "BreadcrumbList has no itemListElement.", line)]
    problems = []
    last = None
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(page.file, f"BreadcrumbList item {position} is not an object.", line))
            continue
        if item.get("position") != position:
            problems.append(Problem(page.file, f"BreadcrumbList item {position} has position "
                                    f"{json.dumps(item.get('position'))}.", line))
        last = _ref(item.get("item"))
        _, reason = resolve(last or "", site, pages, f"BreadcrumbList item {position}")
        if reason:
            problems.append(Problem(page.file, reason, line))
    if last is not None and unquote(last) not in (page.url, page.url + "index.html"):
        problems.append(Problem(page.file, f"the last BreadcrumbList item is {last}, not this page ({page.url}).",
                                line))
    return problems


def check_translations(site: SiteFiles, pages: dict[Path, PageInfo], articles: dict[str, JsonLdArticle]) -> list[Problem]:
    """workTranslation / translationOfWork lead to built articles whose NewsArticle points back."""
    problems = []
    for url, article in articles.items():
        for prop, inverse in INVERSE.items():
            for ref in article.refs[prop]:
                target, reason = resolve(ref or "", site, pages, f"NewsArticle {prop}")
                if reason:
                    problems.append(Problem(article.page.file, reason, article.line))
                    continue
                other = articles.get(pages[target].url)
                if other is None:
                    problems.append(Problem(article.page.file, f"NewsArticle {prop} {ref}: {site.rel(target)} has no "
                                            "NewsArticle.", article.line))
                elif url not in [unquote(back or "") for back in other.refs[inverse]]:
                    problems.append(Problem(article.page.file, f"NewsArticle {prop} {ref} does not point back: the "
                                            f"NewsArticle of {site.rel(target)} has no {inverse} naming {url}",
                                            article.line))
    return problems


def home_pages(site: SiteFiles, pages: dict[Path, PageInfo]) -> set[str]:
    """The root page and the versions it names in hreflang (each language's front page)."""
    root = site.file_for(site.base_url)
    if root is None or root not in pages:
        return set()
    return {site.base_url, *(href for href in head_alternates(pages[root]).values() if site.is_internal(href))}
