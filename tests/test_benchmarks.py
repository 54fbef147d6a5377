"""The benchmark runner and its corpus stay working: run end to end at a tiny N, all three tools."""
from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import corpus  # noqa: E402
import run  # noqa: E402
import treemem  # noqa: E402


def test_corpus_is_deterministic_and_bilingual(tmp_path):
    first = corpus.generate(6, tmp_path / "a")
    second = corpus.generate(6, tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert len(files) == 12 and {p.name for p in files} == {"en.md", "fr.md"}
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    words = len((first / files[0]).read_text().split("---", 2)[2].split())
    assert 380 <= words <= 1000


def test_runner_measures_every_tool_and_scenario(tmp_path, capsys):
    results = run.main(["--sizes", "8", "--runs", "1", "--work", str(tmp_path)])
    by_tool = {r.tool: r for r in results}
    assert set(by_tool) == {"newsdigest", "Hugo", "Pelican"}
    for scenario in run.SCENARIOS:
        assert by_tool["newsdigest"].median(scenario) > 0
    assert by_tool["Hugo"].median("clean") > 0 and by_tool["Pelican"].median("no change") > 0
    assert all(r.memory > 1 and r.tree > 1 for r in results)
    out = capsys.readouterr().out
    assert "| 8 | newsdigest |" in out and "clean build, newsdigest / Hugo = " in out
    # each tool built the same stories in both languages
    assert len(list((tmp_path / "hugo-8/public/fr/posts").glob("*/index.html"))) == 8
    assert len(list((tmp_path / "newsdigest-8/site/fr").glob("*/*/*/*/index.html"))) == 8


def test_runner_runs_only_the_scenarios_asked_for(tmp_path):
    results = run.main(["--sizes", "4", "--runs", "1", "--tools", "newsdigest", "--work", str(tmp_path),
                        "--scenarios", "edit one article"])
    assert results[0].median("clean") and results[0].median("edit one article")
    assert results[0].median("no change") is None and results[0].median("edit one template") is None


def test_tree_memory_counts_every_process_and_shared_pages_once(tmp_path):
    # A parent and a forked child each holding 150 MB of their own, then sharing 150 MB more:
    # the tree's PSS counts 300 + 150 MB, where the largest resident set shows one process.
    script = tmp_path / "fork.py"
    script.write_text("import os, time\n"
                      "shared = bytearray(150 << 20)\n"
                      "for i in range(0, len(shared), 4096): shared[i] = 1\n"
                      "pid = os.fork()\n"
                      "own = bytearray(150 << 20)\n"
                      "for i in range(0, len(own), 4096): own[i] = 1\n"
                      "time.sleep(1.5)\n"
                      "if pid: os.waitpid(pid, 0)\n")
    seconds, largest, tree = run.measure([sys.executable, str(script)], tmp_path)
    # (a child's largest resident set also counts what the runner was when it forked, before exec)
    assert largest >= 300
    assert 450 <= tree < 560


def test_serve_latency_benchmark_measures_a_save(tmp_path):
    import serve_latency
    from conftest import CHROMIUM, require
    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    for tool in ("newsdigest", "hugo"):
        times, memory = serve_latency.measure(tool, 6, 2, tmp_path)
        assert len(times) == 2 and all(0 < t < 60 for t in times) and memory > 1, tool


def test_import_speed_benchmark_runs(tmp_path):
    import import_speed
    assert len(import_speed.measure_file(5, 1, tmp_path)) == 1
    assert len(import_speed.measure_batch(4, 1, tmp_path)) == 1


def test_no_change_benchmark_times_builds_that_write_nothing(tmp_path):
    import nochange
    times, pages = nochange.measure(6, 2, tmp_path)
    assert len(times) == 2 and all(0 < t < 60 for t in times) and pages > 6
    assert nochange.measure(6, 1, tmp_path)[1] == pages  # the project is kept and reused


def test_tree_memory_counts_a_child_sharing_its_parents_memory_once(tmp_path):
    # A child cloned into its parent's address space (as subprocess's vfork child is until it
    # execs) reports the parent's whole memory in its own smaps: counted once, not twice.
    if treemem.KCMP is None:
        pytest.skip(f"kcmp's system call number is not known on {platform.machine()}")
    script = tmp_path / "clone.py"
    script.write_text("import ctypes, os, signal, sys, time\n"
                      "held = bytearray(200 << 20)\n"
                      "for i in range(0, len(held), 4096): held[i] = 1\n"
                      "libc = ctypes.CDLL(None, use_errno=True)\n"
                      "stack = ctypes.create_string_buffer(1 << 16)\n"
                      "top = ctypes.c_void_p(ctypes.addressof(stack) + len(stack) - 64)\n"
                      "pause = ctypes.cast(libc.pause, ctypes.c_void_p)\n"
                      "libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]\n"
                      "pid = libc.clone(pause, top, 0x100 | signal.SIGCHLD, None)\n"  # CLONE_VM
                      "print(pid, flush=True)\n"
                      "time.sleep(30)\n")
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(process.stdout.readline() or -1)
    try:
        assert child > 0, "clone(CLONE_VM) failed"
        assert treemem.same_memory(process.pid, child)
        assert not treemem.same_memory(os.getpid(), process.pid)
        assert 190 <= treemem.tree_pss_kb(process.pid) / 1024 < 260
    finally:
        if child > 0:  # never kill(-1): that signals every process we may signal
            os.kill(child, signal.SIGKILL)
        process.kill()
        process.wait()
