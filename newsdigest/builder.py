"""build(config): gather and check everything, plan every output, render into a temporary folder,
then swap it in. A failed build leaves the previous output folder exactly as it was."""
from __future__ import annotations

import ctypes
import dataclasses
import errno
import functools
import hashlib
import importlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from time import perf_counter, time_ns
from typing import TYPE_CHECKING

from . import search
from .config import Config
from .content import Tree, load_stories, walk_content
from .errors import BuildError, NewsdigestError, Problem
from .cache import Cache, code_key, own_folder, stat_key
from .collector import give_back, paused
from .ignore import ignored_name
from .linking import link_or_copy
from .parallel import cores, fork_map
from .progress import Progress
from .urls import Urls


class _Later:
    """A module, or a name in one, imported where first used (called, or an attribute read),
    and then put in its place here: a build with nothing to do renders nothing, so it never needs
    Pillow, Babel's catalogs and dates, or the renderer and the plan (a third of its imports)."""

    def __init__(self, module: str, name: str | None = None):
        self.module, self.name = module, name

    def load(self):
        value = importlib.import_module(self.module, __package__)
        value = getattr(value, self.name) if self.name else value
        globals()[self.name or self.module.lstrip(".")] = value
        return value

    def __call__(self, *args, **kwargs):
        return self.load()(*args, **kwargs)

    def __getattr__(self, attribute: str):
        return getattr(self.load(), attribute)


images = _Later(".images")
load_translators = _Later(".i18n", "load_translators")
Fingerprinter, global_key = _Later(".fingerprint", "Fingerprinter"), _Later(".fingerprint", "global_key")
Copy, check_collisions, plan = _Later(".pages", "Copy"), _Later(".pages", "check_collisions"), _Later(".pages", "plan")
Renderer = _Later(".render", "Renderer")
Site = _Later(".site", "Site")
if TYPE_CHECKING:
    from . import images  # noqa: F811
    from .fingerprint import Fingerprinter, global_key  # noqa: F811
    from .i18n import load_translators  # noqa: F811
    from .pages import Copy, Page, check_collisions, plan  # noqa: F811
    from .render import Renderer  # noqa: F811
    from .site import Site  # noqa: F811

STATIC = "static"  # templates/static/* is published under assets/
# Pages a render worker writes before a fresh one takes over: a worker's copy of the model grows
# with the pages it renders (5,000 stories: 51 MB for one worker, 26 MB a worker of 2,000 pages).
RENDER_PER_CHILD = 2000


@dataclass(frozen=True)
class Report:
    pages: int  # planned
    written: int  # rendered and written this time (the rest were unchanged)
    files: int  # copied files (story photos, theme assets) planned
    stories: int
    seconds: float
    out_dir: Path
    full: bool  # a complete rebuild (no usable manifest) rather than an incremental one
    # What the editor should know but that does not stop the build (stories that look like one
    # story in two languages: pair_hints.py), one line each, without the "warning: " prefix.
    warnings: tuple[str, ...] = ()
    drafts: int = 0  # story files marked draft: true, left out of this build

    @property
    def unchanged(self) -> int:
        return self.pages - self.written

    def summary(self) -> str:
        drafts = (f"; {count(self.drafts, 'draft')} left out (--drafts includes "
                  f"{'it' if self.drafts == 1 else 'them'})") if self.drafts else ""
        return (f"Built {count(self.pages, 'page')} ({self.written} written, {self.unchanged} unchanged) and "
                f"{count(self.files, 'file')} from {count(self.stories, 'story', 'stories')} into {self.out_dir} "
                f"in {self.seconds:.2f} s{drafts}.")


@dataclass(frozen=True)
class Planned:
    """What a build planned and wrote, for a caller that keeps the site in memory (the dev server's
    model, preview.py): `wanted` is every output's fingerprint as written, `fingerprints` the
    fingerprinter that made them, with the pages each article reaches (Fingerprinter.shown_in)."""
    site: Site
    pages: list[Page]
    copies: list[Copy]
    wanted: dict[str, str]
    renderer: Renderer
    fingerprints: Fingerprinter


def count(n: int, one: str, many: str | None = None) -> str:
    """"1 story", "2 stories": how every summary line counts."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def check_output_dir(config: Config) -> None:
    """Refuses an output folder whose replacement would destroy the project or its sources."""
    out = config.output_dir
    protected = {"the project folder": config.root, "the content folder": config.content_dir,
                 "the templates folder": config.templates_dir, "the locales folder": config.locales_dir}
    for what, folder in protected.items():
        if out == folder or out in folder.parents:
            raise BuildError(Problem(out, f"refusing to use this output folder: it is or contains {what} "
                                     f"({folder}), which the build would delete. Choose another --out."))
    if out in (Path(out.anchor), Path.home()) or config.content_dir in out.parents:
        raise BuildError(Problem(out, "refusing to use this output folder; choose a dedicated one "
                                 "such as 'site'."))
    # Every build writes .nojekyll at the top of its output: a folder with files but without it was
    # not made by a build, and replacing it would throw its files away.
    if out.is_dir() and not (out / ".nojekyll").exists() and any(out.iterdir()):
        raise BuildError(Problem(out, "refusing to use this output folder: it holds files that no build made, "
                                 "which the build would replace. Choose a new or empty folder for --out "
                                 "(or 'output' in site.toml), or move those files away."))


def _static_files(config: Config) -> list[Copy]:
    """templates/static/ of the theme, overridden file by file by the site's own."""
    found: dict[str, Path] = {}
    for folder in reversed(config.template_dirs):
        root = folder / STATIC
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            relative = path.relative_to(root)
            if path.is_file() and not any(ignored_name(part) for part in relative.parts):
                found[relative.as_posix()] = path
    return [Copy(f"assets/{name}", path, str(path)) for name, path in sorted(found.items())]


def _versioned(copies: list[Copy], site: Site, versions: bool = True) -> dict[str, str]:
    """Each static file's link; with `versions`, carrying a digest of its bytes, so a browser's
    cached copy never goes stale. Without (the dev server, which forbids caching), a stylesheet's
    edit changes no page: it is copied, and swapped in the open tabs."""
    result = {}
    for copy in copies:
        href = site.urls.href(copy.path)
        if versions:
            href += f"?v={hashlib.sha256(copy.src.read_bytes()).hexdigest()[:10]}"
        result[copy.path.removeprefix("assets/")] = href
    return result


def gather(config: Config, include_drafts: bool = False, cache: Cache | None = None, progress=None,
           tree: Tree | None = None, drafts: list[Path] | None = None):
    """Reads and checks all inputs; every problem from content and catalogs is reported at once.
    The draft files left out are added to `drafts`."""
    problems: list[Problem] = []
    stories, translators = [], {}
    def parse_cached(files):
        return cache.parse(files, progress.phase("reading", len(files)) if progress else None)
    try:
        stories = load_stories(config, include_drafts=include_drafts, parse=parse_cached if cache else None,
                               tree=tree, drafts=drafts)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    try:
        translators = load_translators(config)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    give_back()  # what the parse results' bodies and the cache's rows held, now that they are freed
    return Site.gather(config, stories), translators


def build(config: Config, *, include_drafts: bool = False, clean: bool = False, use_cache: bool = True,
          progress: Progress | None = None, log: Callable[[str], None] | None = None,
          workers: int | None = None, cache: Cache | None = None, search_index: bool = True,
          cancel: threading.Event | None = None, asset_versions: bool = True,
          keep: Callable[[Planned], None] | None = None) -> Report:
    """Builds the site into config.output_dir. With a manifest of the last build, only pages whose
    fingerprint changed are rendered, and only files whose bytes changed are replaced; otherwise (or
    with clean=True) everything is built into a new folder that replaces the old one at the end.
    Either way, any error in content, catalogs or templates is raised before the output is touched.
    `progress` draws a bar on a terminal; `log` receives a line per phase (--verbose); `workers`
    caps the processes (default: one per core; 1 never forks, which a threaded caller needs);
    `cache` lets a long-lived caller (the dev server) keep the cache in memory between builds.
    `search_index=False` keeps the search index of the last build as it is, even when stories changed
    (the dev server refreshes it later, off the edit's path); the next build with it on catches up.
    `cancel`, once set, stops the making of the search index (search.Cancelled).
    `asset_versions=False` links static files without their digest (see _versioned).
    `keep` receives what was planned and written (Planned), unless there was nothing to do."""
    start = perf_counter()
    say = log or (lambda line: None)
    check_output_dir(config)
    _recover(config.output_dir)  # what a killed build left beside the output folder
    if cache is None or clean:  # clean: trust nothing stored, not even a caller's cache in memory
        cache = Cache(config, enabled=use_cache if cache is None else cache.enabled, trust=not clean,
                      workers=workers if cache is None else cache.workers,
                      long_lived=cache is not None and cache.long_lived)
    cache.config = config  # the caller may have re-read site.toml since the last build
    out = config.output_dir
    # The walk below makes 200,000 tuples at 50,000 stories, none in a cycle: the garbage collector
    # would only go over them again and again (30 ms of the 0.8 s of a build with nothing to do).
    missing = None
    with paused():
        try:
            # The record of the last build without its outputs' fingerprints (load_manifest(outputs=False)):
            # enough to see that there is nothing to do. Looking for every output it names (300,000
            # files at 50,000 stories) starts in another process, while this one walks content/.
            previous = cache.load_manifest(out, outputs=False)
            missing = _missing(out, previous, fork=workers != 1) if previous else None
            # Each folder's listing is kept in the cache for the next walk, which lists again only the
            # folders that changed (or had changed less than 5 s before they were listed): a stat
            # each instead of a listing each, 50,000 at 50,000 stories.
            known = cache.load_table("content-folders")
            tree = walk_content(config.content_dir, stats=True, known=known, settled=time_ns() - 5 * 10**9) \
                if config.content_dir.is_dir() else None
            if tree is not None and tree.listing != known:
                cache.save_table("content-folders", tree.listing)
            snapshot = input_snapshot(config, tree, include_drafts)
            if previous and previous.get("snapshot") == snapshot and not missing() \
                    and (previous.get("search_current") or not search_index):
                # No input changed since the last build (by size, modification and change times and
                # inode), and every output is there.
                say("no input changed since the last build")
                counts = previous["counts"]
                return Report(pages=counts["pages"], written=0, files=counts["files"], stories=counts["stories"],
                              seconds=perf_counter() - start, out_dir=out, full=False,
                              warnings=tuple(previous.get("warnings", ())), drafts=counts.get("drafts", 0))
        finally:
            if missing:
                missing(needed=False)  # stops the other process if it is still looking
    if previous is not None and "outputs" not in previous:
        previous = cache.load_manifest(out)  # the whole record: its outputs' fingerprints
    tree = replace(tree, stats=None, listing=None) if tree else None  # they were for the snapshot

    drafts: list[Path] = []
    site, translators = gather(config, include_drafts, cache, progress, tree, drafts)
    tree = None  # its listing of every folder: not needed once the stories are read
    say(f"read {sum(len(s.articles) for s in site.stories)} articles ({cache.hits} from the cache) "
        f"in {perf_counter() - start:.2f} s")
    with _photo_folder(cache) as photo_folder:  # the sizes are copied from it at the very end
        site, made = _prepare_photos(site, cache, photo_folder, progress, workers, say)
        pages, copies = plan(site)
        static = _static_files(config)
        copies = copies + made + static
        check_collisions(pages, copies)
        hints_start = perf_counter()
        warnings = _pairing_hints(site, cache, workers, progress)
        say(f"looked for single-language stories to pair in {perf_counter() - hints_start:.2f} s: "
            f"{len(warnings)} found")
        assets = _versioned(static, site, asset_versions)
        renderer = Renderer(site, translators, assets, cache.templates)
        fingerprints = Fingerprinter(site, global_key(config, include_drafts, assets), record=keep is not None)
        wanted = {page.path: fingerprints.page(page) for page in pages}
        wanted.update((copy.path, fingerprints.copy(copy)) for copy in copies)
        if keep is None:
            fingerprints = None  # its tokens of every article (86 MB at 50,000 stories) have served
        index_key = search.key(wanted)
        indexed = search.recorded(previous["outputs"]) if previous else {}
        # The index's published files, by inode (100,000 at 50,000 stories): _update needs them too.
        index_inodes = {path: _inode(Urls.output_name(str(out), path)) for path in indexed}
        if None in index_inodes.values():
            indexed = {}  # a file of it was deleted: it is made again, whole
        current = bool(indexed) and all(value == index_key for value in indexed.values())
        if indexed and (current or not search_index):
            wanted.update(indexed)  # kept as they are, like any unchanged output
        wanted_index = search_index and not current and search.has_articles(wanted)
        index_warnings: list[str] = []
        shelf = search_shelf(cache)
        indexer = (lambda tree: _index(tree, index_key, cancel, index_warnings, shelf, workers)) if wanted_index else None

        say(f"planned {len(pages)} pages and {len(copies)} files")
        say("no usable record of the last build: building everything" if previous is None
            else "building the pages whose inputs changed")
        render_start = perf_counter()
        update = progress.phase("rendering", len(pages)) if progress else None
        if previous is None:
            written = _build_all(renderer, pages, copies, config, update, workers, cache, indexer, wanted)
        else:
            written = _update(renderer, pages, copies, config, previous["outputs"], wanted, cache, update, say,
                              workers, indexer, index_inodes)
    say(f"rendered {written} pages in {perf_counter() - render_start:.2f} s")
    warnings += tuple(index_warnings)
    counts = {"pages": len(pages), "files": len(copies), "stories": len(site.stories), "drafts": len(drafts)}
    cache.save_manifest(out, wanted, snapshot, counts, warnings,
                        search_current=search_index or current)
    if keep is not None:
        keep(Planned(site, pages, copies, wanted, renderer, fingerprints))
    return Report(pages=len(pages), written=written, files=len(copies), stories=len(site.stories),
                  seconds=perf_counter() - start, out_dir=out, full=previous is None, warnings=warnings,
                  drafts=len(drafts))


def _index(tree: Path, key: str, cancel: threading.Event | None, warnings: list[str],
           shelf: search.Shelf | None = None, workers: int | None = None) -> dict[str, str]:
    """The search index's files; when Pagefind fails, none, and a warning: the stories are still
    published, and the search page says search is unavailable."""
    give_back()  # the rendered pages' memory, before Pagefind's processes and the merge need theirs
    try:
        return search.index(tree, key, cancel, shelf, workers)
    except search.Cancelled:
        raise
    except BuildError as exc:
        warnings.extend(f"{problem.message}; the site was built without a search index." for problem in exc.problems)
        return {}


def search_shelf(cache: Cache) -> search.Shelf | None:
    """Where the search index's shares are kept between builds, if anywhere."""
    folder = own_folder(cache.dir, search.SHELF_FOLDER) if cache.enabled else None
    return search.Shelf(folder, trust=cache.trust) if folder is not None else None


@contextmanager
def _photo_folder(cache: Cache):
    """Where the photos' sizes are made: the cache's folder, so a rebuild reuses them; without a
    usable cache, a temporary folder removed once the build has copied them."""
    folder = images.cache_folder(cache.dir) if cache.enabled else None
    if folder is not None:
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="newsdigest-photos-") as scratch:
        yield Path(scratch)


def _prepare_photos(site: Site, cache: Cache, folder: Path, progress: Progress | None, workers: int | None,
                    say: Callable[[str], None]) -> tuple[Site, list[Copy]]:
    """The site with its photos (Site.photos), and the copies of their sizes."""
    start = perf_counter()
    # Threads, not processes (Pillow works without the GIL), so workers=1, which only says "never
    # fork" for a threaded caller such as the dev server, does not stop them; a larger cap holds.
    threads = workers if workers and workers > 1 else None
    phase = (lambda total: progress.phase("photos", total)) if progress else None
    known = cache.load_table(images.TABLE, images.decode_row)
    prepared = images.prepare(site, folder, known=known, reuse=cache.trust, threads=threads, progress=phase)
    if prepared.known != known:
        cache.save_table(images.TABLE, prepared.known)
    say(f"prepared {len(prepared.copies)} photo sizes ({prepared.made} encoded) in {perf_counter() - start:.2f} s")
    return replace(site, photos=prepared.photos), prepared.copies


def _pairing_hints(site: Site, cache: Cache, workers: int | None, progress: Progress | None) -> tuple[str, ...]:
    """Warnings naming single-language stories the importer would pair. Advice only: if looking
    fails (the importer's code is broken, say), the build goes on and says so."""
    from . import pair_hints
    try:
        phase = (lambda total: progress.phase("pairing", total)) if progress else None
        return tuple(h.message() for h in pair_hints.find(site, cache, workers, phase))
    except Exception as exc:  # noqa: BLE001 - a hint must never cost the editor the build
        return (f"could not look for single-language stories to pair ({type(exc).__name__}: {exc}); "
                "the site was built without that check.",)


def input_snapshot(config: Config, tree: Tree | None, include_drafts: bool) -> str:
    """A digest of every input's name, size, modification and change times and inode, with the
    settings and code: equal digests mean there is nothing to rebuild. Cheap (stat only), unlike
    reading the files. The change time catches an edit that keeps the size and puts the
    modification time back (os.utime, rsync --times, an editor's "preserve timestamps").
    The stats of content/ are the walk's (walk_content(stats=True)) when it took them."""
    def key(path: str) -> tuple[int, int, int, int] | None:
        try:
            return stat_key(os.stat(path))
        except OSError:  # vanished while we looked: the snapshot simply differs
            return None

    # What fingerprint.global_settings says (the code, every setting but the output folder, the
    # drafts), without importing fingerprint.py (and Pillow, Jinja's parser...) here.
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "output_dir"}
    digest = hashlib.blake2b(repr((code_key(), sorted(settings.items()), include_drafts)).encode(), digest_size=16)
    digest.update(repr(tree.links_out if tree else ()).encode())  # a refused link is a change too
    folders = list(tree or ())
    keys = list(tree.stats) if tree is not None and tree.stats is not None else \
        [key(os.path.join(folder, name)) for folder, files in folders for name in files]
    for root in (*config.template_dirs, *config.locale_dirs):
        for folder, _, files in sorted(os.walk(root)):
            files = sorted(files)
            folders.append((folder, files))
            keys.extend(key(os.path.join(folder, name)) for name in files)
    # Every file's path, unambiguously (no name holds "\0" or "/"; a folder without files counts
    # for nothing, as in the build), then each field of the stat keys as 64-bit integers: a few
    # updates rather than a formatted line per file (100,000 at 50,000 stories).
    names = "".join(f"{folder}\0{len(files)}\0" + "\0".join(files) + "\0" for folder, files in folders if files)
    digest.update(names.encode("utf-8", "surrogateescape"))
    if None in keys:
        keys = [(-1, -1, -1, 0) if found is None else found for found in keys]
    fields = list(chain.from_iterable(keys))
    for n, kind in enumerate("qqqQ"):  # modification time, size, change time, inode
        digest.update(array(kind, fields[n::4]).tobytes())
    return digest.hexdigest()


def _missing(out: Path, record: dict, fork: bool = False) -> Callable[..., bool]:
    """Starts looking for every output file the last build's record names, and returns a function
    saying whether any is missing, as os.path.exists would say (gone, or a link to nothing): a
    deleted output is made again. Call answer(), or answer(needed=False) when the answer is no
    longer needed. The record's "files" are looked for one by one (os.access, relative to the
    output folder: no stat result to build), its "listed" folders (the search index's 100,000
    fragments at 50,000 stories) by one listing each; a record without them (read from the JSON)
    names its outputs. With fork, and more than one core, a child process looks meanwhile and
    answers by its exit status; needed=False stops it if it is still looking."""
    def look() -> bool:
        if "files" in record:
            files, listed = record["files"].split("\0")[1:], record["listed"]
        else:
            files, listed = [Urls.output_name("", path) for path in record["outputs"]], {}
        root = str(out)
        try:
            fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return True
        try:
            if os.access in os.supports_dir_fd:
                access, F_OK = os.access, os.F_OK
                for name in files:
                    if not access(name, F_OK, dir_fd=fd):
                        return True
            elif not all(os.path.exists(os.path.join(root, name)) for name in files):
                return True
            for folder, names in listed.items():
                try:
                    with os.scandir(os.path.join(root, folder)) as entries:
                        there = {entry.name for entry in entries
                                 if not entry.is_symlink() or os.path.exists(entry.path)}
                except OSError:
                    return True
                if not there.issuperset(names.split("\0")):
                    return True
            return False
        finally:
            os.close(fd)

    pid = None
    if fork and hasattr(os, "fork") and cores() > 1:
        try:
            pid = os.fork()
        except OSError:  # no process to spare: look here, when asked
            pid = None
        if pid == 0:  # the child: look, answer by the exit status, never return into the build
            status = 2
            try:
                status = 1 if look() else 0
            finally:
                os._exit(status)
    answered: list[bool] = []

    def answer(needed: bool = True) -> bool:
        if not answered:
            if pid is None:
                if not needed:
                    return True
                answered.append(look())
            else:
                if not needed:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    _, status = os.waitpid(pid, 0)
                except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): no answer
                    status = 1 << 8
                answered.append(not needed or os.waitstatus_to_exitcode(status) != 0)
        return answered[0]
    return answer


def _render_into(renderer: Renderer, pages: list[Page], root: Path, progress=None, workers=None) -> int:
    """Renders pages into files below root, spread over the cores; returns how many.

    The garbage collector is paused meanwhile: rendering makes no reference cycle worth looking
    for, and a full collection in a forked worker writes to every object of the model it inherited,
    so the worker copies the memory pages that hold them (at 5,000 stories, the worker's copy of
    the parent's memory went from 72 to 56 MB, and the process tree's peak while rendering from
    193 to 175 MB). For the same reason a worker hands over to a fresh one every RENDER_PER_CHILD
    pages."""
    def work(chunk: list[Page], tick) -> list[int]:
        made: set[str] = set()
        for page in chunk:
            _write(str(root), page.path, renderer.stream(page), made)
            tick()
        return [len(chunk)]
    with paused():
        return sum(fork_map(work, pages, workers, progress, per_child=RENDER_PER_CHILD))


def _write(root: str, path: str, parts: Iterable[str], made: set[str]) -> None:
    """Writes a page's text, part by part, into a new file (a failure leaves it half written,
    in a tree that is then thrown away)."""
    target = Urls.output_name(root, path)
    folder = os.path.dirname(target)
    try:
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        _unlink(target)  # it may be a link to the published file: never write through it
        with open(target, "wb") as handle:
            for part in parts:
                handle.write(part.encode())
    except OSError as exc:
        if exc.filename is None:  # a failed write() or close() does not say which file
            exc.filename = target
        raise


def _copy_into(root: Path, copy: Copy, live: Path | None = None) -> bool:
    """Copies a story's file or a static file into the tree being built; with `live` (the published
    site), only when its bytes differ from the published file's. Returns whether it was copied."""
    target = Urls.output_name(str(root), copy.path)
    try:
        if live is not None and _same_bytes(copy.src, Urls.output_name(str(live), copy.path)):
            return False
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _unlink(target)  # it may be a link to the published file: never write through it
        shutil.copyfile(copy.src, target)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = target
        raise
    return True


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _same_bytes(a: str | Path, b: str | Path) -> bool:
    """Whether two files hold the same bytes (False when either is missing)."""
    try:
        if os.stat(a).st_size != os.stat(b).st_size:
            return False
        with open(a, "rb") as one, open(b, "rb") as two:
            while True:
                chunk = one.read(1 << 20)
                if chunk != two.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except FileNotFoundError:
        return False


def _hosting_files(root: Path, config: Config, live: Path | None = None) -> list[str]:
    """What GitHub Pages reads: .nojekyll (serve files as they are) and CNAME for a custom domain,
    written into the tree being built; with `live` (the published site), only those that differ
    from its own. Returns the names that differ (a CNAME to remove included)."""
    changed = []
    for name, text in ((".nojekyll", ""), ("CNAME", config.cname + "\n" if config.cname else None)):
        published = live / name if live is not None else None
        if text is None:
            if published is not None and os.path.lexists(published):
                changed.append(name)
            continue
        data = text.encode("utf-8")
        if published is None or not published.is_file() or published.read_bytes() != data:
            _unlink(root / name)
            (root / name).write_bytes(data)
            changed.append(name)
    return changed


def _hosting_names(config: Config) -> tuple[str, ...]:
    return (".nojekyll", "CNAME") if config.cname else (".nojekyll",)


@contextmanager
def _staged(out: Path, files: set[str], spare: bool = True):
    """The folder the next tree is built in, beside `out` (so on its disk: it can be linked from and
    swapped in place) and named after this process (so a later build can tell an abandoned one,
    _recover). It is the spare, the tree the last build retired, pruned to what `files` (output
    files relative to the site root) need, or else (or with spare=False) a new empty folder, which
    is then always removed at the end. Yields the folder and the inode of each file kept in it.
    Afterwards the folder (the previous site, after a swap) becomes
    the next spare: making and deleting every folder of a large site was most of the cost of a
    small edit. A file-system error (a full disk, a read-only or forbidden folder) removes it and
    becomes a BuildError naming the file; `out` is then left as it was."""
    folder = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
        try:
            if spare:
                os.replace(_spare(out), folder)  # claimed atomically: two builds never share it
        except OSError:  # none (or a concurrent build took it): start from the empty folder
            pass
        if os.path.islink(folder) or not os.path.isdir(folder):  # never follow a planted link
            _remove(folder)
            os.mkdir(folder)
        os.chmod(folder, 0o755)  # mkdtemp makes it private; a published site must be world-readable
        kept = _prune(folder, files)
        yield folder, kept
    except OSError as exc:
        if folder is not None:
            _remove(folder)  # a full disk needs the space back
        raise BuildError(_os_problem(exc, out)) from None
    except BaseException:
        if folder is not None:
            _retire(folder, out) if spare else _remove(folder)  # a template error: still a good spare
        raise
    else:
        _retire(folder, out) if spare else _remove(folder)


def _retire(folder: Path, out: Path) -> None:
    """Keeps a build's folder as the next build's spare (any tree will do: _prune and
    _link_published check every file), or removes it when it is empty or a spare is there already."""
    try:
        os.rmdir(folder)  # empty, or moved into place by a first build: nothing worth keeping
    except FileNotFoundError:
        return
    except OSError:
        try:
            os.replace(folder, _spare(out))
        except OSError:  # a concurrent build kept its own
            _remove(folder)


def _spare(out: Path) -> Path:
    return out.parent / f".{out.name}-spare"


def _prune(tree: Path, files: set[str]) -> dict[str, int]:
    """Removes from `tree` every file and folder that is neither one of `files` nor a folder of one;
    returns {file: inode} for the files kept. Links are never followed."""
    folders: set[str] = set()
    for name in files:
        folder = name.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    kept: dict[str, int] = {}
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(f"{tree}/{relative}") as entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name in folders:
                        pending.append(name)
                    else:
                        shutil.rmtree(entry.path)
                elif name in files:
                    kept[name] = entry.inode()
                else:
                    os.unlink(entry.path)
    return kept


def _link_published(live: Path, tree: Path, files: list[tuple[str, int]], kept: dict[str, int]) -> int:
    """Makes each file (name, inode) of the published site `live` the very same file in `tree` (see
    link_or_copy), unless it already is; returns how many links were made."""
    live_root, tree_root, count = str(live), str(tree), 0
    for name, inode in files:
        if inode is not None and kept.get(name) == inode:
            continue
        source, target = f"{live_root}/{name}", f"{tree_root}/{name}"
        if name in kept:
            os.unlink(target)
        try:
            link_or_copy(source, target)
        except FileNotFoundError:  # its folder is not there yet
            os.makedirs(os.path.dirname(target), exist_ok=True)
            link_or_copy(source, target)
        count += 1
    return count


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def _trim(tree: Path, names) -> None:
    """Drops from a retired tree the files the new site does not share with it (their old versions),
    so the spare holds folders and links only: its folders are what makes it worth keeping. Best
    effort: the new site is already in place, and the next build prunes the spare anyway."""
    try:
        if os.path.isdir(tree):  # not after a first build, which moved the tree into place
            for name in names:
                _unlink(f"{tree}/{name}")
    except OSError:
        pass


def _build_all(renderer: Renderer, pages: list[Page], copies: list[Copy], config: Config, progress=None,
               workers=None, cache: Cache | None = None, indexer=None, wanted: dict[str, str] | None = None) -> int:
    """Builds every page and file into a new tree, then swaps it in for the output folder.
    `indexer(tree)` makes the search index in it and returns its files, added to `wanted`."""
    out = config.output_dir
    files = _output_files(pages, copies, config)
    with _staged(out, files) as (tree, _):
        # Pruning the spare tree needed them; the search index is made much later (at 50,000
        # stories, 190,000 names the parent would hold while the worker renders and Pagefind runs).
        files.clear()
        written = _render_into(renderer, pages, tree, progress, workers)
        for copy in copies:
            _copy_into(tree, copy)
        _hosting_files(tree, config)
        if indexer is not None:
            (wanted if wanted is not None else {}).update(indexer(tree))
        if cache is not None:
            cache.forget_manifest(out)  # a build killed after the swap must not trust the old record
        swap(tree, out)
        _trim(tree, _output_files(pages, copies, config))  # every file was written anew: none is shared with the old site
    return written


def _output_files(pages: list[Page], copies: list[Copy], config: Config) -> set[str]:
    """Every output file, relative to the site root."""
    files = {Urls.output_name("", item.path) for item in [*pages, *copies]}
    files.update(_hosting_names(config))
    return files


def _update(renderer: Renderer, pages: list[Page], copies: list[Copy], config: Config,
            previous: dict[str, str], wanted: dict[str, str], cache: Cache, progress=None,
            say: Callable[[str], None] = lambda line: None, workers=None, indexer=None,
            inodes: dict[str, int | None] | None = None) -> int:
    """Renders the pages whose fingerprint changed and copies the files that changed into a new tree,
    links every other output into it from the published site (the same file: its bytes and
    modification time stay), and swaps the whole tree in. When no published byte would change,
    the output folder is not touched."""
    out = config.output_dir
    live = str(out)
    names = {path: Urls.output_name("", path) for path in wanted}  # output files, relative to the site
    known = inodes or {}  # those already looked up, by site path
    published = {path: known[path] if path in known else _inode(f"{live}/{name}")  # no os.path: 16,000 of them
                 for path, name in names.items()}
    dirty = [p for p in pages if previous.get(p.path) != wanted[p.path] or published[p.path] is None]
    fresh = [c for c in copies if previous.get(c.path) != wanted[c.path] or published[c.path] is None]
    stale = [path for path in previous if path not in wanted]
    say(f"{len(dirty)} pages changed, {len(fresh)} files to copy, {len(stale)} outputs to remove")
    files = set(names.values())
    files.update(_hosting_names(config))
    with _staged(out, files, spare=False) as (scratch, _):
        # First only what changed, aside: a template error found on the 500th page leaves `out`
        # untouched, and when no published byte changes there is nothing more to do.
        _render_into(renderer, dirty, scratch, progress, workers)
        changed = [name for name in (names[p.path] for p in dirty) if not _drop_unchanged(scratch, out, name)]
        changed += [names[c.path] for c in fresh if _copy_into(scratch, c, out)]
        hosting = _hosting_files(scratch, config, out)
        removed = [name for name in (Urls.output_name("", path) for path in stale) if _plain(name)]
        removed += [n for n in hosting if n not in files]
        changed += [n for n in hosting if n in files]
        if not (changed or removed or indexer):
            say("no published file changed: the output folder was left as it was")
            return len(dirty)
        with _staged(out, files) as (tree, kept):
            _move_into(scratch, tree, changed)
            moved = set(changed)
            unchanged = [(name, published[path]) for path, name in names.items() if name not in moved]
            unchanged += [(name, _inode(os.path.join(live, name))) for name in _hosting_names(config)
                          if name not in moved]
            linked = _link_published(out, tree, unchanged, kept)
            say(f"{len(changed)} files changed, {len(removed)} removed; {linked} links made to unchanged "
                "published files")
            if indexer is not None:
                index_start = perf_counter()
                wanted.update(indexer(tree))
                say(f"made the search index in {perf_counter() - index_start:.2f} s")
            cache.forget_manifest(out)  # a build killed after the swap must not trust the old record
            swap(tree, out)
            _trim(tree, changed + removed)
    return len(dirty)


def _plain(name: str) -> bool:
    """A relative file name that stays inside its folder: what a stored record may name for deletion."""
    return bool(name) and "\0" not in name and not os.path.isabs(name) and ".." not in name.split("/")


def _drop_unchanged(scratch: Path, live: Path, name: str) -> bool:
    """Deletes a page just rendered into `scratch` if the published site has these very bytes (it
    then keeps its file and modification time). Returns whether it did."""
    new = os.path.join(scratch, name)
    if not _same_bytes(new, os.path.join(live, name)):
        return False
    os.unlink(new)
    return True


def _move_into(scratch: Path, tree: Path, names: list[str]) -> None:
    """Moves files from `scratch` to the same place in `tree` (same disk: renames, no copying)."""
    for name in names:
        source, target = os.path.join(scratch, name), os.path.join(tree, name)
        try:
            os.replace(source, target)  # never through a link to the published file
        except FileNotFoundError:
            if not os.path.lexists(source):
                raise
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(source, target)


# renameat2(2) flag and the "current directory" file descriptor (Linux).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2():
    """glibc's renameat2 (2.28+), or None where there is none (not Linux, another libc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(a: Path, b: Path) -> bool:
    """Swaps two folders in one system call (renameat2 RENAME_EXCHANGE): there is no instant without
    either. False where the system or the file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel, or a file system without it
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


def swap(new: Path, out: Path) -> None:
    """Puts the complete tree `new` in place of `out`, so a reader, or a kill, finds the old site or
    the new one, never a mix; afterwards `new` holds the old tree, if there was one. One atomic
    exchange; where the system has none, renames (out -> .out-old-..., new -> out, that -> new): a
    build killed between the first two leaves no `out`, and the next build puts the old one back
    (_recover)."""
    if not os.path.lexists(out):
        os.rename(new, out)
        return
    if _exchange(new, out):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-{os.getpid()}-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(old, out)
        raise
    try:
        os.rename(old, new)
    except OSError:  # the new site is in place all the same
        _remove(old)


def _remove(path: Path) -> None:
    """Deletes a tree (or a file) if it is there; what cannot be deleted is left for the next build."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass


def _abandoned(name: str, prefix: str) -> bool:
    """Whether a build's folder (".site-tmp-<pid>-..."; older versions wrote no pid) belongs to no
    running build: its process is gone, or is this one (whose builds run one at a time)."""
    pid = name[len(prefix) + len("tmp"):].split("-")[1:2]
    if not pid or not pid[0].isdigit():
        return True
    if int(pid[0]) == os.getpid():
        return True
    try:
        os.kill(int(pid[0]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # someone else's live process
        return False
    return False


def _recover(out: Path) -> None:
    """Puts right what a killed build can leave beside `out`: the previous site moved aside by the
    two-rename swap with nothing in its place is put back, and an abandoned build folder becomes the
    spare if there is none (any tree will do) or is removed (a folder of a build still running, in
    another process, is left alone)."""
    prefix = f".{out.name}-"
    try:
        names = sorted(n for n in os.listdir(out.parent)
                       if n.startswith((prefix + "tmp", prefix + "old")) and _abandoned(n, prefix))
    except OSError:  # no parent folder yet, or not readable: nothing of ours there
        return
    if not os.path.lexists(out):
        olds = [n for n in names if n.startswith(prefix + "old") and os.path.isdir(out.parent / n)]
        if olds:
            try:
                os.rename(out.parent / olds[-1], out)
            except OSError as exc:
                raise BuildError(_os_problem(exc, out)) from None
            names.remove(olds[-1])
    for name in names:
        _retire(out.parent / name, out)


_WHY = {  # errno: (what happened, what to do)
    errno.ENOSPC: ("the disk is full", "free some space on it, then build again"),
    errno.EDQUOT: ("your disk quota is used up", "free some space or ask for a larger quota, then build again"),
    errno.EROFS: ("the disk is read-only", "make it writable, or build elsewhere with --out DIR"),
    errno.EACCES: ("permission denied", "make {folder} writable for you, or build elsewhere with --out DIR"),
    errno.EPERM: ("operation not permitted", "make {folder} writable for you, or build elsewhere with --out DIR"),
}


def _os_problem(exc: OSError, out: Path) -> Problem:
    """The problem to report for a file-system error met while building `out`: the file as it would
    be published (not its temporary path) or the folder, what happened, and what to do."""
    paths = [Path(os.fsdecode(p)) for p in (exc.filename2, exc.filename) if isinstance(p, (str, bytes))]
    reason, fix = _WHY.get(exc.errno, (exc.strerror or str(exc), "fix that, then build again"))
    fix = fix.format(folder=out.parent)
    for path in paths:  # the destination first: a failed copy or link names both files
        if path == out.parent or path in out.parents:
            return Problem(path, f"could not create this folder: {reason}; {fix}.")
        if out.parent not in path.parents:
            continue
        top, *below = path.relative_to(out.parent).parts
        if top == out.name or top.startswith(f".{out.name}-"):  # the site, or a build's folder beside it
            if not below:
                return Problem(out.parent, f"could not create the new site in this folder: {reason}; {fix}.")
            return Problem(out.joinpath(*below), f"could not write this file: {reason}; {fix}.")
    if not paths:
        return Problem(out, f"could not build the site here: {reason}; {fix}.")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
        return Problem(paths[0], f"could not write this file: {reason}; {fix}.")
    return Problem(paths[-1], f"could not read this file: {reason}; make it readable, then build again.")
