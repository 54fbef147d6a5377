"""The on-disk build cache (.newsdigest-cache/ beside site.toml): parsed articles keyed by their
source bytes, and per output folder a manifest of what each output was built from.

Every entry is guarded by a key of everything else that shaped it (this package's own code, the
library versions, the settings); anything unreadable or from another key is ignored and rebuilt.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import tempfile
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Config
from .content import SourceFile, file_digest, parse_files
from .parallel import fork_map

CACHE_DIR = ".newsdigest-cache"
FORMAT = 3
# Every library whose version can change what a page says or how a story parses.
OUTPUT_LIBRARIES = ("markdown", "jinja2", "markupsafe", "babel", "nh3", "pyyaml", "python-frontmatter", "anyascii")
SHARDS = 64


@functools.cache
def code_key() -> str:
    """Changes whenever this package's code or a library that shapes the output changes."""
    digest = hashlib.blake2b(digest_size=16)
    versions = [__version__] + [metadata.version(name) for name in OUTPUT_LIBRARIES]
    digest.update(repr((FORMAT, versions)).encode())
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()


def settings_key(config: Config) -> str:
    """What an article's parse depends on besides its own bytes."""
    return hashlib.blake2b(repr((code_key(), config.timezone, config.content_dir,
                                 [(l.code, l.locale) for l in config.languages], config.sanitize)).encode(),
                           digest_size=16).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    def __init__(self, config: Config, enabled: bool = True, trust: bool = True, workers: int | None = None):
        """enabled=False: no cache at all; trust=False: ignore what is stored but write afresh."""
        self.config = config
        self.dir = config.root / CACHE_DIR
        self.enabled = enabled
        self.trust = trust
        self.workers = workers
        # A long-lived Cache (the dev server's) keeps the last build's shards and manifests in
        # memory, so a rebuild does not read them back from disk.
        self._memory: tuple[str, dict[int, dict]] | None = None
        self._manifests: dict[str, dict] = {}
        self._tables: dict[str, tuple[str, dict]] = {}
        self.hits = 0

    # Articles, in shards so that an edit rewrites one small file, not the whole cache
    def _shard_path(self, shard: int) -> Path:
        return self.dir / "articles" / f"{shard:02x}.pickle"

    @staticmethod
    def _shard_of(path: str) -> int:
        return hashlib.blake2b(path.encode(), digest_size=1).digest()[0] % SHARDS

    def _load_articles(self, key: str) -> dict[int, dict]:
        shards: dict[int, dict] = {n: {} for n in range(SHARDS)}
        if not (self.enabled and self.trust):
            return shards
        for n in range(SHARDS):
            try:
                with self._shard_path(n).open("rb") as handle:
                    stored = pickle.load(handle)
                if stored.get("key") == key:
                    shards[n] = stored["entries"]
            except Exception:  # noqa: BLE001 - a missing, truncated or foreign shard is simply rebuilt
                pass
        return shards

    def parse(self, files: list[SourceFile], progress=None) -> list:
        """(article, problems) for each file: from the cache when the bytes are unchanged, else parsed,
        spreading the misses over the cores."""
        key = settings_key(self.config)
        old = self._memory[1] if self._memory and self._memory[0] == key and self.trust else self._load_articles(key)
        results: list = [None] * len(files)
        shards: dict[int, dict] = {n: {} for n in range(SHARDS)}
        misses = []
        for index, source in enumerate(files):
            path = str(source.path)
            shard = self._shard_of(path)
            stat = source.path.stat()
            cached = old[shard].get(path)
            if cached and cached[0] == (stat.st_mtime_ns, stat.st_size):
                results[index] = cached[2]
                shards[shard][path] = cached
                continue
            digest = file_digest(source.path, source.path.read_bytes())
            if cached and cached[1] == digest:  # touched, not changed
                results[index] = cached[2]
                shards[shard][path] = ((stat.st_mtime_ns, stat.st_size), digest, cached[2])
                continue
            misses.append((index, source, shard, (stat.st_mtime_ns, stat.st_size), digest))
        self.hits = len(files) - len(misses)
        parsed = fork_map(lambda chunk, tick: parse_files([m[1] for m in chunk], self.config, tick), misses,
                          self.workers, progress)
        for (index, source, shard, stat_key, digest), result in zip(misses, parsed):
            results[index] = result
            shards[shard][str(source.path)] = (stat_key, digest, result)
        if self.enabled:
            for n, entries in shards.items():
                if entries != old[n]:
                    _write_atomically(self._shard_path(n), pickle.dumps(
                        {"key": key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL))
        self._memory = (key, shards)
        return results

    # Tables of values derived from articles (the pairing hints' facts), keyed by article fingerprint
    def _table_path(self, name: str) -> Path:
        return self.dir / f"{name}.pickle"

    def load_table(self, name: str) -> dict:
        """What save_table stored under `name` with the current code and settings, else {}."""
        if not (self.enabled and self.trust):
            return {}
        key = settings_key(self.config)
        if name in self._tables and self._tables[name][0] == key:
            return dict(self._tables[name][1])
        try:
            stored = pickle.loads(self._table_path(name).read_bytes())
        except Exception:  # noqa: BLE001 - missing, truncated or from other code: start afresh
            return {}
        return dict(stored["entries"]) if isinstance(stored, dict) and stored.get("key") == key else {}

    def save_table(self, name: str, entries: dict) -> None:
        key = settings_key(self.config)
        self._tables[name] = (key, dict(entries))
        if not self.enabled:
            return
        try:
            data = pickle.dumps({"key": key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - values that cannot be pickled stay in memory only
            return
        _write_atomically(self._table_path(name), data)

    # Output manifests
    def _manifest_path(self, out: Path) -> Path:
        name = hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()
        return self.dir / "outputs" / f"{name}.json"

    def load_manifest(self, out: Path) -> dict | None:
        """The record of the last complete build into `out` ("outputs": {site path: fingerprint},
        "snapshot": the inputs' stat digest, "counts", "warnings"), or None."""
        if not (self.enabled and self.trust) or not out.is_dir():
            return None
        try:
            stored = self._manifests.get(str(out)) or json.loads(self._manifest_path(out).read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - missing or damaged: build everything
            return None
        if stored.get("key") != code_key() or stored.get("out") != str(out):
            return None
        return stored

    def forget_manifest(self, out: Path) -> None:
        """Called before touching `out`: a build interrupted halfway then leads to a full rebuild."""
        self._manifests.pop(str(out), None)
        self._manifest_path(out).unlink(missing_ok=True)

    def save_manifest(self, out: Path, outputs: dict[str, str], snapshot: str, counts: dict[str, int],
                      warnings: tuple[str, ...] = ()) -> None:
        if self.enabled:
            record = {"key": code_key(), "out": str(out), "outputs": outputs, "snapshot": snapshot,
                      "counts": counts, "warnings": list(warnings)}
            _write_atomically(self._manifest_path(out), json.dumps(record, sort_keys=True).encode())
            self._manifests[str(out)] = record
