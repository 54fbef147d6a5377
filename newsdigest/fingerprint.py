"""Fingerprints: a short digest of everything an output is made from. An incremental build renders
a page only when its fingerprint differs from the last build's, so a change anywhere (a story, a
translation's title, a template, a catalog, the config, this package's code) reaches exactly the
pages whose inputs it touches. Pages are fingerprinted from their real context, not from a
hand-kept dependency list that could drift."""
from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, meta

from .cache import code_key, stat_key
from .config import Config
from .content import Article, Story
from .images import Made
from .pages import Copy, Page, SitemapEntries
from .site import Site


def _files_digest(digest, folder: Path, pattern: str = "*") -> None:
    if folder.is_dir():
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())


def global_settings(config: Config, include_drafts: bool) -> bytes:
    """The code and every setting that shapes the output (not where it is written)."""
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "output_dir"}
    return repr((code_key(), sorted(settings.items(), key=lambda kv: kv[0]), include_drafts)).encode()


def global_key(config: Config, include_drafts: bool, assets: dict[str, str]) -> bytes:
    """What every page depends on: code, config, catalogs, and the static files' versioned links
    (`assets`, as the renderer uses them: pages see a static file only through its link).
    Templates are per page: see TemplateKeys."""
    digest = hashlib.blake2b(global_settings(config, include_drafts), digest_size=16)
    digest.update(repr(sorted(assets.items())).encode())
    for folder in config.locale_dirs:
        _files_digest(digest, folder, "*.po")
    return digest.digest()


class TemplateKeys:
    """A digest per template of its own source and of every template it extends, includes or
    imports, transitively: editing article.html then re-renders article pages only. A template
    whose references are not constant names depends on all of them, to be safe."""

    def __init__(self, template_dirs: tuple[Path, ...]):
        self.dirs = template_dirs  # the site's own first: a name resolves to the first that has it
        self._parser = Environment(extensions=["jinja2.ext.i18n"])  # parses the same syntax
        self._refs: dict[str, frozenset[str] | None] = {}
        self._keys: dict[str, bytes] = {}
        self._body: dict[str, bool] = {}

    def _file(self, name: str) -> Path:
        return next((d / name for d in self.dirs if (d / name).is_file()), self.dirs[0] / name)

    def _references(self, name: str) -> frozenset[str] | None:
        if name not in self._refs:
            try:
                source = self._file(name).read_text(encoding="utf-8")
                found = set(meta.find_referenced_templates(self._parser.parse(source)))
                self._refs[name] = None if None in found else frozenset(found)
            except (OSError, TemplateSyntaxError):  # the render reports it; depend on everything
                self._refs[name] = None
        return self._refs[name]

    def _closure(self, name: str) -> list[str] | None:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            refs = self._references(current)
            if refs is None:
                return None
            todo.extend(refs)
        return sorted(seen)

    def reads_body(self, name: str) -> bool:
        """Whether a template, or one it uses, may show an article's body (see BODY_FIELDS)."""
        if name not in self._body:
            names = self._closure(name)
            self._body[name] = names is None or any(
                _READS_BODY.search(self._file(item).read_text(encoding="utf-8"))
                for item in names if self._file(item).is_file())
        return self._body[name]

    def key(self, name: str) -> bytes:
        if name not in self._keys:
            names = self._closure(name)
            if names is None:
                names = sorted({p.relative_to(d).as_posix() for d in self.dirs for p in d.rglob("*")
                                if p.is_file() and "static" not in p.relative_to(d).parts})
            digest = hashlib.blake2b(digest_size=16)
            for item in names:
                path = self._file(item)
                digest.update(item.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>"))
            self._keys[name] = digest.digest()
        return self._keys[name]


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()

# What an article's body gives it, and what reads them: the article's own page, the side-by-side
# page and the feeds show the body, every other page only shows an article by its other fields
# (its shape), so an edit to the body alone changes only the first kind. A template reads the body
# when it, or one it uses, names one of these as an attribute or a key; StructuredData's
# news_article reads the word count.
BODY_FIELDS = ("body", "words", "fingerprint")
_READS_BODY = re.compile(r"""(?:\.|\[\s*["'])(?:body|body_html|words|reading_minutes|fingerprint|news_article)\b""")
SHAPE_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in BODY_FIELDS)


def shape(article: Article) -> tuple:
    """An article as a page that does not show its body sees it."""
    return tuple(getattr(article, name) for name in SHAPE_FIELDS)


class Fingerprinter:
    """With `record`, also notes which pages each article reaches (`shown_in`: (story key, lang) ->
    the site paths of the pages whose fingerprint it is part of, itself, as a translation or
    through its story): what the dev server re-fingerprints when only that article changed."""

    def __init__(self, site: Site, key: bytes, record: bool = False):
        self.site = site
        self.key = key
        self.templates = TemplateKeys(site.config.template_dirs)
        self._articles: dict[tuple[int, bool], tuple] = {}  # an article shows up on many pages; token it once
        self._whole = True  # the page being fingerprinted may show bodies (TemplateKeys.reads_body)
        self.shown_in: dict[tuple[str, str], list[str]] | None = {} if record else None
        self._reached: set[tuple[str, str]] | None = None  # by the page being fingerprinted

    def _token(self, value) -> object:
        kind = type(value)
        if kind is Article:
            if self._reached is not None:  # its token holds its translations' fingerprints too
                self._reached.update((value.story, lang) for lang in self.site.story(value).articles)
            token = self._articles.get((id(value), self._whole))
            if token is None:
                # A page showing an article may also show its translations' titles and links, and
                # its photo's sizes (made from the picture's bytes, not from the article's). Kept
                # as a digest: an article is on a dozen pages, whose tokens are written out whole.
                whole = ("A", self._version(value), tuple(map(self._version, self.site.translations(value))),
                         self._token(self.site.photo(value)))
                token = self._articles[id(value), self._whole] = _digest(repr(whole).encode())
            return token
        if kind in _PLAIN:
            return value
        if kind is list or kind is tuple:
            return tuple(map(self._token, value))
        if kind is dict:  # contexts are built in a fixed order, so no sorting is needed
            return tuple(zip(value, map(self._token, value.values())))
        if kind is datetime or kind is date:
            return value.isoformat()
        if kind is Story:  # the bilingual home shows each version, and its photo
            if self._reached is not None:
                self._reached.update((value.key, lang) for lang in value.articles)
            return ("S", value.key, tuple((self._version(a), self._token(self.site.photo(a)))
                                          for a in value.articles.values()))
        if kind is SitemapEntries:
            return tuple(map(self._token, value))
        if dataclasses.is_dataclass(value):  # not astuple(): it deep-copies every field
            return (kind.__name__, tuple(self._token(getattr(value, f.name)) for f in dataclasses.fields(value)))
        raise TypeError(f"cannot fingerprint a {kind.__name__} in a page context")

    def _version(self, article: Article):
        return article.fingerprint if self._whole else shape(article)

    def page(self, page: Page) -> str:
        self._whole = self.templates.reads_body(page.template)
        if self.shown_in is not None:
            self._reached = set()
        token = (page.path, page.template, page.lang, self._token(page.alternates), self._token(page.context))
        if self._reached is not None:
            for reached in self._reached:
                self.shown_in.setdefault(reached, []).append(page.path)
            self._reached = None
        return hashlib.blake2b(self.key + self.templates.key(page.template) + repr(token).encode(),
                               digest_size=16).hexdigest()

    @staticmethod
    def copy(copy: Copy) -> str:
        """A copied file's source and its stat (modification and change times, size, inode: an
        edit that keeps the size and restores the modification time still counts); for a photo's
        size, what its bytes are made from (its file may be made again, with a new stat, in a
        build without the cache)."""
        if isinstance(copy, Made):
            return f"made:{copy.path}:{copy.key}"
        mtime, size, ctime, inode = stat_key(copy.src.stat())
        return f"{copy.src}:{mtime}:{size}:{ctime}:{inode}"
