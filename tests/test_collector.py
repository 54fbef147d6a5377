"""collector.give_back hands freed memory back to the system, which Python's allocator would not."""
from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
from newsdigest import collector

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

# 100 MB of freed bodies between small survivors, as parse results leave the heap
kept, freed = [], []
for n in range(5000):
    freed.append(bytes([n % 251]) * 20000)
    kept.append(bytes([n % 241]) * 600)
del freed
before = rss_mb()
collector.give_back()
print(before - rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_goes_back_to_the_system():
    given = float(subprocess.run([sys.executable, "-c", SCRIPT], check=True, capture_output=True,
                                 text=True).stdout)
    assert given > 60


def test_give_back_is_harmless_where_there_is_no_malloc_trim(monkeypatch):
    import ctypes
    from newsdigest import collector

    def no_libc(name):
        raise OSError("no C library here")
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    collector.give_back()
