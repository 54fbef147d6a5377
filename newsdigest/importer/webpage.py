"""Reading news web pages: a saved .html file or a URL, turned into the article's metadata and
plain paragraphs.

trafilatura finds the main text (leaving out navigation, comments and footers) and the title,
author, site name and description; htmldate, through it, finds the publication date. The page's
own markup (OpenGraph, JSON-LD NewsArticle, <time datetime>, the lead <figure>) fills what they
leave out: the publication time and time zone, the update time, the language, the lead image with
its caption and credit.

Nothing here writes anything; `fetch` only reads from the network.
"""
from __future__ import annotations

import copy
import json
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from http.client import HTTPException, responses as HTTP_REASONS
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import decode_file, image_src, load_html

from .. import __version__
from .boilerplate import is_banner, is_chrome
from .extract import Extracted
from .headline import infer_headline
from .lines import same_text

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_BYTES = 10 * 1024 * 1024  # far above any article page; stops a wrong link from filling memory
USER_AGENT = f"newsdigest/{__version__} (news digest importer; Python urllib)"

# After an optional BOM, whitespace, XML declaration and comments, a page opens with one of these.
_HTML_START = re.compile(rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->)*<(?:!doctype\s+html|html|head)[\s>/]",
                         re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_CREDIT_LABEL = re.compile(r"^(?:©|\(c\)|cr[ée]dits?(?:\s+photo)?|photo(?:\s+credit)?|image|source)\s*:?\s*", re.I)
# Elements of a <figure> that hold the photographer or agency rather than the caption.
_CREDIT_XPATH = (".//*[self::small or self::cite or contains(@class, 'credit') or contains(@class, 'copyright')"
                 " or @itemprop='copyrightHolder' or @itemprop='creditText' or @itemprop='author']")
_PAGE_FURNITURE = "ancestor::header or ancestor::nav or ancestor::aside or ancestor::footer"
_MEDIA_TYPES = {"application/pdf": "a PDF", "text/plain": "plain text", "application/json": "JSON data",
                "application/zip": "a ZIP archive"}


@dataclass(frozen=True)
class Page:
    title: str | None = None
    published: datetime | date | None = None  # a datetime (with its time zone) when the page gives the time
    updated: datetime | date | None = None
    author: str | None = None
    site_name: str | None = None
    lang: str | None = None  # the primary subtag, lower case: "fr" for fr-FR or fr_FR
    paragraphs: tuple[str, ...] = ()
    image: str | None = None  # absolute URL of the lead image
    caption: str | None = None
    credit: str | None = None
    url: str | None = None  # canonical address
    description: str | None = None


class FetchError(Exception):
    """A URL that gave no web page; the message names the URL and what to do."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def is_url(text: str) -> bool:
    """A command-line argument that names a web address rather than a file."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:  # "http://[::1" and the like
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def looks_like_html(path: Path, data: bytes) -> bool:
    if path.suffix.lower() in HTML_SUFFIXES:
        return True
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    return bool(_HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")))


def read_page(html: str, url: str | None = None) -> Page:
    """The article in a page. Never raises: a page with no article gives empty paragraphs, one that
    is not HTML at all an empty Page."""
    try:
        tree = load_html(html)  # trafilatura's loader repairs broken markup and rejects non-HTML
    except Exception:
        tree = None
    if tree is None:
        return Page()
    meta = _quietly(lambda: trafilatura.extract_metadata(
        tree, default_url=url, date_config={"original_date": True, "extensive_search": True}))
    # favor_precision: on news pages the risk is a "read also" box or a newsletter pitch in the
    # text, not a missing paragraph. Tables come out as run-together cells, so they stay out.
    doc = _quietly(lambda: trafilatura.bare_extraction(
        tree, url=url, include_comments=False, include_tables=False, favor_precision=True))
    marks = _Markup(tree)
    page_url = _absolute(getattr(meta, "url", None), url) or url
    base = page_url or url

    title = getattr(meta, "title", None) or marks.ld("headline") or marks.og("og:title") or marks.h1()
    title = _clean(title)
    day = _checked_day(_parse_date(getattr(meta, "date", None)), tree, page_url)
    published = _with_time(day, [marks.og("article:published_time"), marks.ld("datePublished"), *marks.times()])
    updated = next(filter(None, map(_parse_date, (marks.og("article:modified_time"), marks.ld("dateModified"),
                                                  marks.og("og:updated_time")))), None)
    site_name = getattr(meta, "sitename", None) or marks.og("og:site_name") or marks.ld_name("publisher")
    if site_name and base and _bare_host(base) == _bare_host(f"//{site_name}"):
        site_name = None  # trafilatura falls back on the host name, which `url` already says

    image = _absolute(getattr(meta, "image", None) or marks.ld_image(), base)
    image, caption, credit = marks.lead_figure(image, base)

    lines = [line for line in map(_clean, (getattr(doc, "text", None) or "").splitlines())
             if line and not is_chrome(line) and not (title and same_text(line, title))]
    # On a page without an article trafilatura returns what it has: a cookie notice, a footer.
    while lines and is_banner(lines[0]):
        del lines[0]
    while lines and is_banner(lines[-1]):
        del lines[-1]
    if not any(_is_sentence(line) for line in lines):
        lines = []  # menu entries and labels only: there is no article to import
    return Page(title=title, published=published, updated=updated,
                author=_clean(getattr(meta, "author", None) or marks.ld_name("author")),
                site_name=_clean(site_name), lang=marks.lang(), paragraphs=tuple(lines), image=image,
                caption=caption, credit=credit, url=page_url, description=_clean(getattr(meta, "description", None)))


def fetch(url: str, timeout: float = 20.0) -> tuple[str, str]:
    """(final URL after redirects, decoded HTML). Raises FetchError for anything but a web page."""
    if not is_url(url):
        raise FetchError(url, "only http:// and https:// addresses can be imported; for a saved page, "
                              "give the path of the .html file.")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            final = response.geturl()
            # A missing Content-Type or a generic one is common for saved pages on file hosts: sniff.
            ctype = response.headers.get_content_type() if response.headers.get("Content-Type") else None
            if ctype not in (*HTML_TYPES, None, "application/octet-stream"):
                raise FetchError(url, _not_a_page(ctype))
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_BYTES:
                raise FetchError(url, _too_large())
            data = response.read(MAX_BYTES + 1)
            charset = response.headers.get_content_charset()
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        reason = HTTP_REASONS.get(exc.code) or exc.reason or ""
        raise FetchError(url, f"the server answered {exc.code} {reason}".rstrip() + "; check the address, "
                              "or save the page from your browser and import the .html file.") from None
    except TimeoutError:
        raise FetchError(url, _no_answer(timeout)) from None
    except urllib.error.URLError as exc:
        raise FetchError(url, _network_reason(exc.reason, url, timeout)) from None
    except (OSError, HTTPException, ValueError) as exc:  # a connection dropped mid-way, a bad address
        raise FetchError(url, f"the page could not be read ({exc or type(exc).__name__}); check the "
                              "address or try again.") from None
    if len(data) > MAX_BYTES:
        raise FetchError(url, _too_large())
    if ctype not in HTML_TYPES and not looks_like_html(Path(urlsplit(final).path), data):
        raise FetchError(url, _not_a_page(ctype))
    return final, decode_html(data, charset)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Bytes of a page as text: the HTTP charset, else the <meta charset>, else UTF-8; when that
    fails, trafilatura's guess."""
    declared = _META_CHARSET.search(data[:4096])
    names = [charset, declared and declared[1].decode("ascii", "ignore"), "utf-8"]
    if data.startswith(b"\xef\xbb\xbf"):
        names.insert(0, "utf-8-sig")  # a byte order mark outranks any declaration, as in browsers
    for name in names:
        if name:
            try:
                return data.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    return decode_file(data)


class _NoOddRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_url(urljoin(req.full_url, newurl)):  # urllib would follow ftp:// too
            raise urllib.error.URLError(f"redirected to {newurl}, which is not a web address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoOddRedirects)


def _network_reason(reason: Any, url: str, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return _no_answer(timeout)
    if isinstance(reason, socket.gaierror):
        return (f"the host {urlsplit(url).hostname} was not found; check the address and your "
                "internet connection.")
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused; check the address (and the port), or try again later."
    if isinstance(reason, ssl.SSLError):
        return f"the secure connection failed ({reason.reason or reason}); check the address."
    return f"the page could not be fetched ({reason}); check the address or try again."


def _no_answer(timeout: float) -> str:
    return f"no answer within {timeout:g} s; check the address or try again."


def _not_a_page(ctype: str | None) -> str:
    if ctype in (None, "application/octet-stream"):
        what = "does not look like a web page"
    else:
        kind = _MEDIA_TYPES.get(ctype) or (f"an image ({ctype})" if ctype.startswith("image/") else ctype)
        what = f"is {kind}, not a web page"
    return f"{what}; save the article text into a .txt file and import that."


def _too_large() -> str:
    return (f"the page is larger than {MAX_BYTES // (1024 * 1024)} MB, so it is not an article; check "
            "the address, or save the article text into a .txt file and import that.")


class _Markup:
    """Small lookups in the page's own markup, for what trafilatura does not return."""

    def __init__(self, tree: HtmlElement):
        self.tree = tree
        self.articles = list(self._news_articles())

    def og(self, prop: str) -> str | None:
        for meta in self.tree.iterfind(".//meta[@content]"):
            if (meta.get("property") or meta.get("name") or "").lower() == prop and meta.get("content").strip():
                return meta.get("content").strip()
        return None

    def ld(self, key: str) -> Any:
        return next((a[key] for a in self.articles if a.get(key)), None)

    def ld_name(self, key: str) -> str | None:
        """author.name or publisher.name; several authors are joined as trafilatura joins them."""
        names = [x.get("name") if isinstance(x, dict) else x for x in _as_list(self.ld(key))]
        return "; ".join(n.strip() for n in names if isinstance(n, str) and n.strip()) or None

    def ld_image(self) -> str | None:
        for item in _as_list(self.ld("image")):
            found = item.get("url") or item.get("contentUrl") if isinstance(item, dict) else item
            if isinstance(found, str) and found.strip():
                return found.strip()
        return None

    def h1(self) -> str | None:
        heading = self.tree.find(".//h1")
        return heading.text_content() if heading is not None else None

    def times(self) -> list[str]:
        """<time datetime> values, the one marked as the publication date first."""
        stamps = self.tree.xpath(".//time[@datetime]")
        stamps.sort(key=lambda t: not (t.get("itemprop") == "datePublished" or "pubdate" in t.attrib))
        return [t.get("datetime") for t in stamps]

    def lang(self) -> str | None:
        code = self.tree.get("lang") or self.tree.get("{http://www.w3.org/XML/1998/namespace}lang") \
            or self.og("og:locale") or ""
        primary = re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower()
        return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None

    def lead_figure(self, image: str | None, base: str | None) -> tuple[str | None, str | None, str | None]:
        """(image, caption, credit) of the <figure> showing the lead image (the same file name, as
        og:image often points at a CDN copy), or of the first figure in the content."""
        figures = [(f, img) for f in self.tree.xpath(f".//figure[not({_PAGE_FURNITURE})]")
                   for img in f.xpath(".//img")[:1]]
        if image:
            wanted = _file_name(image)
            figures = [(f, img) for f, img in figures
                       if wanted and _file_name(image_src(img) or img.get("src")) == wanted]
        if not figures:
            return image, None, None
        figure, img = figures[0]
        caption, credit = None, None
        figcaption = figure.find(".//figcaption")
        if figcaption is not None:
            caption_part = copy.deepcopy(figcaption)
            for node in caption_part.xpath(_CREDIT_XPATH):
                credit = credit or _clean(_CREDIT_LABEL.sub("", _clean(node.text_content()) or ""))
                node.drop_tree()
            caption = _clean(caption_part.text_content())
        if credit is None and (node := next(iter(figure.xpath(_CREDIT_XPATH)), None)) is not None:
            credit = _clean(_CREDIT_LABEL.sub("", _clean(node.text_content()) or ""))
        caption = caption or _clean(img.get("alt"))
        return image or _absolute(image_src(img) or img.get("src"), base), caption, credit

    def _news_articles(self):
        for script in self.tree.xpath(".//script[@type='application/ld+json']"):
            try:
                data = json.loads(script.text_content(), strict=False)
            except (ValueError, RecursionError):
                continue
            stack = _as_list(data)
            while stack:
                item = stack.pop(0)
                if not isinstance(item, dict):
                    continue
                stack.extend(_as_list(item.get("@graph")))
                kinds = {k.lower() for k in _as_list(item.get("@type")) if isinstance(k, str)}
                if kinds & {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
                            "blogposting"} or item.get("headline"):
                    yield item


def _checked_day(day: date | None, tree: HtmlElement, url: str | None) -> date | None:
    """htmldate's extensive search ends in guesses: a "© 2025" footer or a bare "March 2025"
    become the 1st of January or of March. A first of the month is kept only when the plain
    search (markup, URL, date-like elements) finds it too."""
    if day is None or day.day != 1:
        return day
    plain = _quietly(lambda: htmldate.find_date(tree, extensive_search=False, original_date=True, url=url))
    return day if plain == day.isoformat() else None


def _with_time(day: date | None, stamps: list[Any]) -> datetime | date | None:
    """htmldate's day, with the time of the first markup timestamp written for that day. htmldate
    has already read the same markup: when it found no day, the stamps are out of range (in the
    future, say) or unreadable, so they do not stand in for it."""
    if day is None:
        return None
    return next((d for d in map(_parse_date, stamps) if isinstance(d, datetime) and d.date() == day), day)


def _parse_date(value: Any) -> datetime | date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) <= 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _is_sentence(line: str) -> bool:
    return len(line.split()) >= 5 and line.rstrip("\"'»”’) ").endswith((".", "!", "?", "…"))


def _quietly(call):
    # trafilatura and htmldate are run on whatever a site serves; a parser crash on odd markup
    # must cost that field, not the import.
    try:
        return call()
    except Exception:
        return None


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    return re.sub(r"\s+", " ", text).strip() or None


# Addresses come from the page and can be malformed ("http://[oops"): they count as missing.
def _absolute(link: str | None, base: str | None) -> str | None:
    if not link or not link.strip():
        return None
    try:
        joined = urljoin(base or "", link.strip())
    except ValueError:
        return None
    return joined if is_url(joined) else None


def _file_name(link: str | None) -> str | None:
    try:
        return urlsplit(link).path.rsplit("/", 1)[-1].lower() or None if link else None
    except ValueError:
        return None


def _bare_host(link: str) -> str:
    try:
        return (urlsplit(link).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def extracted(page: Page, lang: str) -> Extracted:
    """The page as the importer's Extracted, as if its text had been copied: the markup's
    title, date and credits are taken as found; a page without a title gets one inferred."""
    published = page.published
    day = published.date() if isinstance(published, datetime) else published
    clock = published.timetz() if isinstance(published, datetime) else None
    title, inferred = page.title, False
    if not title and page.paragraphs:
        title, inferred = infer_headline(page.paragraphs[0], lang), True
    notes = tuple(f"{what} from the page's markup" for what, value in (
        ("title", page.title), ("date", day), ("author", page.author), ("site name", page.site_name),
        ("lead image", page.image)) if value)
    standfirst = page.description if page.description and page.paragraphs and not same_text(
        page.description, page.paragraphs[0]) and not page.paragraphs[0].startswith(page.description[:40]) else None
    return Extracted(title=title, title_inferred=inferred, date=day, date_inferred=False, time=clock,
                     source=page.site_name, author=page.author, caption=page.caption, photo_credit=page.credit,
                     paragraphs=page.paragraphs, notes=notes, standfirst=standfirst)
