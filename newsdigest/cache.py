"""The on-disk build cache (.newsdigest-cache/ beside site.toml): parsed articles keyed by their
source bytes, tables of values derived from them, and per output folder a manifest of what each
output was built from.

Every entry is guarded by a key of everything else that shaped it (this package's own code, the
library versions, the settings); anything unreadable or from another key is ignored and rebuilt.

The cache is untrusted input (CI restores it from a shared store; anyone may hand a project over
with one), so a damaged or crafted cache can only make a build slower: it never crashes it, runs
code, or makes it write or delete a file outside the cache and the output folder:
- files hold plain data only (str, bytes, numbers, None, tuples, lists, dicts, frozensets). They are
  written with pickle's fast codec, but read by an unpickler that refuses every class and every
  callable, so loading one constructs nothing and calls nothing; articles, problems and dates are
  rebuilt from that data by the codecs below, field by field, each value's type checked;
- any file of the wrong shape (null, a list, a folder, a pipe, truncated, from other code) is a
  cache miss, and is replaced on the next write; a link inside the cache is removed before a write;
- a manifest may only name outputs inside its output folder (an update deletes the stale ones);
- compiled templates are code, so they are never read from disk: TemplateCode keeps them in memory,
  for one build or for the dev server's life.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import os
import pickle
import shutil
import stat
import sys
import tempfile
import unicodedata
from datetime import datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from . import __version__
from .bodies import body_bytes, open_body_file
from .config import Config
from .content import Article, SourceFile, file_digest, parse_files, settled, settled_changes
from .errors import Problem
from .parallel import fork_map

CACHE_DIR = ".newsdigest-cache"
FORMAT = 4  # 4: plain data only, read by a class-refusing unpickler; stat keys with ctime and inode
# Every library whose version can change what a page says, how a story parses, or which stories the
# build suggests pairing (wordfreq weighs the pairing hints' cognates). The importer's own libraries
# (trafilatura, py3langid, lxml) never run in a build.
OUTPUT_LIBRARIES = ("markdown", "jinja2", "markupsafe", "babel", "nh3", "pyyaml", "python-frontmatter", "anyascii",
                    "wordfreq")
SHARDS = 64


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def code_key() -> str:
    """Changes whenever this package's code, a library that shapes the output, or the Python that
    runs them (its Unicode tables included: slugs and typography use them) changes."""
    digest = hashlib.blake2b(digest_size=16)
    versions = [__version__] + [_version(name) for name in OUTPUT_LIBRARIES]
    digest.update(repr((FORMAT, versions, sys.version, unicodedata.unidata_version)).encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def settings_key(config: Config) -> str:
    """What an article's parse depends on besides its own bytes."""
    return hashlib.blake2b(repr((code_key(), config.timezone, config.content_dir,
                                 [(l.code, l.locale) for l in config.languages], config.sanitize)).encode(),
                           digest_size=16).hexdigest()


def stat_key(info: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file may have changed without reading it: an edit that keeps the size and puts
    the modification time back still moves the change time (and a save by rename, the inode)."""
    return (info.st_mtime_ns, info.st_size, info.st_ctime_ns, info.st_ino)


# Plain data in, plain data out

class _Unencodable(Exception):
    """A value the cache cannot hold as plain data: it is simply not stored."""


class _DataPickler(pickle.Pickler):
    """Refuses anything but plain data (pickle never asks about str, bytes, int, float, None,
    bool, tuple, list, dict, set, frozenset), so what is written can be read back by _DataUnpickler."""

    def reducer_override(self, obj):
        raise _Unencodable(f"{type(obj).__name__} is not plain data")


class _DataUnpickler(pickle.Unpickler):
    """Reads plain data only. Every opcode that could build an object or call something goes
    through find_class or persistent_load, and both refuse: a crafted file fails to load."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"the cache holds plain data only; refused {module}.{name}")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("the cache holds plain data only; refused a persistent id")


def dump_data(value) -> bytes:
    """Pickle bytes of plain data; raises _Unencodable for anything else."""
    buffer = io.BytesIO()
    _DataPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def read_regular(path: Path) -> bytes:
    """A regular file's bytes. Anything else raises OSError rather than blocking or never ending:
    a folder, a named pipe, a link to a device such as /dev/zero."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        return handle.read()


def load_data(path: Path):
    """The plain data in a file written by dump_data; raises (OSError, UnpicklingError, ...) when
    it is missing, not a file, truncated, or not plain data."""
    return _DataUnpickler(io.BytesIO(read_regular(path))).load()


# Articles as rows of plain data, a value per field in field order, each checked by the type its
# annotation names. A field of a type the codecs do not know makes articles uncacheable (and
# tests/test_cache_safety.py fail, naming it) rather than trusted unchecked.

def _tz_row(tz):
    if tz is None:
        return None
    if type(tz) is ZoneInfo:
        return ("Z", tz.key)
    if type(tz) is timezone:
        args = tz.__getinitargs__()  # (offset,) or (offset, name)
        offset = args[0]
        return ("O", offset.days, offset.seconds, offset.microseconds, args[1] if len(args) > 1 else None)
    raise _Unencodable(f"time zone {type(tz).__name__}")


@functools.lru_cache(maxsize=256)
def _tz_from(row):
    if row is None:
        return None
    if type(row) is tuple and len(row) == 2 and row[0] == "Z" and type(row[1]) is str:
        return ZoneInfo(row[1])  # a key that is not a zone name raises (never a path outside tzdata)
    if type(row) is tuple and len(row) == 5 and row[0] == "O" and all(type(x) is int for x in row[1:4]):
        offset = timedelta(row[1], row[2], row[3])
        if row[4] is None:
            return timezone(offset)
        if type(row[4]) is str:
            return timezone(offset, row[4])
    raise ValueError("not a time zone")


def _datetime_row(value):
    if type(value) is not datetime:
        raise _Unencodable("not a datetime")
    return (value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond,
            value.fold, _tz_row(value.tzinfo))


def _datetime_from(row):
    if type(row) is not tuple or len(row) != 9:
        raise ValueError("not a datetime")
    return datetime(*row[:7], tzinfo=_tz_from(row[8]), fold=row[7])  # non-integers and ranges raise


def _strings(value):
    if type(value) is not tuple or not all(type(x) is str for x in value):
        raise ValueError("not a tuple of strings")
    return value


def _bytes(value):
    if type(value) is not bytes:
        raise ValueError("not bytes")
    return value


_PLAIN = {"str": str, "bool": bool, "int": int, "bytes": bytes, "float": float}
_PATH = "path"  # the article's own source file: stored as text, rebuilt as the entry's Path


def _field_codec(annotation) -> tuple | None:
    """How a field with this annotation (as written in content.py, or evaluated) is stored:
    ("plain", allowed types) when as it is, ("convert", encode, decode) otherwise; None if it cannot be."""
    if isinstance(annotation, type):
        annotation = annotation.__name__
    annotation = str(annotation).replace(" ", "").replace("datetime.datetime", "datetime")
    optional = annotation.endswith("|None")
    base = annotation.removesuffix("|None")
    if base in _PLAIN:
        return ("plain", frozenset({_PLAIN[base], type(None)} if optional else {_PLAIN[base]}))
    pair = {"tuple[str,...]": (_strings, _strings), "datetime": (_datetime_row, _datetime_from),
            "bytes|StoredBody": (body_bytes, _bytes)}.get(base)
    if pair is None:
        return None
    if optional:
        encode, decode = pair
        pair = (lambda v: None if v is None else encode(v)), (lambda v: None if v is None else decode(v))
    return ("convert", *pair)


_ARTICLE_CODECS = {f.name: ("path",) if f.name == _PATH else _field_codec(f.type) for f in dataclasses.fields(Article)}
UNCACHEABLE_FIELDS = tuple(name for name, codec in _ARTICLE_CODECS.items() if codec is None)
_ARTICLE_SIZE = len(_ARTICLE_CODECS)
_FIELD_INDEX = {name: index for index, name in enumerate(_ARTICLE_CODECS)}
_PATH_INDEX = _FIELD_INDEX[_PATH]
_BODY_INDEX = _FIELD_INDEX["body"]
# Per field, the types it may hold as stored (None: converted or the path, checked on its own).
_STORED_TYPES = tuple(c[1] if c and c[0] == "plain" else None for c in _ARTICLE_CODECS.values())
_CONVERTED = tuple((i, c[1], c[2]) for i, c in enumerate(_ARTICLE_CODECS.values()) if c and c[0] == "convert")
_GOOD_SIGNATURES: set[tuple[type, ...]] = set()  # the types of rows whose plain fields passed


def _article_row(article: Article) -> tuple:
    if UNCACHEABLE_FIELDS:
        raise _Unencodable(f"Article fields without a cache codec: {', '.join(UNCACHEABLE_FIELDS)}")
    values = [getattr(article, name) for name in _ARTICLE_CODECS]
    for value, types in zip(values, _STORED_TYPES):
        if types is not None and type(value) not in types:
            raise _Unencodable(f"a {type(value).__name__} in an article")
    for index, encode, _ in _CONVERTED:
        values[index] = encode(values[index])
    values[_PATH_INDEX] = str(values[_PATH_INDEX])
    return tuple(values)


def _article_from(row, source: SourceFile, spill=None, seen: dict | None = None) -> Article:
    if type(row) is not tuple or len(row) != _ARTICLE_SIZE or UNCACHEABLE_FIELDS:
        raise ValueError("not an article row")
    signature = tuple(map(type, row))  # the few combinations seen are checked once
    if signature not in _GOOD_SIGNATURES:
        for kind, types in zip(signature, _STORED_TYPES):
            if types is not None and kind not in types:
                raise ValueError(f"a {kind.__name__} in an article row")
        _GOOD_SIGNATURES.add(signature)
    if row[_PATH_INDEX] != str(source.path):
        raise ValueError("an article of another file")
    values = list(row)
    values[_PATH_INDEX] = source.path
    for index, _, decode in _CONVERTED:
        values[index] = decode(values[index])
    if spill is not None:
        values[_BODY_INDEX] = spill(values[_BODY_INDEX])
    if seen is not None:
        for name, value in settled_changes(lambda name: values[_FIELD_INDEX[name]], source, seen).items():
            values[_FIELD_INDEX[name]] = value
    return Article(*values)


def _problem_row(problem: Problem, path: Path) -> tuple:
    where = problem.path
    if type(problem.message) is not str or not (problem.line is None or type(problem.line) is int):
        raise _Unencodable("problem")
    if where is None or type(where) is str:
        return ("s", where, problem.message, problem.line)
    if isinstance(where, Path):
        return ("p", str(where), problem.message, problem.line)
    raise _Unencodable("problem path")


def _problem_from(row, path: Path) -> Problem:
    if type(row) is not tuple or len(row) != 4 or type(row[2]) is not str or not (row[3] is None or type(row[3]) is int):
        raise ValueError("not a problem row")
    kind, where = row[0], row[1]
    if kind == "s" and (where is None or type(where) is str):
        return Problem(where, row[2], row[3])
    if kind == "p" and type(where) is str:
        return Problem(path if where == str(path) else Path(where), row[2], row[3])
    raise ValueError("not a problem path")


def encode_result(result, path: Path) -> tuple:
    """An (article or None, problems) parse result as plain data; raises _Unencodable."""
    article, problems = result
    return (None if article is None else _article_row(article), tuple(_problem_row(p, path) for p in problems))


def decode_result(row, source: SourceFile, spill=None, seen: dict | None = None):
    """The (article or None, problems) that encode_result stored for `source`; raises on anything
    else. spill(body bytes) gives what the article keeps instead (BodyFile.put); `seen`, the values
    articles share (content.settled_changes)."""
    if type(row) is not tuple or len(row) != 2 or type(row[1]) is not tuple:
        raise ValueError("not a parse result")
    article = None if row[0] is None else _article_from(row[0], source, spill, seen)
    return article, [_problem_from(p, source.path) for p in row[1]]


def _is_entry(entry) -> bool:
    """(stat key, digest, result row) as parse() stores them."""
    return type(entry) is tuple and len(entry) == 3 and type(entry[1]) is str


# Writing, whatever is in the way

def own_folder(cache_dir: Path, name: str) -> Path | None:
    """A folder of the cache's own (the photos' sizes, the search index's shares), made if need
    be; None when it cannot be."""
    folder = cache_dir / name
    try:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()  # a planted link would send the build's writes elsewhere
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _clear_way(path: Path, root: Path) -> None:
    """Removes what stops `path` being written below `root`, the cache's own folder: a file or a
    dangling link where a folder belongs, a folder where the file belongs."""
    for folder in reversed(path.relative_to(root).parents):
        folder = root / folder
        if (folder.is_symlink() or folder.exists()) and not folder.is_dir():
            folder.unlink()
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)


def _unlink_links(path: Path, root: Path) -> None:
    """Removes links among the folders between root and path: a crafted cache must not send the
    build's writes to another folder (root itself may be a link: an editor's choice)."""
    for folder in reversed(path.relative_to(root).parents[:-1]):
        if (root / folder).is_symlink():
            (root / folder).unlink()


def _write_atomically(path: Path, data: bytes, root: Path | None = None) -> bool:
    """Writes data to path by a rename, so no reader sees half a file. A cache that cannot be
    written only makes the next build slower: returns False instead of raising OSError."""
    for attempt in (1, 2):
        tmp = None
        try:
            if root is not None:
                _unlink_links(path, root)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}", dir=path.parent)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
            return True
        except OSError:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if attempt == 2 or root is None:
                return False
            try:
                _clear_way(path, root)
            except OSError:
                return False
        except ValueError:  # not below root
            return False
    return False


class TemplateCode(BytecodeCache):
    """Jinja's compiled templates, in memory only (compiled code read back from disk would run
    whatever a crafted cache put there). A template is compiled once per build and shared by every
    language's environment, or once per change in the dev server, whose Cache keeps this. Entries
    are keyed by this package's code and the options the compiler bakes in, besides Jinja's own
    check of the template's source."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    @staticmethod
    def _options(environment, name: str) -> tuple:
        """Everything of an environment that can shape compiled code: its simple settings (the
        delimiters, trim_blocks, newstyle_gettext...), policies and extensions, whether it has a
        finalize, and the autoescape value the compiler bakes into this template."""
        simple = (str, int, float, bool, type(None))
        settings = sorted((k, v) for k, v in vars(environment).items() if type(v) in simple)
        policies = sorted((k, v) for k, v in environment.policies.items() if type(v) in simple)
        autoescape = environment.autoescape
        return (code_key(), settings, policies, tuple(sorted(environment.extensions)),
                environment.finalize is not None, bool(autoescape(name) if callable(autoescape) else autoescape))

    def get_bucket(self, environment, name, filename, source):
        key = hashlib.sha1(repr((self._options(environment, name), name, filename)).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # Jinja drops it unless the source checksum matches

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class Cache:
    def __init__(self, config: Config, enabled: bool = True, trust: bool = True, workers: int | None = None,
                 long_lived: bool = False):
        """enabled=False: no cache at all; trust=False: ignore what is stored but write afresh.
        long_lived: for a caller that builds again and again (the dev server), which keeps the
        parse results between builds; a one-off build would only carry them (30 MB at 50,000 stories)."""
        self.config = config
        self.dir = config.root / CACHE_DIR
        self.enabled = enabled
        self.trust = trust
        self.workers = workers
        self.long_lived = long_lived
        # A long-lived Cache (the dev server's) keeps the last build's shards and manifests in
        # memory, so a rebuild does not read them back from disk; and its compiled templates.
        self._memory: tuple[str, dict[int, dict]] | None = None
        self._manifests: dict[str, dict] = {}
        self._tables: dict[str, tuple[str, dict]] = {}
        self.templates = TemplateCode()
        self._damaged: set[int] = set()  # article shards there but unusable: rewritten by parse()
        self.hits = 0

    def _write(self, path: Path, data: bytes) -> bool:
        return _write_atomically(path, data, self.dir)

    # Articles, in shards so that an edit rewrites one small file, not the whole cache
    def _shard_path(self, shard: int) -> Path:
        return self.dir / "articles" / f"{shard:02x}.pickle"

    @staticmethod
    def _shard_of(path: str) -> int:
        return hashlib.blake2b(path.encode(), digest_size=1).digest()[0] % SHARDS

    def _load_articles(self, key: str) -> dict[int, dict]:
        """Each shard's entries {path: (stat key, digest, result row)}; {} for a shard that is
        missing, damaged or from another key. Entries are checked one by one when used. The
        damaged shards (there, but unusable) are noted in self._damaged, to be rewritten."""
        shards: dict[int, dict] = {n: {} for n in range(SHARDS)}
        self._damaged = set()
        if not (self.enabled and self.trust):
            return shards
        for n in range(SHARDS):
            path = self._shard_path(n)
            try:
                stored = load_data(path)
            except FileNotFoundError:
                continue
            except Exception:  # noqa: BLE001 - a folder, truncated, not plain data: rewritten
                self._damaged.add(n)
                continue
            if type(stored) is dict and stored.get("key") == key and type(stored.get("entries")) is dict:
                shards[n] = stored["entries"]
            elif type(stored) is not dict or type(stored.get("key")) is not str:
                self._damaged.add(n)
        return shards

    def parse(self, files: list[SourceFile], progress=None) -> list:
        """(article, problems) for each file: from the cache when the bytes are unchanged, else parsed,
        spreading the misses over the cores. Each article is settled (content.settled), as
        load_stories wants them."""
        key = settings_key(self.config)
        self._damaged = set()
        bodies = open_body_file(own_folder(self.dir, "bodies") if self.enabled else None)
        spill = bodies.put if bodies is not None else None
        seen_values: dict = {}  # content.settled_changes: one copy of each value articles share
        # The last build's results, kept decoded: {shard: {path: (stat key, digest, result)}}. Not
        # their rows, which the next build would only encode again for the shards it rewrites
        # (the rows of 100,000 articles were 120 MB of a dev server's memory).
        remembered = bool(self._memory) and self._memory[0] == key and self.trust
        old = self._memory[1] if remembered else self._load_articles(key)
        results: list = [None] * len(files)
        shards: dict[int, dict] = {n: {} for n in range(SHARDS)}  # path -> (stat key, digest, row or None, result)
        dirty: set[int] = set()
        misses = []
        for index, source in enumerate(files):
            path = str(source.path)
            shard = self._shard_of(path)
            seen = stat_key(os.stat(path))
            cached = old[shard].get(path)
            result = row = None
            if remembered and cached is not None:
                result = cached[2]
                if result[0] is not None:  # settled on another walk's path and story key
                    result = (settled(result[0], source, seen_values), result[1])
            elif _is_entry(cached):
                try:
                    result, row = decode_result(cached[2], source, spill, seen_values), cached[2]
                except Exception:  # noqa: BLE001 - a damaged or crafted entry is a miss
                    cached = None
            else:
                cached = None
            if cached is not None and cached[0] == seen:
                results[index] = result
                shards[shard][path] = (seen, cached[1], row, result)
                continue
            digest = file_digest(source.path, source.path.read_bytes())
            if cached is not None and cached[1] == digest:  # touched, not changed
                results[index] = result
                shards[shard][path] = (seen, digest, row, result)
                dirty.add(shard)
                continue
            misses.append((index, source, shard, seen, digest))
        self.hits = len(files) - len(misses)
        parsed = fork_map(lambda chunk, tick: parse_files([m[1] for m in chunk], self.config, tick), misses,
                          self.workers, progress)
        for (index, source, shard, seen, digest), result in zip(misses, parsed):
            results[index] = result
            dirty.add(shard)
            shards[shard][str(source.path)] = (seen, digest, None, result)
        if self.enabled:
            for n, entries in shards.items():
                if n in dirty or n in self._damaged or len(entries) != len(old[n]):
                    self._write_shard(n, key, entries)
        # The parsed ones settled, and their bodies spilled once their shards are written from them.
        for index, source, shard, seen, digest in misses:
            article, problems = results[index]
            if article is None:
                continue
            changes = settled_changes(functools.partial(getattr, article), source, seen_values)
            if spill is not None and type(article.body) is bytes:
                changes["body"] = spill(article.body)
            if changes:
                results[index] = (dataclasses.replace(article, **changes), problems)
                shards[shard][str(source.path)] = (seen, digest, None, results[index])
        if self.long_lived:
            self._memory = (key, {n: {path: (seen, digest, result) for path, (seen, digest, _, result) in entries.items()}
                                  for n, entries in shards.items()})
        return results

    def _write_shard(self, shard: int, key: str, entries: dict[str, tuple]) -> None:
        rows = {}
        for path, (seen, digest, row, result) in entries.items():
            try:
                rows[path] = (seen, digest, row if row is not None else encode_result(result, Path(path)))
            except _Unencodable:  # kept for this build (and in memory) only
                continue
        try:
            data = dump_data({"key": key, "entries": rows})
        except _Unencodable:
            return
        self._write(self._shard_path(shard), data)

    # Tables of values derived from articles (the pairing hints' facts), keyed by article fingerprint
    def _table_path(self, name: str) -> Path:
        return self.dir / f"{name}.pickle"

    def load_table(self, name: str, decode=None) -> dict:
        """What save_table stored under `name` with the current code and settings, else {}.
        `decode(value)` turns each stored value back into what was saved (save_table's `encode`
        undone), raising for a value it does not recognize: that entry is then left out, a miss."""
        if not (self.enabled and self.trust):
            return {}
        key = settings_key(self.config)
        if name in self._tables and self._tables[name][0] == key:
            return dict(self._tables[name][1])
        try:
            stored = load_data(self._table_path(name))
        except Exception:  # noqa: BLE001 - missing, a folder, truncated, not plain data: start afresh
            return {}
        if type(stored) is not dict or stored.get("key") != key or type(stored.get("entries")) is not dict:
            return {}
        entries = {}
        for k, value in stored["entries"].items():
            try:
                entries[k] = decode(value) if decode else value
            except Exception:  # noqa: BLE001 - a damaged or crafted entry is a miss
                continue
        if not self.long_lived:
            return entries
        self._tables[name] = (key, entries)
        return dict(entries)

    def save_table(self, name: str, entries: dict, encode=None) -> None:
        """Stores `entries` (keys and, through `encode(value)`, values of plain data) under `name`."""
        key = settings_key(self.config)
        # Kept decoded only for a caller that builds again (the dev server): a command-line build
        # reads each table once, and keeping them all held the content walk's listing and every
        # article's pairing facts to the end of the build (the listing alone: 2.4 MB at 5,000 stories).
        if self.long_lived:
            self._tables[name] = (key, dict(entries))
        if not self.enabled:
            return
        try:
            data = dump_data({"key": key, "entries": {k: encode(v) if encode else v for k, v in entries.items()}})
        except Exception:  # noqa: BLE001 - values that are not plain data stay in memory only
            return
        self._write(self._table_path(name), data)

    # Output manifests
    def _manifest_path(self, out: Path) -> Path:
        name = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
        return self.dir / "outputs" / f"{name}.json"

    def load_manifest(self, out: Path, outputs: bool = True) -> dict | None:
        """The record of the last complete build into `out` ("outputs": {site path: fingerprint},
        "snapshot": the inputs' stat digest, "counts", "warnings"), or None.

        outputs=False: what tells a build that has nothing to do, read from the manifest's
        companion (.pickle beside it, written by save_manifest): the same record without
        "outputs", but with the output files to look for ("files", "listed": see _missing in
        builder.py). It takes milliseconds where the JSON takes a third of a second at 50,000
        stories. The companion counts only while the JSON it was written with is there unchanged
        (its stat key is in it); otherwise this is the whole record, from the JSON."""
        if not (self.enabled and self.trust) or not out.is_dir():
            return None
        stored = self._manifests.get(str(out))
        if stored is not None:
            return stored if _valid_manifest(stored, out) else None
        path = self._manifest_path(out)
        if not outputs:
            try:
                head = load_data(path.with_suffix(".pickle"))
                written = stat_key(os.stat(path))
            except Exception:  # noqa: BLE001 - missing, a folder, damaged: read the JSON
                head = None
            if type(head) is dict and head.get("manifest") == written and _valid_manifest(head, out, outputs=False):
                return head
        try:
            stored = json.loads(read_regular(path))
        except Exception:  # noqa: BLE001 - missing, a folder, damaged: build everything
            return None
        return stored if _valid_manifest(stored, out) else None

    def forget_manifest(self, out: Path) -> None:
        """Called before touching `out`: a build interrupted halfway then leads to a full rebuild."""
        self._manifests.pop(str(out), None)
        path = self._manifest_path(out)
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)  # not a manifest anyway
            else:
                path.unlink()
        except OSError:
            if os.path.lexists(path) and not os.path.isdir(path):
                raise  # a record that stays would be trusted after an interrupted build

    def amend_manifest(self, out: Path, outputs: dict[str, str]) -> None:
        """For outputs changed in `out` outside a build (the dev server's model): the record, with
        their new fingerprints, is kept in memory only, for the next build to compare with, and
        it can no longer say that nothing changed (its input snapshot is gone)."""
        stored = self._manifests.get(str(out))
        self.forget_manifest(out)  # no later process may trust the record on disk
        if stored is not None:
            self._manifests[str(out)] = {**stored, "outputs": outputs, "snapshot": ""}

    def save_manifest(self, out: Path, outputs: dict[str, str], snapshot: str, counts: dict[str, int],
                      warnings: tuple[str, ...] = (), search_current: bool = False) -> None:
        """search_current: the search index among `outputs` is that of these pages (search.py).
        Writes the manifest (JSON) and its companion for load_manifest(outputs=False), which
        names the output files: those of folders holding many (the search index's fragments)
        by folder, to be listed at once, the others one by one, "\0"-separated, each relative to
        `out`. The stale companion goes first, and the new one is bound to the new JSON."""
        if not self.enabled:
            return
        path = self._manifest_path(out)
        companion = path.with_suffix(".pickle")
        by_folder: dict[str, list[str]] = {}
        for name in (p + "index.html" if p == "" or p.endswith("/") else p for p in outputs):
            by_folder.setdefault(name.rpartition("/")[0], []).append(name)
        files, listed = [], {}
        for folder, names in by_folder.items():
            if len(names) >= 16 and folder:  # one listing costs what looking for a few files does
                listed[folder] = "\0".join(name.rpartition("/")[2] for name in names)
            else:
                files.extend(names)
        record = {"key": code_key(), "out": str(out), "outputs": outputs, "snapshot": snapshot,
                  "counts": counts, "warnings": list(warnings), "search_current": search_current}
        check = {"files": "".join("\0" + name for name in files), "listed": listed}
        try:
            os.unlink(companion)
        except OSError:  # none, or a folder: either way, not bound to the new JSON, so never read
            pass
        if not self._write(path, json.dumps(record, sort_keys=True).encode()):
            return
        self._manifests[str(out)] = {**record, **check}
        try:
            head = {k: v for k, v in record.items() if k != "outputs"}
            head.update(check, manifest=stat_key(os.stat(path)))
            self._write(companion, dump_data(head))
        except (OSError, _Unencodable):  # without it, the next build reads the JSON
            pass


def _inside(out: str, path: str) -> bool:
    """Whether a site path's output file lies strictly inside the folder `out` (no '..', no
    absolute path): a manifest names the files an update may delete."""
    if "\0" in path:
        return False
    name = path + "index.html" if path == "" or path.endswith("/") else path
    target = os.path.normpath(os.path.join(out, name))
    return target.startswith(out.rstrip(os.sep) + os.sep) and not os.path.isabs(name)


def _valid_manifest(stored, out: Path, outputs: bool = True) -> bool:
    """Whether a manifest read back is one of this code for `out`, of the right shape, naming only
    outputs inside `out`; outputs=False: the companion (no "outputs", but "files" and "listed")."""
    if type(stored) is not dict or stored.get("key") != code_key() or stored.get("out") != str(out):
        return False
    counts, warnings = stored.get("counts"), stored.get("warnings", [])
    if type(stored.get("snapshot")) is not str or type(counts) is not dict:
        return False
    if any(type(counts.get(k)) is not int for k in ("pages", "files", "stories")):
        return False
    if type(warnings) is not list or not all(type(w) is str for w in warnings):
        return False
    if type(stored.get("search_current", False)) is not bool:
        return False
    if "files" in stored or not outputs:
        listed = stored.get("listed")
        if type(stored.get("files")) is not str or type(listed) is not dict \
                or not all(type(k) is str and type(v) is str for k, v in listed.items()):
            return False
    if not outputs:
        return True
    records = stored.get("outputs")
    if type(records) is not dict:
        return False
    try:  # one pass in C over 300,000 paths, rather than a normpath each: they are all plain names
        paths, _ = "\n".join(records), "".join(records.values())
    except TypeError:  # a path or a fingerprint that is not text
        return False
    if "\0" not in paths and "/." not in paths and "\n." not in paths and "\n/" not in paths \
            and not paths.startswith((".", "/")):
        return True  # no path is absolute or has a part starting with ".": each is strictly inside
    root = os.path.normpath(str(out))
    return all(type(p) is str and type(f) is str and _inside(root, p) for p, f in records.items())
