"""sitemap.xml (or a sitemap index and its parts) is well-formed sitemaps.org XML listing every HTML
page but 404.html once, under the base URL, with W3C-datetime lastmods and, for each URL, the same
xhtml:link alternates as the page's own hreflang links; robots.txt names it by its absolute URL."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from ..errors import Problem
from .model import PageInfo, SiteFiles
from .values import Node, compare, head_alternates, read_xml, resolve, show_tag, w3c_datetime

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

XHTML_NS = "{http://www.w3.org/1999/xhtml}"

def check_sitemap(site: SiteFiles, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
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
        if target not in listed and target != site.dir / "404.html" and not page.noindex:
            problems.append(Problem(file, f"page {site.rel(target)} ({page.url}) is not listed; the sitemap "
                                    "must list every HTML page but 404.html and those marked noindex."))
    return problems, len(listed)

def _check_lastmod(node: Node, loc: str, file: Path, problems: list[Problem]) -> None:
    for lastmod in node.all(SITEMAP_NS + "lastmod"):
        if not w3c_datetime(lastmod.text):
            problems.append(Problem(file, f"<lastmod> '{lastmod.text}' of {loc} is not a W3C datetime such "
                                    "as 2026-02-11 or 2026-02-11T10:32:00+09:00.", lastmod.line))

def _check_urlset(file: Path, root: Node, site: SiteFiles, pages: dict[Path, PageInfo],
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
        if page.noindex:
            problems.append(Problem(file, f"URL {loc} is marked noindex (<meta name=\"robots\">), so it must not "
                                    "be listed.", locs[0].line))
            continue
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

def check_robots(site: SiteFiles) -> list[Problem]:
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
