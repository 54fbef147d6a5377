"""Splitting a story file into front matter and body, and reading the front matter as strict YAML.

YAML is more than 'key: value' lines, and some of it is hostile or a trap in a newsroom's files:
- aliases (`*name`) can expand a 377-byte file into gigabytes (a "billion laughs"): refused;
- a key written twice silently keeps the last value: refused, naming both lines;
- dates are kept as text, so that an impossible one (2026-02-30, hour 25, an offset of +25:00)
  is the reader's error with a line number rather than a crash inside the YAML library;
- nesting deep enough to exhaust the stack is an error, not a RecursionError.
Everything else is PyYAML's safe loader (the C one when the text has no anchor or alias at all).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_HANDLER = YAMLHandler()
# An anchor or alias can only start at one of these; quoted text containing them takes the slow path.
_MAYBE_ALIAS = re.compile(r"[&*]")


class FrontMatterError(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark.line)
        except TypeError:  # an unhashable key ([a, b]: x): the constructor's own error says so
            break
        if first != key_node.start_mark.line:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is written twice (lines {first + 1} and "
                            f"{key_node.start_mark.line + 1}); keep one", key_node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


class _Strict(yaml.SafeLoader):
    """The pure-Python safe loader, without aliases: what a file with an '&' or '*' is read with."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not allowed in front "
                                              "matter; write the value out in full", event.start_mark)
        return super().compose_node(parent, index)


class _Fast(_FAST):
    pass


for _loader in (_Strict, _Fast):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
    _loader.add_constructor("tag:yaml.org,2002:map", _unique_mapping)


@dataclass(frozen=True)
class Split:
    front: str  # the YAML between the fences
    body: str
    body_line: int  # the file line the body starts on


def split(text: str) -> Split | None:
    """python-frontmatter's split of a story file; None when the text does not start with a '---'
    line. Raises FrontMatterError when the front matter is never closed."""
    if not _HANDLER.detect(text):
        return None
    try:
        front, body = _HANDLER.split(text)
    except ValueError:  # one fence only
        raise FrontMatterError("the front matter is never closed; add a '---' line after its last "
                               "'key: value' line, before the article text.", 1) from None
    # `front` runs from the end of the opening fence's line, so its line 0 is the file's line 1.
    return Split(front, body, front.count("\n") + 2)


def load(front: str) -> Any:
    """The front matter's value, `front` as split() gives it. Raises FrontMatterError with the file
    line of what is wrong."""
    loader = _Strict if _MAYBE_ALIAS.search(front) else _Fast
    try:
        return yaml.load(front, Loader=loader)
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct starts (an unclosed "[", say): the line to fix.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        what = " ".join(x for x in (getattr(exc, "problem", None), getattr(exc, "context", None)) if x)
        if isinstance(exc, (yaml.composer.ComposerError, yaml.constructor.ConstructorError)) and what:
            raise FrontMatterError(f"{what}.", mark.line + 1 if mark else None) from None
        raise FrontMatterError(f"invalid YAML front matter: {what or exc}. Fix the syntax; quote values "
                               "that contain ': ' or start with a special character.",
                               mark.line + 1 if mark else None) from None
    except RecursionError:
        raise FrontMatterError("the front matter is nested too deeply to read; write plain "
                               "'key: value' lines.", None) from None
    except (ValueError, OverflowError) as exc:  # a number of 5,000 digits, say: quote it
        raise FrontMatterError(f"a value of the front matter cannot be read ({str(exc)[:80]}); put it "
                               "in quotes or shorten it.", None) from None
