"""What content/ already holds, as far as importing cares: which raw files were imported where
(by the checksum of their bytes), which folders are taken, and which stories still lack a
language and could take a partner.

Files are read leniently: a story the build would reject is the build's to report, not a reason
to stop an import.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import frontmatter_yaml

from .pairing import Candidate, candidate


@dataclass(frozen=True)
class StoryFile:
    path: Path
    lang: str
    meta: dict[str, Any]
    body: str

    @property
    def source_sha256(self) -> str | None:
        info = self.meta.get("import")
        return info.get("source_sha256") if isinstance(info, dict) else None


@dataclass(frozen=True)
class ContentIndex:
    root: Path
    files: tuple[StoryFile, ...] = field(default=())

    def imported(self, sha256: str) -> StoryFile | None:
        """The story file an earlier import made from a raw file with these bytes."""
        return next((f for f in self.files if f.source_sha256 == sha256), None)

    def in_folder(self, folder: Path) -> list[StoryFile]:
        return [f for f in self.files if f.path.parent == folder]

    def waiting(self, langs: tuple[str, ...], today: date | None = None) -> list[tuple[StoryFile, Candidate]]:
        """Stories with one language of `langs` only: candidates for pairing."""
        by_folder: dict[Path, list[StoryFile]] = {}
        for f in self.files:
            by_folder.setdefault(f.path.parent, []).append(f)
        today = today or date.today()
        result = []
        for folder_files in by_folder.values():
            present = [f for f in folder_files if f.lang in langs]
            if len(present) != 1 or len({f.lang for f in folder_files} & set(langs)) != 1:
                continue
            f = present[0]
            info = f.meta.get("import")
            undated = isinstance(info, dict) and info.get("undated") is True
            day = None if undated else as_date(f.meta.get("date"))
            text = "\n".join(str(x) for x in (f.meta.get("title"), f.meta.get("caption"), f.body) if x)
            names = tuple(str(f.meta[k]) for k in ("source",) if f.meta.get(k))
            result.append((f, candidate(str(f.path), f.lang, text, day, today=today, names=names, existing=True)))
        return result


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def scan(root: Path, langs: tuple[str, ...]) -> ContentIndex:
    if not root.is_dir():
        return ContentIndex(root)
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            lang = name[:-3] if name.endswith(".md") else None
            if lang not in langs:
                continue
            path = Path(dirpath) / name
            try:
                parts = frontmatter_yaml.split(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
                meta = frontmatter_yaml.load(parts.front) if parts else None
            except (OSError, UnicodeDecodeError, frontmatter_yaml.FrontMatterError):
                continue
            if isinstance(meta, dict):
                files.append(StoryFile(path=path, lang=lang, meta=meta, body=parts.body))
    return ContentIndex(root, tuple(files))
