"""The build cache is untrusted input: a crafted, damaged or wrongly shaped .newsdigest-cache/ can
only make a build slower. It never runs code, never crashes the build, never deletes a file outside
the output folder, and the site is byte-identical to a clean build without a cache. --clean trusts
no cache at all, and an edit is seen even when it keeps the size and puts the modification time back."""
from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newsdigest import cache as cache_module
from newsdigest.builder import build
from newsdigest.cache import CACHE_DIR, Cache, dump_data, load_data
from newsdigest.errors import NewsdigestError
from conftest import tiny_picture
from test_incremental import project, tree
from test_regroup import EN_FLOOD, FR_FLOOD

STORY = "content/2026/01/ottawa-budget/en.md"


def clean_tree(site, name: str = "clean") -> dict[str, bytes]:
    """What a clean build without any cache writes, into a folder of its own."""
    out = site.root / name
    build(dataclasses.replace(site.config(), output_dir=out), clean=True, use_cache=False)
    try:
        return tree(out)
    finally:
        shutil.rmtree(out)


def cache_files(site, pattern: str = "**/*.pickle") -> list[Path]:
    return sorted((site.root / CACHE_DIR).glob(pattern))


class RunsAShellCommand:
    """What a crafted pickle looks like: loading it calls os.system."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


@pytest.fixture
def site(tmp_path):
    site = project(tmp_path / "p")
    site.write("content/2026/03/quebec-flood/en.md", EN_FLOOD.replace("image: flood.jpg\n", ""))
    site.write("content/2026/03/crue-gatineau/fr.md", FR_FLOOD.replace("image: crue.jpg\n", ""))
    first = site.build()
    assert first.warnings, "the pairing hints' tables should be in the cache too"
    assert cache_files(site, "articles/*.pickle") and cache_files(site, "pairing/*.pickle")
    return site


def rebuild(site, **kwargs):
    """A build that must use the cache (the output is gone, so there is no no-change shortcut)."""
    shutil.rmtree(site.out)
    return build(site.config(), **kwargs)


# Code

def test_a_crafted_pickle_in_the_cache_runs_nothing(site, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(RunsAShellCommand(f"touch {marker}"))
    pickle.loads(payload)  # the payload is live: a plain pickle.load runs it
    assert marker.exists()
    marker.unlink()
    key = cache_module.settings_key(site.config())
    shaped = pickle.dumps({"key": key, "entries": {str(site.root / STORY): RunsAShellCommand(f"touch {marker}")}})
    for n, path in enumerate(cache_files(site)):
        path.write_bytes(shaped if n % 2 else payload)
    report = rebuild(site)
    assert not marker.exists()
    assert tree(site.out) == clean_tree(site)
    assert report.warnings == build(dataclasses.replace(site.config(), output_dir=tmp_path / "w"),
                                    clean=True, use_cache=False).warnings
    # Each file was either rewritten with plain data or left as it was, never half trusted.
    for path in cache_files(site):
        assert path.read_bytes() in (payload, shaped) or type(load_data(path)) is dict
    assert any(type(load_data(path)) is dict for path in cache_files(site, "articles/*.pickle"))


def test_the_unpickler_refuses_every_class_and_callable():
    for value in (RunsAShellCommand("true"), Path("x"), ValueError("x"), print, object, {"ok": [Path("x")]}):
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            with pytest.raises(pickle.UnpicklingError):
                cache_module._DataUnpickler(io.BytesIO(pickle.dumps(value, protocol=protocol))).load()
    plain = {"a": [1, 2.5, b"x", None, True, ("t",), frozenset({"f"})]}
    assert cache_module._DataUnpickler(io.BytesIO(dump_data(plain))).load() == plain
    with pytest.raises(cache_module._Unencodable):
        dump_data({"a": Path("x")})


def test_compiled_templates_are_never_read_from_disk(site, tmp_path):
    """A Jinja bytecode file with the right header and checksum would be run by Jinja's
    FileSystemBytecodeCache; the build keeps compiled templates in memory only."""
    from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader
    marker = tmp_path / "pwned"
    folder = site.root / CACHE_DIR / "templates"  # where the build used to keep them
    folder.mkdir(exist_ok=True)
    bcc = FileSystemBytecodeCache(str(folder))
    env = Environment(loader=FileSystemLoader(str(site.root / "templates")), extensions=["jinja2.ext.i18n"])
    for name in ("article.html", "list.html", "base.html", "home.html"):
        source, filename, _ = env.loader.get_source(env, name)
        bucket = bcc.get_bucket(env, name, filename, source)
        bucket.code = compile(f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n", filename, "exec")
        bcc.set_bucket(bucket)
    # the files are live: a disk bytecode cache runs them
    victim = Environment(loader=FileSystemLoader(str(site.root / "templates")), bytecode_cache=bcc)
    with pytest.raises(Exception):  # noqa: B017 - the crafted module has no template in it
        victim.get_template("article.html")
    assert marker.exists()
    marker.unlink()
    (folder / "__jinja2_garbage.cache").write_bytes(b"\x00garbage")
    rebuild(site)
    assert not marker.exists()
    assert tree(site.out) == clean_tree(site)


# Damage and wrong shapes

DAMAGE = {
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "empty": lambda path: path.write_bytes(b""),
    "garbage": lambda path: path.write_bytes(b"\x00garbage\xff" * 10),
    "a folder": lambda path: (path.unlink(), path.mkdir(), (path / "inside").write_text("x")),
    "null": lambda path: path.write_bytes(pickle.dumps(None) if path.suffix == ".pickle" else b"null"),
    "a list": lambda path: path.write_bytes(pickle.dumps([1, 2]) if path.suffix == ".pickle" else b"[1, 2]"),
    "unreadable": lambda path: path.chmod(0),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_cache_files_are_ignored_and_rebuilt(site, damage):
    files = cache_files(site) + cache_files(site, "outputs/*.json")
    for path in files:
        DAMAGE[damage](path)
    target = site.root / STORY
    target.write_text(target.read_text().replace("cautious budget", "careful budget"))
    readable = damage == "unreadable" and os.access(files[0], os.R_OK)  # as root, mode 0 does not stop reading
    report = site.build()
    assert report.full or readable  # the manifest was damaged too
    assert tree(site.out) == clean_tree(site)
    for path in files:  # rebuilt: each is a readable file of plain data again
        assert path.is_file() and type(load_data(path) if path.suffix == ".pickle" else json.loads(path.read_bytes())) is dict
    assert site.build().written == 0  # and used


def test_entries_of_the_wrong_shape_are_misses(site):
    """Files that load, with the right key, but whose entries are nonsense."""
    key = cache_module.settings_key(site.config())
    nonsense = [None, 1, "x", (), (1, 2, 3), ((1,), "digest", (("not", "an", "article"), ())),
                ((0, 0, 0, 0), "d", ((None,) * 20, ())), ((0, 0, 0, 0), "d", (None, ("problem",)))]
    for path in cache_files(site, "articles/*.pickle"):
        entries = load_data(path)["entries"]
        for n, name in enumerate(entries):
            entries[name] = nonsense[n % len(nonsense)]
        path.write_bytes(dump_data({"key": key, "entries": entries}))
    for path in cache_files(site, "pairing/*.pickle"):
        entries = load_data(path)["entries"]
        path.write_bytes(dump_data({"key": key, "entries": {k: ("ghost-a", {"x": 1}, 2.0) for k in entries}}))
    report = rebuild(site)
    assert tree(site.out) == clean_tree(site)
    assert report.warnings and not any("could not look" in w for w in report.warnings)


def test_pairing_decisions_naming_strangers_are_weighed_again(site, tmp_path):
    """A window's stored decisions may only name its members: two made-up stories that are each
    other's best partner would otherwise break the hints (a KeyError, reported as a warning)."""
    key = cache_module.settings_key(site.config())
    [windows] = cache_files(site, "pairing/windows.pickle")
    entries = load_data(windows)["entries"]
    assert entries
    windows.write_bytes(dump_data({"key": key, "entries": {
        d: (("ghost-a", "ghost-b", 0.99), ("ghost-b", "ghost-a", 0.99)) for d in entries}}))
    report = rebuild(site)
    expected = build(dataclasses.replace(site.config(), output_dir=tmp_path / "w"), clean=True, use_cache=False)
    assert report.warnings == expected.warnings


def test_a_manifest_cannot_make_an_update_delete_files_outside_the_site(site):
    victims = [site.root / "victim.txt", site.root / "templates" / "victim.html"]
    for victim in victims:
        victim.write_text("keep me")
    [path] = cache_files(site, "outputs/*.json")
    record = json.loads(path.read_text())
    record["outputs"].update({"../victim.txt": "x", str(victims[1]): "x", "en/../../victim.txt": "x"})
    path.write_text(json.dumps(record))
    target = site.root / STORY
    target.write_text(target.read_text().replace("cautious budget", "careful budget"))
    report = site.build()
    assert all(victim.read_text() == "keep me" for victim in victims)
    assert report.full and tree(site.out) == clean_tree(site)


@pytest.mark.parametrize("where", ["cache folder", "articles folder", "outputs folder", "pairing folder"])
def test_a_file_where_a_cache_folder_belongs_is_replaced(site, where):
    folder = site.root / CACHE_DIR / {"cache folder": "", "articles folder": "articles",
                                      "outputs folder": "outputs", "pairing folder": "pairing"}[where]
    shutil.rmtree(folder)
    folder.write_text("not a folder")
    rebuild(site)
    assert tree(site.out) == clean_tree(site)
    assert folder.is_dir()
    assert site.build().written == 0


def test_a_link_in_the_cache_does_not_send_writes_elsewhere(site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("articles", "outputs", "pairing"):
        shutil.rmtree(site.root / CACHE_DIR / name)
        (site.root / CACHE_DIR / name).symlink_to(elsewhere, target_is_directory=True)
    rebuild(site)
    assert list(elsewhere.iterdir()) == []
    assert all((site.root / CACHE_DIR / name).is_dir() and not (site.root / CACHE_DIR / name).is_symlink()
               for name in ("articles", "outputs", "pairing"))
    assert tree(site.out) == clean_tree(site)
    assert site.build().written == 0


def test_a_cache_file_that_never_ends_is_not_read(site, tmp_path):
    """A named pipe (or a link to one, or to /dev/zero) would block the build or fill its memory:
    only regular files are read."""
    os.mkfifo(tmp_path / "pipe")
    for n, path in enumerate(cache_files(site)[:4] + cache_files(site, "outputs/*.json")):
        path.unlink()
        if n % 2:
            os.mkfifo(path)
        else:
            path.symlink_to(tmp_path / "pipe")

    def hung(signum, frame):
        raise AssertionError("the build blocked reading a named pipe in the cache")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        rebuild(site)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert tree(site.out) == clean_tree(site)


def test_only_regular_files_are_read():
    """A link to /dev/zero never ends: reading it is refused, not attempted (in a process whose
    memory is capped, so that a regression fails instead of exhausting the machine)."""
    code = ("from pathlib import Path\nfrom newsdigest.cache import read_regular\ntry:\n"
            "    read_regular(Path('/dev/zero'))\nexcept OSError:\n    print('refused')\n")
    limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # noqa: E731
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            preexec_fn=limit)
    assert result.stdout.strip() == "refused", result.stderr[-2000:]


# --clean

def test_clean_trusts_no_cache(site):
    """A cached article a non-clean build would keep (its file's stat is unchanged) is ignored by
    --clean, and so are a long-lived cache's articles and compiled templates in memory."""
    key = cache_module.settings_key(site.config())
    for path in cache_files(site, "articles/*.pickle"):
        stored = load_data(path)
        entries = {name: (stat, digest, ((row[0][:3] + ("POISONED",) + row[0][4:]) if row[0] else None, row[1]))
                   for name, (stat, digest, row) in stored["entries"].items()}
        path.write_bytes(dump_data({"key": key, "entries": entries}))
    rebuild(site)
    assert any(b"POISONED" in data for data in tree(site.out).values())  # the poison is live
    expected = clean_tree(site)
    assert site.run("build", "--clean", "--quiet") == 0
    assert tree(site.out) == expected

    # A caller's Cache (the dev server's): clean=True must bypass what it holds in memory as well.
    cache = Cache(site.config(), workers=1)
    rebuild(site, cache=cache)
    poison_memory(cache, site)
    rebuild(site, cache=cache)
    assert any(b"POISONED" in data for data in tree(site.out).values())
    rebuild(site, cache=cache, clean=True)
    assert tree(site.out) == expected


def poison_memory(cache: Cache, site) -> None:
    """Every compiled template in `cache` replaced by one printing POISONED (with the checksum of
    the real source, so that only a cache keyed by the source alone would notice nothing)."""
    from jinja2 import Environment
    from jinja2.bccache import Bucket, bc_magic
    env = Environment()
    assert cache.templates._store
    for key, data in list(cache.templates._store.items()):
        checksum = pickle.loads(data[len(bc_magic):])  # what follows Jinja's header
        poisoned = Bucket(env, key, checksum)
        poisoned.code = env.compile("POISONED", "poisoned", "poisoned")
        cache.templates._store[key] = poisoned.bytecode_to_string()


def test_compiled_templates_are_keyed_by_the_code_and_the_compiler_options(site, monkeypatch):
    """After a change to the Jinja options (here trim_blocks), a build that keeps its compiled
    templates (the dev server's Cache) renders as a fresh process would."""
    from newsdigest.render import Renderer
    cache = Cache(site.config(), workers=1)
    rebuild(site, cache=cache)
    original = Renderer._env

    def without_trim_blocks(self, code):
        env = original(self, code)
        env.trim_blocks = False
        return env
    monkeypatch.setattr(Renderer, "_env", without_trim_blocks)
    expected = clean_tree(site)
    assert expected != tree(site.out)  # the option changes the pages
    rebuild(site, cache=cache)
    assert tree(site.out) == expected
    monkeypatch.setattr(cache_module, "code_key", lambda: "other code")
    key_before = set(cache.templates._store)
    rebuild(site, cache=cache)
    assert set(cache.templates._store) - key_before  # a new code key compiles afresh
    assert tree(site.out) == expected


# Edits that keep the size and the modification time

def _edit_keeping_size_and_mtime(path: Path, old: bytes, new: bytes) -> None:
    assert len(old) == len(new)
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)


@pytest.mark.parametrize("what", ["story", "template", "catalog", "photo"])
def test_an_edit_that_keeps_size_and_mtime_is_rebuilt(site, what):
    path, old, new = {
        "story": (site.root / STORY, b"cautious", b"careless"),
        "template": (site.root / "templates/base.html", b"<main id=\"main\"", b"<main id=\"Main\""),
        "catalog": (site.root / "locales/fr/LC_MESSAGES/messages.po", b'msgstr "Archives"', b'msgstr "ARCHIVES"'),
        # Two pictures of one size as BMP have one length: the second replaces the first in place.
        "photo": (next((site.root / "content").rglob("*.png")), tiny_picture(1, "BMP"), tiny_picture(2, "BMP")),
    }[what]
    if what == "photo":
        path.write_bytes(old)
        site.build()
    before = tree(site.out)
    _edit_keeping_size_and_mtime(path, old, new)
    report = site.build()
    assert report.written or what == "photo"
    assert tree(site.out) != before
    assert tree(site.out) == clean_tree(site)


def test_every_article_field_can_be_cached():
    """A new Article field needs a codec in cache.py; until then no article is cached at all."""
    assert cache_module.UNCACHEABLE_FIELDS == ()


def test_a_build_error_is_the_same_with_a_damaged_cache(site):
    for path in cache_files(site):
        path.write_bytes(b"\x80\x05garbage")
    (site.root / STORY).write_text("---\ntitle: Broken\n---\nNo date.\n")
    with pytest.raises(NewsdigestError) as cached:
        site.build()
    with pytest.raises(NewsdigestError) as clean:
        build(site.config(), clean=True, use_cache=False)
    assert [str(p) for p in cached.value.problems] == [str(p) for p in clean.value.problems]


def test_a_long_lived_cache_writes_the_shards_it_rewrites_from_the_results_it_keeps(site):
    """The dev server's Cache keeps the last build's results, not their stored rows: a shard it
    rewrites after an edit is encoded again from them, and a fresh process reads every article
    from it as a hit, building what a clean build does."""
    cache = Cache(site.config(), workers=1, long_lived=True)
    rebuild(site, cache=cache)
    files = cache.hits
    assert files > 2
    flood = site.root / "content/2026/03/quebec-flood/en.md"
    flood.write_text(flood.read_text() + "\nRoads reopened on Friday.\n")
    site.write("content/2026/03/hydro-outage/en.md", "---\ntitle: Hydro outage\ndate: 2026-03-04\n---\nPower is back.\n")
    rebuild(site, cache=cache)
    assert cache.hits == files - 1  # the edited and the new one were parsed
    fresh = Cache(site.config(), workers=1)
    rebuild(site, cache=fresh)
    assert fresh.hits == files + 1
    assert tree(site.out) == clean_tree(site)


def test_a_one_off_cache_does_not_keep_the_results_it_read(site):
    # A command-line build reads each article once: keeping them all (for a next build that
    # never comes) only added to its peak memory.
    kept, one_off = Cache(site.config(), workers=1, long_lived=True), Cache(site.config(), workers=1)
    rebuild(site, cache=kept)
    rebuild(site, cache=one_off)
    assert kept._memory and one_off._memory is None
