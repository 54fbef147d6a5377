"""The search index: Pagefind over the built article pages, one index per <html lang> (so a French
reader gets French results, with French stemming), written into the tree a build is about to swap
in. Pagefind comes from its PyPI package, which ships the binary; nothing is downloaded. It is run
over a share of the pages at a time, and the shares' indexes merged into one (see index()), which
bounds its memory whatever the number of stories.

The index is made again only when an article page's fingerprint changed: its files are recorded in
the build's manifest under KEY_PREFIX plus a digest of every article page's fingerprint, and kept
as they are (linked, like any unchanged output) while that digest holds."""
from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from importlib import metadata
from pathlib import Path

from .errors import BuildError, Problem
from .urls import Urls

BUNDLE = Urls.search_bundle()  # "pagefind/"
KEY_PREFIX = "search:"
# Article pages sit at <lang>/<yyyy>/<mm>/<dd>/<slug>/: the only pages with data-pagefind-body.
_ARTICLE = re.compile(r"^[a-z]{2,3}/\d{4}/\d\d/\d\d/[^/]+/$")
ENTRY = "pagefind-entry.json"  # the index's table of languages, read first by pagefind.js
GLOB = "*/*/*/*/*/index.html"  # where they are (each is then matched with _ARTICLE)
TIMEOUT = 1800  # seconds: far beyond 50,000 stories' worth of pages
REINSTALL = "reinstall newsdigest ('pip install newsdigest' brings Pagefind)"
# HTML given to one Pagefind process: it holds ~8 times that at its peak (see index()).
SHARD_BYTES = 16 * 2**20
# Pagefind's allocator (jemalloc) gives freed memory back at once instead of keeping it for reuse.
PAGEFIND_ENVIRONMENT = {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}


def _version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "none"


def key(outputs: dict[str, str]) -> str:
    """The fingerprint every file of the index carries: the article pages' fingerprints (a site
    path -> fingerprint map, as the manifest holds) and Pagefind's version."""
    digest = hashlib.blake2b(_version().encode(), digest_size=16)
    for path in sorted(p for p in outputs if _ARTICLE.match(p)):
        digest.update(f"{path}\0{outputs[path]}\n".encode())
    return KEY_PREFIX + digest.hexdigest()


def has_articles(outputs: dict[str, str]) -> bool:
    """Whether there is anything to index (Pagefind refuses a site without a page to index)."""
    return any(_ARTICLE.match(path) for path in outputs)


def recorded(outputs: dict[str, str]) -> dict[str, str]:
    """The index's files among a manifest's outputs."""
    return {path: fingerprint for path, fingerprint in outputs.items() if path.startswith(BUNDLE)}


class Cancelled(BuildError):
    """The index was given up halfway (the dev server has an edit to build): nothing was swapped in."""

    def __init__(self, tree: Path):
        super().__init__(Problem(tree, "making the search index was given up for a newer build"))


def index(tree: Path, fingerprint: str, cancel: threading.Event | None = None) -> dict[str, str]:
    """Indexes the built tree's article pages into tree/pagefind/; returns its files (site paths)
    with `fingerprint`, for the manifest. A failure is a BuildError, and `cancel` being set stops
    Pagefind with Cancelled: either way the tree is then not swapped in.

    Pagefind holds every page it indexes in memory, twice over while it builds the index (about
    0.1 MB a page: 1.1 GB for 10,000 pages). So it is given the pages a share at a time (SHARD_BYTES
    of HTML each, one process after another, in a scratch folder inside the tree), and the shares'
    indexes are merged into one index per language (_merge): the same words, pages and weights as
    one Pagefind run over all of them, so readers get the same results, and the same bytes however
    the pages were shared out."""
    pages = _articles(tree)
    if not pages:
        raise BuildError(Problem(tree, "the search index could not be made: there is no article page to index"))
    scratch = Path(tempfile.mkdtemp(prefix=".search-", dir=tree))
    try:
        outputs = []
        for number, share in enumerate(_shares(pages, SHARD_BYTES)):
            site, output = scratch / f"site-{number}", scratch / f"index-{number}"
            _link(tree, site, share)
            _run(tree, cancel, ["--site", str(site), "--output-path", str(output), "--glob", GLOB, "--silent"])
            shutil.rmtree(site)
            outputs.append(output)
        root = tree / BUNDLE
        if root.exists():
            shutil.rmtree(root)
        try:
            _merge(outputs, root, cancel)
        except BaseException as exc:
            shutil.rmtree(root, ignore_errors=True)  # no half an index in the tree
            if not isinstance(exc, (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, zlib.error)):
                raise
            raise BuildError(Problem(tree, f"the search index could not be merged ({type(exc).__name__}: {exc}): "
                                           f"Pagefind {_version()} writes an index newsdigest does not know; "
                                           f"{REINSTALL}")) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {f"{BUNDLE}{path.relative_to(root).as_posix()}": fingerprint
            for path in sorted(root.rglob("*")) if path.is_file()}


def _articles(tree: Path) -> list[tuple[str, int]]:
    """The article pages (paths relative to the tree, in order) and their sizes in bytes."""
    found = []
    for path in tree.glob(GLOB):
        name = path.relative_to(tree).as_posix()
        if _ARTICLE.match(name[:-len("index.html")]):
            found.append((name, path.stat().st_size))
    return sorted(found)


def _shares(pages: list[tuple[str, int]], budget: int) -> list[list[str]]:
    """The pages in runs of at most `budget` bytes of HTML (a larger page alone)."""
    shares: list[list[str]] = []
    size = budget
    for name, length in pages:
        if size + length > budget and (not shares or shares[-1]):
            shares.append([])
            size = 0
        shares[-1].append(name)
        size += length
    return shares


def _link(tree: Path, site: Path, names: list[str]) -> None:
    """A folder holding only `names`, at the same paths (so Pagefind gives them the same URLs):
    links to the tree's files, or copies where the file system has no links."""
    made = set()
    for name in names:
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(site / folder)
            made.add(folder)
        try:
            os.link(tree / name, site / name)
        except OSError:
            shutil.copyfile(tree / name, site / name)


def _run(tree: Path, cancel: threading.Event | None, arguments: list[str]) -> None:
    """Runs Pagefind to the end (a BuildError if it fails), or kills it once `cancel` is set."""
    environment = {**os.environ, **PAGEFIND_ENVIRONMENT}
    if cancel is not None and cancel.is_set():
        raise Cancelled(tree)
    try:
        process = subprocess.Popen([sys.executable, "-m", "pagefind", *arguments], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=environment)
    except OSError as exc:
        raise BuildError(Problem(tree, f"the search index could not be made ({exc}); {REINSTALL}")) from None
    started = time.monotonic()
    while process.poll() is None:
        if (cancel is not None and cancel.is_set()) or time.monotonic() - started > TIMEOUT:
            process.kill()
            process.communicate()
            if cancel is not None and cancel.is_set():
                raise Cancelled(tree)
            raise BuildError(Problem(tree, f"the search index took over {TIMEOUT} s and was stopped; {REINSTALL}"))
        try:
            process.wait(0.05)
        except subprocess.TimeoutExpired:
            pass
    said = process.communicate()[0] or ""
    if process.returncode != 0:
        last = said.strip().splitlines()[-1:] or ["no message"]
        raise BuildError(Problem(tree, f"the search index could not be made: Pagefind said '{last[0]}'; {REINSTALL}"))


# Merging. Pagefind's files (its 1.x format) are gzipped, each starting with MAGIC:
# - pagefind.<lang>_<hash>.pf_meta: CBOR [version, pages: [[fragment name, word count]], chunks:
#   [[from, to, index chunk name]], filters, sorts, meta fields], page numbers being places in `pages`;
# - index/<name>.pf_index: CBOR [[[word, [[page number - the previous one's, locations, locations in
#   meta fields]]]]], words in order, cut into chunks of CHUNK locations;
# - fragment/<name>.pf_fragment: a page's JSON (its URL, text, meta fields), which names no page number.
# Names are the language, "_", and the start of the SHA-1 of the content (_digest).
MAGIC = b"pagefind_dcd"
CHUNK = 20_000  # Pagefind's: a chunk is closed once its pages' locations (+1 a page) reach it


def _merge(outputs: list[Path], root: Path, cancel: threading.Event | None) -> None:
    """One bundle at `root` from the shares' bundles in `outputs` (whose files it takes)."""
    entries = [json.loads((output / ENTRY).read_text(encoding="utf-8")) for output in outputs]
    (root / "fragment").mkdir(parents=True)
    (root / "index").mkdir()
    for output in outputs:  # pagefind.js, the UI, each language's search code: the same in each share
        for path in sorted(output.iterdir()):
            if path.is_dir():
                if path.name not in ("fragment", "index"):
                    raise ValueError(f"an unknown folder {path.name}/")
            elif path.name != ENTRY and not path.name.endswith(".pf_meta") and not (root / path.name).exists():
                os.replace(path, root / path.name)
    languages = {}
    for language in sorted({language for entry in entries for language in entry["languages"]}):
        if cancel is not None and cancel.is_set():
            raise Cancelled(root.parent)
        shares = [(output, entry["languages"][language]) for output, entry in zip(outputs, entries)
                  if language in entry["languages"]]
        languages[language] = _merge_language(shares, root, cancel)
    entry = {**entries[0], "languages": languages}
    (root / ENTRY).write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
                              encoding="utf-8")


def _merge_language(shares: list[tuple[Path, dict]], root: Path, cancel: threading.Event | None) -> dict:
    """Merges one language's indexes (each share's bundle and its entry for the language) into
    root; returns the language's entry. Pages are numbered in the order of their URLs."""
    prefix = shares[0][1]["hash"].rsplit("_", 1)[0]
    metas = [_decode(_read(output / f"pagefind.{info['hash']}.pf_meta")) for output, info in shares]
    if any(len(meta) != 6 or meta[3] or meta[4] for meta in metas):
        raise ValueError("a meta index with filters or sorts, or of another shape")
    pages = []  # (URL, share, number in the share, SHA-1, word count, fragment file)
    for share, ((output, _), meta) in enumerate(zip(shares, metas)):
        for number, (name, words) in enumerate(meta[1]):
            path = output / "fragment" / f"{name}.pf_fragment"
            fragment = _read(path)
            pages.append((json.loads(fragment)["url"], share, number, _digest(fragment), words, path))
    pages.sort()
    renumber = [[0] * len(meta[1]) for meta in metas]
    taken: dict[str, str] = {}
    listed = []
    for number, (_, share, old, digest, words, path) in enumerate(pages):
        name = _name(digest, 7, taken)
        if not (root / "fragment" / f"{prefix}_{name}.pf_fragment").exists():
            os.replace(path, root / "fragment" / f"{prefix}_{name}.pf_fragment")
        listed.append([f"{prefix}_{name}", words])
        renumber[share][old] = number
    fields = metas[0][5]
    if any(meta[5] != fields for meta in metas):
        fields = sorted({field for meta in metas for field in meta[5]})
    chunks = _merge_words([(output, meta[2], renumber[share], {old: fields.index(field) for old, field in
                                                                  enumerate(meta[5])})
                           for share, ((output, _), meta) in enumerate(zip(shares, metas))], root, prefix, cancel)
    meta = _encode([metas[0][0], listed, chunks, [], [], fields])
    name = f"{prefix}_{_digest(meta)[:10]}"
    _write(root / f"pagefind.{name}.pf_meta", meta)
    return {**shares[0][1], "hash": name, "page_count": len(listed)}


def _merge_words(shares: list[tuple[Path, list, list[int], dict[int, int]]], root: Path, prefix: str,
                 cancel: threading.Event | None) -> list:
    """Writes the merged word index's chunks; returns the meta index's list of them."""
    chunks: list[list[str]] = []
    taken: dict[str, str] = {}
    words: list[bytes] = []
    first = last = ""
    size = 0

    def close() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled(root.parent)
        payload = _head(4, 1) + _head(4, len(words)) + b"".join(words)
        name = f"{prefix}_{_name(_digest(payload), 7, taken)}"
        _write(root / "index" / f"{name}.pf_index", payload)
        chunks.append([first, last, name])

    streams = [_words(*share) for share in shares]
    for word, group in itertools.groupby(heapq.merge(*streams, key=lambda item: item[0]), key=lambda item: item[0]):
        postings, variants = [], {}
        for _, share_postings, share_variants in group:
            postings += share_postings
            for form, form_postings in share_variants:
                variants.setdefault(form, []).extend(form_postings)
        encoded = bytearray(_head(4, 3))
        _encode_into(word, encoded)
        size += _encode_postings(postings, encoded)
        encoded += _head(4, len(variants))
        for form in sorted(variants):
            encoded += _head(4, 2)
            _encode_into(form, encoded)
            _encode_postings(variants[form], encoded)
        if not words:
            first = word
        words.append(bytes(encoded))
        last = word
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


def _encode_postings(postings: list, out: bytearray) -> int:
    """Adds a word's pages (in the order of their numbers) to `out`; returns their size for CHUNK."""
    postings.sort()
    out += _head(4, len(postings))
    page = size = 0
    for number, locations, count, meta_locations in postings:
        step = number - page
        if step < 24:
            out += b"\x83" + bytes((step,))  # [step, ...] (as _encode_into would write it)
        else:
            out += b"\x83"
            _encode_into(step, out)
        out += locations
        out += meta_locations
        page = number
        size += count
    return size


def _words(output: Path, chunks: list, renumber: list[int], fields: dict[int, int]):
    """A share's words in order: (word, its pages, [(a form of it with diacritics, its pages)]),
    a word's pages being [(page number, its locations as CBOR, their count + 1, its locations in
    meta fields as CBOR)] with the merged index's page numbers."""
    same = all(old == new for old, new in fields.items())

    width = _NUMBER_WIDTH

    def pages(data: bytes, i: int) -> tuple[list, int]:
        count, i = _array(data, i)
        page, postings = 0, []
        for _ in range(count):
            if data[i] != 0x83:  # an array of 3
                raise ValueError("a page of a word is not [number, locations, meta locations]")
            if data[i + 1] < 24:  # the step to this page's number, in one byte (mostly)
                page += data[i + 1]
                i += 2
            else:
                step, i = _item(data, i + 1)
                page += step
            start = i
            if 0x80 <= data[i] < 0x98:  # an array of fewer than 24
                locations, i = data[i] - 0x80, i + 1
            else:
                locations, i = _array(data, i)
            for _ in range(locations):
                i += width[data[i]]
            middle = i
            meta_locations, i = _array(data, i)
            for _ in range(meta_locations):
                i += width[data[i]]
            meta_bytes = data[middle:i]
            if not same:  # a field's locations follow -(its number + 1)
                meta_bytes = _encode([-fields[-value - 1] - 1 if value < 0 else value
                                      for value in _item(data, middle)[0]])
            postings.append((renumber[page], data[start:middle], locations + meta_locations + 1, meta_bytes))
        if i > len(data):
            raise ValueError("a word index chunk ends too soon")
        return postings, i

    for _, _, name in chunks:
        data = _read(output / "index" / f"{name}.pf_index")
        if _array(data, 0)[0] != 1:
            raise ValueError("a word index chunk is not [words]")
        count, i = _array(data, _array(data, 0)[1])
        for _ in range(count):
            if _array(data, i)[0] != 3:
                raise ValueError("a word is not [word, pages, forms]")
            word, i = _item(data, _array(data, i)[1])
            postings, i = pages(data, i)
            forms, i = _array(data, i)
            variants = []
            for _ in range(forms):
                if _array(data, i)[0] != 2:
                    raise ValueError("a form of a word is not [form, pages]")
                form, i = _item(data, _array(data, i)[1])
                form_postings, i = pages(data, i)
                variants.append((form, form_postings))
            yield word, postings, variants
        if i != len(data):
            raise ValueError("trailing bytes in a word index chunk")


def _name(digest: str, length: int, taken: dict[str, str]) -> str:
    """The shortest start of `digest`, `length` long or more, that names nothing else yet."""
    name = digest[:length]
    while taken.setdefault(name, digest) != digest:
        name = digest[:len(name) + 1]
    return name


def _digest(payload: bytes) -> str:
    """Pagefind's: the SHA-1 in hex, each byte without its leading zero."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(payload).digest())


def _read(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return data[len(MAGIC):]


def _write(path: Path, payload: bytes) -> None:
    path.write_bytes(gzip.compress(MAGIC + payload, compresslevel=9, mtime=0))


# CBOR, as much of it as Pagefind writes: numbers, text, arrays (minicbor's shortest forms).

def _argument(data: bytes, i: int) -> tuple[int, int, int]:
    """An item's major type, argument and where what follows it starts."""
    first = data[i]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, i + 1
    if info > 27:
        raise ValueError(f"a CBOR item Pagefind does not write ({first:#x})")
    width = 1 << (info - 24)
    return major, int.from_bytes(data[i + 1:i + 1 + width], "big"), i + 1 + width


def _array(data: bytes, i: int) -> tuple[int, int]:
    major, length, i = _argument(data, i)
    if major != 4:
        raise ValueError("a CBOR array was expected")
    return length, i


def _item(data: bytes, i: int):
    major, value, i = _argument(data, i)
    if major == 0:
        return value, i
    if major == 1:
        return -1 - value, i
    if major == 3:
        return data[i:i + value].decode("utf-8"), i + value
    if major == 4:
        items = []
        for _ in range(value):
            item, i = _item(data, i)
            items.append(item)
        return items, i
    raise ValueError(f"a CBOR item Pagefind does not write (major type {major})")


# The length of a CBOR integer from its first byte; anything else seems to run past the end.
_NUMBER_WIDTH = [(1 if info < 24 else 1 + (1 << (info - 24)) if info < 28 else 1 << 40) if first < 0x40 else 1 << 40
                 for first, info in ((first, first & 31) for first in range(256))]


def _decode(data: bytes):
    item, end = _item(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes after a CBOR item")
    return item


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | info]) + value.to_bytes(width, "big")
    raise ValueError("a number too large for CBOR")


def _encode_into(item, out: bytearray) -> None:
    if isinstance(item, int):
        out += _head(0, item) if item >= 0 else _head(1, -1 - item)
    elif isinstance(item, str):
        text = item.encode("utf-8")
        out += _head(3, len(text))
        out += text
    elif isinstance(item, list):
        out += _head(4, len(item))
        for each in item:
            _encode_into(each, out)
    else:
        raise TypeError(f"no CBOR for {type(item).__name__}")


def _encode(item) -> bytes:
    out = bytearray()
    _encode_into(item, out)
    return bytes(out)
