"""`newsdigest pair` and `newsdigest unpair`: an editor's correction of a pairing, in one command.

A story is a folder of content/ and its language files (en.md, fr.md) are its versions.
`pair A B` moves B's files into A's folder (the second story moves into the first) and removes
B's folder once it is empty. `unpair STORY LANG` moves one version, with the files only it uses,
into a new sibling folder named after its slug, copies the files both versions use, and records
`unpaired_from: STORY` in the moved file so that the build stops suggesting the pair.

Each command first plans (every check, on the files as they are) and only then applies the plan
with renames inside content/, undoing what it did if a step fails: a refused command changes
nothing. Front matter is edited only where a command needs it, one key's lines at a time, and
never re-serialized. The `import:` block is left alone: it records how the importer made the file.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from babel import Locale

from . import frontmatter_yaml
from .config import Config
from .errors import Problem, RegroupError
from .slugs import is_valid_slug, slugify

UNPAIRED_KEY = "unpaired_from"
_BOUNDARY = re.compile(r"-{3,}[ \t]*\r?\n?")
# Where a Markdown body names a file: [text](name), ![alt](name), [ref]: name, src="name".
_LINK = re.compile(r"""(?:\]\(\s*<?|^\s{0,3}\[[^\]]+\]:\s*<?|\b(?:src|href)\s*=\s*["'])(?:\./)?([^)\s>"']+)""",
                   re.MULTILINE)


def shown(path: Path) -> str:
    """A path as the command line shows it: relative to the current folder when below it."""
    cwd = Path.cwd()
    return str(path.relative_to(cwd)) if path.is_absolute() and path.is_relative_to(cwd) else str(path)


def language_name(code: str) -> str:
    return Locale("en").languages.get(code, code)


# Reading stories

@dataclass(frozen=True)
class Version:
    """One language file of a story, read leniently: the build reports what is wrong in it."""
    path: Path
    lang: str
    raw: str  # the file's text exactly as stored (BOM and line endings included)
    meta: dict[str, Any] | None  # None when the front matter cannot be read
    body: str

    @property
    def image(self) -> str | None:
        image = (self.meta or {}).get("image")
        if not isinstance(image, str) or urlsplit(image).scheme or image.startswith("/"):
            return None  # absolute URLs and site paths are not files of the folder
        return image.strip().removeprefix("./") or None

    def references(self, names: set[str]) -> set[str]:
        """The files of its folder it uses: its image and whatever its body links to."""
        found = {m.group(1) for m in _LINK.finditer(self.body)}
        if self.image:
            found.add(self.image)
        return found & names


def _split(raw: str) -> tuple[list[str], int] | None:
    """The text's lines (BOM removed, line ends kept) and the index of the closing front-matter
    line, or None when the file does not start with front matter."""
    lines = raw.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or not _BOUNDARY.fullmatch(lines[0]):
        return None
    close = next((i for i in range(1, len(lines)) if _BOUNDARY.fullmatch(lines[i])), None)
    return (lines, close) if close is not None else None


def _parse(front: str) -> dict[str, Any] | None:
    try:
        meta = frontmatter_yaml.load(front)
    except frontmatter_yaml.FrontMatterError:
        return None
    meta = {} if meta is None else meta
    return meta if isinstance(meta, dict) else None


def read_version(path: Path, lang: str) -> Version:
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegroupError(Problem(path, f"cannot read it ({getattr(exc, 'strerror', None) or exc}); "
                                         "fix the file, then run the command again.")) from None
    split = _split(raw)
    if split is None:
        return Version(path, lang, raw, None, raw)
    lines, close = split
    return Version(path, lang, raw, _parse("".join(lines[1:close])), "".join(lines[close + 1:]))


def resolve_story(arg: str | Path, config: Config) -> Path:
    """A story folder from what an editor typed: a path below content/, or a path (from here or
    absolute) to the folder or to one of its .md files."""
    root = config.content_dir
    given = Path(arg)
    tries = [given] if given.is_absolute() else [root / given, Path.cwd() / given]
    for candidate in tries:
        if candidate.is_file() and candidate.suffix == ".md":
            candidate = candidate.parent
        if candidate.is_dir():
            folder = candidate.resolve()
            break
    else:
        raise RegroupError(Problem(given, f"no such story: give a story folder below {shown(root)}/ "
                                          "(e.g. 2026/02/north-korea-warns-japan), or the path of the "
                                          "folder or of one of its .md files."))
    if folder == root or not folder.is_relative_to(root):
        raise RegroupError(Problem(folder, f"not a story folder below the content folder {shown(root)}."))
    if not versions(folder, config.codes):
        raise RegroupError(Problem(folder, "no story here: the folder holds no language file "
                                           f"({', '.join(f'{c}.md' for c in config.codes)})."))
    return folder


def versions(folder: Path, codes: tuple[str, ...]) -> dict[str, Path]:
    """lang -> language file, in configured order."""
    return {code: folder / f"{code}.md" for code in codes if (folder / f"{code}.md").is_file()}


def _files(folder: Path) -> list[Path]:
    """The files a command carries along: every file of the folder but hidden ones (.DS_Store)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _key(folder: Path, config: Config) -> str:
    return folder.relative_to(config.content_dir).as_posix()


def _check_flat_image(version: Version, problems: list[Problem]) -> None:
    """The commands move the files directly in a story folder; an image in a subfolder would be
    left behind."""
    image = version.image
    if image and "/" in image and (version.path.parent / image).is_file():
        problems.append(Problem(version.path, f"its image '{image}' is in a subfolder; move the file up into "
                                              "the story folder and fix 'image:', then run the command again."))


# Editing front matter, one key at a time

def _flow(values: list[str]) -> str:
    text = yaml.safe_dump(list(values), default_flow_style=True, allow_unicode=True, width=10**9).strip()
    return text[1:-1] if len(values) == 1 else text  # one value as a plain scalar


def set_key(raw: str, key: str, values: list[str]) -> str:
    """`raw` with the top-level front-matter `key` set to `values` (one line: a scalar or a flow
    list; the key removed when empty). Only that key's lines change; every other byte stays."""
    split = _split(raw)
    if split is None:
        raise ValueError("no front matter")
    lines, close = split
    before = _parse("".join(lines[1:close]))
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    start = next((i for i in range(1, close) if re.match(rf"{re.escape(key)}[ \t]*:", lines[i])), None)
    if start is None:
        at = close
    else:
        end = start + 1  # the value may go on over indented lines or a block list
        while end < close and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines after it belong to what follows
        del lines[start:end]
        close -= end - start
        at = start
    if values:
        lines.insert(at, f"{key}: {_flow(values)}{newline}")
        close += 1
    text = ("\ufeff" if raw.startswith("\ufeff") else "") + "".join(lines)
    after = _parse("".join(lines[1:close]))
    expected = {k: v for k, v in (before or {}).items() if k != key}
    if values:
        expected[key] = values[0] if len(values) == 1 else list(values)
    if before is None or after != expected:
        raise ValueError("the edit would change more than that key")
    return text


def _unpaired(meta: dict[str, Any] | None) -> list[str]:
    value = (meta or {}).get(UNPAIRED_KEY)
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v).strip().strip("/") for v in values]


def _edit(version: Version, values: list[str], hint: str) -> bytes:
    try:
        return set_key(version.raw, UNPAIRED_KEY, values).encode("utf-8")
    except ValueError:
        raise RegroupError(Problem(version.path, f"cannot edit its front matter without rewriting it; {hint}, "
                                                 "then run the command again.")) from None


# Plans

VERBS = {"moved": "move", "copied": "copy", "removed": "remove", "kept": "keep", "recorded": "record",
         "deleted": "delete"}


@dataclass
class Plan:
    """Everything a command will do, decided before anything is touched."""
    summary: str  # with "{moved}" etc. where a verb goes; describe() fills them in (VERBS)
    create: Path | None = None  # a new story folder
    copies: list[tuple[Path, Path]] = field(default_factory=list)
    moves: list[tuple[Path, Path]] = field(default_factory=list)
    edits: dict[Path, bytes] = field(default_factory=dict)  # a moved file's new bytes, by destination
    drops: list[Path] = field(default_factory=list)  # exact duplicates of files already at the destination
    remove: Path | None = None  # a folder to remove once empty

    def describe(self, dry: bool = False) -> str:
        text = self.summary
        for past, future in VERBS.items():
            text = text.replace("{" + past + "}", f"would {future}" if dry else past)
        return f"dry run: {text}; nothing was changed" if dry else text


def _listing(files: list[Path]) -> str:
    """"content/a/fr.md" or "content/a/fr.md, x.jpg and y.pdf": the first in full, the rest by name."""
    if not files:
        return ""
    names = [shown(files[0])] + [f.name for f in files[1:]]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _same_bytes(a: Path, b: Path) -> bool:
    return b.is_file() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def plan_pair(config: Config, first: str | Path, second: str | Path) -> Plan:
    """Moves the second story's files into the first story's folder."""
    a, b = resolve_story(first, config), resolve_story(second, config)
    if a == b:
        raise RegroupError(Problem(a, "both arguments name this story; give two different stories."))
    a_versions, b_versions = versions(a, config.codes), versions(b, config.codes)
    same = [code for code in b_versions if code in a_versions]
    if same:
        raise RegroupError([Problem(b_versions[code], f"both stories are in {language_name(code)} ({code}): "
                                    f"{shown(a_versions[code])} and {shown(b_versions[code])}; a story holds "
                                    "one file per language. Pair stories in different languages.")
                            for code in same])
    problems: list[Problem] = []
    moved = [read_version(path, code) for code, path in b_versions.items()]
    images = {}
    for version in moved:
        _check_flat_image(version, problems)
        if version.image:
            images.setdefault(version.image, version)
    plan = Plan(summary="")
    files = _files(b)
    files.sort(key=lambda p: p not in b_versions.values())  # the language files first, as they are shown
    for src in files:
        dst = a / src.name
        if not (dst.exists() or dst.is_symlink()):
            plan.moves.append((src, dst))
        elif src.suffix != ".md" and _same_bytes(src, dst):
            plan.drops.append(src)  # the same photo in both folders (an unpair copies shared files)
        elif src.name in images:
            problems.append(Problem(src, f"photo name collision: {shown(src)} (the image of "
                                         f"{shown(images[src.name].path)}) and {shown(dst)} have the same name "
                                         "but different contents; rename one of them (and the 'image:' line "
                                         "that names it), then pair again."))
        else:
            problems.append(Problem(dst, f"already exists; pairing would overwrite it with {shown(src)}. "
                                         "Rename one of the two files, then pair again."))
    a_key = _key(a, config)
    for version in moved:
        # This story was once split from the first; pairing them again overrides that record.
        if a_key in _unpaired(version.meta):
            keep = [v for v in _unpaired(version.meta) if v != a_key]
            plan.edits[a / version.path.name] = _edit(version, keep, f"remove '{a_key}' from '{UNPAIRED_KEY}:' by hand")
    if problems:
        raise RegroupError(problems)
    left = [p for p in b.iterdir() if p not in {src for src, _ in plan.moves} and p not in plan.drops]
    plan.remove = None if left else b
    summary = f"{{moved}} {_listing([src for src, _ in plan.moves])} into {shown(a)}"
    if plan.drops:
        summary += f" ({{deleted}} {_listing(plan.drops)}: the same file is already there)"
    if left:
        summary += f"; {{kept}} {shown(b)}, which still holds {', '.join(sorted(p.name for p in left))}"
    else:
        summary += f" and {{removed}} the empty folder {shown(b)}"
    plan.summary = summary
    return plan


def plan_unpair(config: Config, story: str | Path, lang: str) -> Plan:
    """Moves one language version out into a new sibling story."""
    if lang not in config.codes:
        raise RegroupError(Problem(config.path, f"'{lang}' is not a language of this site; the configured "
                                                f"languages are {', '.join(config.codes)}."))
    folder = resolve_story(story, config)
    found = versions(folder, config.codes)
    name = f"{language_name(lang)} ({lang})"
    if lang not in found:
        raise RegroupError(Problem(folder, f"this story has no {name} version ({lang}.md); its versions: "
                                           f"{', '.join(f'{c}.md' for c in found)}."))
    if len(found) == 1:
        raise RegroupError(Problem(found[lang], "this is the story's only version, so there is nothing to "
                                                "unpair it from."))
    moving = read_version(found[lang], lang)
    staying = [read_version(path, code) for code, path in found.items() if code != lang]
    if moving.meta is None:
        raise RegroupError(Problem(moving.path, "its front matter cannot be read; fix it (the build says "
                                                "what is wrong), then unpair again."))
    problems: list[Problem] = []
    _check_flat_image(moving, problems)
    if problems:
        raise RegroupError(problems)

    slug = moving.meta.get("slug")
    base = (slug if isinstance(slug, str) and is_valid_slug(slug) else
            slugify(str(moving.meta.get("title") or "")) or f"{folder.name}-{lang}")
    target, n = folder.parent / base, 1
    while target.exists() or target.is_symlink():
        n += 1
        target = folder.parent / f"{base}-{n}"

    files = [p for p in _files(folder) if p.suffix != ".md"]
    names = {p.name for p in files}
    mine = moving.references(names)
    theirs = set().union(*(v.references(names) for v in staying))
    key = _key(folder, config)
    plan = Plan(summary="", create=target)
    plan.moves.append((moving.path, target / moving.path.name))
    for path in files:
        if path.name in mine and path.name in theirs:
            plan.copies.append((path, target / path.name))
        elif path.name in mine:
            plan.moves.append((path, target / path.name))
    recorded = _unpaired(moving.meta)
    if key not in recorded:
        plan.edits[target / moving.path.name] = _edit(
            moving, recorded + [key], f"add '{UNPAIRED_KEY}: {key}' to it by hand")
    summary = f"{{moved}} {_listing([src for src, _ in plan.moves])} into the new story {shown(target)}"
    if plan.copies:
        summary += f" ({{copied}} {', '.join(p.name for p, _ in plan.copies)}, used by both versions)"
    summary += f"; {{recorded}} '{UNPAIRED_KEY}: {key}' in its front matter, so the build will not suggest pairing them again"
    plan.summary = summary
    return plan


# Applying a plan

def apply(plan: Plan) -> None:
    """Carries out a plan; if any step fails, undoes the steps already done and raises RegroupError."""
    undo: list = []
    current: Path | None = None
    try:
        if plan.create:
            current = plan.create
            plan.create.mkdir()
            undo.append(lambda: plan.create.rmdir())
        for src, dst in plan.copies:
            current = dst
            if dst.exists():
                raise FileExistsError(17, "it appeared meanwhile; not overwritten")
            shutil.copy2(src, dst)
            undo.append(lambda dst=dst: dst.unlink())
        for src, dst in plan.moves:
            current = dst
            if dst.exists() or dst.is_symlink():  # created since the plan was made: never overwrite
                raise FileExistsError(17, "it appeared meanwhile; not overwritten")
            os.rename(src, dst)
            undo.append(lambda src=src, dst=dst: os.rename(dst, src))
        for path, data in plan.edits.items():
            current = path
            old = path.read_bytes()
            _write(path, data)
            undo.append(lambda path=path, old=old: _write(path, old))
    except OSError as exc:
        for step in reversed(undo):
            try:
                step()
            except OSError:
                pass
        raise RegroupError(Problem(current, f"could not change it ({exc.strerror or exc}); everything done "
                                            "so far was undone.")) from None
    for path in plan.drops:
        path.unlink(missing_ok=True)
    if plan.remove:
        try:
            plan.remove.rmdir()
        except OSError:
            pass  # something appeared in it meanwhile: keep it


def _write(path: Path, data: bytes) -> None:
    """Replaces a file's bytes atomically, keeping its permissions."""
    mode = path.stat().st_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regroup-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _planned(make: Callable[[], Plan]) -> Plan:
    try:
        return make()
    except OSError as exc:  # an unreadable folder or file, found while checking
        raise RegroupError(Problem(exc.filename, f"cannot read it ({exc.strerror or exc}); fix its "
                                                 "permissions, then run the command again.")) from None


def pair(config: Config, first: str | Path, second: str | Path, dry_run: bool = False) -> str:
    """`newsdigest pair`: returns the line to print."""
    plan = _planned(lambda: plan_pair(config, first, second))
    if not dry_run:
        apply(plan)
    return plan.describe(dry_run)


def unpair(config: Config, story: str | Path, lang: str, dry_run: bool = False) -> str:
    """`newsdigest unpair`: returns the line to print."""
    plan = _planned(lambda: plan_unpair(config, story, lang))
    if not dry_run:
        apply(plan)
    return plan.describe(dry_run)


# Command line (wired in cli.py)

def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    if command == "pair":
        parser.description = ("Join two stories in different languages into one: the second story's files "
                              "move into the first story's folder, and the second folder is removed.")
        parser.add_argument("first", metavar="STORY_A", help="the story to keep: a folder below content/, "
                                                             "or the path of its folder or of its .md file")
        parser.add_argument("second", metavar="STORY_B", help="the story that moves into STORY_A")
    else:
        parser.description = ("Split one language version out of a story into a new story folder beside it, "
                              "with the files only that version uses.")
        parser.add_argument("story", metavar="STORY", help="a folder below content/, or the path of its "
                                                           "folder or of one of its .md files")
        parser.add_argument("lang", metavar="LANG", help="the language to split out, e.g. fr")
    parser.add_argument("--dry-run", action="store_true", help="say what would move; change nothing")


def run(args: argparse.Namespace, config: Config, command: str) -> int:
    if command == "pair":
        print(pair(config, args.first, args.second, args.dry_run))
    else:
        print(unpair(config, args.story, args.lang, args.dry_run))
    return 0
