"""Story files: rendering an imported article as front matter plus Markdown, and writing it
without ever silently replacing an editor's work.

Each file the importer writes records, under `import:`, a checksum of its own text (computed
with the checksum itself blanked). A file whose text still matches is untouched since import and
may be rewritten; any other file at the target is an editor's and is only replaced with --force.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

IMPORTER_VERSION = 1
_BLANK = "0" * 64
# "sha256:" keeps the value a plain YAML string whatever the digits are.
_CHECKSUM_LINE = re.compile(r"^  checksum: sha256:([0-9a-f]{64})$", re.MULTILINE)
_BLOCK_START = re.compile(r"^(?:#{1,6}\s|>|[-+*]\s|\d{1,9}[.)]\s|={3,}\s*$|-{3,}\s*$)")


def markdown_paragraph(text: str) -> str:
    """Plain text as one Markdown paragraph that renders as the same text: characters Markdown
    would read as markup are escaped; quotes, dashes and non-breaking spaces are kept."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`\[\]])", r"\\\1", text)
    text = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", text)
    text = text.replace("<", "&lt;")
    if re.match(r"\d{1,9}[.)]\s", text):
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # "1. x" would start a list: "1\. x"
    elif _BLOCK_START.match(text):
        text = "\\" + text
    return text


def render(meta: dict[str, Any], paragraphs: tuple[str, ...]) -> str:
    """The whole file, with its checksum filled in."""
    meta = dict(meta)
    meta["import"] = {**meta.get("import", {}), "checksum": f"sha256:{_BLANK}"}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False)
    body = "\n\n".join(markdown_paragraph(p) for p in paragraphs)
    text = f"---\n{front}---\n\n{body}\n"
    return text.replace(f"  checksum: sha256:{_BLANK}", f"  checksum: sha256:{_digest(text)}", 1)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def untouched(text: str) -> bool:
    """True when `text` is exactly what the importer wrote (its checksum still matches)."""
    m = _CHECKSUM_LINE.search(text)
    if not m:
        return False
    blanked = text[: m.start(1)] + _BLANK + text[m.end(1):]
    return _digest(blanked) == m.group(1)


@dataclass(frozen=True)
class Action:
    kind: str  # create | unchanged | update | overwrite | keep
    path: Path
    text: str
    why: str = ""

    @property
    def writes(self) -> bool:
        return self.kind in ("create", "update", "overwrite")


def decide(path: Path, text: str, force: bool, same_source: bool) -> Action:
    """What to do with `path` given the new `text`. `same_source` says whether the file there
    was imported from the same raw file."""
    if not path.exists():
        return Action("create", path, text)
    try:
        current = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        current = None
    if current == text:
        return Action("unchanged", path, text)
    if current is not None and untouched(current) and same_source:
        return Action("update", path, text, "the importer's output changed; the file was not edited")
    if force:
        return Action("overwrite", path, text, "--force")
    if current is not None and untouched(current):
        why = "it holds an article imported from another file; left as it is (use --force to replace it)"
    else:
        why = "it was changed by hand since it was imported; left as it is (use --force to overwrite it)"
    return Action("keep", path, text, why)


def apply(action: Action) -> None:
    """Writes atomically: a reader (or a crash) never sees half a file."""
    action.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=action.path.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(action.text)
        os.replace(tmp, action.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
