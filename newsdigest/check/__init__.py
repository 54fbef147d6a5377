"""`check [SITE_DIR]`: checks a built site offline, as GitHub Pages would serve it.

* every internal link and asset (href, src, srcset, poster, feed links, og:image...) resolves to a
  built file under the site's base path (a root-relative "/en/" on a site mounted at "/repo/" is an
  error), and a #fragment names an element of its page;
* every page that names other-language versions (hreflang) names itself too, its partners exist,
  and each partner names the very same set (reciprocal, absolute URLs);
* every HTML page has `<html lang>`, a `<title>` and one absolute `<link rel=canonical>` to itself;
* the sitemap, robots.txt, feeds, OpenGraph tags and JSON-LD are complete and agree with the pages.

The parsed site is model.py's; each kind of check is a module: pages (head, links, hreflang),
head (OpenGraph, JSON-LD), feeds, sitemap (and robots.txt).

Plain functions: `check_site(site_dir, base_url) -> list[Problem]`. The base URL defaults to the
one the site was built for (the root page's canonical URL), so `build --base-url X` followed by
`check` needs no repeated option.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, normalize_base_url
from ..errors import NewsdigestError, Problem, format_problems
from . import feeds as feed_checks, head, pages as page_checks, sitemap
from .model import SiteFiles, built_base_url, read_page

@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    pages: int
    links: int  # internal links and assets
    hreflangs: int
    base_url: str
    sitemap_urls: int = 0
    feeds: int = 0
    json_ld: int = 0  # blocks

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (f"Checked {self.pages} pages, {self.links} internal links and assets, {self.sitemap_urls} "
                f"sitemap URLs, {self.feeds} feeds, {self.json_ld} JSON-LD blocks and {self.hreflangs} "
                f"hreflang links under {self.base_url}: no problems.")

def check_site_report(site_dir: Path, base_url: str | None = None) -> CheckReport:
    site_dir = Path(site_dir).resolve()
    if not site_dir.is_dir():
        raise NewsdigestError(Problem(site_dir, "no built site here; run 'python build.py' first "
                                      "or name the folder: 'python build.py check SITE_DIR'."))
    files = sorted(site_dir.rglob("*.html"))
    if not files:
        raise NewsdigestError(Problem(site_dir, "no HTML pages in this folder; run 'python build.py' first."))
    base_url = normalize_base_url(base_url) if base_url else built_base_url(site_dir)
    if base_url is None:
        raise NewsdigestError(Problem(site_dir / "index.html", "cannot tell which base URL the site was "
                                      "built for (no absolute canonical URL); pass --base-url."))
    site = SiteFiles(site_dir, base_url)
    pages = {file: read_page(site_dir, file, base_url) for file in files}
    problems: list[Problem] = []
    links = json_ld = 0
    homes = head.home_pages(site, pages)
    articles: dict[str, head.JsonLdArticle] = {}
    for page in pages.values():
        problems.extend(page_checks.check_head(page))
        found, checked = page_checks.check_links(page, site, pages)
        problems.extend(found)
        links += checked
        problems.extend(page_checks.check_hreflang(page, site, pages))
        problems.extend(head.check_social(page, site))
        found, checked = head.check_json_ld(page, site, pages, page.url in homes, articles)
        problems.extend(found)
        json_ld += checked
    problems.extend(head.check_translations(site, pages, articles))
    found, feeds = feed_checks.check_feeds(site, pages)
    problems.extend(found)
    found, sitemap_urls = sitemap.check_sitemap(site, pages)
    problems.extend(found)
    problems.extend(sitemap.check_robots(site))
    hreflangs = sum(len(page.alternates) for page in pages.values())
    return CheckReport(problems, len(pages), links, hreflangs, base_url, sitemap_urls, feeds, json_ld)

def check_site(site_dir: Path, base_url: str | None = None) -> list[Problem]:
    """Every problem found in a built site; an empty list when it is fine."""
    return check_site_report(site_dir, base_url).problems

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Check a built site offline: internal links and assets under the base path, "
                          "hreflang partners, each page's lang, title and canonical URL, the sitemap and "
                          "robots.txt, the Atom and JSON feeds, OpenGraph tags and JSON-LD.")
    parser.add_argument("site_dir", nargs="?", type=Path, metavar="SITE_DIR",
                        help="the built site (default: the output folder of the config)")
    parser.add_argument("--base-url", metavar="URL",
                        help="the URL the site is published at (default: the one it was built for)")

def run(args: argparse.Namespace, config: Config) -> int:
    site_dir = args.site_dir if args.site_dir is not None else config.output_dir
    report = check_site_report(site_dir, args.base_url)
    if report.ok:
        print(report.summary())
        return 0
    found_in = f"in {report.pages} pages (base URL {report.base_url})"
    for line in format_problems(report.problems, Path.cwd(), found_in):
        print(line, file=sys.stderr)
    return 1
