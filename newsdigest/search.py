"""The search index: Pagefind over the built article pages, one index per <html lang> (so a French
reader gets French results, with French stemming), written into the tree a build is about to swap
in. Pagefind comes from its PyPI package, which ships the binary; nothing is downloaded.

The index is made again only when an article page's fingerprint changed: its files are recorded in
the build's manifest under KEY_PREFIX plus a digest of every article page's fingerprint, and kept
as they are (linked, like any unchanged output) while that digest holds."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

from .errors import BuildError, Problem
from .urls import Urls

BUNDLE = Urls.search_bundle()  # "pagefind/"
KEY_PREFIX = "search:"
# Article pages sit at <lang>/<yyyy>/<mm>/<dd>/<slug>/: the only pages with data-pagefind-body.
_ARTICLE = re.compile(r"^[a-z]{2,3}/\d{4}/\d\d/\d\d/[^/]+/$")
ENTRY = "pagefind-entry.json"  # the index's table of languages, read first by pagefind.js
GLOB = "*/*/*/*/*/index.html"  # where they are; Pagefind then skips any page without the attribute
TIMEOUT = 1800  # seconds: far beyond 50,000 stories' worth of pages
REINSTALL = "reinstall newsdigest ('pip install newsdigest' brings Pagefind)"


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


def _sort_entry(path: Path) -> None:
    """Pagefind lists its languages in no set order; in a set one, a rebuild of the same pages is the
    same bytes (an incremental build must equal a clean one)."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # Pagefind's own script reports a damaged index; there is nothing to order
    path.write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class Cancelled(BuildError):
    """The index was given up halfway (the dev server has an edit to build): nothing was swapped in."""

    def __init__(self, tree: Path):
        super().__init__(Problem(tree, "making the search index was given up for a newer build"))


def index(tree: Path, fingerprint: str, cancel: threading.Event | None = None) -> dict[str, str]:
    """Indexes the built tree's article pages into tree/pagefind/; returns its files (site paths)
    with `fingerprint`, for the manifest. A failure is a BuildError, and `cancel` being set stops
    Pagefind with Cancelled: either way the tree is then not swapped in."""
    command = [sys.executable, "-m", "pagefind", "--site", str(tree), "--output-subdir", BUNDLE.rstrip("/"),
               "--glob", GLOB, "--silent"]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
    root = tree / BUNDLE
    _sort_entry(root / ENTRY)
    return {f"{BUNDLE}{path.relative_to(root).as_posix()}": fingerprint
            for path in sorted(root.rglob("*")) if path.is_file()}
