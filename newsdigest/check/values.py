"""Helpers the checks share: date formats, a small XML tree with line numbers, xml:base and
xml:lang (ElementTree keeps neither), and URL resolution to built pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.parsers import expat

from ..errors import Problem
from .model import PageInfo, SiteFiles

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

def resolve(url: str, site: SiteFiles, pages: dict[Path, PageInfo], what: str, *, page_only: bool = True,
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
