"""The default theme: the repository's top-level templates/ and locales/, which the wheel carries
as newsdigest/theme/templates and newsdigest/theme/locales (pyproject.toml, package-dir). A site's
own templates/ and locales/ come first, file by file (config.Config.template_dirs)."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    packaged = _HERE / name
    # Installed from a wheel, the theme sits in this package; run from the repository (an editable
    # install, or build.py), it is the repository's own top-level folder.
    return packaged if packaged.is_dir() else _HERE.parent.parent / name


TEMPLATES = _folder("templates")
LOCALES = _folder("locales")
