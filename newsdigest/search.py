"""The search index: Pagefind over the built article pages, one index per <html lang> (so a French
reader gets French results, with French stemming), written into the tree a build is about to swap
in. Pagefind comes from its PyPI package, which ships the binary; nothing is downloaded. It is run
over a share of the pages at a time, and the shares' indexes merged into one (see index() and
search_merge), which bounds its memory whatever the number of stories; each share's index is kept
for the next build (search_shelf).

The index is made again only when an article page's fingerprint changed: its files are recorded in
the build's manifest under KEY_PREFIX plus a digest of every article page's fingerprint, and kept
as they are (linked, like any unchanged output) while that digest holds."""
from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

from . import search_merge
from .errors import BuildError, Problem
from .linking import link_or_copy
from .parallel import cores
from .search_merge import ENTRY  # noqa: F401 (search.ENTRY: the file pagefind.js reads first)
from .search_shelf import Shelf
from .urls import Urls

BUNDLE = Urls.search_bundle()  # "pagefind/"
KEY_PREFIX = "search:"
SHELF_FOLDER = "search"  # below the cache's folder: the shares' indexes (search_shelf)
# Article pages sit at <lang>/<yyyy>/<mm>/<dd>/<slug>/: the only pages with data-pagefind-body.
_ARTICLE = re.compile(r"^[a-z]{2,3}/\d{4}/\d\d/\d\d/[^/]+/$")
GLOB = "*/*/*/*/*/index.html"  # where they are (each is then matched with _ARTICLE)
TIMEOUT = 1800  # seconds: far beyond 50,000 stories' worth of pages
REINSTALL = "reinstall newsdigest ('pip install newsdigest' brings Pagefind)"
# HTML given to one Pagefind process: it holds ~8 times that at its peak (see index()).
SHARD_BYTES = 16 * 2**20
# Pagefind's allocator (jemalloc) gives freed memory back at once instead of keeping it for reuse.
PAGEFIND_ENVIRONMENT = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}


def _version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "none"


def key(outputs: dict[str, str]) -> str:
    """The fingerprint every file of the index carries: the article pages' fingerprints (a site
    path -> fingerprint map, as the manifest holds) and Pagefind's version."""
    digest = hashlib.blake2b(_version().encode(), digest_size=16)
    for path in sorted(p for p in outputs if _ARTICLE.match(p)):
        digest.update(f"{path}\0{outputs[path]}\n".encode())
    return KEY_PREFIX + digest.hexdigest()


def has_articles(outputs: dict[str, str]) -> bool:
    """Whether there is anything to index (Pagefind refuses a site without a page to index)."""
    return any(_ARTICLE.match(path) for path in outputs)


def recorded(outputs: dict[str, str]) -> dict[str, str]:
    """The index's files among a manifest's outputs."""
    return {path: fingerprint for path, fingerprint in outputs.items() if path.startswith(BUNDLE)}


class Cancelled(BuildError):
    """The index was given up halfway (the dev server has an edit to build): nothing was swapped in."""

    def __init__(self, tree: Path):
        super().__init__(Problem(tree, "making the search index was given up for a newer build"))


def index(tree: Path, fingerprint: str, cancel: threading.Event | None = None,
          shelf: Shelf | None = None, workers: int | None = None) -> dict[str, str]:
    """Indexes the built tree's article pages into tree/pagefind/; returns its files (site paths)
    with `fingerprint`, for the manifest. A failure is a BuildError, and `cancel` being set stops
    Pagefind with Cancelled: either way the tree is then not swapped in.

    Pagefind holds every page it indexes in memory, twice over while it builds the index (about
    0.1 MB a page: 1.1 GB for 10,000 pages). So it is given the pages a share at a time (at most
    SHARD_BYTES of HTML each, `workers` processes at a time, in a scratch folder inside the tree), and
    the shares' indexes are merged into one index per language (search_merge.merge): the same
    words, pages and weights as one Pagefind run over all of them, so readers get the same results,
    and the same bytes however the pages were shared out.

    With a `shelf`, each share's index is kept, under a digest of its pages' bytes, and Pagefind
    runs only over the shares whose pages changed (the shares' cuts are chosen by the pages' names,
    so an edit moves only the cuts next to it). Bytes, not fingerprints: a page's fingerprint also
    changes when a story it only links to changed."""
    found = _articles(tree, cancel)
    if not found:
        raise BuildError(Problem(tree, "the search index could not be made: there is no article page to index"))
    scratch = Path(tempfile.mkdtemp(prefix=".search-", dir=tree))
    shares = _shares(found, SHARD_BYTES)
    try:
        try:
            _index_shares(tree, scratch, shares, cancel, shelf, workers)
        except (OSError, *search_merge.UNREADABLE):
            if shelf is None or not shelf.trust:
                raise
            # A stored share this build can't read: made again, with every other (a crafted or
            # damaged cache only makes a build slower).
            shutil.rmtree(scratch)
            scratch.mkdir()
            _index_shares(tree, scratch, shares, cancel, Shelf(shelf.folder, trust=False), workers)
    except search_merge.Interrupted:
        raise Cancelled(tree) from None
    except (OSError, *search_merge.UNREADABLE) as exc:
        why = str(exc) if isinstance(exc, search_merge.Failed) else f"{type(exc).__name__}: {exc}"
        raise BuildError(Problem(tree, f"the search index could not be merged ({why}): "
                                       f"Pagefind {_version()} writes an index newsdigest does not know; "
                                       f"{REINSTALL}")) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    root = tree / BUNDLE
    return {f"{BUNDLE}{path.relative_to(root).as_posix()}": fingerprint
            for path in sorted(root.rglob("*")) if path.is_file()}


def _index_shares(tree: Path, scratch: Path, shares: list[list[str]], cancel: threading.Event | None,
                  shelf: Shelf | None, workers: int | None) -> None:
    """Makes tree/pagefind/ from the shares' indexes: stored ones where the shelf has them, Pagefind's
    runs over the others (stored in turn). A failure leaves no tree/pagefind/."""
    executable = _executable(tree)
    at_once = workers or cores()
    outputs, runs, keys, used = [], [], {}, set()
    for number, share in enumerate(shares):
        if cancel is not None and cancel.is_set():
            raise Cancelled(tree)
        key = _share_key(tree, share) if shelf is not None else None
        if key:
            used.add(key)
        stored = shelf.get(key) if key else None
        if stored is None:
            stored = scratch / f"index-{number}"
            runs.append((scratch / f"site-{number}", share, stored))
            keys[stored] = key
        outputs.append(stored)
    _pagefind(tree, runs, executable, cancel, at_once)
    fresh = [output for _, _, output in runs]
    for output in fresh:
        if keys[output]:
            shelf.put(keys[output], output)
    # Pagefind's code for each language comes from this build's runs: over one page of each
    # language's folder when every share of that language was stored.
    covered = set().union(*map(search_merge.languages, fresh))
    if not set().union(*map(search_merge.languages, outputs)) <= covered:
        firsts: dict[str, str] = {}
        for name in (name for share in shares for name in share):
            firsts.setdefault(name.split("/", 1)[0], name)
        fresh.append(scratch / "code")
        _pagefind(tree, [(scratch / "site-code", list(firsts.values()), fresh[-1])], executable, cancel, 1)
    root = tree / BUNDLE
    if root.exists():
        shutil.rmtree(root)
    try:
        search_merge.merge(outputs, root, cancel, code=fresh, workers=workers)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)  # no half an index in the tree
        raise
    if shelf is not None:
        shelf.prune(used)


def _share_key(tree: Path, share: list[str]) -> str:
    """What a share's index is stored under: its pages' names and bytes, Pagefind's version and
    how it is run."""
    digest = hashlib.blake2b(f"{_version()}\0{GLOB}\0{sorted(PAGEFIND_ENVIRONMENT.items())}".encode(), digest_size=16)
    for name in share:
        digest.update(f"{name}\0".encode())
        with open(tree / name, "rb") as page:
            digest.update(hashlib.file_digest(page, "blake2b").digest())
    return digest.hexdigest()


def _pagefind(tree: Path, runs: list[tuple[Path, list[str], Path]], executable: str,
              cancel: threading.Event | None, at_once: int) -> None:
    """Pagefind's index of the tree's pages `names` at `output`, from links to them in `site`, for
    each (site, names, output) of `runs`, `at_once` processes at a time (one Pagefind keeps about
    one and a half cores busy). `cancel` being set kills them (Cancelled)."""
    waiting = list(reversed(runs))
    running: list[tuple[_Pagefind, Path]] = []
    try:
        while waiting or running:
            if cancel is not None and cancel.is_set():
                raise Cancelled(tree)
            while waiting and len(running) < at_once:
                site, names, output = waiting.pop()
                link_pages(tree, site, names)
                running.append((_Pagefind(tree, [executable, "--site", str(site), "--output-path", str(output),
                                                 "--glob", GLOB, "--silent"]), site))
                if cancel is not None and cancel.is_set():  # at once: a small share's run may end before the wait below
                    raise Cancelled(tree)
            for run in [run for run in running if run[0].done()]:
                running.remove(run)
                shutil.rmtree(run[1])
            if running:
                try:
                    running[0][0].process.wait(0.02)
                except subprocess.TimeoutExpired:
                    pass
    finally:
        for pagefind, _ in running:  # given up (cancelled, failed or too long): killed, not waited for
            pagefind.kill()


def _executable(tree: Path) -> str:
    """Pagefind's binary, which its PyPI package ships (found as `python -m pagefind` finds it, but
    without starting Python for each share)."""
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except ImportError:
        found = None
    if found is None:
        raise BuildError(Problem(tree, f"the search index could not be made: Pagefind is missing; {REINSTALL}"))
    return str(found)


def _articles(tree: Path, cancel: threading.Event | None = None) -> list[tuple[str, int]]:
    """The article pages (paths relative to the tree, in order) and their sizes in bytes. Looking
    takes seconds at 50,000 stories: `cancel` is heeded meanwhile."""
    found = []
    for n, path in enumerate(tree.glob(GLOB)):
        if n % 256 == 0 and cancel is not None and cancel.is_set():
            raise Cancelled(tree)
        name = path.relative_to(tree).as_posix()
        if _ARTICLE.match(name[:-len("index.html")]):
            found.append((name, path.stat().st_size))
    return sorted(found)


def _shares(pages: list[tuple[str, int]], budget: int) -> list[list[str]]:
    """The pages (in order) in runs of at most `budget` bytes of HTML (a larger page alone), cut
    after the pages whose name's hash is a multiple of `every`, so that adding, removing or
    resizing a page moves only the cuts next to it, and the other shares' stored indexes still
    count. `every` makes a share half the budget on average; a power of two, so that the pages'
    mean size can drift by a third before it changes, and a cut at 2n pages is also one at n."""
    mean = sum(size for _, size in pages) / max(1, len(pages))
    every = 2 ** max(0, round(math.log2(max(1.0, budget / max(1.0, 2 * mean)))))
    shares: list[list[str]] = [[]]
    size = 0
    for name, length in pages:
        if shares[-1] and size + length > budget:
            shares.append([])
            size = 0
        shares[-1].append(name)
        size += length
        if _mark(name) % every == 0:
            shares.append([])
            size = 0
    return [share for share in shares if share]


def _mark(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")


def link_pages(tree: Path, site: Path, names: list[str], cancel: threading.Event | None = None) -> None:
    """A folder holding only `names`, at the same paths (so Pagefind gives them the same URLs):
    links to the tree's files, or copies where the file system has no links. Tens of thousands at
    50,000 stories: `cancel` is heeded meanwhile (Cancelled)."""
    made = set()
    for n, name in enumerate(names):
        if n % 256 == 0 and cancel is not None and cancel.is_set():
            raise Cancelled(site)
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(site / folder)
            made.add(folder)
        link_or_copy(tree / name, site / name)


class _Pagefind:
    """One Pagefind process; what it says goes to a file (a pipe nobody reads while it runs could fill)."""

    def __init__(self, tree: Path, arguments: list[str]):
        self.tree, self.said, self.started = tree, tempfile.TemporaryFile(), time.monotonic()
        try:
            self.process = subprocess.Popen(arguments, stdout=self.said, stderr=subprocess.STDOUT,
                                            env={**os.environ, **PAGEFIND_ENVIRONMENT})
        except OSError as exc:
            self.said.close()
            raise BuildError(Problem(tree, f"the search index could not be made ({exc}); {REINSTALL}")) from None

    def done(self) -> bool:
        """Whether it has ended; a BuildError with its last line if it failed, or if it ran too long."""
        if self.process.poll() is None:
            if time.monotonic() - self.started > TIMEOUT:
                raise BuildError(Problem(self.tree, f"the search index took over {TIMEOUT} s and was stopped; "
                                                    f"{REINSTALL}"))
            return False
        self.said.seek(0)
        last = self.said.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        self.said.close()
        if self.process.returncode != 0:
            raise BuildError(Problem(self.tree, f"the search index could not be made: Pagefind said '{last[0]}'; "
                                                f"{REINSTALL}"))
        return True

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.said.close()
