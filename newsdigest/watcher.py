"""The file watcher of the live-reload server: watchdog events on the watched paths, filtered down to
real changes, each reported by calling `on_change(path)`.

Only changes reach the callback: opening and closing a file without writing (every build opens every
source file), a folder's "modified" echo of a change to one of its files, and ignored paths
(ignore.ignored_path: hidden files, editors' backup, swap and lock files) are dropped.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer

from .ignore import ignored_path

CHANGE_EVENTS = {"created", "deleted", "modified", "moved", "closed"}  # not opened / closed_no_write
EVENT_FILTER = (FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
                DirCreatedEvent, DirDeletedEvent, DirMovedEvent)


class _ChangeHandler(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[str], None], root: Path, names: frozenset[str] | None = None):
        self.on_change, self.root, self.names = on_change, root, names

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGE_EVENTS or (event.is_directory and event.event_type == "modified"):
            return  # a folder's "modified" only echoes a change to a file in it, which has its own event
        for path in (event.src_path, getattr(event, "dest_path", "")):
            path = path.decode() if isinstance(path, bytes) else path
            if not path:
                continue
            if self.names is not None and Path(path).name not in self.names:
                continue
            try:
                relative = str(Path(path).relative_to(self.root))
            except ValueError:
                relative = path
            if not ignored_path(relative):
                self.on_change(path)  # both ends of a move: the file gone and the file made


class Watcher:
    """Calls `on_change(path)` (from watchdog's thread) for each change under the watched paths."""

    def __init__(self, on_change: Callable[[str], None], log: Callable[[str], None] = print):
        self.on_change, self.log = on_change, log
        self._observer = Observer()
        self._watched: tuple[Path, ...] = ()
        self._lock = threading.Lock()  # not the caller's: the observer calls on_change under its own lock

    def start(self) -> None:
        self._observer.start()

    def stop(self, timeout: float | None = None) -> None:
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout)

    def watch(self, paths: Iterable[Path]) -> None:
        """Sets the watched paths (replacing the previous set): folders recursively, files through
        their folder. Missing paths are skipped; call again after a build to pick them up."""
        paths = tuple(sorted({Path(p).resolve() for p in paths if Path(p).exists()}))
        with self._lock:
            if paths == self._watched:
                return
            self._watched = paths
            self._observer.unschedule_all()
            for path in paths:
                if path.is_dir():
                    self._schedule(_ChangeHandler(self.on_change, path), path, recursive=True)
                else:
                    self._schedule(_ChangeHandler(self.on_change, path.parent, frozenset({path.name})),
                                   path.parent, recursive=False)

    def _schedule(self, handler: _ChangeHandler, path: Path, recursive: bool) -> None:
        try:
            # Only changes reach the kernel queue: each build opens every source file, and opening
            # events would overflow it (16,384 events by default) for a few thousand stories.
            self._observer.schedule(handler, str(path), recursive=recursive, event_filter=list(EVENT_FILTER))
        except OSError as exc:  # e.g. the inotify watch limit
            self.log(f"warning: cannot watch {path} ({exc}); changes there will not rebuild the site.")
