"""The one owner of URLs and output paths. Both languages are symmetric: /en/..., /fr/...

A page is identified by its *site path*: relative to the site root, no leading slash, a trailing
slash for a directory page ("en/2026/02/11/north-korea/"); "" is the root home. From it come the
root-relative href (under the base path, e.g. "/repo/en/..."), the absolute URL and the output file.
"""
from __future__ import annotations

from datetime import date
import os

from .config import Config
from .slugs import slugify


class Urls:
    def __init__(self, config: Config):
        self.base_url = config.base_url
        self.base_path = config.base_path

    # Site paths
    @staticmethod
    def article(article) -> str:
        return f"{article.lang}/{article.date:%Y/%m/%d}/{article.slug}/"

    @staticmethod
    def front(lang: str, page: int = 1) -> str:
        return f"{lang}/" if page == 1 else f"{lang}/page/{page}/"

    @staticmethod
    def home(page: int = 1) -> str:
        return "" if page == 1 else f"page/{page}/"

    @staticmethod
    def day(lang: str, day: date) -> str:
        return f"{lang}/{day:%Y/%m/%d}/"

    @staticmethod
    def month(lang: str, year: int, month: int) -> str:
        return f"{lang}/{year:04d}/{month:02d}/"

    @staticmethod
    def archive(lang: str) -> str:
        return f"{lang}/archive/"

    @staticmethod
    def tags(lang: str) -> str:
        return f"{lang}/tags/"

    @staticmethod
    def tag(lang: str, tag: str, page: int = 1) -> str:
        base = f"{lang}/tags/{slugify(tag)}/"
        return base if page == 1 else f"{base}page/{page}/"

    @staticmethod
    def side_by_side(story) -> str:
        """A story's versions together: one bilingual page, named after its first version's URL."""
        first = next(iter(story.articles.values()))
        return f"side-by-side/{first.date:%Y/%m/%d}/{first.slug}/"

    @staticmethod
    def search(lang: str) -> str:
        return f"{lang}/search/"

    @staticmethod
    def search_bundle() -> str:
        """Pagefind's script and index (search.py), one for every language."""
        return "pagefind/"

    @staticmethod
    def asset(name: str) -> str:
        return f"assets/{name}"

    @staticmethod
    def not_found() -> str:
        return "404.html"

    @staticmethod
    def feed(lang: str, kind: str = "atom") -> str:
        return f"{lang}/feed.xml" if kind == "atom" else f"{lang}/feed.json"

    @staticmethod
    def sitemap(part: int | None = None) -> str:
        return "sitemap.xml" if part is None else f"sitemap-{part}.xml"

    # From a site path to what a page or the disk needs
    def href(self, path: str) -> str:
        """Root-relative link, valid wherever the site is mounted (base path included)."""
        return self.base_path + path

    def absolute(self, path: str) -> str:
        return self.base_url + path

    @staticmethod
    def output_name(out_dir: str, path: str) -> str:
        """The file a site path is written to, on plain strings: pathlib's overhead was most of the
        cost of writing 15,000 pages."""
        return os.path.join(out_dir, path, "index.html") if path == "" or path.endswith("/") \
            else os.path.join(out_dir, path)
