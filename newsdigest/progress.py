"""A one-line progress bar for long builds on a terminal; nothing at all elsewhere."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30


class Progress:
    def __init__(self, stream: TextIO, min_total: int = 500, interval: float = 0.1):
        self.stream = stream
        self.min_total = min_total  # short phases finish before a bar would help
        self.interval = interval
        self._drawn = False

    def phase(self, label: str, total: int) -> Callable[[int], None]:
        if total < self.min_total:
            return lambda done: None
        last = [0.0]

        def update(done: int) -> None:
            now = time.monotonic()
            if now - last[0] < self.interval and done < total:
                return
            last[0] = now
            filled = WIDTH * done // total
            self.stream.write(f"\r{label:<10} [{'#' * filled}{'.' * (WIDTH - filled)}] "
                              f"{100 * done // total:3d}% {done}/{total}")
            self.stream.flush()
            self._drawn = True
        return update

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
