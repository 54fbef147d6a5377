"""Reading stories: content/<any/path>/<story>/{en,fr}.md with YAML front matter.

A story is a folder; its path below content/ is the story's stable key. A file's language comes
from its name and must be a configured language. Every problem in every file is collected and
raised together.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from . import frontmatter_yaml, typography
from .bodies import StoredBody, body_bytes
from .config import Config
from .errors import ContentError, Problem
from .ignore import ignored_name
from .markup import MarkdownRenderer, plain_text
from .slugs import is_valid_slug, slugify

REQUIRED = ("title", "date")
OPTIONAL = ("summary", "source", "source_url", "author", "tags", "image", "caption", "credit", "updated",
            "slug", "draft",
            # Written by the importer; kept so editors can see how a story was made.
            "title_inferred", "date_inferred", "original_file", "import",
            # Written by `newsdigest unpair`: stories an editor split this one from, never to be
            # suggested as its pair again.
            "unpaired_from")
KNOWN_KEYS = frozenset(REQUIRED + OPTIONAL)
WORDS_PER_MINUTE = 220
SUMMARY_CHARS = 200
# C0 controls other than tab and line ends, and DEL: invalid in XML (the feeds) and never text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Article:
    story: str  # the story key: its folder below content/, POSIX style
    lang: str
    path: Path  # the source file
    title: str  # typographed for its language, plain text (escaped when rendered)
    date: datetime  # aware; the date part as written is the URL date
    has_time: bool
    updated: datetime | None
    summary: str  # the front matter's, else the body's first sentences (for listings and feeds)
    # The rendered body, zlib-compressed: a site holds every article in memory at once, and the
    # bodies were most of it (2.3 GB at 50,000 stories). A build keeps them in a file (bodies.py).
    # Read it through body_html.
    body: bytes | StoredBody
    words: int
    slug: str
    tags: tuple[str, ...] = ()
    source: str | None = None
    source_url: str | None = None
    author: str | None = None
    image: str | None = None
    caption: str | None = None
    credit: str | None = None  # who took or owns the photo, typographed; like caption, allowed without an image
    draft: bool = False
    unpaired_from: tuple[str, ...] = ()  # story keys an editor separated this one from
    fingerprint: str = ""  # digest of the source path and bytes: what incremental builds compare
    summary_given: bool = False  # written in the front matter: the article's standfirst

    @property
    def standfirst(self) -> str | None:
        """The summary shown under the headline: only one the editor wrote, since one taken from
        the body would repeat its first paragraph."""
        return self.summary if self.summary_given else None

    @property
    def body_html(self) -> str:
        return zlib.decompress(body_bytes(self.body)).decode("utf-8")

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


@dataclass(frozen=True, slots=True)
class Story:
    key: str
    folder: Path
    articles: dict[str, Article]  # lang -> article, in configured language order
    assets: tuple[Path, ...] = field(default=())  # other files in the folder, copied beside each page


def _line_of(front: str, key: str) -> int | None:
    """1-based file line of a top-level front-matter key (the opening --- is line 1)."""
    match = re.search(rf"^{re.escape(key)}\s*:", front, re.MULTILINE)
    return front.count("\n", 0, match.start()) + 1 if match else None


def _as_datetime(value: Any, tz) -> tuple[datetime, bool] | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=tz)), True
    if isinstance(value, date):
        return datetime.combine(value, time(0), tz), False
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        has_time = "T" in value or ":" in value
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)), has_time
    return None


def _why_not_a_date(value: Any) -> str:
    """" (month must be in 1..12)" for a value shaped like an ISO date that names no real day."""
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value.strip()):
        try:
            datetime.fromisoformat(value.strip())
        except ValueError as exc:
            reason = str(exc).split(",")[0]
            if reason.startswith("offset"):
                reason = "the UTC offset must lie between -23:59 and +23:59"
            return f" ({reason})" if len(reason) < 80 else ""
    return ""


def _short(value: Any) -> str:
    """A value as an error message may quote it: never a whole (possibly huge) structure."""
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return None


def read_article(path: Path, story: str, lang: str, locale: str, config: Config,
                 markdown: MarkdownRenderer) -> tuple[Article | None, list[Problem]]:
    """Parses one language file. Returns the article (None when unusable) and its problems.

    The result depends only on the file's path and bytes and on the settings in cache.settings_key(),
    so it can be cached; checks that look at other files (the image) happen in load_stories."""
    problems: list[Problem] = []

    def bad(message: str, key: str | None = None, line: int | None = None) -> None:
        problems.append(Problem(path, message, line if line is not None else
                                (_line_of(front, key) if key else None)))

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                                    "re-save the file with UTF-8 encoding.", line)]
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    if (control := _CONTROL.search(text)):
        return None, [Problem(path, f"contains a control character (U+{ord(control.group()):04X}) that no web page "
                                    "or feed may hold; delete it (it often comes with copied text).",
                              text.count("\n", 0, control.start()) + 1)]
    try:
        parts = frontmatter_yaml.split(text)
        if parts is None:
            return None, [Problem(path, "no front matter; start the file with a '---' line, then "
                                        "'title:' and 'date:', then a closing '---' line.", 1)]
        front, body = parts.front, parts.body
        meta = frontmatter_yaml.load(front)
    except frontmatter_yaml.FrontMatterError as exc:
        return None, [Problem(path, exc.message, exc.line)]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return None, [Problem(path, "front matter must be 'key: value' lines, such as 'title: ...'.", 2)]

    for key in meta:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), sorted(KNOWN_KEYS), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(KNOWN_KEYS))}."
            bad(f"unknown front matter key '{_short(key)}'; {hint}", str(key))
    fix = typography.for_locale(locale)

    title = _text(meta.get("title"))
    if "title" in meta and meta["title"] is not None and title is None:
        bad("'title' must be text, e.g. 'title: North Korea warns Japan' (quote it if it holds ': ').", "title")
    elif not title:
        bad("missing 'title'; add a line such as 'title: North Korea warns Japan'.",
            "title" if "title" in meta else None, None if "title" in meta else 2)

    when = None
    if "date" not in meta:
        bad("missing 'date'; add a line such as 'date: 2026-02-11' or 'date: 2026-02-11T10:32:00+09:00'.",
            line=2)
    else:
        when = _as_datetime(meta["date"], config.tz)
        if when is not None and when[0].year < 1000:
            when = None  # URLs and archives write the year with four digits
        if when is None:
            bad(f"date '{_short(meta['date'])}' is not a date{_why_not_a_date(meta['date'])}; write it as "
                "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2026-02-11T10:32:00+09:00).", "date")
    updated = None
    if meta.get("updated") is not None:
        parsed = _as_datetime(meta["updated"], config.tz)
        if parsed is None:
            bad(f"updated '{_short(meta['updated'])}' is not a date{_why_not_a_date(meta['updated'])}; write "
                "it as YYYY-MM-DD or an ISO 8601 date-time.", "updated")
        else:
            updated = parsed[0]

    tags_raw = meta.get("tags") or []
    tags: tuple[str, ...] = ()
    if not isinstance(tags_raw, list) or not all(_text(t) for t in tags_raw):
        bad("tags must be a list of words, e.g. 'tags: [Japan, Defence]'.", "tags")
    else:
        tags = tuple(dict.fromkeys(fix(_text(t)) for t in tags_raw))
        if any(not slugify(t) for t in tags):
            bad("every tag needs at least one letter or digit.", "tags")

    strings = {}
    for key in ("summary", "source", "source_url", "author", "image", "caption", "credit"):
        value = meta.get(key)
        strings[key] = _text(value)
        if value is not None and strings[key] is None:
            bad(f"'{key}' must be text.", key)
    if strings["source_url"] and urlsplit(strings["source_url"]).scheme not in ("http", "https"):
        bad(f"source_url '{_short(strings['source_url'])}' must start with http:// or https://.", "source_url")
    image = strings["image"]

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        bad("draft must be true or false.", "draft")

    unpaired = meta.get("unpaired_from")
    unpaired_from: tuple[str, ...] = ()
    if unpaired is not None:
        values = unpaired if isinstance(unpaired, list) else [unpaired]
        if not values or not all(isinstance(v, str) and v.strip("/ ") for v in values):
            bad("unpaired_from must be a story folder below content/, or a list of them, e.g. "
                "'unpaired_from: 2026/02/north-korea-warns-japan'.", "unpaired_from")
        else:
            unpaired_from = tuple(v.strip().strip("/") for v in values)

    slug = _text(meta.get("slug"))
    if meta.get("slug") is not None:
        if not slug or not is_valid_slug(slug):
            bad(f"slug '{_short(meta['slug'])}' must be lowercase ASCII letters, digits and single hyphens, "
                f"e.g. '{slugify(str(meta['slug'])) or 'north-korea-warns-japan'}'.", "slug")
    elif title:
        slug = slugify(title)
        if not slug:
            bad("the title has no letter or digit to make a URL from; add 'slug: some-words'.", "title")

    if not body.strip():
        bad("the article has no body text below the front matter; write it, or set 'draft: true'.",
            line=front.count("\n") + 1)  # the closing '---'


    if problems or title is None or when is None:
        return None, problems
    try:
        body_html = markdown.render(body, locale)
    except RecursionError:
        return None, [Problem(path, "the Markdown is nested too deeply to render (lists, quotes or emphasis "
                                    "inside each other hundreds of levels deep); flatten it.", parts.body_line)]
    words_text = plain_text(body_html)
    summary = strings["summary"] or _first_sentences(words_text)
    return Article(
        story=story, lang=lang, path=path, title=fix(title), date=when[0], has_time=when[1],
        updated=updated, summary=fix(summary), body=zlib.compress(body_html.encode("utf-8"), 1),
        words=len(words_text.split()),
        slug=slug, tags=tags, source=strings["source"], source_url=strings["source_url"],
        author=strings["author"], image=image, caption=fix(strings["caption"]) if strings["caption"] else None,
        credit=fix(strings["credit"]) if strings["credit"] else None,
        draft=draft, unpaired_from=unpaired_from, fingerprint=file_digest(path, data),
        summary_given=bool(strings["summary"]),
    ), []


def file_digest(path: Path, data: bytes) -> str:
    return hashlib.blake2b(str(path).encode() + b"\0" + data, digest_size=16).hexdigest()


def image_problem(article: Article) -> Problem | None:
    """An image is an http(s) URL, a path on the site (/assets/...), or a file of the story folder
    (copied beside the page): never a path out of the folder, a private file, or another scheme."""
    image = article.image
    if not image:
        return None
    scheme = urlsplit(image).scheme
    if scheme in ("http", "https") or (not scheme and image.startswith("/") and ".." not in image.split("/")):
        return None
    if scheme:
        why = (f"image '{image[:80]}' must be a file of the story folder or an http(s) address; "
               f"'{scheme}:' addresses are not allowed.")
    elif ".." in re.split(r"[/\\]", image) or "\\" in image:
        why = f"image '{image[:80]}' must be a file of the story folder, not a path out of it; copy the file in."
    elif any(not _visible(part) for part in image.split("/")) or image.endswith(".md"):
        why = (f"image '{image[:80]}' is never published: story files (.md), names starting with '.' or '_', "
               "and backup files are not copied beside the page; name a picture.")
    elif (article.path.parent / image).is_file():
        return None
    else:
        why = f"image '{image[:80]}' is not in the story folder {article.path.parent}; add the file or fix the name."
    source = article.path.read_text(encoding="utf-8-sig", errors="replace")
    return Problem(article.path, why, _line_of(source, "image"))


_SENTENCE_END = re.compile(r"[.!?…»”](?=\s)")
_TRAILING = " ,;:\u00a0\u202f\u2009"


def _first_sentences(text: str) -> str:
    """A summary from the body: whole sentences up to SUMMARY_CHARS, else words and an ellipsis."""
    if len(text) <= SUMMARY_CHARS:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, SUMMARY_CHARS)]
    if ends and ends[-1] >= SUMMARY_CHARS // 3:
        return text[:ends[-1]]
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(_TRAILING) + "…"


def _visible(name: str) -> bool:
    return not (ignored_name(name) or name.startswith("_"))


@dataclass(frozen=True)
class SourceFile:
    path: Path
    story: str
    lang: str
    locale: str


@dataclass(frozen=True)
class Tree:
    """content/ walked once per build: each folder with its visible file names, in a stable order,
    and the links found in it that resolve outside content/ (never followed, always reported).
    With walk_content(stats=True): `stats`, each file's stat key (cache.stat_key; None for one that
    vanished meanwhile), in the order of the folders and their names, what the builder's input
    snapshot compares; and `listing`, what the next walk may reuse (see walk_content)."""
    folders: tuple[tuple[str, tuple[str, ...]], ...]
    links_out: tuple[tuple[str, str], ...] = ()  # (the link, where it points)
    stats: tuple[tuple[int, int, int, int] | None, ...] | None = None
    listing: dict[str, tuple] | None = None

    def __iter__(self):
        return iter(self.folders)


def walk_content(root: Path, stats: bool = False, known: dict | None = None, settled: int = 0) -> Tree:
    """Every folder below root with its visible files (hidden, _private and backup files are
    skipped). Links are never followed out of root: a link to a folder is not descended, and one
    that resolves outside root is listed in links_out.

    With stats, each file's stat key is taken in the same pass (Tree.stats), and each folder's
    (Tree.listing: {folder: (stat key, file names, folder names, settled)}). Given the listing
    of an earlier walk (`known`), a folder whose stat key is the same is not listed again: an
    entry is created, removed or renamed only by changing its folder's modification and change
    times, and the change time cannot be put back. An entry counts only if the folder had not
    changed for a while when it was listed (its change time before `settled`, a time in
    nanoseconds): a change within the same tick of the clock would leave the times as they were.
    Nor does one of a folder holding links, whose targets may change without it. A stored
    entry is used only if it could have come from a listing (text names, no "/", none hidden)."""
    from operator import attrgetter
    stat_key = attrgetter("st_mtime_ns", "st_size", "st_ctime_ns", "st_ino")  # cache.stat_key, in C: 150,000 calls

    folders, links_out, found = [], [], []
    listing: dict[str, tuple] | None = {} if stats else None
    known = known if stats and type(known) is dict else {}
    real_root = os.path.realpath(root)
    pending = [str(root)]
    visible: dict[str, bool] = {}  # names repeat (en.md, fr.md, years, months): each is tested once
    plain: dict[tuple, bool] = {}  # the same for stored tuples of names
    shared: dict[tuple, tuple] = {}

    def seen(name: str) -> bool:
        show = visible.get(name)
        if show is None:
            show = visible[name] = _visible(name)
        return show

    def listed(names) -> bool:
        """Whether stored names are ones a listing gives: text, without "/", visible."""
        ok = plain[names] = type(names) is tuple and all(
            type(name) is str and name and "/" not in name and "\0" not in name and seen(name) for name in names)
        return ok

    stat, append, sep = os.stat, found.append, os.sep
    while pending:
        folder = pending.pop()
        if listing is not None:
            try:
                key = stat_key(stat(folder))
            except OSError:
                continue
            entry = known.get(folder)
            if entry is not None:
                try:
                    stored, names, subfolders, settled_then = entry
                    reuse = settled_then is True and stored == key and (plain.get(names) or listed(names)) \
                        and (plain.get(subfolders) or listed(subfolders))
                except (TypeError, ValueError):  # not a listing (a crafted cache): list the folder
                    reuse = False
                if reuse:
                    folders.append((folder, names))
                    listing[folder] = entry
                    prefix = folder if folder.endswith(sep) else folder + sep  # as a listing's paths
                    for name in names:
                        try:
                            append(stat_key(stat(prefix + name)))
                        except OSError:  # vanished: the snapshot simply differs
                            append(None)
                    if subfolders:
                        pending.extend([prefix + name for name in reversed(subfolders)])
                    continue
        try:
            with os.scandir(folder) as entries:
                entries = list(entries)
        except OSError:
            continue
        files, below, out, links = [], [], [], False
        for entry in entries:
            name = entry.name
            if not seen(name):
                continue
            if entry.is_symlink():
                links = True
                target = os.path.realpath(entry.path)
                if os.path.commonpath((real_root, target)) != real_root:
                    out.append((entry.path, target))
                    continue
                if os.path.isdir(target):
                    continue  # a folder seen twice would publish its stories twice
            if entry.is_dir(follow_symlinks=False):
                below.append((name, entry.path))
            else:
                files.append((name, entry))
        # In name order (one folder's paths sort as their names); no two entries share a name.
        files.sort()
        below.sort()
        out.sort()
        links_out.extend(out)
        names = tuple(name for name, _ in files)
        folders.append((folder, names))
        if listing is not None:
            # One tuple for equal listings (en.md and fr.md): stored once, read back once.
            names = shared.setdefault(names, names)
            subfolders = tuple(name for name, _ in below)
            listing[folder] = (key, names, shared.setdefault(subfolders, subfolders),
                               not links and key[2] < settled)
            for _, entry in files:
                try:
                    found.append(stat_key(entry.stat()))  # the target's, for a link inside root
                except OSError:
                    found.append(None)
        pending.extend(path for _, path in reversed(below))
    return Tree(tuple(folders), tuple(links_out), tuple(found) if stats else None, listing)


def _listing(names) -> str:
    shown = ", ".join(sorted(names)[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _scan(config: Config, tree: Tree) -> tuple[list[SourceFile], dict[str, tuple[Path, tuple[Path, ...]]], list[Problem]]:
    """Finds every story folder and language file; checks file names against the configured languages."""
    root = config.content_dir
    locales = {lang.code: lang.locale for lang in config.languages}
    files, folders, problems = [], {}, []
    for link, target in tree.links_out:
        problems.append(Problem(Path(link), f"a link to {target}, outside the content folder: links are never "
                                            "followed out of it (they could publish any file on this machine). "
                                            "Copy the file into the story folder instead."))
    for dirpath, filenames in tree:
        folder = Path(dirpath)
        pages = [f for f in filenames if f.endswith(".md")]
        if not pages:
            if filenames and folder != root:
                problems.append(Problem(folder, f"holds {_listing(filenames)} but no story file; add "
                                                f"{' or '.join(f'{c}.md' for c in locales)}, or move the files "
                                                "into the story they belong to."))
            continue
        if folder == root:
            problems.extend(Problem(folder / f, "a story file must sit in its own folder, e.g. "
                                    "content/2026/02/my-story/en.md; move it into one.") for f in pages)
            continue
        key = folder.relative_to(root).as_posix()
        assets = tuple(folder / f for f in filenames if not f.endswith(".md"))
        folders[key] = (folder, assets)
        for name in pages:
            lang = name[:-3]
            if lang not in locales:
                problems.append(Problem(folder / name, f"unknown language '{lang}': the file name must be "
                                        f"a configured language ({', '.join(f'{c}.md' for c in locales)}); "
                                        f"rename it, or add [languages.{lang}] to {config.path.name}."))
                continue
            files.append(SourceFile(folder / name, key, lang, locales[lang]))
    return files, folders, problems


def parse_files(files: list[SourceFile], config: Config,
                tick=lambda: None) -> list[tuple[Article | None, list[Problem]]]:
    """read_article over many files with one Markdown renderer (a unit of work for one process)."""
    markdown = MarkdownRenderer(config.sanitize)
    results = []
    for f in files:
        results.append(read_article(f.path, f.story, f.lang, f.locale, config, markdown))
        tick()
    return results


def settled_changes(get: Callable[[str], Any], source: SourceFile, seen: dict) -> dict[str, Any]:
    """What makes an article (its field values, by `get(name)`) hold the walk's own path, story key
    and language, and one copy of each value that many articles share (a tag, an outlet, an
    author, a time zone), `seen` holding the first. An article parsed in another process, or
    decoded from the cache, comes with copies of its own of all of them, which the site would keep
    to the end of the build (2.2 MB at 5,000 stories on two cores). The cache settles what it
    decodes before making the article, so that none is made twice."""
    def one(value):
        return value if value is None else seen.setdefault(value, value)

    changes: dict[str, Any] = {}
    for name, walked in (("path", source.path), ("story", source.story), ("lang", one(source.lang))):
        if get(name) is not walked:
            changes[name] = walked
    for name in ("source", "author", "credit"):
        value = get(name)
        if (kept := one(value)) is not value:
            changes[name] = kept
    given = get("tags")
    tags = tuple(map(one, given))
    if any(a is not b for a, b in zip(tags, given)):
        changes["tags"] = tags
    for name in ("date", "updated"):
        value = get(name)
        zone = value.tzinfo if value is not None else None
        if zone is not None:  # by its repr too: zones of one offset are equal whatever their names
            kept = seen.setdefault((zone, repr(zone)), zone)
            if kept is not zone:
                changes[name] = value.replace(tzinfo=kept)
    return changes


def settled(article: Article, source: SourceFile, seen: dict) -> Article:
    """The article with its settled_changes made."""
    changes = settled_changes(partial(getattr, article), source, seen)
    return replace(article, **changes) if changes else article


def load_stories(config: Config, *, include_drafts: bool = False, parse=None, tree: Tree | None = None,
                 drafts: list[Path] | None = None) -> list[Story]:
    """Reads every story under config.content_dir, or raises ContentError listing every problem.

    `parse(files)` turns SourceFiles into (article, problems) pairs, each article settled (see
    settled); the default parses them all here. The builder passes one that uses the on-disk cache
    and both cores, and the tree it walked."""
    root = config.content_dir
    if not root.is_dir():
        raise ContentError(Problem(root, "content folder not found; create it or pass --content DIR."))
    files, folders, problems = _scan(config, walk_content(root) if tree is None else tree)
    if parse:
        results = parse(files)
    else:
        seen: dict = {}
        results = [(article if article is None else settled(article, source, seen), found)
                   for source, (article, found) in zip(files, parse_files(files, config))]
    by_story: dict[str, dict[str, Article]] = {}
    for source, (article, found) in zip(files, results):
        problems.extend(found)
        if article is None:
            continue
        if (problem := image_problem(article)):
            problems.append(problem)
        if include_drafts or not article.draft:
            by_story.setdefault(source.story, {})[source.lang] = article
        elif drafts is not None:
            drafts.append(article.path)  # for the build's summary: "1 draft left out"
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (str(p.path), p.line or 0)))
    order = config.codes
    return [Story(key=key, folder=folders[key][0], assets=folders[key][1],
                  articles={code: articles[code] for code in order if code in articles})
            for key, articles in by_story.items()]
