"""A rebuild with nothing to do, as an editor runs it: `python build.py` in a fresh process right
after a build, on the synthetic corpus (50,000 stories: 100,000 Markdown files by default). The
target (issue 15) is 1 s at 50,000 stories. Prints the median of the runs, the fastest and slowest,
and the start-up alone (`python build.py --version`: the interpreter and the command line).

    python benchmarks/nochange.py                      # N = 50,000, 5 runs
    python benchmarks/nochange.py --write              # also rewrites the table in benchmarks/README.md
    python benchmarks/nochange.py --checkout DIR       # another checkout's build.py, on its own project

The corpus (benchmarks/work/corpus-N) and the built project (benchmarks/work/nochange-N) are kept
and reused: the first build at 50,000 stories takes several minutes, and so does the first one after
any change to the code (the cache is keyed by it). Every timed run must write no page.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402
from run import WORK, machine, newsdigest_project, write_section  # noqa: E402

ROOT = HERE.parent
MARKER_START = "<!-- nochange:start -->"
MARKER_END = "<!-- nochange:end -->"
TARGET = 1.0  # seconds, at 50,000 stories
SUMMARY = re.compile(r"Built ([\d,]+) pages? \(([\d,]+) written")


def project_for(n: int, work: Path, checkout: Path, project: Path | None = None) -> Path:
    """The project built from the corpus of n stories by this checkout, made once and then kept."""
    work = work.resolve()  # the project links to the corpus by its absolute path
    content = work / f"corpus-{n}" / "content"
    if not content.exists():
        generate(n, content.parent)
    if project is None:
        project = work / (f"nochange-{n}" if checkout == ROOT else f"nochange-{n}-{checkout.name}")
    project = project.resolve()
    if not (project / "site.toml").exists():
        newsdigest_project(content, project)
    return project


def timed_build(checkout: Path, project: Path) -> tuple[float, int, int]:
    """(seconds, pages, written) of one `python build.py` in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(checkout / "build.py"), "--config", str(project / "site.toml")],
                          cwd=project, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"the build failed:\n{done.stderr}")
    found = SUMMARY.search(done.stdout)
    if not found:
        raise RuntimeError(f"no summary line in the build's output:\n{done.stdout}")
    pages, written = (int(group.replace(",", "")) for group in found.groups())
    return seconds, pages, written


def startup(checkout: Path, runs: int) -> float:
    """The median time of `python build.py --version`: the interpreter and the command line alone."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, str(checkout / "build.py"), "--version"], check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n: int, runs: int, work: Path, checkout: Path = ROOT, project: Path | None = None) -> tuple[list[float], int]:
    """The times of `runs` no-change builds at n stories, after one that brings the site up to
    date (untimed: it is a full build the first time); and the number of pages."""
    project = project_for(n, work, checkout, project)
    start = time.perf_counter()
    _, pages, written = timed_build(checkout, project)
    if written:
        print(f"N = {n:,}: brought the site up to date ({written:,} pages written) in "
              f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    times = []
    for _ in range(runs):
        seconds, pages, written = timed_build(checkout, project)
        if written:
            raise RuntimeError(f"a build with nothing to do wrote {written} pages")
        times.append(seconds)
    return times, pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=WORK, help="scratch folder (default: benchmarks/work)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the newsdigest checkout whose build.py runs")
    parser.add_argument("--project", type=Path, help="the project folder (default: WORK/nochange-N)")
    parser.add_argument("--write", action="store_true", help="rewrite the table in benchmarks/README.md")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    times, pages = measure(args.stories, args.runs, args.work, checkout, args.project)
    median = statistics.median(times)
    lines = [f"Measured {date.today().isoformat()} on {machine()}; {args.runs} runs of `python build.py` "
             "in a fresh process right after a build (start-up included).", "",
             "| N stories | pages | no change (median) | min | max | start-up alone |",
             "|---:|---:|---:|---:|---:|---:|",
             f"| {args.stories:,} | {pages:,} | {median:.2f} s | {min(times):.2f} s | {max(times):.2f} s | "
             f"{startup(checkout, args.runs):.2f} s |"]
    if args.stories == 50_000:
        lines += ["", f"Target: at most {TARGET:.0f} s at 50,000 stories: **{'met' if median <= TARGET else 'missed'}**."]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(HERE / "README.md", MARKER_START, MARKER_END, report)


if __name__ == "__main__":
    main()
