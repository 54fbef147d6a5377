"""Regenerates docs/screenshot-*.png for the README: builds the tests' basic fixture site (six
stories in two languages, one with a photo), serves it, and photographs the home and a front page
at desktop width, and a front page and the article with a photo at phone width, in Debian's
headless Chromium.

    python docs/screenshot.py

The fixture's photo is a few pixels wide; the screenshots use a larger picture drawn here instead,
so the layout shows a photo as a story would carry one.
"""
from __future__ import annotations

import dataclasses
import functools
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright

from newsdigest.builder import build
from newsdigest.config import load_config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sites" / "basic"
PHOTO_STORY = "2026/01/canada-japan-defence-deal"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = [  # file, site path, viewport
    ("screenshot-home.png", "", {"width": 1280, "height": 900}),
    ("screenshot-front.png", "fr/", {"width": 1280, "height": 900}),
    ("screenshot-front-phone.png", "en/", {"width": 390, "height": 844}),
    ("screenshot-article-phone.png",
     "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/", {"width": 390, "height": 844}),
]


def picture(path: Path) -> None:
    """A plain landscape picture: sky, hills and a sun, 1600 x 1000."""
    image = Image.new("RGB", (1600, 1000))
    draw = ImageDraw.Draw(image)
    for y in range(0, 1000, 4):
        draw.rectangle([0, y, 1600, y + 4], fill=(70 + y // 12, 110 + y // 14, 170 + y // 20))
    draw.ellipse([1050, 160, 1350, 460], fill=(250, 220, 150))
    draw.polygon([(0, 1000), (0, 700), (500, 560), (900, 720), (1300, 600), (1600, 700), (1600, 1000)],
                 fill=(60, 95, 70))
    image.save(path, optimize=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(FIXTURE, project / "content")
        picture(project / "content" / PHOTO_STORY / "signing.png")
        server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
        port = server.server_address[1]
        config = dataclasses.replace(load_config(ROOT / "site.toml", base_url=f"http://127.0.0.1:{port}/"),
                                     path=project / "site.toml", content_dir=project / "content",
                                     output_dir=project / "site")
        build(config)
        server.RequestHandlerClass = functools.partial(SimpleHTTPRequestHandler, directory=str(config.output_dir))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, path, viewport in SHOTS:
                page = browser.new_page(viewport=viewport, device_scale_factor=1, is_mobile=viewport["width"] < 600)
                page.goto(f"http://127.0.0.1:{port}/{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=HERE / name)
                page.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
