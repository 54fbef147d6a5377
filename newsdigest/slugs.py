"""ASCII slugs for URLs: "Corée du Nord" -> "coree-du-nord"."""
from __future__ import annotations

import re

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CHARS = 80


def slugify(text: str, max_chars: int = MAX_CHARS) -> str:
    """Transliterate to ASCII, lowercase, join words with hyphens; a long title keeps its first whole
    words up to max_chars."""
    # Apostrophes split words: "l'OTAN" -> "l-otan" reads better than "lotan".
    slug = "-".join(w for w in _NOT_SLUG.split(anyascii(text).lower()) if w)
    if len(slug) > max_chars:
        slug = slug[:max_chars + 1].rsplit("-", 1)[0] if "-" in slug[:max_chars + 1] else slug[:max_chars]
    return slug


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug))
