"""`check`, continued: the metadata a built site gives search engines, feed readers and link previews.

* sitemap.xml (or a sitemap index and its parts) is well-formed sitemaps.org XML listing every HTML
  page but 404.html once, under the base URL, with W3C-datetime lastmods and, for each URL, the same
  xhtml:link alternates as the page's own hreflang links; robots.txt names it by its absolute URL;
* every announced Atom and JSON Feed 1.1 file is complete (ids, titles, dates with offsets, its own
  URL as rel=self / feed_url, entries linking to built pages in the feed's language), and every page
  announces the feeds of its own language;
* OpenGraph: title, description, url (the canonical URL) and locale on every page but 404.html, URL
  tags absolute, one og:locale:alternate per other-language hreflang version; a Twitter card;
* JSON-LD: every block is JSON; an article page (og:type article) has a NewsArticle about itself and
  a BreadcrumbList; translations (workTranslation / translationOfWork) point at built articles that
  point back; breadcrumbs end with the page; the home pages (the root and the versions it names in
  hreflang) have a WebSite.

Plain functions over check.py's parsed pages (PageInfo) and URL resolver (_Site); stdlib only.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit
from xml.parsers import expat

from .errors import Problem

if TYPE_CHECKING:
    from .check import PageInfo, _Site

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
XML_BASE, XML_LANG = "{http://www.w3.org/XML/1998/namespace}base", "{http://www.w3.org/XML/1998/namespace}lang"
ATOM, JSON_FEED = "application/atom+xml", "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
TWITTER_CARDS = {"summary", "summary_large_image", "app", "player"}
NEWS_ARTICLE_FIELDS = ("headline", "datePublished", "dateModified", "inLanguage", "author", "publisher",
                       "mainEntityOfPage")
INVERSE = {"workTranslation": "translationOfWork", "translationOfWork": "workTranslation"}

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

@dataclass
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


def _show(tag: str) -> str:
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


def _read_xml(file: Path, url: str, what: str) -> tuple[Node | None, list[Problem]]:
    try:
        return parse_xml(file, url), []
    except expat.ExpatError as exc:
        return None, [Problem(file, f"the {what} is not well-formed XML: {expat.ErrorString(exc.code)} "
                                    f"(column {exc.offset + 1}).", exc.lineno)]


def _alternates(page: PageInfo) -> dict[str, str]:
    return {code.lower(): unquote(href) for code, href, _ in page.alternates}


def _compare(here: dict[str, str], there: dict[str, str], here_name: str, there_name: str) -> str:
    return "; ".join([*(f"only in {here_name}: {c} {u}" for c, u in sorted(set(here.items()) - set(there.items()))),
                      *(f"only in {there_name}: {c} {u}" for c, u in sorted(set(there.items()) - set(here.items())))])


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _resolve(url: str, site: _Site, pages: dict[Path, PageInfo], what: str, *, page_only: bool = True,
             outside_ok: bool = False) -> tuple[Path | None, str | None]:
    """The built file an absolute URL of the site leads to, or the reason it does not lead to one.
    URLs of other hosts are fine (None, None) unless `outside_ok` is False."""
    if not _absolute(url):
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
    root, problems = _read_xml(file, site.base_url + "sitemap.xml", "sitemap")
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
            part, reason = _resolve(loc.text, site, pages, "sitemap", page_only=False)
            if part is None:
                problems.append(Problem(file, reason or f"sitemap {loc.text} is not in the site.", loc.line))
                continue
            part_root, found = _read_xml(part, loc.text, "sitemap")
            problems.extend(found)
            if part_root is not None and part_root.tag != SITEMAP_NS + "urlset":
                problems.append(Problem(part, f"the root element is {_show(part_root.tag)}; a sitemap listed "
                                        f"by an index is a <urlset> in the namespace {SITEMAP_NS[1:-1]}."))
            elif part_root is not None:
                _check_urlset(part, part_root, site, pages, listed, problems)
    elif root.tag == SITEMAP_NS + "urlset":
        _check_urlset(file, root, site, pages, listed, problems)
    else:
        problems.append(Problem(file, f"the root element is {_show(root.tag)}; a sitemap is a <urlset> "
                                f"(or a <sitemapindex>) in the namespace {SITEMAP_NS[1:-1]}.", root.line))
        return problems, 0
    for target, page in pages.items():
        if target not in listed and site.rel(target) != "404.html":
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
        target, reason = _resolve(loc, site, pages, "URL")
        if target is None:
            problems.append(Problem(file, reason, locs[0].line))
            continue
        if site.rel(target) == "404.html":
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
        head = _alternates(page)
        if alternates != head:
            problems.append(Problem(file, f"the alternates of {loc} differ from the hreflang links of "
                                    f"{site.rel(target)} ({_compare(alternates, head, 'the sitemap', 'the page')}).",
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


# Feeds

def check_feeds(site: _Site, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
    """Every announced feed that exists (a missing one is a broken link), then each page's own-language
    feeds. Returns the problems and how many feeds were checked."""
    announced: dict[str, str] = {}  # absolute URL -> type
    page_feeds: dict[Path, list[tuple[str, str]]] = {}
    for target, page in pages.items():
        page_feeds[target] = []
        for kind, href, _ in page.feeds:
            url = unquote(urljoin(page.url, href.strip()).split("#", 1)[0])
            announced.setdefault(url, kind)
            page_feeds[target].append((kind, url))
    problems: list[Problem] = []
    languages: dict[str, str | None] = {}  # feed URL -> its language (lower case), None if unknown
    checked = 0
    for url, kind in announced.items():
        file = site.file_for(url) if site.is_internal(url) and site.inside_base(url) else None
        if file is None:
            continue
        checked += 1
        found, languages[url] = (_check_atom if kind == ATOM else _check_json_feed)(file, url, site, pages)
        problems.extend(found)
    by_language = {(announced[url], lang): url for url, lang in reversed(languages.items()) if lang}
    for target, page in pages.items():
        if not page.lang:
            continue
        own = {(kind, languages.get(url, "?")) for kind, url in page_feeds[target]}
        for kind, name in ((ATOM, "Atom"), (JSON_FEED, "JSON")):
            if (kind, page.lang.lower()) in own or (kind, None) in own:  # a feed without a language has its own problem
                continue
            example = by_language.get((kind, page.lang.lower()))
            problems.append(Problem(page.file, f"announces no {name} feed in its own language ({page.lang}); " + (
                f"add <link rel=\"alternate\" type=\"{kind}\" href=\"{example}\">." if example else
                "no page announces one.")))
    return problems, checked


def _check_atom(file: Path, url: str, site: _Site, pages: dict[Path, PageInfo]) -> tuple[list[Problem], str | None]:
    root, problems = _read_xml(file, url, "Atom feed")
    if root is None:
        return problems, None
    if root.tag != ATOM_NS + "feed":
        return [Problem(file, f"the root element is {_show(root.tag)}, not an Atom <feed> in the namespace "
                              f"{ATOM_NS[1:-1]}.", root.line)], None
    lang = root.lang
    if not lang:
        problems.append(Problem(file, "the <feed> has no xml:lang; give it the feed's language.", root.line))

    def required(node: Node, names: tuple[str, ...], where: str) -> None:
        for name in names:
            if node.first(ATOM_NS + name) is None or (name != "author" and not node.first(ATOM_NS + name).text):
                problems.append(Problem(file, f"{where} has no <{name}>.", node.line))

    def dates(node: Node, names: tuple[str, ...]) -> None:
        for name in names:
            for element in node.all(ATOM_NS + name):
                if element.text and not rfc3339(element.text):
                    problems.append(Problem(file, f"<{name}> '{element.text}' is not an RFC 3339 date-time "
                                            "with an offset, such as 2026-02-11T10:32:00+09:00.", element.line))

    def links(node: Node) -> list[tuple[str, str, Node]]:  # (rel, absolute href, node)
        return [(link.attrs.get("rel", "alternate"), urljoin(link.base, link.attrs.get("href", "")), link)
                for link in node.all(ATOM_NS + "link")]

    required(root, ("id", "title", "updated", "author"), "the <feed>")
    author = root.first(ATOM_NS + "author")
    if author is not None and (author.first(ATOM_NS + "name") is None or not author.first(ATOM_NS + "name").text):
        problems.append(Problem(file, "the feed's <author> has no <name>.", author.line))
    dates(root, ("updated",))
    selves = [(href, link) for rel, href, link in links(root) if rel == "self"]
    if not selves:
        problems.append(Problem(file, f"the <feed> has no <link rel=\"self\">; it should be {url}", root.line))
    elif selves[0][1].attrs.get("href") != url:
        problems.append(Problem(file, f"<link rel=\"self\"> is {selves[0][1].attrs.get('href')}, not the feed's "
                                f"own URL {url}", selves[0][1].line))
    for rel, href, link in links(root):
        if rel == "alternate":
            home, reason = _resolve(href, site, pages, "the feed's alternate link", outside_ok=True)
            if reason:
                problems.append(Problem(file, reason, link.line))
            elif home is not None and lang and pages[home].lang and pages[home].lang.lower() != lang.lower():
                problems.append(Problem(file, f"the feed's xml:lang is \"{lang}\" but its page {site.rel(home)} "
                                        f"is in \"{pages[home].lang}\".", link.line))
    ids: dict[str, int] = {}
    for number, entry in enumerate(root.all(ATOM_NS + "entry"), start=1):
        where = f"entry {number}"
        required(entry, ("id", "title", "updated", "published"), where)
        dates(entry, ("updated", "published"))
        entry_id = entry.first(ATOM_NS + "id")
        if entry_id is not None and entry_id.text in ids:
            problems.append(Problem(file, f"{where} repeats the <id> {entry_id.text} of line {ids[entry_id.text]}.",
                                    entry_id.line))
        elif entry_id is not None:
            ids[entry_id.text] = entry_id.line
        entry_links = links(entry)
        if not any(rel == "alternate" for rel, _, _ in entry_links):
            problems.append(Problem(file, f"{where} has no <link rel=\"alternate\"> to its page.", entry.line))
        for rel, href, link in entry_links:
            target, reason = _resolve(href, site, pages, f"{where}: link", page_only=rel == "alternate",
                                      outside_ok=rel not in ("alternate", "related"))
            if reason:
                problems.append(Problem(file, reason, link.line))
            elif rel == "alternate" and target is not None and entry.lang and pages[target].lang \
                    and pages[target].lang.lower() != entry.lang.lower():
                problems.append(Problem(file, f"{where} is in xml:lang \"{entry.lang}\" but its page "
                                        f"{site.rel(target)} is in \"{pages[target].lang}\".", link.line))
    return problems, lang.lower() if lang else None


def _check_json_feed(file: Path, url: str, site: _Site, pages: dict[Path, PageInfo]) -> tuple[list[Problem], str | None]:
    try:
        feed = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Problem(file, f"the JSON Feed is not valid JSON: {exc.msg} (column {exc.colno}).", exc.lineno)], None
    except UnicodeDecodeError as exc:
        return [Problem(file, f"the JSON Feed is not UTF-8: {exc.reason}.")], None
    if not isinstance(feed, dict):
        return [Problem(file, "the JSON Feed is not a JSON object.")], None
    problems: list[Problem] = []

    def say(message: str) -> None:
        problems.append(Problem(file, message))

    if feed.get("version") != JSON_FEED_VERSION:
        say(f"version is {json.dumps(feed.get('version'))}; a JSON Feed 1.1 says \"{JSON_FEED_VERSION}\".")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        say("the JSON Feed has no title.")
    lang = feed.get("language") if isinstance(feed.get("language"), str) and feed.get("language") else None
    home = feed.get("home_page_url")
    if not isinstance(home, str) or not home:
        say("the JSON Feed has no home_page_url.")
    else:
        target, reason = _resolve(home, site, pages, "home_page_url", outside_ok=True)
        if reason:
            say(reason)
        elif target is not None and lang and pages[target].lang and pages[target].lang.lower() != lang.lower():
            say(f"the feed's language is \"{lang}\" but its home page {site.rel(target)} is in \"{pages[target].lang}\".")
    if feed.get("feed_url") != url:
        say(f"feed_url is {json.dumps(feed.get('feed_url'))}, not the feed's own URL {url}" if "feed_url" in feed
            else f"the JSON Feed has no feed_url; it should be {url}")
    items = feed.get("items")
    if not isinstance(items, list):
        say("the JSON Feed has no items list.")
        items = []
    ids: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item, dict):
            say(f"{where} is not a JSON object.")
            continue
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            say(f"{where} has no id (a non-empty string).")
        elif item_id in ids:
            say(f"{where} repeats the id {item_id}.")
        else:
            ids.add(item_id)
        if not isinstance(item.get("url"), str) or not item["url"]:
            say(f"{where} has no url.")
        else:
            target, reason = _resolve(item["url"], site, pages, f"{where}: url")
            item_lang = item.get("language") or lang
            if reason:
                say(reason)
            elif isinstance(item_lang, str) and pages[target].lang and pages[target].lang.lower() != item_lang.lower():
                say(f"{where} is in \"{item_lang}\" but its page {site.rel(target)} is in \"{pages[target].lang}\".")
        if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
            say(f"{where} has neither content_html nor content_text.")
        for key in ("date_published", "date_modified"):
            if key in item and not (isinstance(item[key], str) and rfc3339(item[key])):
                say(f"{where}: {key} {json.dumps(item[key])} is not an RFC 3339 date-time with an offset, "
                    "such as 2026-02-11T10:32:00+09:00.")
    return problems, lang.lower() if lang else None


# OpenGraph and Twitter cards

def _metas(page: PageInfo) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for key, content, line in page.metas:
        found.setdefault(key, []).append((content.strip(), line))
    return found


def check_social(page: PageInfo, site: _Site) -> list[Problem]:
    from .check import URL_METAS
    problems = []
    metas = _metas(page)
    not_found_page = site.rel(page.file) == "404.html"
    if not not_found_page:
        for key in ("og:title", "og:description", "og:url", "og:locale", "twitter:card"):
            if not any(content for content, _ in metas.get(key, [])):
                problems.append(Problem(page.file, f"missing or empty <meta {'name' if key.startswith('twitter') else 'property'}"
                                        f"=\"{key}\">."))
        for card, line in metas.get("twitter:card", []):
            if card and card not in TWITTER_CARDS:
                problems.append(Problem(page.file, f"twitter:card '{card}' is not one of "
                                        f"{', '.join(sorted(TWITTER_CARDS))}.", line))
    for key in sorted(URL_METAS & metas.keys()):
        for content, line in metas[key]:
            if content and not _absolute(content):
                problems.append(Problem(page.file, f"{key} '{content}' must be an absolute URL, i.e. "
                                        f"{urljoin(page.url, content)}", line))
            elif key == "og:url" and unquote(content) not in (page.url, page.url + "index.html"):
                problems.append(Problem(page.file, f"og:url {content} differs from the canonical URL {page.url}", line))
    for key in ("article:published_time", "article:modified_time"):
        for content, line in metas.get(key, []):
            if not iso_date_or_datetime(content):
                problems.append(Problem(page.file, f"{key} '{content}' is not an ISO 8601 date-time with an "
                                        "offset.", line))
    if page.alternates and page.lang and not not_found_page:  # a bilingual page without versions has no set
        others = sorted({code.lower() for code, _, _ in page.alternates} - {"x-default", page.lang.lower()})
        locales = metas.get("og:locale:alternate", [])
        if len(locales) != len(others):
            problems.append(Problem(page.file, f"{len(locales)} og:locale:alternate for {len(others)} other-language "
                                    f"version{'s' if len(others) != 1 else ''} in the hreflang links "
                                    f"({', '.join(others) or 'none'}).", (locales or metas.get("og:locale") or [("", None)])[0][1]))
    return problems


# JSON-LD

def _types(node: dict) -> list[str]:
    kind = node.get("@type")
    return [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _ref(value: Any) -> str | None:
    """The URL a schema.org reference names: a string, or an object's @id (else its url)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        ref = value.get("@id") or value.get("url")
        return ref if isinstance(ref, str) else None
    return None


def _many(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


@dataclass
class Article:
    page: PageInfo
    data: dict
    line: int


def check_json_ld(page: PageInfo, site: _Site, pages: dict[Path, PageInfo], home: bool,
                  articles: dict[str, Article]) -> tuple[list[Problem], int]:
    """One page's JSON-LD; its NewsArticle goes into `articles` (by page URL) for check_translations."""
    problems = []
    nodes: list[tuple[dict, int]] = []
    for text, line in page.json_ld:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(page.file, f"<script type=\"application/ld+json\"> is not valid JSON: "
                                    f"{exc.msg}.", line + exc.lineno - 1))
            continue
        for item in _many(data):
            if isinstance(item, dict):
                nodes.append((item, line))
                nodes.extend((sub, line) for sub in _many(item.get("@graph")) if isinstance(sub, dict))
    is_article = any(content == "article" for key, content, _ in page.metas if key == "og:type")
    news = [(node, line) for node, line in nodes if "NewsArticle" in _types(node)]
    crumbs = [(node, line) for node, line in nodes if "BreadcrumbList" in _types(node)]
    websites = [(node, line) for node, line in nodes if "WebSite" in _types(node)]
    if is_article and not news:
        problems.append(Problem(page.file, "an article page (og:type article) has no NewsArticle JSON-LD."))
    if is_article and not crumbs:
        problems.append(Problem(page.file, "an article page (og:type article) has no BreadcrumbList JSON-LD."))
    if home and not websites:
        problems.append(Problem(page.file, "a home page has no WebSite JSON-LD."))
    for node, line in news:
        problems.extend(_check_news_article(page, node, line, site, pages))
        articles.setdefault(page.url, Article(page, node, line))
    for node, line in crumbs:
        problems.extend(_check_breadcrumbs(page, node, line, site, pages))
    for node, line in websites:
        if unquote(str(node.get("url"))) != page.url:
            problems.append(Problem(page.file, f"WebSite url {node.get('url')} differs from the canonical URL "
                                    f"{page.url}", line))
    return problems, len(page.json_ld)


def _check_news_article(page: PageInfo, node: dict, line: int, site: _Site,
                        pages: dict[Path, PageInfo]) -> list[Problem]:
    problems = []

    def say(message: str) -> None:
        problems.append(Problem(page.file, message, line))

    for key in NEWS_ARTICLE_FIELDS:
        if node.get(key) in (None, "", [], {}):
            say(f"NewsArticle has no {key}.")
    for key in ("datePublished", "dateModified"):
        if isinstance(node.get(key), str) and not iso_date_or_datetime(node[key]):
            say(f"NewsArticle {key} '{node[key]}' is not an ISO 8601 date-time with an offset.")
    if "url" not in node and "@id" not in node:
        say(f"NewsArticle has neither url nor @id; give it {page.url}")
    for key in ("url", "@id"):
        if key in node and unquote(str(node[key])) not in (page.url, page.url + "index.html"):
            say(f"NewsArticle {key} {node[key]} differs from the canonical URL {page.url}")
    main = _ref(node.get("mainEntityOfPage"))
    if "mainEntityOfPage" in node and (main is None or unquote(main) not in (page.url, page.url + "index.html")):
        say(f"NewsArticle mainEntityOfPage {main} differs from the canonical URL {page.url}")
    language = node.get("inLanguage")
    if isinstance(language, str) and language and page.lang and language.lower() != page.lang.lower():
        say(f"NewsArticle inLanguage \"{language}\" differs from <html lang=\"{page.lang}\">.")
    for image in _many(node.get("image")):
        _, reason = _resolve(_ref(image) or "", site, pages, "NewsArticle image", page_only=False, outside_ok=True)
        if reason:
            say(reason)
    return problems


def _check_breadcrumbs(page: PageInfo, node: dict, line: int, site: _Site,
                       pages: dict[Path, PageInfo]) -> list[Problem]:
    items = node.get("itemListElement")
    if not isinstance(items, list) or not items:
        return [Problem(page.file, "BreadcrumbList has no itemListElement.", line)]
    problems = []
    last = None
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(page.file, f"BreadcrumbList item {position} is not an object.", line))
            continue
        if item.get("position") != position:
            problems.append(Problem(page.file, f"BreadcrumbList item {position} has position "
                                    f"{json.dumps(item.get('position'))}.", line))
        last = _ref(item.get("item"))
        _, reason = _resolve(last or "", site, pages, f"BreadcrumbList item {position}")
        if reason:
            problems.append(Problem(page.file, reason, line))
    if last is not None and unquote(last) not in (page.url, page.url + "index.html"):
        problems.append(Problem(page.file, f"the last BreadcrumbList item is {last}, not this page ({page.url}).", line))
    return problems


def check_translations(site: _Site, pages: dict[Path, PageInfo], articles: dict[str, Article]) -> list[Problem]:
    """workTranslation / translationOfWork lead to built articles whose NewsArticle points back."""
    problems = []
    for url, article in articles.items():
        for prop, inverse in INVERSE.items():
            for value in _many(article.data.get(prop)):
                ref = _ref(value)
                target, reason = _resolve(ref or "", site, pages, f"NewsArticle {prop}")
                if reason:
                    problems.append(Problem(article.page.file, reason, article.line))
                    continue
                other = articles.get(pages[target].url)
                if other is None:
                    problems.append(Problem(article.page.file, f"NewsArticle {prop} {ref}: {site.rel(target)} has no "
                                            "NewsArticle.", article.line))
                elif url not in [unquote(_ref(back) or "") for back in _many(other.data.get(inverse))]:
                    problems.append(Problem(article.page.file, f"NewsArticle {prop} {ref} does not point back: the "
                                            f"NewsArticle of {site.rel(target)} has no {inverse} naming {url}",
                                            article.line))
    return problems


def home_pages(site: _Site, pages: dict[Path, PageInfo]) -> set[str]:
    """The root page and the versions it names in hreflang (each language's front page)."""
    root = site.file_for(site.base_url)
    if root is None or root not in pages:
        return set()
    return {site.base_url, *(href for href in _alternates(pages[root]).values() if site.is_internal(href))}
