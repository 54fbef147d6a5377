"""Save-to-screen latency of the live preview: the time from writing an article's Markdown to the
browser showing the new text, on the synthetic corpus, in Debian's headless Chromium, for
`python build.py serve` and for `hugo server` (its default Fast Render Mode) on the same corpus.

    python benchmarks/serve_latency.py                          # N = 1000 and 5000, both tools, 7 saves
    python benchmarks/serve_latency.py --sizes 50000 --tools newsdigest
    python benchmarks/serve_latency.py --write                  # also rewrites the table in README.md

Each save appends a marker line to the article's body while its page is open; the time runs from
the write until the page's text holds the marker (debounce, rebuild, live reload, the browser's
work, all together). The servers' peak memory is read from /proc at the end. newsdigest's project
folder (benchmarks/work/serve-N) is kept between runs, so its build cache spares the first build.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
from corpus import generate  # noqa: E402
from run import WORK, machine, newsdigest_project, write_section  # noqa: E402

ROOT = HERE.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MARKER_START = "<!-- serve:start -->"
MARKER_END = "<!-- serve:end -->"
READY_TIMEOUT = 3600  # seconds for the first build: 50,000 stories in one process


@dataclass
class Served:
    """A running preview server: its process, the article to edit and the URL of its page."""
    process: subprocess.Popen
    article: Path
    url: str
    lines: list[str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(command: list[str], cwd: Path, ready: str) -> tuple[subprocess.Popen, list[str]]:
    """Starts a server and waits until a line of its output contains `ready`; its output is kept."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line.rstrip())
            if ready in line:
                seen.set()
        seen.set()
    threading.Thread(target=read, daemon=True).start()
    if not seen.wait(READY_TIMEOUT) or process.poll() is not None:
        process.kill()
        raise RuntimeError(f"{command[0]} did not start:\n" + "\n".join(lines[-20:]))
    return process, lines


def newsdigest_server(n: int, work: Path) -> Served:
    content = work / f"corpus-{n}" / "content"
    project = work / f"serve-{n}"
    if not (project / "site.toml").exists():
        newsdigest_project(content, project)
    port = free_port()
    process, lines = _start([sys.executable, str(ROOT / "build.py"), "serve", "--config", str(project / "site.toml"),
                             "--port", str(port), "--base-url", f"http://127.0.0.1:{port}/"], project, "Serving ")
    article = sorted(content.glob("*/*/*/en.md"))[n // 3]
    return Served(process, article, f"http://127.0.0.1:{port}/{_article_path(project, article)}", lines)


def hugo_server(n: int, work: Path) -> Served:
    content = work / f"corpus-{n}" / "content"
    project = work / f"hugo-serve-{n}"
    if not (project / "hugo.toml").exists():
        peers.hugo_project(content, project)
    port = free_port()
    process, lines = _start([peers.hugo_binary(), "server", "--bind", "127.0.0.1", "--port", str(port),
                             "--baseURL", f"http://127.0.0.1:{port}/", "--appendPort=false"], project,
                            "Web Server is available")
    name = sorted(content.glob("*/*/*/en.md"))[n // 3].parent.name
    return Served(process, project / "content" / "en" / "posts" / f"{name}.md",
                  f"http://127.0.0.1:{port}/en/posts/{name}/", lines)


SERVERS = {"newsdigest": newsdigest_server, "hugo": hugo_server}


def measure(tool: str, n: int, saves: int, work: Path) -> tuple[list[float], float]:
    """The save-to-screen times, and the server's peak resident memory in MB."""
    content = work / f"corpus-{n}" / "content"
    if not content.exists():
        generate(n, content.parent)
    served = SERVERS[tool](n, work)
    original = served.article.read_text(encoding="utf-8")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            assert page.goto(served.url).status == 200, served.url
            page.wait_for_timeout(1500)  # the live-reload connection opens
            times = []
            for run in range(saves):
                marker = f"Latency marker {run} {time.time_ns()}"
                start = time.perf_counter()
                served.article.write_text(original + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function("m => document.body && document.body.innerText.includes(m)", arg=marker,
                                       timeout=120_000, polling=5)
                times.append(time.perf_counter() - start)
                page.wait_for_timeout(400)
            browser.close()
        return times, peak_memory(served.process.pid)
    except BaseException:
        print("\n".join(served.lines[-30:]), file=sys.stderr)  # what the server said
        raise
    finally:
        served.article.write_text(original, encoding="utf-8")
        os.killpg(served.process.pid, signal.SIGTERM)
        try:
            served.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(served.process.pid, signal.SIGKILL)


def peak_memory(pid: int) -> float:
    """The largest resident set the process has had, in MB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _article_path(project: Path, article: Path) -> str:
    """The site path of the article page, read from the front matter the way the build does."""
    from newsdigest.config import load_config
    from newsdigest.content import MarkdownRenderer, read_article
    from newsdigest.urls import Urls
    config = load_config(project / "site.toml")
    parsed, problems = read_article(article, article.parent.name, "en", "en", config, MarkdownRenderer())
    assert parsed and not problems, problems
    return Urls.article(parsed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--tools", nargs="+", default=["newsdigest", "hugo"], choices=sorted(SERVERS))
    parser.add_argument("--saves", type=int, default=7)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    lines = [f"Measured {date.today().isoformat()} on {machine()}; {args.saves} saves each, appending a line "
             "to one article's body while its page is open.", "",
             "| N stories | server | save → browser shows it (median) | min | max | server's peak memory |",
             "|---:|---|---:|---:|---:|---:|"]
    medians = {}
    for n in args.sizes:
        for tool in args.tools:
            print(f"N = {n}: {tool}…", file=sys.stderr, flush=True)
            times, memory = measure(tool, n, args.saves, args.work)
            print(f"  {[round(t * 1000) for t in times]} ms, {memory:,.0f} MB", file=sys.stderr, flush=True)
            medians[n, tool] = statistics.median(times)
            name = "newsdigest serve" if tool == "newsdigest" else "hugo server (Fast Render Mode)"
            lines.append(f"| {n:,} | {name} | {medians[n, tool] * 1000:.0f} ms | {min(times) * 1000:.0f} ms | "
                         f"{max(times) * 1000:.0f} ms | {memory:,.0f} MB |")
    lines.append("")
    for n in args.sizes:
        if (n, "newsdigest") in medians and (n, "hugo") in medians:
            lines.append(f"- N = {n:,}: hugo server / newsdigest serve = "
                         f"{medians[n, 'hugo'] / medians[n, 'newsdigest']:.1f}")
    report = "\n".join(lines).rstrip()
    print(report)
    if args.write:
        write_section(HERE / "README.md", MARKER_START, MARKER_END, report)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
