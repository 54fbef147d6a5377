"""`check`, continued: the metadata a built site gives search engines, feed readers and link previews.

* sitemap.xml (or a sitemap index and its parts) is well-formed sitemaps.org XML listing every HTML
  page but 404.html once, under the base URL, with W3C-datetime lastmods and, for each URL, the same
  xhtml:link alternates as the page's own hreflang links; robots.txt names it by its absolute URL;
* feeds (check_feeds.py) and each page's OpenGraph tags and JSON-LD (check_head.py).

Here too: the helpers they share (dates, a small XML tree with line numbers, URL resolution).
Plain functions over check.py's parsed pages (PageInfo) and URL resolver (_Site); stdlib only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit
from xml.parsers import expat

from .errors import Problem

if TYPE_CHECKING:
    from .check import PageInfo, _Site

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
XML_BASE, XML_LANG = "{http://www.w3.org/XML/1998/namespace}base", "{http://www.w3.org/XML/1998/namespace}lang"

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z", re.IGNORECASE)
_W3C = re.compile(r"\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?)?)?\Z")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")


def _real_date(text: str) -> bool:
    """The fields of a well-shaped date are in range (no month 13, no 25:00)."""
    full = text.upper().replace("Z", "+00:00")
    full = re.sub(r"\.\d+", "", full) + ("-01-01" if len(text) == 4 else "-01" if len(text) == 7 else "")
    try:
        datetime.fromisoformat(full)
    except ValueError:
        return False
    return True


def rfc3339(text: str) -> bool:
    return bool(_RFC3339.match(text)) and _real_date(text)


def w3c_datetime(text: str) -> bool:
    return bool(_W3C.match(text)) and _real_date(text)


def iso_date_or_datetime(text: str) -> bool:
    return (bool(_ISO_DATE.match(text)) or bool(_RFC3339.match(text))) and _real_date(text)


# A small XML tree with line numbers, xml:base and xml:lang (ElementTree keeps neither).

@dataclass(slots=True)
class Node:
    tag: str  # "{namespace}name"
    attrs: dict[str, str]
    line: int
    base: str  # the URL relative references resolve against
    lang: str | None  # the xml:lang in effect
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def all(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def first(self, tag: str) -> Node | None:
        return next((child for child in self.children if child.tag == tag), None)


def _name(raw: str) -> str:
    return "{%s}%s" % tuple(raw.split(" ", 1)) if " " in raw else raw


def show_tag(tag: str) -> str:
    if tag.startswith("{"):
        namespace, name = tag[1:].split("}", 1)
        return f"<{name}> in the namespace {namespace}"
    return f"<{tag}> in no namespace"


def parse_xml(file: Path, url: str) -> Node:
    """Raises expat.ExpatError when the file is not well-formed (namespaces included)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    stack: list[Node] = []
    roots: list[Node] = []

    def start(name, raw_attrs):
        attrs = {_name(key): value for key, value in raw_attrs.items()}
        parent = stack[-1] if stack else None
        base = parent.base if parent else url
        node = Node(_name(name), attrs, parser.CurrentLineNumber,
                    urljoin(base, attrs[XML_BASE]) if XML_BASE in attrs else base,
                    attrs.get(XML_LANG, parent.lang if parent else None))
        (parent.children if parent else roots).append(node)
        stack.append(node)

    def data(text):
        if stack:
            stack[-1].parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.CharacterDataHandler = data
    with open(file, "rb") as stream:
        parser.ParseFile(stream)
    return roots[0]


def read_xml(file: Path, url: str, what: str) -> tuple[Node | None, list[Problem]]:
    try:
        return parse_xml(file, url), []
    except expat.ExpatError as exc:
        return None, [Problem(file, f"the {what} is not well-formed XML: {expat.ErrorString(exc.code)} "
                                    f"(column {exc.offset + 1}).", exc.lineno)]


def head_alternates(page: PageInfo) -> dict[str, str]:
    return {code.lower(): unquote(href) for code, href, _ in page.alternates}


def compare(here: dict[str, str], there: dict[str, str], here_name: str, there_name: str) -> str:
    return "; ".join([*(f"only in {here_name}: {c} {u}" for c, u in sorted(set(here.items()) - set(there.items()))),
                      *(f"only in {there_name}: {c} {u}" for c, u in sorted(set(there.items()) - set(here.items())))])


def absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def resolve(url: str, site: _Site, pages: dict[Path, PageInfo], what: str, *, page_only: bool = True,
             outside_ok: bool = False) -> tuple[Path | None, str | None]:
    """The built file an absolute URL of the site leads to, or the reason it does not lead to one.
    URLs of other hosts are fine (None, None) unless `outside_ok` is False."""
    if not absolute(url):
        return None, f"{what} '{url}' must be an absolute URL."
    if not site.is_internal(url) or not site.inside_base(url):
        return None, None if outside_ok else f"{what} {url} is outside the site's base URL {site.base_url}."
    target = site.file_for(url)
    if target is None:
        return None, f"{what} {url}: no file {site.expected_file(url)} in the site."
    if page_only and target not in pages:
        return None, f"{what} {url} is not an HTML page of the site ({site.rel(target)})."
    return target, None


# Sitemap and robots.txt

def check_sitemap(site: _Site, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
    """Problems, and how many sitemap URLs were checked."""
    file = site.dir / "sitemap.xml"
    if not file.is_file():
        return [Problem(file, "missing sitemap.xml: it should list every HTML page but 404.html.")], 0
    root, problems = read_xml(file, site.base_url + "sitemap.xml", "sitemap")
    if root is None:
        return problems, 0
    listed: dict[Path, tuple[Path, int]] = {}  # page -> (sitemap file, line) where it is listed
    if root.tag == SITEMAP_NS + "sitemapindex":
        for entry in root.all(SITEMAP_NS + "sitemap"):
            loc = entry.first(SITEMAP_NS + "loc")
            if loc is None or not loc.text:
                problems.append(Problem(file, "a <sitemap> of the index has no <loc>.", entry.line))
                continue
            _check_lastmod(entry, loc.text, file, problems)
            part, reason = resolve(loc.text, site, pages, "sitemap", page_only=False)
            if part is None:
                problems.append(Problem(file, reason or f"sitemap {loc.text} is not in the site.", loc.line))
                continue
            part_root, found = read_xml(part, loc.text, "sitemap")
            problems.extend(found)
            if part_root is not None and part_root.tag != SITEMAP_NS + "urlset":
                problems.append(Problem(part, f"the root element is {show_tag(part_root.tag)}; a sitemap listed "
                                        f"by an index is a <urlset> in the namespace {SITEMAP_NS[1:-1]}."))
            elif part_root is not None:
                _check_urlset(part, part_root, site, pages, listed, problems)
    elif root.tag == SITEMAP_NS + "urlset":
        _check_urlset(file, root, site, pages, listed, problems)
    else:
        problems.append(Problem(file, f"the root element is {show_tag(root.tag)}; a sitemap is a <urlset> "
                                f"(or a <sitemapindex>) in the namespace {SITEMAP_NS[1:-1]}.", root.line))
        return problems, 0
    for target, page in pages.items():
        if target not in listed and target != site.dir / "404.html":
            problems.append(Problem(file, f"page {site.rel(target)} ({page.url}) is not listed; the sitemap "
                                    "must list every HTML page but 404.html."))
    return problems, len(listed)


def _check_lastmod(node: Node, loc: str, file: Path, problems: list[Problem]) -> None:
    for lastmod in node.all(SITEMAP_NS + "lastmod"):
        if not w3c_datetime(lastmod.text):
            problems.append(Problem(file, f"<lastmod> '{lastmod.text}' of {loc} is not a W3C datetime such "
                                    "as 2026-02-11 or 2026-02-11T10:32:00+09:00.", lastmod.line))


def _check_urlset(file: Path, root: Node, site: _Site, pages: dict[Path, PageInfo],
                  listed: dict[Path, tuple[Path, int]], problems: list[Problem]) -> None:
    for entry in root.all(SITEMAP_NS + "url"):
        locs = entry.all(SITEMAP_NS + "loc")
        if len(locs) != 1 or not locs[0].text:
            problems.append(Problem(file, f"a <url> has {len(locs)} <loc> elements; it needs exactly one.", entry.line))
            continue
        loc = locs[0].text
        target, reason = resolve(loc, site, pages, "URL")
        if target is None:
            problems.append(Problem(file, reason, locs[0].line))
            continue
        if target == site.dir / "404.html":
            problems.append(Problem(file, f"URL {loc} is the 404 page, which must not be listed.", locs[0].line))
            continue
        if target in listed:
            first_file, first_line = listed[target]
            problems.append(Problem(file, f"URL {loc} is listed twice (first at {site.rel(first_file)}:"
                                    f"{first_line}).", locs[0].line))
            continue
        listed[target] = (file, locs[0].line)
        page = pages[target]
        if unquote(loc) != page.url:
            problems.append(Problem(file, f"URL {loc} is not the page's canonical URL {page.url}.", locs[0].line))
        _check_lastmod(entry, loc, file, problems)
        alternates: dict[str, str] = {}
        for link in entry.all(XHTML_NS + "link"):
            code, href = link.attrs.get("hreflang", ""), link.attrs.get("href", "")
            if link.attrs.get("rel") != "alternate" or not code or not href:
                problems.append(Problem(file, f"an xhtml:link of {loc} needs rel=\"alternate\", hreflang and "
                                        "href.", link.line))
            elif code.lower() in alternates:
                problems.append(Problem(file, f"hreflang \"{code}\" is given twice for {loc}.", link.line))
            alternates[code.lower()] = unquote(href)
        head = head_alternates(page)
        if alternates != head:
            problems.append(Problem(file, f"the alternates of {loc} differ from the hreflang links of "
                                    f"{site.rel(target)} ({compare(alternates, head, 'the sitemap', 'the page')}).",
                                    locs[0].line))


def check_robots(site: _Site) -> list[Problem]:
    file, sitemap = site.dir / "robots.txt", site.base_url + "sitemap.xml"
    if not file.is_file():
        return [Problem(file, f"missing robots.txt; it should name the sitemap: 'Sitemap: {sitemap}'.")]
    named = []
    for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        key, colon, value = line.split("#", 1)[0].partition(":")
        if colon and key.strip().lower() == "sitemap":
            named.append((value.strip(), number))
    if not named:
        return [Problem(file, f"robots.txt does not name the sitemap; add the line 'Sitemap: {sitemap}'.")]
    if sitemap not in [url for url, _ in named]:
        return [Problem(file, f"robots.txt names the sitemap {named[0][0]}, not its absolute URL {sitemap}.",
                        named[0][1])]
    return []
