"""Article bodies kept in a file while the site is in memory.

A build holds every article at once, and their bodies, even compressed, were 160 MB at 50,000
stories; the forked render workers then copied the memory pages holding the ones they rendered.
Only an article page, its side-by-side page and the feeds read a body, once each: read from an
unnamed temporary file, a body costs a system call there and a small object the rest of the time.
"""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path


class BodyFile:
    """An unnamed temporary file the bodies are appended to; forked workers read it through the
    descriptor they inherit (pread keeps no shared position)."""

    def __init__(self, folder: Path | None = None):
        # In the cache folder when there is one: a temporary folder may live in memory (tmpfs).
        self._file = tempfile.TemporaryFile(dir=folder)
        self._end = 0
        self._lock = threading.Lock()  # the dev server's threads may add bodies at once

    def put(self, data: bytes) -> "StoredBody":
        with self._lock:
            offset = self._end
            written = os.pwrite(self._file.fileno(), data, offset)
            if written != len(data):
                raise OSError(f"wrote {written} of {len(data)} bytes of an article body")
            self._end += written
        return StoredBody(self, offset, len(data))

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self._file.fileno(), length, offset)
        if len(data) != length:
            raise OSError("an article body's temporary file was cut short")
        return data


def open_body_file(folder: Path | None) -> BodyFile | None:
    """A BodyFile in `folder` (else the system's temporary folder); None when neither can hold
    one, and the bodies stay in memory."""
    for where in (folder, None) if folder is not None else (None,):
        try:
            return BodyFile(where)
        except OSError:
            continue
    return None


class StoredBody:
    """An article body (the compressed bytes Article.body would hold) in a BodyFile."""

    __slots__ = ("_file", "_offset", "_length")

    def __init__(self, file: BodyFile, offset: int, length: int):
        self._file, self._offset, self._length = file, offset, length

    def __bytes__(self) -> bytes:
        return self._file.read(self._offset, self._length)

    def __len__(self) -> int:
        return self._length

    def __eq__(self, other) -> bool:  # the same bytes, wherever they are kept
        if isinstance(other, (StoredBody, bytes)):
            return bytes(self) == bytes(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(bytes(self))

    def __repr__(self) -> str:
        return f"StoredBody({self._length} bytes at {self._offset})"


def body_bytes(body: bytes | StoredBody) -> bytes:
    return body if type(body) is bytes else bytes(body)
