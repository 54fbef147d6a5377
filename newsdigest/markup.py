"""Markdown to HTML, with the article language's typography applied to text nodes only."""
from __future__ import annotations

import re
from html import unescape
from collections.abc import Callable
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from . import typography
from .sanitize import Policy, Sanitizer

# Typography (quotes, dashes) is our own text-node pass, not the smarty extension, which doubled
# the cost of every conversion.
EXTENSIONS = ["extra", "sane_lists"]
_SKIP = {"code", "pre", "kbd", "samp", "script", "style"}
_TAGS = re.compile(r"<[^>]+>")


class _Typography(Treeprocessor):
    def __init__(self, md: markdown.Markdown, fix: Callable[[str], str]):
        super().__init__(md)
        self.fix = fix

    def run(self, root: Element) -> None:
        self._walk(root)

    def _walk(self, el: Element) -> None:
        if el.tag in _SKIP:
            return
        children = list(el)
        if el.text:
            el.text = self.fix(el.text, ends_block=not children)
        for index, child in enumerate(children):
            self._walk(child)
            if child.tail:
                child.tail = self.fix(child.tail, starts_block=False, ends_block=index == len(children) - 1)


# Every character an inline pattern (core or "extra") can start from, and the hard line break.
_INLINE_MARKUP = re.compile(r"[`\\\[\]!<>&*_{}\x02\x03]| \n")


class _SkipPlainText(Treeprocessor):
    """Python-Markdown tries every inline pattern on every text node; a paragraph of plain prose,
    without one character any pattern could start from, comes out the same, so it is marked atomic
    and skipped. Most news paragraphs are such prose: this halves the conversion time."""

    def run(self, root: Element) -> None:
        abbr = self.md.treeprocessors["abbr"] if "abbr" in self.md.treeprocessors else None
        if abbr is not None and getattr(abbr, "abbrs", None):
            return  # abbreviations are expanded in text nodes that are not atomic
        for el in root.iter():
            text = el.text
            if text and not isinstance(text, AtomicString) and not _INLINE_MARKUP.search(text):
                el.text = AtomicString(text)


class MarkdownRenderer:
    """One reusable Markdown instance per locale (Python-Markdown instances are costly to create);
    what it makes passes the sanitizer's allow-list."""

    def __init__(self, policy: Policy = Policy()) -> None:
        self._instances: dict[str, markdown.Markdown] = {}
        self._sanitizer = Sanitizer(policy)

    def _instance(self, locale: str) -> markdown.Markdown:
        md = self._instances.get(locale)
        if md is None:
            md = markdown.Markdown(extensions=EXTENSIONS)
            md.treeprocessors.register(_SkipPlainText(md), "skip-plain-text", 25)  # just before "inline"
            # Priority 0: after the inline patterns, so it sees the final text nodes.
            md.treeprocessors.register(_Typography(md, typography.for_locale(locale)), "typography", 0)
            self._instances[locale] = md
        return md

    def render(self, text: str, locale: str) -> str:
        md = self._instance(locale)
        try:
            return self._sanitizer.clean(md.convert(text))
        finally:
            md.reset()


def plain_text(html: str) -> str:
    """Text of an HTML fragment with whitespace collapsed (for summaries and word counts)."""
    return " ".join(unescape(_TAGS.sub(" ", html)).split())
