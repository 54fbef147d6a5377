"""The search index's shares kept between builds (.newsdigest-cache/search/), so that a build runs
Pagefind again only over the shares whose pages changed (search.index).

A share is stored under a key of its pages' paths and bytes and of Pagefind's version, as
the data of its bundle only: the table of languages, each language's meta index, the word index
and the fragments. Pagefind's code (pagefind.js, the UI, each language's search code) is never
stored: those files run in readers' browsers, and the cache is untrusted input, so the published
index always takes them from a Pagefind run of the build itself.

A stored share is read by search_merge's checked reader; one that is not a plain folder of plain
files with the names a bundle's data has is a miss, and is removed. Writing a share never
follows a link (a share is made aside, then renamed into place)."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from .linking import link_or_copy
from .search_merge import ENTRY

# The files of a bundle that are data, by folder ("" is the bundle's own folder).
DATA = {"": re.compile(r"pagefind\.[\w-]+\.pf_meta"), "fragment": re.compile(r"[\w-]+\.pf_fragment"),
        "index": re.compile(r"[\w-]+\.pf_index")}
_KEY = re.compile(r"[0-9a-f]{32}")
_LEFTOVER_SECONDS = 3600  # a share half-written by a build that was killed, after an hour


class Shelf:
    def __init__(self, folder: Path, trust: bool = True):
        """trust=False (a clean build): nothing stored is used, but shares are stored afresh."""
        self.folder = folder
        self.trust = trust

    def get(self, key: str) -> Path | None:
        """The stored bundle of the share `key`, or None."""
        path = self.folder / key
        if not self.trust or not _KEY.fullmatch(key) or not os.path.lexists(path):
            return None
        if not _plain_bundle(path):
            self.drop([key])
            return None
        _touch(path)
        return path

    def put(self, key: str, bundle: Path) -> None:
        """Stores the data of the share `key`'s fresh bundle (linked, or copied where links can't
        be). Best effort: a cache that can't be written only makes the next build slower."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a share's key: {key!r}")
        aside = None
        try:
            aside = Path(tempfile.mkdtemp(prefix=".put-", dir=self.folder))
            for folder, pattern in DATA.items():
                source = bundle / folder
                (aside / folder).mkdir(exist_ok=True)
                for name in os.listdir(source):
                    if pattern.fullmatch(name) or (not folder and name == ENTRY):
                        link_or_copy(source / name, aside / folder / name)
            self.drop([key])
            os.replace(aside, self.folder / key)
        except OSError:
            if aside is not None:
                shutil.rmtree(aside, ignore_errors=True)

    def drop(self, keys) -> None:
        for key in keys:
            _remove(self.folder / key)

    def prune(self, used: set[str]) -> None:
        """Keeps the shares this build used, and as many others, the most recently used: the last
        build's, typically (the dev server's pages and the command line's differ by their links
        to the stylesheet, so an editor going from one to the other keeps both)."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        now = time.time()
        others = []
        for name in names:
            path = self.folder / name
            if name in used:
                continue
            try:
                changed = path.lstat().st_mtime
            except OSError:
                continue
            if not _KEY.fullmatch(name):
                if not name.startswith(".put-") or now - changed > _LEFTOVER_SECONDS:
                    _remove(path)
                continue
            others.append((changed, name))
        others.sort(reverse=True)
        self.drop(name for _, name in others[len(used):])


def _plain_bundle(path: Path) -> bool:
    """Whether `path` is a folder (not a link) holding only a bundle's data files, each a plain file,
    the table of languages among them."""
    try:
        if not path.is_dir() or path.is_symlink():
            return False
        seen_entry = False
        with os.scandir(path) as top:
            for entry in top:
                if entry.name in ("fragment", "index"):
                    if not entry.is_dir(follow_symlinks=False):
                        return False
                    pattern = DATA[entry.name]
                    with os.scandir(entry.path) as inner:
                        if not all(item.is_file(follow_symlinks=False) and pattern.fullmatch(item.name)
                                   for item in inner):
                            return False
                elif not entry.is_file(follow_symlinks=False):
                    return False
                elif entry.name == ENTRY:
                    seen_entry = True
                elif not DATA[""].fullmatch(entry.name):
                    return False
        return seen_entry
    except OSError:
        return False


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
    except OSError:
        pass
