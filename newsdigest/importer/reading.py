"""Turning inputs into text: which files a folder holds, how their bytes decode, and web pages
(saved .html files and http(s) URLs), which are read whole and taken apart by webpage."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem
from .webpage import FetchError, decode_html, fetch, is_url, looks_like_html

# A NUL byte never occurs in text; control characters beyond a few per cent mean a binary format.
_TEXT_CONTROLS = {9, 10, 12, 13, 27}
_CONTROL_RATIO = 0.05


@dataclass(frozen=True)
class Source:
    path: Path | str  # a file, or the URL as given
    text: str
    sha256: str  # of the raw bytes: recognises a file imported before, whatever it was renamed to
    warnings: tuple[Problem, ...] = field(default=())
    page: bool = False  # HTML, to be read with its markup rather than as copied text
    url: str | None = None  # where the page was fetched from (after redirects)

    @property
    def name(self) -> str:
        return self.path.name if isinstance(self.path, Path) else self.path


class UnreadableInput(Exception):
    """A file that cannot be imported at all; carries the Problem to print."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def expand(inputs: list[Path | str]) -> tuple[list[Path | str], list[Problem]]:
    """Files named, the visible files inside folders named (recursively, sorted), and URLs."""
    files: list[Path | str] = []
    problems: list[Problem] = []
    for given in inputs:
        if isinstance(given, str) and is_url(given):
            files.append(given)
            continue
        path = Path(given)
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
    if looks_like_html(path, data):
        return Source(path=path, text=decode_html(data), sha256=digest, page=True)
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


def read_url(url: str) -> Source:
    """Fetches a web page; raises UnreadableInput with the reason when there is none to read."""
    try:
        final, html = fetch(url)
    except FetchError as exc:
        raise UnreadableInput(Problem(url, exc.reason)) from None
    return Source(path=url, text=html, sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(), page=True, url=final)
