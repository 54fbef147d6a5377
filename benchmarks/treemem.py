"""How much memory a command and every process it starts use together, sampled from /proc.

A forked worker's resident set counts every page it shares with its parent, so the largest
resident set of a build that forks says little about the memory the machine needs for it. The
proportional set size (PSS) splits each shared page between the processes that map it: summed
over the process tree, it is what the build as a whole holds at that moment.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(x) for x in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:  # the process has just ended
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_pss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss_kb(current)
        todo.extend(_children(current))
    return total


class Sampler:
    """Samples the tree below pid every `every` seconds until stop(); peak_mb is the largest sum."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def available(self) -> bool:
        return (PROC / str(os.getpid()) / "smaps_rollup").exists()

    def __enter__(self) -> "Sampler":
        if self.available():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_kb = max(self.peak_kb, tree_pss_kb(self.pid))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024
