"""Language-specific typography applied to text (never to markup, code or URLs).

French: a narrow no-break space (U+202F) before ; : ! ? and inside « ».
"""
from __future__ import annotations

import re
from collections.abc import Callable

NNBSP = "\u202f"
_SPACE_BEFORE_PUNCT = re.compile(r"[ \u00a0\u202f]+(?=[;:!?»])")
_SPACE_AFTER_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_MISSING_BEFORE_CLOSE = re.compile(r"(?<=[^\s\u00a0\u202f])»")


_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def apostrophes(text: str) -> str:
    """Typographic apostrophes in plain text (titles, summaries), as smarty gives the body."""
    return _APOSTROPHE.sub("’", text)


def french(text: str) -> str:
    text = apostrophes(text)
    # Only spaces the writer typed are replaced before ; : ! ? so "10:32" and "http://" stay intact.
    text = _SPACE_BEFORE_PUNCT.sub(NNBSP, text)
    text = _SPACE_AFTER_OPEN.sub("«" + NNBSP, text)
    return _MISSING_BEFORE_CLOSE.sub(NNBSP + "»", text)


RULES: dict[str, Callable[[str], str]] = {"fr": french}


def for_locale(locale: str) -> Callable[[str], str]:
    """The typography function for a Babel locale id such as "fr" or "fr_CA"."""
    return RULES.get(locale.split("_")[0], apostrophes)
