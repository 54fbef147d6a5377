"""Typography applied to text (never to markup, code or URLs): curly quotes and apostrophes, dashes
and ellipses for every language (what SmartyPants does, at a fraction of the cost of Python-Markdown's
smarty extension), plus each language's own rules.

French: guillemets « » for double quotes, and a narrow no-break space (U+202F) before ; : ! ? and
inside « ».
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NNBSP = "\u202f"
_ELEMENT = "\ue000"  # a private-use character: never in real text
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_OPENING_DOUBLE = re.compile(r'(?:^|(?<=[\s(\[{\u2014\u2013]))"(?=\S)')
_OPENING_SINGLE = re.compile(r"(?:^|(?<=[\s(\[{\u2014\u2013]))'(?=\S)")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \u00a0\u202f]+(?=[;:!?»])")
_SPACE_AFTER_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_MISSING_BEFORE_CLOSE = re.compile(r"(?<=[^\s\u00a0\u202f])»")


@dataclass(frozen=True)
class Quotes:
    open_double: str
    close_double: str
    open_single: str = "\u2018"
    close_single: str = "\u2019"


ENGLISH = Quotes("\u201c", "\u201d")
FRENCH = Quotes("«", "»")


def _between(text: str, starts_block: bool, ends_block: bool) -> str:
    """A text node may sit between inline elements: stand-ins for them let the rules see "something,
    not a space" there, so a quote after an element closes and one before an element (as in
    "*word*") opens."""
    return ("" if starts_block else _ELEMENT) + text + ("" if ends_block else _ELEMENT)


def _smarten(text: str, quotes: Quotes) -> str:
    # Each step only when its character is there: this runs on every text node of every article.
    if "--" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "..." in text:
        text = text.replace("...", "\u2026")
    if "'" in text:
        text = _APOSTROPHE.sub("\u2019", text)
        text = _OPENING_SINGLE.sub(quotes.open_single, text).replace("'", quotes.close_single)
    if '"' in text:
        text = _OPENING_DOUBLE.sub(quotes.open_double, text).replace('"', quotes.close_double)
    return text


def smarten(text: str, quotes: Quotes = ENGLISH, starts_block: bool = True, ends_block: bool = True) -> str:
    """Straight quotes to curly ones, -- and --- to dashes, ... to an ellipsis."""
    return _smarten(_between(text, starts_block, ends_block), quotes).replace(_ELEMENT, "")


_FRENCH_SIGNS = frozenset(";:!?«»")


def french_spacing(text: str) -> str:
    if _FRENCH_SIGNS.isdisjoint(text):
        return text
    # Only spaces the writer typed are replaced before ; : ! ? so "10:32" and "http://" stay intact.
    text = _SPACE_BEFORE_PUNCT.sub(NNBSP, text)
    text = _SPACE_AFTER_OPEN.sub("«" + NNBSP, text)
    return _MISSING_BEFORE_CLOSE.sub(NNBSP + "»", text)


def french(text: str, starts_block: bool = True, ends_block: bool = True) -> str:
    text = _smarten(_between(text, starts_block, ends_block), FRENCH)
    return french_spacing(text).replace(_ELEMENT, "")


def english(text: str, starts_block: bool = True, ends_block: bool = True) -> str:
    return smarten(text, ENGLISH, starts_block, ends_block)


RULES: dict[str, Callable[..., str]] = {"fr": french}


def for_locale(locale: str) -> Callable[..., str]:
    """The typography function for a Babel locale id such as "fr" or "fr_CA"; other languages get
    English-style curly quotes."""
    return RULES.get(locale.split("_")[0], english)
