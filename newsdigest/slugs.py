"""ASCII slugs for URLs: "Corée du Nord" -> "coree-du-nord"."""
from __future__ import annotations

import re

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_WORDS = 12


def slugify(text: str, max_words: int = MAX_WORDS) -> str:
    """Transliterate to ASCII, lowercase, join words with hyphens; long titles keep their first words."""
    # Apostrophes join elisions ("l'OTAN" -> "lotan" reads worse than "l-otan"), so they split words.
    words = [w for w in _NOT_SLUG.split(anyascii(text).lower()) if w]
    return "-".join(words[:max_words])


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug))
