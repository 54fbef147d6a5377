"""`check [SITE_DIR]`: checks a built site offline, as GitHub Pages would serve it.

* every internal link and asset (href, src, srcset, poster, feed links, og:image...) resolves to a
  built file under the site's base path (a root-relative "/en/" on a site mounted at "/repo/" is an
  error), and a #fragment names an element of its page;
* every page that names other-language versions (hreflang) names itself too, its partners exist,
  and each partner names the very same set (reciprocal, absolute URLs);
* every HTML page has `<html lang>`, a `<title>` and one absolute `<link rel=canonical>` to itself;
* the sitemap, robots.txt, feeds, OpenGraph tags and JSON-LD are complete and agree with the pages
  (check_metadata.py,
  check_feeds.py, check_head.py).

Plain functions: `check_site(site_dir, base_url) -> list[Problem]`. The base URL defaults to the
one the site was built for (the root page's canonical URL), so `build --base-url X` followed by
`check` needs no repeated option.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from . import check_feeds, check_head, check_metadata
from .config import Config, check_base_url, normalize_base_url
from .errors import NewsdigestError, Problem

# (tag, attribute) pairs that load or link to a URL. srcset holds a list of candidates.
URL_ATTRS = {
    ("a", "href"), ("area", "href"), ("link", "href"),
    ("img", "src"), ("script", "src"), ("iframe", "src"), ("embed", "src"), ("source", "src"),
    ("audio", "src"), ("video", "src"), ("video", "poster"), ("track", "src"), ("input", "src"),
    ("img", "srcset"), ("source", "srcset"), ("form", "action"), ("object", "data"),
}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# <meta> whose content is a URL of the site (Open Graph and Twitter cards).
URL_METAS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "og:audio", "og:video"}
FEED_TYPES = ("application/atom+xml", "application/feed+json")  # announced feeds, see check_feeds


@dataclass
class PageInfo:
    """What one HTML file says about itself and where it points."""
    file: Path
    url: str  # the URL it is served at, e.g. http://host/repo/en/
    lang: str | None = None
    html_seen: bool = False
    title: str | None = None
    canonicals: list[tuple[str, int]] = field(default_factory=list)
    alternates: list[tuple[str, str, int]] = field(default_factory=list)  # (hreflang, href, line)
    links: list[tuple[str, int]] = field(default_factory=list)  # (raw URL, line)
    ids: set[str] = field(default_factory=set)
    # For check_head and check_feeds: og:/twitter:/article: <meta> (key, content, line), announced feeds
    # (type, href, line) and the text of each application/ld+json script (text, line).
    metas: list[tuple[str, str, int]] = field(default_factory=list)
    feeds: list[tuple[str, str, int]] = field(default_factory=list)
    json_ld: list[tuple[str, int]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, info: PageInfo):
        super().__init__(convert_charrefs=True)
        self.info = info
        self._in_title = False
        self._title: list[str] = []
        self._json_ld: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        info, line = self.info, self.getpos()[0]
        values = {name: value for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                info.ids.add(values[name])
        if tag == "html" and not info.html_seen:
            info.html_seen = True
            info.lang = (values.get("lang") or "").strip() or None
        elif tag == "title" and info.title is None:
            self._in_title = True
        if tag == "link":  # canonical and hreflang URLs have checks of their own
            rels = (values.get("rel") or "").lower().split()
            href = values.get("href")
            if "canonical" in rels:
                info.canonicals.append((href or "", line))
                return
            kind = (values.get("type") or "text/html").lower()
            if "alternate" in rels and values.get("hreflang") is not None and kind == "text/html":  # not a feed
                info.alternates.append((values["hreflang"], href or "", line))
                return
            if "alternate" in rels and kind in FEED_TYPES:  # its file is checked as a link below
                info.feeds.append((kind, href or "", line))
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key.startswith(("og:", "twitter:", "article:")):
                info.metas.append((key, values.get("content") or "", line))
            if key in URL_METAS and values.get("content"):
                info.links.append((values["content"], line))
        elif tag == "script" and (values.get("type") or "").strip().lower() == "application/ld+json":
            self._json_ld, self._json_ld_line = [], line
        for name, value in attrs:
            if (tag, name) not in URL_ATTRS or value is None:
                continue
            if name == "srcset":
                info.links.extend((candidate.split()[0], line) for candidate in value.split(",")
                                  if candidate.strip())
            else:
                info.links.append((value, line))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self._in_title = False
            self.info.title = "".join(self._title).strip()
        elif tag == "script" and self._json_ld is not None:
            self.info.json_ld.append(("".join(self._json_ld), self._json_ld_line))
            self._json_ld = None

    def handle_data(self, data):
        if self._in_title:
            self._title.append(data)
        elif self._json_ld is not None:
            self._json_ld.append(data)


def page_url(site_dir: Path, file: Path, base_url: str) -> str:
    rel = file.relative_to(site_dir).as_posix()
    if rel == "index.html" or rel.endswith("/index.html"):
        rel = rel[: -len("index.html")]
    return base_url + rel


def read_page(site_dir: Path, file: Path, base_url: str) -> PageInfo:
    info = PageInfo(file=file, url=page_url(site_dir, file, base_url))
    parser = _Parser(info)
    parser.feed(file.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    if parser._in_title:  # unclosed <title>
        info.title = "".join(parser._title).strip()
    return info


def built_base_url(site_dir: Path) -> str | None:
    """The base URL a site was built for: the canonical URL of its root page (or of 404.html)."""
    for name, suffix in (("index.html", ""), ("404.html", "404.html")):
        file = site_dir / name
        if not file.is_file():
            continue
        info = PageInfo(file=file, url="")
        _Parser(info).feed(file.read_text(encoding="utf-8", errors="replace"))
        for href, _ in info.canonicals:
            if href.endswith(suffix) and check_base_url(href) is None:
                return normalize_base_url(href[: len(href) - len(suffix)])
    return None


class _Site:
    """Resolves URLs to files of the built site."""

    def __init__(self, site_dir: Path, base_url: str):
        self.dir = site_dir
        self.base_url = base_url
        base = urlsplit(base_url)
        self.netloc = base.netloc.lower()
        self.base_path = base.path
        self._files: dict[str, Path | None] = {}

    def is_internal(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() == self.netloc

    def inside_base(self, url: str) -> bool:
        return urlsplit(url).path.startswith(self.base_path)

    def file_for(self, url: str) -> Path | None:
        """The file GitHub Pages would serve for an internal URL under the base path, or None."""
        path = unquote(urlsplit(url).path)[len(self.base_path):]
        if path not in self._files:
            self._files[path] = self._lookup(path)
        return self._files[path]

    def _lookup(self, path: str) -> Path | None:
        if "\0" in path or ".." in path.split("/"):
            return None
        target = self.dir / PurePosixPath(path)
        if path == "" or path.endswith("/") or target.is_dir():  # Pages redirects /repo/en to /repo/en/
            target = target / "index.html"
        return target if target.is_file() else None

    def rel(self, file: Path) -> str:
        return file.relative_to(self.dir).as_posix()

    def expected_file(self, url: str) -> str:
        path = unquote(urlsplit(url).path)[len(self.base_path):]
        return path + "index.html" if path == "" or path.endswith("/") else path


def _check_head(page: PageInfo) -> list[Problem]:
    problems = []
    if not page.lang:
        problems.append(Problem(page.file, "missing <html lang>: every page must say its language, "
                                "e.g. <html lang=\"en\">."))
    if not page.title:
        problems.append(Problem(page.file, "missing or empty <title>."))
    if not page.canonicals:
        problems.append(Problem(page.file, f"missing <link rel=\"canonical\">; it should be {page.url}"))
    elif len(page.canonicals) > 1:
        problems.append(Problem(page.file, f"{len(page.canonicals)} canonical links; keep exactly one.",
                                page.canonicals[1][1]))
    else:
        href, line = page.canonicals[0]
        if check_base_url(href) is not None:
            problems.append(Problem(page.file, f"canonical URL '{href}' must be absolute, "
                                    f"i.e. {page.url}", line))
        elif unquote(href) not in (page.url, page.url + "index.html"):
            problems.append(Problem(page.file, f"canonical URL {href} does not point at this page, "
                                    f"which is served at {page.url}", line))
    return problems


def _check_links(page: PageInfo, site: _Site, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
    problems, checked = [], 0
    for raw, line in page.links:
        link = raw.strip()
        if not link or link.lower().startswith(SKIPPED_SCHEMES):
            continue
        url = urljoin(page.url, link)
        if not site.is_internal(url):
            continue
        checked += 1
        if not site.inside_base(url):
            problems.append(Problem(page.file, f"link '{link}' leads outside the site's base path "
                                    f"{site.base_path} (to {urlsplit(url).path}); build it with href() "
                                    "so it carries the base path", line))
            continue
        target = site.file_for(url)
        if target is None:
            problems.append(Problem(page.file, f"broken link '{link}': no file "
                                    f"{site.expected_file(url)} in the site", line))
            continue
        fragment = unquote(urlsplit(url).fragment)
        if fragment and fragment != "top" and target in pages and fragment not in pages[target].ids:
            problems.append(Problem(page.file, f"link '{link}': {site.rel(target)} has no element "
                                    f"with id=\"{fragment}\"", line))
    return problems, checked


def _alternates(page: PageInfo) -> dict[str, str]:
    return {code.lower(): unquote(href) for code, href, _ in page.alternates}


def _check_hreflang(page: PageInfo, site: _Site, pages: dict[Path, PageInfo]) -> list[Problem]:
    if not page.alternates:
        return []
    problems = []
    seen: dict[str, int] = {}
    for code, href, line in page.alternates:
        if code.lower() in seen:
            problems.append(Problem(page.file, f"hreflang \"{code}\" is given twice.", line))
        seen[code.lower()] = line
        if check_base_url(href) is not None:
            problems.append(Problem(page.file, f"hreflang \"{code}\" URL '{href}' must be absolute.", line))
    if problems:
        return problems
    mine = _alternates(page)
    if page.url not in mine.values():
        problems.append(Problem(page.file, f"the hreflang links do not include this page itself ({page.url}).",
                                page.alternates[0][2]))
    for code, href, line in page.alternates:
        if unquote(href) == page.url or code.lower() == "x-default":
            continue
        target = site.file_for(href) if site.is_internal(href) and site.inside_base(href) else None
        if target is None or target not in pages:
            problems.append(Problem(page.file, f"hreflang \"{code}\" partner {href} is not in the site.", line))
            continue
        theirs = _alternates(pages[target])
        if page.url not in theirs.values():
            problems.append(Problem(page.file, f"hreflang \"{code}\" partner {site.rel(target)} does not "
                                    "link back to this page.", line))
        elif theirs != mine:
            only_mine = sorted(set(mine.items()) - set(theirs.items()))
            only_theirs = sorted(set(theirs.items()) - set(mine.items()))
            detail = "; ".join([*(f"only here: {c} {u}" for c, u in only_mine),
                                *(f"only there: {c} {u}" for c, u in only_theirs)])
            problems.append(Problem(page.file, f"hreflang \"{code}\" partner {site.rel(target)} lists "
                                    f"other alternates ({detail}).", line))
    return problems


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
    site = _Site(site_dir, base_url)
    pages = {file: read_page(site_dir, file, base_url) for file in files}
    problems: list[Problem] = []
    links = json_ld = 0
    homes = check_head.home_pages(site, pages)
    articles: dict[str, check_head.Article] = {}
    for page in pages.values():
        problems.extend(_check_head(page))
        found, checked = _check_links(page, site, pages)
        problems.extend(found)
        links += checked
        problems.extend(_check_hreflang(page, site, pages))
        problems.extend(check_head.check_social(page, site))
        found, checked = check_head.check_json_ld(page, site, pages, page.url in homes, articles)
        problems.extend(found)
        json_ld += checked
    problems.extend(check_head.check_translations(site, pages, articles))
    found, feeds = check_feeds.check_feeds(site, pages)
    problems.extend(found)
    found, sitemap_urls = check_metadata.check_sitemap(site, pages)
    problems.extend(found)
    problems.extend(check_metadata.check_robots(site))
    hreflangs = sum(len(page.alternates) for page in pages.values())
    return CheckReport(problems, len(pages), links, hreflangs, base_url, sitemap_urls, feeds, json_ld)


def check_site(site_dir: Path, base_url: str | None = None) -> list[Problem]:
    """Every problem found in a built site; an empty list when it is fine."""
    return check_site_report(site_dir, base_url).problems


# Command line (wired in cli.py)

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
    count = len(report.problems)
    print(f"error: {count} problem{'s' if count != 1 else ''} found in {report.pages} pages "
          f"(base URL {report.base_url}):", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem.display(Path.cwd())}", file=sys.stderr)
    return 1
