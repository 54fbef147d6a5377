"""Planning: every output of the site, decided before anything is rendered.

Each Page names its site path, template, language and context; each Copy names a file to copy.
Two sources that want the same output path are an error (nothing is overwritten silently).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import ceil
from datetime import datetime
from pathlib import Path
from typing import Any

from .collector import paused
from .content import Article
from .errors import BuildError, Problem
from .related import related
from .site import Site
from .urls import Urls


@dataclass(frozen=True, slots=True)
class Page:
    path: str  # site path (see urls.py)
    template: str
    lang: str | None  # None for the bilingual pages (root home, 404)
    source: str | Path  # what asked for this output, for collision messages (a source file as it is)
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    # Other-language versions of this page: lang -> site path (the page itself excluded).
    alternates: dict[str, str] = field(default_factory=dict, compare=False)
    lastmod: datetime | None = None  # newest change among the stories it shows (for the sitemap)
    in_sitemap: bool = True


@dataclass(frozen=True, slots=True)
class Copy:
    path: str
    src: Path
    source: str | Path  # what asked for this output, for collision messages


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    total: int
    prev: str | None  # site paths
    next: str | None


def _pages(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _paginated(items: list[Article], size: int, path_of, *, template: str, lang: str, source: str,
               context: dict, alternates=None) -> list[Page]:
    """One page per `size` items; path_of(n) gives page n's site path, alternates(n) its other versions."""
    chunks = _pages(items, size)
    total = len(chunks)
    paths = [path_of(number) for number in range(1, total + 1)]  # each page's also its neighbours' link
    return [Page(path=paths[number - 1], template=template, lang=lang, source=source,
                 context={**context, "items": chunk, "count": len(items),
                          "pagination": Pagination(number, total, paths[number - 2] if number > 1 else None,
                                                   paths[number] if number < total else None)},
                 alternates=alternates(number) if alternates else {}, lastmod=newest(chunk))
            for number, chunk in enumerate(chunks, start=1)]


def plan(site: Site) -> tuple[list[Page], list[Copy]]:
    # Planning makes a few hundred thousand objects and no reference cycle: the garbage collector
    # would only go over the whole site again and again (a third of the time at 5,000 stories).
    with paused():
        return _plan(site)


def _plan(site: Site) -> tuple[list[Page], list[Copy]]:
    urls, config = site.urls, site.config
    size = config.page_size
    pages: list[Page] = []
    copies: list[Copy] = []
    codes = config.codes

    front_counts = {lang: ceil(len(site.by_lang[lang]) / size) or 1 for lang in codes}
    days = {code: site.days(code) for code in codes}  # each language's, to find the others' versions
    day_paths = {(code, day): urls.day(code, day) for code in codes for day in days[code]}
    months = {code: site.months(code) for code in codes}
    for lang in codes:
        articles = site.by_lang[lang]
        more = related(articles)
        last = len(articles) - 1
        for position, article in enumerate(articles):
            path = site.path(article)
            story = site.story(article)
            pages.append(Page(path=path, template="article.html", lang=lang, source=article.path,
                              context={"article": article, "related": more[article.story],
                                       "newer": articles[position - 1] if position else None,
                                       "older": articles[position + 1] if position < last else None},
                              alternates={a.lang: site.path(a) for code, a in story.articles.items() if code != lang},
                              lastmod=article.updated or article.date))
            if story.assets:
                copies.extend(Copy(path + asset.name, asset, asset) for asset in story.assets)

        pages.extend(_paginated(
            articles, size, lambda n, lang=lang: urls.front(lang, n), template="list.html", lang=lang,
            source=f"front page ({lang})", context={"kind": "front", "sidebar": _sidebar(site, lang, days[lang])},
            alternates=lambda n, lang=lang: {o: urls.front(o, n) for o in codes
                                            if o != lang and n <= front_counts[o]}))

        day_list = list(days[lang])  # newest first
        month_days = defaultdict(list)  # (year, month) -> [(day, count)], oldest day first
        for day in reversed(day_list):
            month_days[day.year, day.month].append((day, len(days[lang][day])))
        for at, (day, items) in enumerate(days[lang].items()):
            pages.append(Page(path=day_paths[lang, day], template="list.html", lang=lang,
                              source=f"day page {day} ({lang})",
                              context={"kind": "day", "day": day, "items": items, "count": len(items),
                                       "pagination": None,
                                       "newer_day": day_list[at - 1] if at else None,
                                       "older_day": day_list[at + 1] if at + 1 < len(day_list) else None},
                              alternates={o: day_paths[o, day] for o in codes if o != lang and day in days[o]},
                              lastmod=newest(items)))
        for (year, month), items in months[lang].items():
            pages.append(Page(path=urls.month(lang, year, month), template="list.html", lang=lang,
                              source=f"month page {year}-{month:02d} ({lang})",
                              context={"kind": "month", "year": year, "month": month, "items": items,
                                       "count": len(items), "pagination": None,
                                       "days": month_days[year, month]},
                              alternates={o: urls.month(o, year, month) for o in codes
                                          if o != lang and (year, month) in months[o]},
                              lastmod=newest(items)))
        pages.append(Page(path=urls.archive(lang), template="archive.html", lang=lang,
                          source=f"archive ({lang})",
                          context={"months": [(y, m, len(items)) for (y, m), items in months[lang].items()]},
                          alternates={o: urls.archive(o) for o in codes if o != lang},
                          lastmod=newest(articles)))

        pages.append(Page(path=urls.search(lang), template="search.html", lang=lang, source=f"search page ({lang})",
                          alternates={o: urls.search(o) for o in codes if o != lang}, in_sitemap=False))
        topics = site.topics.of(lang)
        pages.append(Page(path=urls.tags(lang), template="tags.html", lang=lang, source=f"tag index ({lang})",
                          context={"groups": _topic_groups(topics, lang, urls)},
                          alternates={o: urls.tags(o) for o in codes if o != lang},
                          lastmod=newest([a for a in articles if a.tags])))
        for topic in topics:
            pages.extend(_paginated(
                list(topic.articles), size, lambda n, lang=lang, slug=topic.slug: urls.tag(lang, slug, n),
                template="list.html", lang=lang, source=f"tag page '{topic.name}' ({lang})",
                context={"kind": "tag", "tag": topic.name},
                alternates=lambda n, topic=topic: _topic_alternates(site, topic, n)))

    stories = site.stories_newest_first()
    home_chunks = _pages(stories, size)
    for number, chunk in enumerate(home_chunks, start=1):
        pagination = Pagination(number, len(home_chunks), urls.home(number - 1) if number > 1 else None,
                                urls.home(number + 1) if number < len(home_chunks) else None)
        # The root home is the x-default of every language's front page, and they are its alternates.
        pages.append(Page(path=urls.home(number), template="home.html", lang=None, source="bilingual home",
                          context={"stories": chunk, "pagination": pagination},
                          alternates={code: urls.front(code) for code in codes} if number == 1 else {},
                          lastmod=newest([a for s in chunk for a in s.articles.values()])))
    for story in site.stories:
        if len(story.articles) > 1:  # not for search engines: each version is already its own page
            pages.append(Page(path=urls.side_by_side(story), template="side_by_side.html", lang=None,
                              source=f"{story.folder} (side by side)",
                              context={"versions": list(story.articles.values())}, in_sitemap=False))
    pages.append(Page(path=urls.not_found(), template="404.html", lang=None, source="404 page",
                      in_sitemap=False))
    pages.extend(_feeds(site))
    pages.extend(_sitemaps(site, pages))
    check_collisions(pages, copies)
    return pages, copies


KINDS = ("place", "person", "theme")  # the topic index's sections, in this order


def _topic_groups(topics, lang: str, urls: Urls) -> list[tuple[str, list[tuple[str, int, str]]]]:
    """The topic index: (kind, [(name, count, site path)]) for each kind that has topics."""
    groups = [(kind, [(t.name, len(t.articles), urls.tag(lang, t.slug)) for t in topics if t.kind == kind])
              for kind in KINDS]
    return [(kind, items) for kind, items in groups if items]


def _topic_alternates(site: Site, topic, number: int) -> dict[str, str]:
    """The same subject's topic page in the other languages, where it has that many pages."""
    size, urls = site.config.page_size, site.urls
    found = {}
    for code, slug in site.topics.counterparts(topic.lang, topic.slug).items():
        other = site.topics.get(code, slug)
        if other is not None and number <= ceil(len(other.articles) / size):
            found[code] = urls.tag(code, slug, number)
    return found


SIDEBAR_TOPICS = 12  # the busiest topics beside a front page
SIDEBAR_DAYS = 7  # the latest days with stories


def _sidebar(site: Site, lang: str, days: dict) -> dict:
    """What a front page shows beside its stories on a wide screen: the busiest topics and the
    latest days, each with its count. The same on every page of a language's front."""
    busiest = sorted(site.topics.of(lang), key=lambda topic: -len(topic.articles))  # stable: ties by name
    return {"topics": [(t.name, len(t.articles), site.urls.tag(lang, t.slug)) for t in busiest[:SIDEBAR_TOPICS]],
            "days": [(day, len(items)) for day, items in list(days.items())[:SIDEBAR_DAYS]]}


def newest(articles) -> datetime | None:
    return max((a.updated or a.date for a in articles), default=None)


def hreflang_set(page: Page, codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(language code or "x-default", site path) for every version of a page, itself included, in
    configured order: the same set in the page's head and in the sitemap. Empty for a page that
    exists in one version only."""
    versions = dict(page.alternates)
    if page.lang:
        versions[page.lang] = page.path
    if not versions:
        return []
    ordered = [(code, versions[code]) for code in codes if code in versions]
    return ordered + [("x-default", "" if page.lang is None else Urls.home())]


def _feeds(site: Site) -> list[Page]:
    urls, size = site.urls, site.config.feed_size
    feeds = []
    for lang in site.config.codes:
        items = site.by_lang[lang][:size]
        for kind, template in (("atom", "feed.xml"), ("json", "feed.json")):
            feeds.append(Page(path=urls.feed(lang, kind), template=template, lang=lang,
                              source=f"{kind} feed ({lang})", context={"items": items},
                              lastmod=newest(items), in_sitemap=False))
    return feeds


SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)


def _sitemaps(site: Site, pages: list[Page]) -> list[Page]:
    """sitemap.xml listing every HTML page with its hreflang set, split behind a sitemap index past
    50,000 URLs; robots.txt pointing at it."""
    urls, codes = site.urls, site.config.codes
    listed = [page for page in pages if page.in_sitemap]
    chunks = [SitemapEntries(listed[i:i + SITEMAP_LIMIT], codes)
              for i in range(0, len(listed), SITEMAP_LIMIT)] or [SitemapEntries([], codes)]
    robots = Page(path="robots.txt", template="robots.txt", lang=None, source="robots.txt",
                  context={"sitemap": urls.sitemap()}, in_sitemap=False)
    if len(chunks) == 1:
        return [Page(path=urls.sitemap(), template="sitemap.xml", lang=None, source="sitemap",
                     context={"entries": chunks[0]}, in_sitemap=False), robots]
    parts = [Page(path=urls.sitemap(n), template="sitemap.xml", lang=None, source=f"sitemap part {n}",
                  context={"entries": chunk}, in_sitemap=False) for n, chunk in enumerate(chunks, start=1)]
    index = Page(path=urls.sitemap(), template="sitemap-index.xml", lang=None, source="sitemap index",
                 context={"parts": [(p.path, p.context["entries"].newest()) for p in parts]}, in_sitemap=False)
    return [*parts, index, robots]


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    path: str
    lastmod: datetime | None
    hreflangs: tuple[tuple[str, str], ...]


class SitemapEntries:
    """A sitemap's entries, made from its pages each time they are read (fingerprinted, then
    rendered): kept as a list through the whole build, they were a tuple of hreflang pairs per
    page, 1.3 MB at 1,000 stories (tracemalloc)."""
    __slots__ = ("pages", "codes")

    def __init__(self, pages: list[Page], codes: tuple[str, ...]):
        self.pages, self.codes = pages, codes

    def __iter__(self):
        codes = self.codes
        for page in self.pages:
            yield SitemapEntry(page.path, page.lastmod, tuple(hreflang_set(page, codes)))

    def newest(self) -> datetime | None:
        """The latest lastmod among them, read off the pages: no entry is made for it."""
        return max((page.lastmod for page in self.pages if page.lastmod), default=None)


def check_collisions(pages: list[Page], copies: list[Copy]) -> None:
    """Two outputs that would be one file, or one inside the other's file, are an error naming both.
    Checked on output files, not site paths: a story's file named index.html is its article pages'
    own file. `copies` is the very list the builder copies (story files and static files)."""
    owners: dict[str, Page | Copy] = {}
    problems = []
    for item in [*pages, *copies]:
        file = Urls.output_name("", item.path)
        first = owners.setdefault(file, item)
        if first is not item:
            problems.append(_collision(item, first))
    folders: set[str] = set()  # every folder some output sits in
    for file in owners:
        folder = file.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    for file in sorted(folders.intersection(owners)):
        outer = owners[file]
        for inner_file, inner in owners.items():
            if inner_file.startswith(file + "/"):
                problems.append(Problem(inner.source, f"wants to write /{inner.path}, inside /{outer.path}, which "
                                        f"{outer.source} writes as a file. Rename one of them."))
                break
    if problems:
        raise BuildError(problems)


def _collision(item: Page | Copy, first: Page | Copy) -> Problem:
    if isinstance(item, Page) and isinstance(first, Page):
        return Problem(item.source, f"wants to write /{item.path}, which {first.source} already writes. "
                                    "Give one of them its own 'slug:'.")
    if isinstance(first, Page):
        return Problem(item.source, f"would be published as /{item.path}, the file of the page /{first.path}, "
                                    f"which {first.source} writes. Rename the file.")
    if isinstance(item, Page):
        return Problem(item.source, f"wants to write /{item.path}, where {first.source} is published. "
                                    "Rename that file.")
    return Problem(item.source, f"would be published as /{item.path}, where {first.source} is published too. "
                                "Rename one of them.")
