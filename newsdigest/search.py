"""The search index: Pagefind over the built article pages, one index per <html lang> (so a French
reader gets French results, with French stemming), written into the tree a build is about to swap
in. Pagefind comes from its PyPI package, which ships the binary; nothing is downloaded. It is run
over a share of the pages at a time, and the shares' indexes merged into one (see index() and
search_merge), which bounds its memory whatever the number of stories.

The index is made again only when an article page's fingerprint changed: its files are recorded in
the build's manifest under KEY_PREFIX plus a digest of every article page's fingerprint, and kept
as they are (linked, like any unchanged output) while that digest holds."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

from . import search_merge
from .errors import BuildError, Problem
from .search_merge import ENTRY  # noqa: F401 (search.ENTRY: the file pagefind.js reads first)
from .urls import Urls

BUNDLE = Urls.search_bundle()  # "pagefind/"
KEY_PREFIX = "search:"
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


def index(tree: Path, fingerprint: str, cancel: threading.Event | None = None) -> dict[str, str]:
    """Indexes the built tree's article pages into tree/pagefind/; returns its files (site paths)
    with `fingerprint`, for the manifest. A failure is a BuildError, and `cancel` being set stops
    Pagefind with Cancelled: either way the tree is then not swapped in.

    Pagefind holds every page it indexes in memory, twice over while it builds the index (about
    0.1 MB a page: 1.1 GB for 10,000 pages). So it is given the pages a share at a time (SHARD_BYTES
    of HTML each, one process after another, in a scratch folder inside the tree), and the shares'
    indexes are merged into one index per language (search_merge.merge): the same words, pages and
    weights as one Pagefind run over all of them, so readers get the same results, and the same
    bytes however the pages were shared out."""
    pages = _articles(tree, cancel)
    if not pages:
        raise BuildError(Problem(tree, "the search index could not be made: there is no article page to index"))
    scratch = Path(tempfile.mkdtemp(prefix=".search-", dir=tree))
    try:
        outputs = []
        for number, share in enumerate(_shares(pages, SHARD_BYTES)):
            site, output = scratch / f"site-{number}", scratch / f"index-{number}"
            if cancel is not None and cancel.is_set():
                raise Cancelled(tree)
            _link(tree, site, share)
            _run(tree, cancel, ["--site", str(site), "--output-path", str(output), "--glob", GLOB, "--silent"])
            shutil.rmtree(site)
            outputs.append(output)
        root = tree / BUNDLE
        if root.exists():
            shutil.rmtree(root)
        try:
            search_merge.merge(outputs, root, cancel)
        except BaseException as exc:
            shutil.rmtree(root, ignore_errors=True)  # no half an index in the tree
            if isinstance(exc, search_merge.Interrupted):
                raise Cancelled(tree) from None
            if not isinstance(exc, (OSError, *search_merge.UNREADABLE)):
                raise
            raise BuildError(Problem(tree, f"the search index could not be merged ({type(exc).__name__}: {exc}): "
                                           f"Pagefind {_version()} writes an index newsdigest does not know; "
                                           f"{REINSTALL}")) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {f"{BUNDLE}{path.relative_to(root).as_posix()}": fingerprint
            for path in sorted(root.rglob("*")) if path.is_file()}


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
    """The pages in runs of at most `budget` bytes of HTML (a larger page alone)."""
    shares: list[list[str]] = []
    size = budget
    for name, length in pages:
        if size + length > budget and (not shares or shares[-1]):
            shares.append([])
            size = 0
        shares[-1].append(name)
        size += length
    return shares


def _link(tree: Path, site: Path, names: list[str]) -> None:
    """A folder holding only `names`, at the same paths (so Pagefind gives them the same URLs):
    links to the tree's files, or copies where the file system has no links."""
    made = set()
    for name in names:
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(site / folder)
            made.add(folder)
        try:
            os.link(tree / name, site / name)
        except OSError:
            shutil.copyfile(tree / name, site / name)


def _run(tree: Path, cancel: threading.Event | None, arguments: list[str]) -> None:
    """Runs Pagefind to the end (a BuildError if it fails), or kills it once `cancel` is set."""
    environment = {**os.environ, **PAGEFIND_ENVIRONMENT}
    if cancel is not None and cancel.is_set():
        raise Cancelled(tree)
    try:
        process = subprocess.Popen([sys.executable, "-m", "pagefind", *arguments], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=environment)
    except OSError as exc:
        raise BuildError(Problem(tree, f"the search index could not be made ({exc}); {REINSTALL}")) from None
    started = time.monotonic()
    while process.poll() is None:
        if (cancel is not None and cancel.is_set()) or time.monotonic() - started > TIMEOUT:
            process.kill()
            process.communicate()
            if cancel is not None and cancel.is_set():
                raise Cancelled(tree)
            raise BuildError(Problem(tree, f"the search index took over {TIMEOUT} s and was stopped; {REINSTALL}"))
        try:
            process.wait(0.05)
        except subprocess.TimeoutExpired:
            pass
    said = process.communicate()[0] or ""
    if process.returncode != 0:
        last = said.strip().splitlines()[-1:] or ["no message"]
        raise BuildError(Problem(tree, f"the search index could not be made: Pagefind said '{last[0]}'; {REINSTALL}"))
