"""`check`, continued: every announced Atom and JSON Feed 1.1 file is complete (ids, titles, dates
with offsets, its own URL as rel=self / feed_url, entries linking to built pages in the feed's
language), and every page announces the feeds of its own language. A feed announced but not built is
a broken link (check.py)."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urljoin

from .values import Node, read_xml, resolve, rfc3339, show_tag
from ..errors import Problem

from .model import PageInfo, SiteFiles

ATOM_NS = "{http://www.w3.org/2005/Atom}"
ATOM, JSON_FEED = "application/atom+xml", "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def check_feeds(site: SiteFiles, pages: dict[Path, PageInfo]) -> tuple[list[Problem], int]:
    """Every announced feed that exists (a missing one is a broken link), then each page's own-language
    feeds. Returns the problems and how many feeds were checked."""
    announced: dict[str, str] = {}  # absolute URL -> type
    page_feeds: dict[Path, list[tuple[str, str]]] = {}
    for target, page in pages.items():
        page_feeds[target] = []
        for kind, href, _ in page.feeds:
            href = href.strip()  # absolute as built; urljoin is the slow part of this loop
            url = href if href.startswith(("http://", "https://")) else urljoin(page.url, href)
            url = unquote(url.split("#", 1)[0]) if "%" in url or "#" in url else url
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
            if (kind, page.lang.lower()) in own or (kind, None) in own:  # no language: a problem of its own
                continue
            example = by_language.get((kind, page.lang.lower()))
            problems.append(Problem(page.file, f"announces no {name} feed in its own language ({page.lang}); " + (
                f"add <link rel=\"alternate\" type=\"{kind}\" href=\"{example}\">." if example else
                "no page announces one.")))
    return problems, checked


def _check_atom(file: Path, url: str, site: SiteFiles,
                pages: dict[Path, PageInfo]) -> tuple[list[Problem], str | None]:
    root, problems = read_xml(file, url, "Atom feed")
    if root is None:
        return problems, None
    if root.tag != ATOM_NS + "feed":
        return [Problem(file, f"the root element is {show_tag(root.tag)}, not an Atom <feed> in the namespace "
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
            home, reason = resolve(href, site, pages, "the feed's alternate link", outside_ok=True)
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
            target, reason = resolve(href, site, pages, f"{where}: link", page_only=rel == "alternate",
                                      outside_ok=rel not in ("alternate", "related"))
            if reason:
                problems.append(Problem(file, reason, link.line))
            elif rel == "alternate" and target is not None and entry.lang and pages[target].lang \
                    and pages[target].lang.lower() != entry.lang.lower():
                problems.append(Problem(file, f"{where} is in xml:lang \"{entry.lang}\" but its page "
                                        f"{site.rel(target)} is in \"{pages[target].lang}\".", link.line))
    return problems, lang.lower() if lang else None


def _check_json_feed(file: Path, url: str, site: SiteFiles,
                     pages: dict[Path, PageInfo]) -> tuple[list[Problem], str | None]:
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
        target, reason = resolve(home, site, pages, "home_page_url", outside_ok=True)
        if reason:
            say(reason)
        elif target is not None and lang and pages[target].lang and pages[target].lang.lower() != lang.lower():
            say(f"the feed's language is \"{lang}\" but its home page {site.rel(target)} "
                f"is in \"{pages[target].lang}\".")
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
            target, reason = resolve(item["url"], site, pages, f"{where}: url")
            item_lang = item.get("language") or lang
            if reason:
                say(reason)
            elif isinstance(item_lang, str) and pages[target].lang \
                    and pages[target].lang.lower() != item_lang.lower():
                say(f"{where} is in \"{item_lang}\" but its page {site.rel(target)} "
                    f"is in \"{pages[target].lang}\".")
        if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
            say(f"{where} has neither content_html nor content_text.")
        for key in ("date_published", "date_modified"):
            if key in item and not (isinstance(item[key], str) and rfc3339(item[key])):
                say(f"{where}: {key} {json.dumps(item[key])} is not an RFC 3339 date-time with an offset, "
                    "such as 2026-02-11T10:32:00+09:00.")
    return problems, lang.lower() if lang else None
