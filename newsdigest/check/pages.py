"""Each HTML page on its own: lang, title and canonical URL; its internal links and assets; its
hreflang partners, which must exist and name the very same set."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..config import check_base_url
from ..errors import Problem
from .model import SKIPPED_SCHEMES, PageInfo, SiteFiles

def check_head(page: PageInfo) -> list[Problem]:
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

def check_links(page: PageInfo, site: SiteFiles, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
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

def check_hreflang(page: PageInfo, site: SiteFiles, pages: dict[Path, PageInfo]) -> list[Problem]:
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
