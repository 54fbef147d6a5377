"""No broken internal link: every href/src in every built page resolves to a built file, under the
project-page base path, including the absolute canonical and hreflang URLs."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def internal_targets(html: str, page_url: str, base_url: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    urls = [urljoin(page_url, link) for link in parser.found]
    return [u for u in urls if u.startswith(base_url)]


def resolve(out: Path, url: str, base_url: str) -> Path:
    path = unquote(urlsplit(url).path)[len(urlsplit(base_url).path):]
    target = out / path
    return target / "index.html" if path == "" or path.endswith("/") else target


def broken_links(out: Path, base_url: str) -> list[tuple[str, str]]:
    broken = []
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        page_url = base_url + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)
        for url in internal_targets(page.read_text(encoding="utf-8"), page_url, base_url):
            if not resolve(out, url, base_url).is_file():
                broken.append((rel, url))
    return broken


def test_no_broken_internal_link_under_a_project_path(served_site):
    site, url = served_site
    assert broken_links(site.out, url) == []


def test_the_checker_finds_a_planted_broken_link(served_site, tmp_path):
    site, url = served_site
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(site.out, copy)
    (copy / "en/index.html").write_text('<a href="/repo/en/missing/">x</a><img src="../assets/nope.png">')
    assert broken_links(copy, url) == [("en/index.html", url + "en/missing/"),
                                       ("en/index.html", url + "assets/nope.png")]


def test_every_page_is_reachable_by_links_from_the_home(served_site):
    site, url = served_site
    seen, queue = set(), [url]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        file = resolve(site.out, current, url)
        if file.suffix == ".html":
            queue.extend(u.split("#")[0].split("?")[0]
                         for u in internal_targets(file.read_text(encoding="utf-8"), current, url))
    reached = {resolve(site.out, u, url) for u in seen}
    pages = set(site.out.rglob("*.html")) - {site.out / "404.html"}
    assert pages - reached == set()
