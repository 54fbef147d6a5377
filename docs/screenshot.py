"""Regenerates docs/screenshot-*.png for the README: builds the site, serves it, and photographs the
home and an article, at phone and desktop widths, in Debian's headless Chromium.

    python docs/screenshot.py [--config site.toml]
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

from newsdigest.builder import build
from newsdigest.config import load_config

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, default=Path("site.toml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
            SimpleHTTPRequestHandler, directory=tmp))
        port = server.server_address[1]
        config = dataclasses.replace(load_config(args.config, base_url=f"http://127.0.0.1:{port}/"),
                                     output_dir=Path(tmp) / "site")
        build(config)
        server.RequestHandlerClass = functools.partial(SimpleHTTPRequestHandler, directory=str(config.output_dir))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        article = next(config.output_dir.glob("en/*/*/*/*/index.html"))
        article_url = "/" + article.parent.relative_to(config.output_dir).as_posix() + "/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            desktop = browser.new_page(viewport={"width": 1100, "height": 760})
            desktop.goto(f"http://127.0.0.1:{port}/")
            desktop.screenshot(path=HERE / "screenshot-home.png")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            phone.goto(f"http://127.0.0.1:{port}{article_url}")
            phone.screenshot(path=HERE / "screenshot-article-phone.png")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
