"""What `check` knows of a built site: each HTML page as parsed (PageInfo), and the files URLs of
the site resolve to (SiteFiles), as GitHub Pages would serve them. Every check module works on these."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config import check_base_url, normalize_base_url

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
    noindex: bool = False  # <meta name="robots" content="noindex">: kept out of the sitemap
    # For check_head and check_feeds: og:/twitter:/article: <meta> (key, content, line), announced feeds
    # (type, href, line) and the text of each application/ld+json script (text, line).
    metas: list[tuple[str, str, int]] = field(default_factory=list)
    feeds: list[tuple[str, str, int]] = field(default_factory=list)
    json_ld: list[tuple[str, int]] = field(default_factory=list)

class PageParser(HTMLParser):
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
            if key == "robots" and "noindex" in (values.get("content") or "").lower().replace(",", " ").split():
                info.noindex = True
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
    parser = PageParser(info)
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
        PageParser(info).feed(file.read_text(encoding="utf-8", errors="replace"))
        for href, _ in info.canonicals:
            if href.endswith(suffix) and check_base_url(href) is None:
                return normalize_base_url(href[: len(href) - len(suffix)])
    return None

class SiteFiles:
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
