"""The allow-list every story body passes through after Markdown, for pages and feeds alike.

Markdown lets an editor (or text pasted into a story) carry raw HTML: a <script>, an <iframe src=
javascript:…>, an on*= attribute, a javascript: link, or attr_list's `{: onerror=… }`. nh3 (the
Ammonia sanitizer) keeps only what news copy needs: headings, paragraphs, lists, tables, quotes,
figures, images, links and inline emphasis, with http, https, mailto and relative URLs. Script and
style elements go with their content; anything else not listed keeps its text and loses its tag.

A site can allow more in site.toml (`[sanitize]`: extra `tags`, `attributes` per tag, `url_schemes`);
the defaults are never narrowed by it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "q", "cite", "pre", "code", "kbd",
    "samp", "var", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "abbr",
    "dfn", "time", "span", "div", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "figure", "figcaption", "img", "a",
})
ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"}, "dfn": {"title"}, "time": {"datetime"},
    "del": {"datetime"}, "ins": {"datetime"},  # no cite: a URL attribute the sanitizer does not check
    "ol": {"start", "reversed"}, "li": {"value"},
    "th": {"colspan", "rowspan", "scope", "headers"}, "td": {"colspan", "rowspan", "headers"},
    "col": {"span"}, "colgroup": {"span"},
    # Headings keep their anchors ("toc", attr_list ids) and footnotes their back-links.
    "*": {"id", "lang", "dir"},
}
# Python-Markdown's footnotes mark their links and list with these classes; no other class passes.
CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}, "sup": set()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them: their content is code or a form, never article text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template",
                                  "form", "textarea", "select", "button", "svg", "math", "frameset", "frame"})
# An image whose only source was refused (data:, javascript:) would be an <img> without src: invalid.
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# A story's ids are prefixed so that none can take one of the page's own ("main", the skip link's
# target); its own fragment links ("#fn:1", "#my-anchor") follow them.
ID_PREFIX = "story-"
_FRAGMENT_LINK = re.compile(r'(\shref=")#(?!' + ID_PREFIX + ')')


@dataclass(frozen=True)
class Policy:
    """What bodies may hold beyond the defaults (site.toml [sanitize])."""
    tags: frozenset[str] = field(default=frozenset())
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    url_schemes: frozenset[str] = field(default=frozenset())


class Sanitizer:
    def __init__(self, policy: Policy = Policy()):
        tags = set(TAGS) | set(policy.tags)
        attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
        for tag, names in policy.attributes:
            attributes.setdefault(tag, set()).update(names)
        self._options = dict(
            tags=tags, attributes=attributes, url_schemes=set(URL_SCHEMES) | set(policy.url_schemes),
            clean_content_tags=set(DROPPED_WITH_CONTENT) - tags, link_rel=None, strip_comments=True,
            allowed_classes={tag: set(names) for tag, names in CLASSES.items()}, id_prefix=ID_PREFIX)

    def clean(self, html: str) -> str:
        cleaned = _IMG_WITHOUT_SRC.sub("", nh3.clean(html, **self._options))
        return _FRAGMENT_LINK.sub(rf"\1#{ID_PREFIX}", cleaned) if 'href="#' in cleaned else cleaned


_STORY_REF = re.compile(r'(\s(?:id|href)=")(#?)' + ID_PREFIX)


def scoped_ids(html: str, scope: str) -> str:
    """A sanitized body's ids and fragment links moved under `scope` ("story-fr-..."), for a page
    that shows two bodies, whose ids may be the same."""
    return _STORY_REF.sub(rf"\1\2{ID_PREFIX}{scope}-", html)
