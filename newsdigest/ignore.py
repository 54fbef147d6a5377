"""The one list of files that are never content: hidden files and what editors leave behind
(backups, swap and lock files, partial downloads). The builder never reads or publishes them
and the dev server never rebuilds for them. (In content/, "_private" names are skipped too; in
templates/ they are partials, and watched.)"""
from __future__ import annotations

from pathlib import PurePath

BACKUP_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".bak", ".orig", ".rej", ".tmp", ".temp", ".part",
                   ".crdownload", ".kate-swp")
BACKUP_NAMES = frozenset({"4913", "Thumbs.db", "desktop.ini"})  # 4913: vim's write test


def ignored_name(name: str) -> bool:
    """A file or folder name that is never content: ".git", "en.md~", "#en.md#", ".en.md.swp",
    "fr.md.bak", "4913"."""
    return name.startswith((".", "#")) or name.endswith(BACKUP_SUFFIXES) or name in BACKUP_NAMES


def ignored_path(relative: str | PurePath) -> bool:
    """True when any part of a path below the watched folder is ignored."""
    return any(ignored_name(part) for part in PurePath(relative).parts if part not in (".", ".."))
