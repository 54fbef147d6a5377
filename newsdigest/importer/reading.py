"""Turning input paths into text: which files a folder holds, and how their bytes decode."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem

# A NUL byte never occurs in text; control characters beyond a few per cent mean a binary format.
_TEXT_CONTROLS = {9, 10, 12, 13, 27}
_CONTROL_RATIO = 0.05


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    sha256: str  # of the raw bytes: recognises a file imported before, whatever it was renamed to
    warnings: tuple[Problem, ...] = field(default=())


class UnreadableInput(Exception):
    """A file that cannot be imported at all; carries the Problem to print."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def expand(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Files named, plus the visible files inside folders named (recursively, sorted)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                files.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(path, "no such file or folder; check the path."))
    return list(dict.fromkeys(files)), problems


def read_source(path: Path) -> Source:
    """Decodes a file as UTF-8, falling back to Windows-1252 (what copy-paste on Windows often
    saves) with a warning. Raises UnreadableInput for empty, binary or undecodable files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(Problem(path, f"cannot be read ({exc.strerror}); check its permissions.")) from None
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise UnreadableInput(Problem(path, "the file is empty; nothing to import."))
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    if b"\0" in head or controls > _CONTROL_RATIO * len(head):
        raise UnreadableInput(Problem(path, "this is a binary file, not text; only plain text copied "
                                            "from a news page can be imported."))
    warnings: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableInput(Problem(path, f"not UTF-8 (byte 0x{data[exc.start]:02x}) nor Windows-1252 "
                                                "text; re-save it as UTF-8.", line)) from None
        warnings.append(Problem(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); read as "
                                      "Windows-1252 (cp1252) instead. Check the accented letters in the "
                                      "result, or re-save the file as UTF-8.", line))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableInput(Problem(path, "the file holds only blank lines; nothing to import."))
    return Source(path=path, text=text, sha256=digest, warnings=tuple(warnings))
