"""Merging Pagefind indexes made in shares into one.

Pagefind holds every page it indexes in memory, twice over while it builds the index (about 0.1 MB
a page), so search.index() runs it over a share of the pages at a time, and this module merges the
shares' bundles into one per language: the same words, pages and weights as one Pagefind run over
all of them, so readers get the same results, and the same bytes however the pages were shared out.

It reads and rewrites Pagefind's own files, whose format is Pagefind's business and no published
one: it knows that of Pagefind 1.5.2 (pinned ==1.5.2 in pyproject.toml for that reason). A bundle
of another shape fails with one of UNREADABLE (and search.index() then keeps no half of an index).

Pagefind's files (its 1.x format) are gzipped, each starting with MAGIC, and hold CBOR as minicbor
writes it (definite-length arrays, text strings, integers in their shortest form; no map, tag or
byte string), which cbor2 writes the same way:
- pagefind.<lang>_<hash>.pf_meta: [version, pages: [[fragment name, word count]], chunks:
  [[from, to, index chunk name]], filters, sorts, meta fields], page numbers being places in `pages`;
- index/<name>.pf_index: [[[word, [[page number - the previous one's, locations, locations in meta
  fields]], [[a form of the word with diacritics, its pages likewise]]]]], words in order, cut into
  chunks of CHUNK locations;
- fragment/<name>.pf_fragment: a page's JSON (its URL, text, meta fields), which names no page number.
Names are the language, "_", and the start of the SHA-1 of the content (_digest)."""
from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import itertools
import json
import operator
import os
import re
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

import cbor2

from .collector import paused
from .linking import link_or_copy
from .parallel import cores

ENTRY = "pagefind-entry.json"  # the index's table of languages, read first by pagefind.js
MAGIC = b"pagefind_dcd"
SPAWN_PAGES = 1000  # a language smaller is merged in this process: a fresh one takes 0.15 s to start
CHUNK = 20_000  # Pagefind's: a chunk is closed once its pages' locations (+1 a page) reach it
_PLAIN = re.compile(r"[\w-]+")
# What reading a bundle this module does not know raises: cbor2's decoding errors are no ValueError.
UNREADABLE = (ValueError, KeyError, IndexError, TypeError, EOFError, zlib.error, cbor2.CBORError)


class Interrupted(Exception):
    """`cancel` was set halfway through a merge."""


def merge(outputs: list[Path], root: Path, cancel: threading.Event | None = None,
          code: list[Path] | None = None, workers: int | None = None) -> None:
    """One bundle at `root` from the data of the shares' bundles in `outputs`, which it leaves as
    they are, and Pagefind's code (pagefind.js, the UI, each language's search code) from the
    bundles in `code` (default: `outputs`), which it takes. A bundle it does not know raises one of
    UNREADABLE (or OSError), and `cancel` being set Interrupted.

    A language of SPAWN_PAGES pages or more is merged in a fresh Python process (up to `workers`
    at a time): it needs nothing of the build's, and a forked one, though it reads only the
    shares, copied every page of the build's memory its own allocations fell into (870 MB where
    the merge itself needs 170, at 50,000 stories)."""
    entries = [_entry(output) for output in outputs]
    (root / "fragment").mkdir(parents=True)
    (root / "index").mkdir()
    for output in outputs if code is None else code:  # the same in each bundle
        for path in sorted(output.iterdir()):
            if path.is_dir():
                if path.name not in ("fragment", "index"):
                    raise ValueError(f"an unknown folder {path.name}/")
            elif path.name != ENTRY and not path.name.endswith(".pf_meta") and not (root / path.name).exists():
                os.replace(path, root / path.name)
    order = sorted({language for entry in entries for language in entry["languages"]})
    shares = {language: [(output, entry["languages"][language]) for output, entry in zip(outputs, entries)
                         if language in entry["languages"]] for language in order}
    large = [language for language in order
             if sum(info.get("page_count", 0) for _, info in shares[language]) >= SPAWN_PAGES]
    merged = _spawned(large, shares, root, cancel, workers or cores())
    # The merge makes millions of lists and tuples, none in a cycle; the collector would go over the
    # whole site a build holds, again and again (half the merge's time at 5,000 stories).
    with paused():
        for language in order:
            if language not in merged:
                _check(cancel)
                merged[language] = _merge_language(shares[language], root, cancel)
    entry = {**entries[0], "languages": {language: merged[language] for language in order}}
    (root / ENTRY).write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
                              encoding="utf-8")


class Failed(ValueError):
    """A language's merge failed in its own process; the message says why, as that process said it."""


def _spawned(languages: list[str], shares: dict[str, list[tuple[Path, dict]]], root: Path,
             cancel: threading.Event | None, at_once: int) -> dict[str, dict]:
    """Each language's entry, merged in a process of its own, `at_once` at a time. `cancel` being
    set kills them (Interrupted), as does any failure."""
    waiting, running, merged = list(reversed(languages)), [], {}
    try:
        while waiting or running:
            _check(cancel)
            while waiting and len(running) < at_once:
                running.append(_Child(waiting.pop(), shares, root))
            for child in [child for child in running if child.process.poll() is not None]:
                running.remove(child)
                merged[child.language] = child.result()
            if running:
                try:
                    running[0].process.wait(0.02)
                except subprocess.TimeoutExpired:
                    pass
    finally:
        for child in running:
            child.kill()
    return merged


class _Child:
    """One language's merge in a fresh interpreter, which finds its modules where this one does;
    the job goes in and the result comes out through files (pipes no one reads could fill)."""

    def __init__(self, language: str, shares: dict[str, list[tuple[Path, dict]]], root: Path):
        self.language = language
        self.said = tempfile.TemporaryFile()
        with tempfile.TemporaryFile() as job:
            job.write(json.dumps({"shares": [[str(output), info] for output, info in shares[language]],
                                  "root": str(root)}).encode())
            job.seek(0)
            self.process = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(sys.path)],
                                            stdin=job, stdout=self.said, stderr=subprocess.STDOUT)

    def result(self) -> dict:
        self.said.seek(0)
        said = self.said.read().decode("utf-8", "replace").strip().splitlines() or ["no message"]
        self.said.close()
        try:
            answer = json.loads(said[-1])
        except ValueError:
            answer = None
        if self.process.returncode == 0 and isinstance(answer, dict) and isinstance(answer.get("entry"), dict):
            return answer["entry"]
        if isinstance(answer, dict) and isinstance(answer.get("error"), str):
            raise Failed(answer["error"])
        raise Failed(f"the merge of the {self.language!r} index ended with exit code "
                     f"{self.process.returncode}: {said[-1]}")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.said.close()


_CHILD = f"import json, sys; sys.path[:] = json.loads(sys.argv[1]); from {__name__} import child; sys.exit(child())"


def child() -> int:
    """A merge process's work: the job (its language's shares and the root) from stdin, the
    language's entry, or why it failed, as a line of JSON on stdout."""
    job = json.load(sys.stdin)
    try:
        with paused():
            entry = _merge_language([(Path(output), info) for output, info in job["shares"]], Path(job["root"]), None)
    except (OSError, *UNREADABLE) as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps({"entry": entry}))
    return 0


def languages(output: Path) -> set[str]:
    """The languages a bundle indexes."""
    return set(_entry(output)["languages"])


def _entry(output: Path) -> dict:
    entry = json.loads((output / ENTRY).read_text(encoding="utf-8"))
    if not isinstance(entry, dict) or not isinstance(entry.get("languages"), dict) \
            or not all(isinstance(info, dict) and _plain(info.get("hash")) for info in entry["languages"].values()):
        raise ValueError(f"{ENTRY} of another shape")
    return entry


def read(path: Path):
    """What a file of a Pagefind bundle holds (its CBOR decoded; a fragment's JSON as bytes)."""
    data = _read(path)
    return data if path.suffix == ".pf_fragment" else _decode(data)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Interrupted()


def _merge_language(shares: list[tuple[Path, dict]], root: Path, cancel: threading.Event | None) -> dict:
    """Merges one language's indexes (each share's bundle and its entry for the language) into
    root; returns the language's entry. Pages are numbered in the order of their URLs."""
    prefix = shares[0][1]["hash"].rsplit("_", 1)[0]
    metas = [_decode(_read(output / f"pagefind.{info['hash']}.pf_meta")) for output, info in shares]
    if any(not isinstance(meta, list) or len(meta) != 6 or meta[3] or meta[4] for meta in metas):
        raise ValueError("a meta index with filters or sorts, or of another shape")
    pages = []  # (URL, share, number in the share, SHA-1, word count, fragment file)
    for share, ((output, _), meta) in enumerate(zip(shares, metas)):
        for number, (name, words) in enumerate(meta[1]):
            path = output / "fragment" / f"{_plain(name)}.pf_fragment"
            fragment = _read(path)
            pages.append((json.loads(fragment)["url"], share, number, _digest(fragment), words, path))
    pages.sort()
    renumber = [[0] * len(meta[1]) for meta in metas]
    taken: dict[str, str] = {}
    listed = []
    for number, (_, share, old, digest, words, path) in enumerate(pages):
        name = _name(digest, 7, taken)
        if not (root / "fragment" / f"{prefix}_{name}.pf_fragment").exists():
            link_or_copy(path, root / "fragment" / f"{prefix}_{name}.pf_fragment")
        listed.append([f"{prefix}_{name}", words])
        renumber[share][old] = number
    fields = metas[0][5]
    if any(meta[5] != fields for meta in metas):
        fields = sorted({field for meta in metas for field in meta[5]})
    chunks = _merge_words([(output, meta[2], renumber[share], {old: fields.index(field) for old, field in
                                                                  enumerate(meta[5])})
                           for share, ((output, _), meta) in enumerate(zip(shares, metas))], root, prefix, cancel)
    meta = cbor2.dumps([metas[0][0], listed, chunks, [], [], fields])
    name = f"{prefix}_{_digest(meta)[:10]}"
    _write(root / f"pagefind.{name}.pf_meta", meta)
    return {**shares[0][1], "hash": name, "page_count": len(listed)}


def _merge_words(shares: list[tuple[Path, list, list[int], dict[int, int]]], root: Path, prefix: str,
                 cancel: threading.Event | None) -> list:
    """Writes the merged word index's chunks; returns the meta index's list of them."""
    chunks: list[list[str]] = []
    taken: dict[str, str] = {}
    words: list[tuple] = []
    size = 0

    def close() -> None:
        _check(cancel)
        payload = cbor2.dumps([words])
        name = f"{prefix}_{_name(_digest(payload), 7, taken)}"
        _write(root / "index" / f"{name}.pf_index", payload)
        chunks.append([words[0][0], words[-1][0], name])

    streams = [_words(*share) for share in shares]
    for word, group in itertools.groupby(heapq.merge(*streams, key=lambda item: item[0]), key=lambda item: item[0]):
        postings, variants = [], {}
        for _, share_postings, share_variants in group:
            postings += share_postings
            for form, form_postings in share_variants:
                variants.setdefault(form, []).extend(form_postings)
        pages, count = _postings(postings)
        words.append((word, pages, [(form, _postings(variants[form])[0]) for form in sorted(variants)]))
        size += count
        if size >= CHUNK:
            close()
            words, size = [], 0
    if words:
        close()
    # Each chunk is known by the shortest prefixes that tell it from its neighbours (Pagefind's rule).
    for before, after in itertools.pairwise(chunks):
        common = 0
        for a, b in zip(before[1], after[0]):
            if a != b:
                break
            common += 1
        end, start = before[1][:common + 1], after[0][:common + 1]
        after[0] = start
        if end >= before[0]:
            before[1] = end
    return chunks


def _postings(postings: list) -> tuple[list, int]:
    """A word's pages as the index holds them (in the order of their numbers, each one's the step
    from the previous one's), and their size for CHUNK."""
    if not postings:  # a word found only in forms with diacritics
        return [], 0
    postings.sort(key=operator.itemgetter(0))
    numbers, locations, meta_locations = zip(*postings)
    steps = map(operator.sub, numbers, (0, *numbers[:-1]))
    size = sum(map(len, locations)) + sum(map(len, meta_locations)) + len(postings)
    return list(zip(steps, locations, meta_locations)), size  # tuples, which cbor2 writes as arrays


def _words(output: Path, chunks: list, renumber: list[int], fields: dict[int, int]):
    """A share's words in order: (word, its pages, [(a form of it with diacritics, its pages)]),
    a word's pages being [(page number, its locations, its locations in meta fields)] with the
    merged index's page numbers and meta fields' numbers."""
    same = all(old == new for old, new in fields.items())

    def pages(postings: list) -> list:
        page, found = 0, []
        for step, locations, meta_locations in postings:
            page += step
            if not same:  # a field's locations follow -(its number + 1)
                meta_locations = [-fields[-value - 1] - 1 if value < 0 else value for value in meta_locations]
            found.append((renumber[page], locations, meta_locations))
        return found

    for _, _, name in chunks:
        for word, postings, forms in _entries(_read(output / "index" / f"{_plain(name)}.pf_index")):
            if not isinstance(word, str):
                raise ValueError("a word is not [word, pages, forms]")
            yield word, pages(postings), [(form, pages(form_postings)) for form, form_postings in forms]


def _entries(data: bytes):
    """An index chunk's words, [[word, pages, forms], ...] inside a one-item array, decoded one at
    a time: the merge reads a chunk of every share at once (a hundred at 50,000 stories), and each
    decoded whole was megabytes of small objects."""
    stream = io.BytesIO(data)
    if _array_length(stream) != 1:
        raise ValueError("an index chunk is not [words]")
    decoder = cbor2.CBORDecoder(stream)
    for _ in range(_array_length(stream)):
        entry = decoder.decode()
        if not isinstance(entry, list) or len(entry) != 3:
            raise ValueError("a word is not [word, pages, forms]")
        yield entry
    if stream.tell() != len(data):
        raise ValueError("trailing bytes after an index chunk")


def _array_length(stream: io.BytesIO) -> int:
    """The length of the definite-length CBOR array that starts here (minicbor writes no other)."""
    head = stream.read(1)
    if len(head) != 1 or head[0] >> 5 != 4:
        raise ValueError("not a CBOR array")
    info = head[0] & 0x1F
    if info < 24:
        return info
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    extra = stream.read(size) if size else b""
    if size is None or len(extra) != size:
        raise ValueError("not a definite-length CBOR array")
    return int.from_bytes(extra, "big")


def _plain(name) -> str:
    """A file name as a bundle names its files (a crafted one must not reach outside it)."""
    if not isinstance(name, str) or not _PLAIN.fullmatch(name):
        raise ValueError(f"a file name of another shape: {name!r}")
    return name


def _name(digest: str, length: int, taken: dict[str, str]) -> str:
    """The shortest start of `digest`, `length` long or more, that names nothing else yet."""
    name = digest[:length]
    while taken.setdefault(name, digest) != digest:
        name = digest[:len(name) + 1]
    return name


def _digest(payload: bytes) -> str:
    """Pagefind's: the SHA-1 in hex, each byte without its leading zero."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(payload).digest())


def _decode(data: bytes):
    """One CBOR item, the whole of `data` (cbor2.loads would let trailing bytes by)."""
    stream = io.BytesIO(data)
    item = cbor2.CBORDecoder(stream).decode()
    if stream.tell() != len(data):
        raise ValueError("trailing bytes after a CBOR item")
    return item


def _read(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return data[len(MAGIC):]


def _write(path: Path, payload: bytes) -> None:
    path.write_bytes(gzip.compress(MAGIC + payload, compresslevel=6, mtime=0))  # Pagefind's own level
