"""Save-to-screen latency of `python build.py serve`: the time from writing an article's Markdown to
the browser showing the new text, on the synthetic corpus, in Debian's headless Chromium.

    python benchmarks/serve_latency.py                 # N = 1000 and 5000, 5 saves each
    python benchmarks/serve_latency.py --write         # also rewrites the table in benchmarks/README.md
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import generate  # noqa: E402
from run import WORK, machine, newsdigest_project, write_section  # noqa: E402

ROOT = HERE.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MARKER_START = "<!-- serve:start -->"
MARKER_END = "<!-- serve:end -->"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(n: int, saves: int, work: Path) -> list[float]:
    content = work / f"corpus-{n}" / "content"
    if not content.exists():
        generate(n, content.parent)
    project = newsdigest_project(content, work / f"serve-{n}")
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--config",
                               str(project / "site.toml"), "--port", str(port),
                               "--base-url", f"http://127.0.0.1:{port}/"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    article = sorted(content.glob("*/*/*/en.md"))[n // 3]
    original = article.read_text(encoding="utf-8")
    try:
        for line in server.stdout:  # wait for the first build
            if "Serving" in line or "http://" in line:
                break
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:  # the first build may still be running
                try:
                    if page.goto(url).status == 200:
                        break
                except Exception:  # noqa: BLE001 - not listening yet
                    pass
                time.sleep(0.5)
            page.goto(url + _article_path(project, article))
            page.wait_for_timeout(1000)  # let the live-reload connection open
            times = []
            for run in range(saves):
                marker = f"Latency marker {run} {time.time_ns()}"
                start = time.perf_counter()
                article.write_text(original + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function("m => document.body && document.body.innerText.includes(m)", arg=marker,
                                       timeout=120_000, polling=10)
                times.append(time.perf_counter() - start)
                page.wait_for_timeout(300)
            browser.close()
        return times
    finally:
        article.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)


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
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    lines = [f"Measured {date.today().isoformat()} on {machine()}; {args.saves} saves each, "
             "editing one article's body while its page is open.", "",
             "| N stories | save → browser shows it (median) | min | max |", "|---:|---:|---:|---:|"]
    for n in args.sizes:
        print(f"N = {n}…", file=sys.stderr, flush=True)
        times = measure(n, args.saves, args.work)
        lines.append(f"| {n:,} | {statistics.median(times) * 1000:.0f} ms | {min(times) * 1000:.0f} ms | "
                     f"{max(times) * 1000:.0f} ms |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(HERE / "README.md", MARKER_START, MARKER_END, report)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
