"""The dev server's site model: the last build's plan (builder.Planned) kept in memory and brought up
to date for the files an edit names, so that a save is shown in a time that does not grow with the
site. An edit to an article's body, or to a static file, is applied here: the article is read
again, put in place of the old one in the site and in the pages that show it (which the
fingerprinter noted while planning), and only those pages are fingerprinted and rendered again.

Whatever changes the plan itself goes through the full build, which is the same plan made anew: a
new, deleted or renamed story or file, a changed date, title, summary, topic, photo or draft flag
(they move the story in the lists, or change other stories' related lists and the topics), a
template, a catalog, site.toml. So an update is exactly what a build would write: only the pages
that show the article can change, and each is rendered from the same context as the build's."""
from __future__ import annotations

import dataclasses
import fnmatch
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from time import perf_counter

from . import search
from .builder import Planned, search_shelf, swap
from .cache import Cache
from .config import Config
from .content import Article, MarkdownRenderer, Story, image_problem, read_article
from .fingerprint import Fingerprinter, shape
from .ignore import ignored_path
from .pages import Copy
from .urls import Urls


@dataclass(frozen=True)
class Update:
    written: int  # pages rendered again whose bytes changed
    rendered: int  # pages rendered again (their fingerprint changed)
    changed: frozenset[str]  # the site paths of the outputs whose bytes changed
    seconds: float


class SiteModel:
    """The planned site of one output folder, updated in place by update()."""

    def __init__(self, planned: Planned, config: Config, cache: Cache, include_drafts: bool):
        self.config, self.cache, self.include_drafts = config, cache, include_drafts
        self.site, self.renderer, self.fingerprints = planned.site, planned.renderer, planned.fingerprints
        self.wanted = planned.wanted
        self.pages = {page.path: page for page in planned.pages}
        self.shown_in = planned.fingerprints.shown_in or {}
        # Static files by source: a stylesheet's edit is a copy (the dev server links them unversioned).
        self.statics = {str(copy.src): copy for copy in planned.copies if copy.path.startswith("assets/")}
        self._markdown: MarkdownRenderer | None = None

    def update(self, paths: Iterable[str]) -> Update | None:
        """Applies the edit of these files (as the watcher names them) to the published site;
        None when it needs the full build (see the module's note), which the caller then runs.
        Nothing is written before every file has been read and checked."""
        start = perf_counter()
        articles: dict[tuple[str, str], Article] = {}
        statics: list[Copy] = []
        for path in sorted(set(paths)):
            kind = self._classify(path)
            if kind is None:
                return None
            if isinstance(kind, Copy):
                statics.append(kind)
            elif kind is not True:
                articles[kind[0].story, kind[0].lang] = kind[1]
        site = self.site.with_articles(list(articles.values())) if articles else self.site
        changed: set[str] = set()
        rendered = 0
        if articles:
            self.renderer.use_site(site)
            fingerprints = Fingerprinter(site, self.fingerprints.key)
            fingerprints.templates = self.fingerprints.templates  # the templates did not change
            reached = sorted({path for key in articles for path in self.shown_in.get(key, ())})
            replacing = {id(old): new for old, new in ((self.site.story(a), site.story(a)) for a in articles.values())}
            replacing.update((id(self.site.story(a).articles[a.lang]), a) for a in articles.values())
            updated = {}
            for path in reached:
                page = self.pages[path]
                page = replace(page, context=_substituted(page.context, replacing))
                fingerprint = fingerprints.page(page)
                updated[path] = page
                if fingerprint != self.wanted.get(path):
                    rendered += 1
                    if _write(self.config.output_dir, path, self.renderer.render(page).encode()):
                        changed.add(path)
                    self.wanted[path] = fingerprint
            self.site = site
            self.pages.update(updated)
        for copy in statics:
            if _copy(self.config.output_dir, copy):
                changed.add(copy.path)
            self.wanted[copy.path] = Fingerprinter.copy(copy)
        if articles or statics:
            self.cache.amend_manifest(self.config.output_dir, self.wanted)
        return Update(len(changed), rendered, frozenset(changed), perf_counter() - start)

    def refresh_search(self, cancel: threading.Event) -> bool:
        """Makes the search index of the pages as they are now, unless it is current, and swaps it
        in; True when it did. The article pages are linked into a folder beside the site, indexed
        there while the site is served, and the index folder exchanged in one step. Gives up
        (search.Cancelled) as soon as `cancel` is set."""
        key = search.key(self.wanted)
        indexed = search.recorded(self.wanted)
        if (indexed and all(value == key for value in indexed.values())) or not search.has_articles(self.wanted):
            return False
        out = self.config.output_dir
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-search-{os.getpid()}-", dir=out.parent))
        try:
            depth = search.GLOB.count("/")  # fnmatch's "*" would also match a "/"
            names = [Urls.output_name("", path) for path in self.pages]
            names = [name for name in names if name.count("/") == depth and fnmatch.fnmatchcase(name, search.GLOB)]
            search.link_pages(out, staging, names, cancel)
            made = search.index(staging, key, cancel, search_shelf(self.cache))
            swap(staging / search.BUNDLE, out / search.BUNDLE)
        finally:
            # Tens of thousands of links at 50,000 stories: removed aside, not on the path of the
            # edit that cancelled the index.
            threading.Thread(target=shutil.rmtree, args=(staging, True), daemon=True).start()
        for path in indexed:
            del self.wanted[path]
        self.wanted.update(made)
        self.cache.amend_manifest(out, self.wanted)
        return True

    def _classify(self, path: str):
        """What an edited file is to the model: True (nothing it publishes: an ignored name), a
        static file's Copy, (old article, new article) for an article whose plan holds, or None."""
        config = self.config
        if path in self.statics:
            return self.statics[path] if os.path.isfile(path) and not os.path.islink(path) else None
        try:
            relative = Path(path).relative_to(config.content_dir)
        except ValueError:
            return None  # a template, a catalog, site.toml, a new static file
        if ignored_path(relative):
            return True
        story, name = relative.parent.as_posix(), relative.name
        lang = name.removesuffix(".md")
        found = self.site.story_named(story)
        old = found.articles.get(lang) if found and name.endswith(".md") else None
        if found and old is None and not os.path.lexists(path) and Path(path) not in found.assets:
            return True  # made in a story's folder and gone again: an editor's temporary file ("en.md.new")
        if old is None or os.path.islink(path) or not os.path.isfile(path):
            return None  # a new story or version, a deleted file, a story's other file, a link
        if self._markdown is None:
            self._markdown = MarkdownRenderer(config.sanitize)
        new, problems = read_article(Path(path), story, lang, config.language(lang).locale, config, self._markdown)
        if new is None or problems or image_problem(new) or (new.draft and not self.include_drafts):
            return None  # the build reports the problem, or leaves the draft out
        if shape(new) != shape(old):  # two articles of the same shape sit in the same places of the plan
            return None
        return (old, new) if new.fingerprint != old.fingerprint else True


def _substituted(value, replacing: dict[int, object]):
    """`value` (a page's context) with the objects of `replacing` (by identity) in place of the old
    ones, through the containers and dataclasses a context is made of (as Fingerprinter reads it);
    anything without a replaced object in it is kept as it is."""
    found = replacing.get(id(value))
    if found is not None:
        return found
    kind = type(value)
    if kind is list or kind is tuple:
        items = [_substituted(item, replacing) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)
    if kind is dict:
        items = {key: _substituted(item, replacing) for key, item in value.items()}
        return value if all(items[key] is item for key, item in value.items()) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and kind not in (Article, Story):
        fields = {f.name: _substituted(getattr(value, f.name), replacing) for f in dataclasses.fields(value)}
        return value if all(fields[n] is getattr(value, n) for n in fields) else replace(value, **fields)
    return value


def _write(out: Path, path: str, data: bytes) -> bool:
    """Puts a page in the published folder unless it holds these bytes already; True when it did.
    Written aside and renamed into place: a reader finds the old page or the new one."""
    target = Urls.output_name(str(out), path)
    try:
        with open(target, "rb") as handle:
            if handle.read() == data:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(target), exist_ok=True)
    scratch = f"{target}.{os.getpid()}.tmp"
    with open(scratch, "wb") as handle:
        handle.write(data)
    os.replace(scratch, target)
    return True


def _copy(out: Path, copy: Copy) -> bool:
    return _write(out, copy.path, copy.src.read_bytes())
