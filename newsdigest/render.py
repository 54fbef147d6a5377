"""Jinja2 rendering: one environment per language (its gettext catalog installed), autoescape on,
StrictUndefined so a template typo fails the build instead of rendering empty."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from jinja2 import (BytecodeCache, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound,
                    TemplateSyntaxError, pass_context, select_autoescape)
from markupsafe import Markup, escape

from . import i18n
from .errors import BuildError, Problem
from .pages import Page, hreflang_set
from .remembered import Catalog, Dates, RememberedUrls
from .seo import StructuredData, og_locale
from .sanitize import scoped_ids
from .site import Site
from .slugs import slugify


def by_day(articles) -> list[tuple[date, list]]:
    """Articles (newest first) grouped under their day, newest day first: a digest's sections."""
    return _grouped(articles, lambda article: article.date.date())


def stories_by_day(stories) -> list[tuple[date, list]]:
    """Stories (newest first) under the day of their newest version."""
    return _grouped(stories, lambda story: max(a.date for a in story.articles.values()).date())


def _grouped(items, day_of) -> list[tuple[date, list]]:
    groups: dict[date, list] = {}
    for item in items:
        groups.setdefault(day_of(item), []).append(item)
    return list(groups.items())


STREAM_PIECES = 4096  # a page's template pieces joined at a time when it is written as it renders


class Renderer:
    def __init__(self, site: Site, translators: dict[str, i18n.Translator], assets: dict[str, str],
                 bytecode_cache: BytecodeCache | None = None):
        """bytecode_cache: compiled templates shared by every language's environment (and kept
        between a dev server's builds): cache.TemplateCode, in memory only, keyed by the code, the
        compiler's options and the template's source. Without it, each environment compiles its own."""
        self.site = site
        self.urls = site.urls
        self.translators = translators
        self.assets = assets  # asset name -> href with a content-hash query, so caches never go stale
        self.config = site.config
        self.bytecode_cache = bytecode_cache
        config, urls = site.config, site.urls
        # What every page asks for again and again, made once: UI strings, dates, paths, each
        # language's settings and tag.
        self.catalogs = {code: Catalog(translator) for code, translator in translators.items()}
        self.dates = Dates()
        self.remembered_urls = RememberedUrls(config)
        self.languages = {lang.code: lang for lang in config.languages}
        self.language_tags = {lang.code: i18n.language_tag(lang.locale) for lang in config.languages}
        self._ui: dict[tuple[str, str], Markup] = {}  # (lang, message) -> tr()'s translation, escaped
        self._topic_names: tuple[Any, dict[tuple[str, str], str]] = (None, {})  # for one site.topics
        self._side_by_side: dict[int, tuple[Any, str]] = {}  # id(story) -> (story, href)
        self.envs = {lang.code: self._env(lang.code) for lang in site.config.languages}
        # Feed autodiscovery links, the page's own language first; the same for every page of a language.
        self.feeds = {lang: [{"lang": code, "title": config.language(code).title,
                              "atom": urls.absolute(urls.feed(code)), "json": urls.absolute(urls.feed(code, "json"))}
                             for code in sorted(config.codes, key=lambda code: code != lang)]
                      for lang in (*config.codes, None)}

    def _env(self, code: str) -> Environment:
        config = self.site.config
        locale = config.language(code).locale
        env = Environment(loader=FileSystemLoader([str(d) for d in config.template_dirs]),
                          autoescape=select_autoescape(["html", "xml"], default_for_string=True),
                          undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                          bytecode_cache=self.bytecode_cache,
                          # A renderer lives for one build (a template edit makes a new one): no
                          # need to look at each template file's time on every page.
                          auto_reload=False)
        catalog = self.catalogs[code]
        env.install_gettext_translations(catalog, newstyle=True)
        # In place of jinja2.ext's, which call each other through the context (three dispatches
        # for each _("...")): the same results, straight from the remembered catalog.
        env.globals.update(_=_gettext(catalog.gettext), gettext=_gettext(catalog.gettext),
                           ngettext=_ngettext(catalog.ngettext))
        locale_of = {lang.code: lang.locale for lang in config.languages}
        dates = self.dates

        def loc(lang: str | None) -> str:
            return locale_of[lang] if lang else locale

        env.filters.update(
            longdate=lambda value, lang=None: dates.day(i18n.long_date, value, loc(lang)),
            fulldate=lambda value, lang=None: dates.day(i18n.full_date, value, loc(lang)),
            shortday=lambda value, lang=None: dates.day(i18n.short_day, value, loc(lang)),
            zone=i18n.utc_offset,
            scoped_ids=scoped_ids,
            shorttime=lambda value, lang=None: dates.time(i18n.short_time, value, loc(lang)),
            isodate=lambda value: value.isoformat(),
            ucfirst=lambda text: text[:1].upper() + text[1:],
            language_tag=i18n.language_tag,  # a locale id: {{ language.locale|language_tag }}
        )
        env.globals.update(
            config=config, languages=config.languages,
            og_locale=lambda code: og_locale(locale_of[code]), lang_tag=lambda code: i18n.language_tag(locale_of[code]),
            href=self.urls.href, absolute=self.urls.absolute, asset=self.asset,
            month_name=lambda year, month, lang=None: dates.month(i18n.month_year, year, month, loc(lang)),
            language_name=lambda of, lang=None: i18n.language_name(locale_of[of], loc(lang)),
            urls=self.remembered_urls, by_day=by_day, stories_by_day=stories_by_day, topic_name=self.topic_name,
            side_by_side=self.side_by_side, tr=self.tr, **self._site_globals(),
        )
        return env

    def _site_globals(self) -> dict[str, Any]:
        site = self.site
        return {"ld": StructuredData(site), "article_href": site.href, "translations": site.translations,
                "image_href": site.image_href, "photo": site.photo}

    def use_site(self, site: Site) -> None:
        """Renders from now on from `site`, a later state of the same site (the dev server's
        model after an edit), keeping the environments and their compiled templates."""
        self.site = site
        site_globals = self._site_globals()
        for env in self.envs.values():
            env.globals.update(site_globals)

    def topic_name(self, lang: str, tag: str) -> str:
        """A tag as its topic is named everywhere: the spelling of its first use."""
        topics = self.site.topics
        if self._topic_names[0] is not topics:  # another site (the dev server's, after an edit)
            self._topic_names = (topics, {})
        names = self._topic_names[1]
        name = names.get((lang, tag))
        if name is None:
            topic = topics.get(lang, slugify(tag))
            name = names[lang, tag] = topic.name if topic else tag
        return name

    def side_by_side(self, article) -> str:
        """The href of the page showing the article's story in every language."""
        story = self.site.story(article)
        known = self._side_by_side.get(id(story))
        if known is None or known[0] is not story:
            known = self._side_by_side[id(story)] = (story, self.urls.href(self.urls.side_by_side(story)))
        return known[1]

    def asset(self, name: str) -> str:
        return self.assets[name]

    def tr(self, lang: str, message: str, **values: Any) -> Markup:
        """A UI string in a given language (e.g. "Lire en français" on an English page): what
        Translator.markup gives, its translation escaped once."""
        translated = self._ui.get((lang, message))
        if translated is None:
            translated = self._ui[lang, message] = Markup(escape(self.catalogs[lang].gettext(message)))
        if not values:
            return translated
        return translated % {k: escape(v) if isinstance(v, str) else v for k, v in values.items()}

    def _common(self, page: Page) -> dict[str, Any]:
        config, urls = self.site.config, self.urls
        lang = page.lang or config.codes[0]
        versions = {page.lang: page.path, **page.alternates} if page.lang else {}
        tags = self.language_tags
        hreflangs = [(code if code == "x-default" else tags[code], urls.absolute(path))
                     for code, path in hreflang_set(page, config.codes)]
        switcher = [{"code": code, "href": urls.href(versions.get(code) or urls.front(code)),
                     "current": code == page.lang}
                    for code in config.codes]
        return {"lang": lang, "bilingual": page.lang is None, "language": self.languages[lang],
                "page": page, "canonical": urls.absolute(page.path), "hreflangs": hreflangs,
                "switcher": switcher, "feeds": self.feeds[page.lang]}

    def render(self, page: Page) -> str:
        try:
            return self._template(page).render(**self._common(page), **page.context)
        except Exception as exc:  # noqa: BLE001 - any failure must name the template line
            raise self._failure(exc, page) from None

    def stream(self, page: Page) -> Iterator[str]:
        """render(page) in parts, for writing as it renders: a sitemap of 50,000 URLs is tens of MB
        of text, which Jinja would otherwise hold as a million pieces, then joined, then encoded."""
        try:
            pieces = self._template(page).generate(**self._common(page), **page.context)
            while batch := list(islice(pieces, STREAM_PIECES)):
                yield "".join(batch)
        except Exception as exc:  # noqa: BLE001 - any failure must name the template line
            raise self._failure(exc, page) from None

    def _template(self, page: Page):
        return self.envs[page.lang or self.site.config.codes[0]].get_template(page.template)

    def _failure(self, exc: Exception, page: Page) -> BuildError:
        if isinstance(exc, TemplateSyntaxError):
            return BuildError(Problem(Path(exc.filename or self.config.template_file(page.template)),
                                      f"template syntax error: {exc.message}. Fix the template.", exc.lineno))
        if isinstance(exc, TemplateNotFound):
            return BuildError(Problem(self.config.template_dirs[0] / str(exc.name),
                                      f"template not found (needed for {page.source}); restore it."))
        path, line = self._template_frame(exc)
        return BuildError(Problem(path or self.config.template_file(page.template),
                                  f"rendering {page.source} failed: {type(exc).__name__}: {exc}. "
                                  "Fix the template (a misspelt variable is an error, not an empty value).", line))

    def _template_frame(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The deepest traceback frame inside a template folder (Jinja maps it to the template's line)."""
        found: tuple[Path | None, int | None] = (None, None)
        tb = exc.__traceback__
        roots = tuple(str(d) for d in self.config.template_dirs)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.startswith(roots):
                found = (Path(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found


def _gettext(lookup):
    """jinja2.ext's newstyle gettext, calling `lookup` directly."""
    @pass_context
    def gettext(context, __string: str, **variables: Any) -> str:
        rv = lookup(__string)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables  # always a format string, as in jinja2.ext

    return gettext


def _ngettext(lookup):
    """jinja2.ext's newstyle ngettext, calling `lookup` directly."""
    @pass_context
    def ngettext(context, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
        variables.setdefault("num", __num)
        rv = lookup(__singular, __plural, __num)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return ngettext
