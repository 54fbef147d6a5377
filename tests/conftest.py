"""Shared test helpers: tiny fixture sites built into temp dirs, a Pages-like static server, and the
external tools (Chromium, the Nu checker, axe-core). A missing tool skips locally and fails under CI."""
from __future__ import annotations

import functools
import gzip
import io
import os
import shutil
import socket
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdigest.builder import build
from newsdigest.cli import main as cli_main
from newsdigest.config import load_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NODE_MODULES = ROOT / "tests" / "tools" / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

LANGUAGES = """
[languages.en]
title = "The Digest"
description = "News in two languages."

[languages.fr]
title = "Le Digest"
description = "L’actualité en deux langues."
"""


def require(condition: bool, what: str) -> None:
    """Skips when a test tool is missing on a developer's machine; fails under CI, where
    tests/run.sh must have installed it."""
    if condition:
        return
    message = f"{what} is not installed; run 'bash tests/run.sh' to install the test tools"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def site_toml(base_url: str = "http://127.0.0.1:8000/", page_size: int = 2, languages: str = LANGUAGES,
              extra: str = "", templates: Path = ROOT / "templates", locales: Path = ROOT / "locales") -> str:
    return (f'base_url = "{base_url}"\ntimezone = "Europe/Paris"\npage_size = {page_size}\n'
            f'templates = "{templates}"\nlocales = "{locales}"\n{extra}\n{languages}')


@dataclass
class FixtureSite:
    """A project folder in a temp dir: site.toml, content/, and site/ once built."""
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "site.toml"

    @property
    def out(self) -> Path:
        return self.root / "site"

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self, **overrides):
        return load_config(self.config_path, **overrides)

    def build(self, **overrides):
        return build(self.config(**overrides))

    def run(self, command: str = "build", *args: str) -> int:
        """Runs the command line as a user would; returns the exit status."""
        return cli_main([command, "--config", str(self.config_path), *args])

    def page(self, path: str) -> str:
        """The built HTML of a site path such as "en/" or "en/2026/02/11/slug/"."""
        target = self.out / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


def tiny_picture(seed: int, kind: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    """A real picture, a few pixels wide, its colour set by `seed`: the build reads every photo, so
    a test's photo must be one. Pictures of one size and kind "BMP" have the same length."""
    from io import BytesIO

    from PIL import Image
    buffer = BytesIO()
    Image.new("RGB", size, ((seed * 67) % 256, (seed * 131) % 256, (seed * 29) % 256)).save(buffer, kind)
    return buffer.getvalue()


def make_fixture_site(root: Path, fixture: str | None = "basic", **toml) -> FixtureSite:
    root.mkdir(parents=True, exist_ok=True)
    site = FixtureSite(root)
    site.write("site.toml", site_toml(**toml))
    if fixture:
        shutil.copytree(FIXTURES / "sites" / fixture, root / "content")
    else:
        (root / "content").mkdir()
    return site


@pytest.fixture
def fixture_site(tmp_path):
    """A factory: fixture_site("basic", page_size=3) copies tests/fixtures/sites/basic into content/."""
    return lambda fixture="basic", **toml: make_fixture_site(tmp_path / "project", fixture, **toml)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# GitHub Pages compresses these and lets browsers keep any file for ten minutes; serving them
# otherwise would test a slower site than readers get (Lighthouse scores the bytes sent).
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves a built site under a base path the way GitHub Pages does: directory index, the
    root 404.html for any missing path, text compressed with gzip, and a ten-minute cache."""
    base_path = "/"

    def log_message(self, *args):  # keep test output quiet
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        kind = self.guess_type(path)
        if (not os.path.isfile(path) or not kind.startswith(COMPRESSED_TYPES)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()  # a redirect, a 404, or bytes sent as they are
        body = gzip.compress(Path(path).read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.base_path):
            return os.path.join(self.directory, ".outside-the-base-path", "missing")
        return super().translate_path("/" + path[len(self.base_path):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@contextmanager
def serve(directory: Path, port: int, base_path: str = "/"):
    handler = functools.partial(type("H", (PagesHandler,), {"base_path": base_path}), directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{base_path}"
    finally:
        server.shutdown()
        server.server_close()


CHECK_BASE = "http://127.0.0.1:8000/repo/"


@pytest.fixture(scope="session")
def built_for_check(tmp_path_factory):
    """The basic fixture built (not served) for CHECK_BASE, for tests that plant defects in copies."""
    site = make_fixture_site(tmp_path_factory.mktemp("check") / "project", "basic", base_url=CHECK_BASE)
    site.build()
    return site


@pytest.fixture
def site_copy(built_for_check, tmp_path):
    """A fresh copy of built_for_check's output, to damage."""
    target = tmp_path / "site"
    shutil.copytree(built_for_check.out, target)
    return target


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """The basic fixture built for, and served at, http://127.0.0.1:PORT/repo/ (a project-page path)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/repo/"
    site = make_fixture_site(tmp_path_factory.mktemp("served") / "project", "basic", base_url=base)
    site.build()
    with serve(site.out, port, "/repo/") as url:
        yield site, url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright hook: drive Debian's Chromium; never download a browser."""
    require(Path(CHROMIUM).exists(), "Chromium (/usr/bin/chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def vnu_messages(*paths: Path) -> list[dict]:
    require(VNU_JAR.exists() and shutil.which("java") is not None, "the Nu HTML checker (vnu.jar + java)")
    import json
    cmd = ["java", "-jar", str(VNU_JAR), "--format", "json", "--skip-non-html", "--also-check-css",
           "--errors-only", *map(str, paths)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return json.loads(result.stderr or result.stdout)["messages"]


def axe_violations(page) -> dict[str, list[str]]:
    require(AXE_JS.exists(), "axe-core")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("t => axe.run(document, {runOnly: {type: 'tag', values: t}})",
                           ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    return {v["id"]: [n["html"][:120] for n in v["nodes"]] for v in result["violations"]}
