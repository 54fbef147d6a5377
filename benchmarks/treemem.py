"""How much memory a command and every process it starts use together, sampled from /proc.

A forked worker's resident set counts every page it shares with its parent, so the largest
resident set of a build that forks says little about the memory the machine needs for it. The
proportional set size (PSS) splits each shared page between the processes that map it: summed
over the process tree, it is what the build as a whole holds at that moment.

A child that shares its parent's memory is counted once: `subprocess` starts a program with vfork, so
from then until its exec the child's smaps report the parent's whole memory a second time (a
sample that fell there showed a 536 MB Python process beside the 536 MB build at 50,000 stories).
"""
from __future__ import annotations

import ctypes
import os
import platform
import threading
from pathlib import Path

PROC = Path("/proc")
KCMP = {"x86_64": 312, "aarch64": 272, "riscv64": 272, "i686": 349}.get(platform.machine())
KCMP_VM = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


def same_memory(a: int, b: int) -> bool:
    """Whether processes a and b share one address space (kcmp(2)); False where that can't be told."""
    return KCMP is not None and _LIBC.syscall(KCMP, a, b, KCMP_VM, 0, 0) == 0


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
    total, todo = 0, [(pid, None)]
    while todo:
        current, parent = todo.pop()
        if parent is None or not same_memory(current, parent):
            total += _pss_kb(current)
        todo.extend((child, current) for child in _children(current))
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
