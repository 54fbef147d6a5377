"""The live site is the old one or the new one, never a mix: builds are staged beside site/ and swapped
in whole, a full disk or a read-only folder is one clear error that leaves the last good site byte for
byte, a killed build is put right by the next one, and two sources never write one output file."""
from __future__ import annotations

import builtins
import dataclasses
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, FixtureSite, make_fixture_site, tiny_picture
from newsdigest import builder
from newsdigest.builder import build
from newsdigest.errors import BuildError, NewsdigestError
from newsdigest.pages import Copy, Page, check_collisions

FULL = "could not write this file: the disk is full; free some space on it, then build again."
DEAL = "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/"
BUDGET = "content/2026/01/ottawa-budget/en.md"


def state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below folder (hidden ones included): relative path -> (bytes, mtime)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> dict[str, bytes]:
    return {path: data for path, (data, _) in state(folder).items()}


def leftovers(site: FixtureSite) -> list[str]:
    """Folders of builds beside site/ (the spare, kept on purpose, excepted)."""
    return sorted(p.name for p in site.root.iterdir() if p.name.startswith((".site-tmp", ".site-old")))


def clean_tree(site: FixtureSite) -> dict[str, bytes]:
    """What a clean build of the current content gives, built into another folder."""
    out = site.root / "clean-build"
    build(dataclasses.replace(site.config(), output_dir=out), clean=True, use_cache=False)
    result = tree(out)
    shutil.rmtree(out)
    return result


def edit_budget(site: FixtureSite, old: str = "cautious budget", new: str = "careful budget") -> None:
    path = site.root / BUDGET
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def photo(site: FixtureSite) -> Path:
    return site.root / "content/2026/01/canada-japan-defence-deal/signing.png"


@pytest.fixture
def built(tmp_path) -> FixtureSite:
    site = make_fixture_site(tmp_path / "project", "basic")
    site.build()
    return site


# -- Collisions are checked on output files -------------------------------------------------------

def test_a_story_file_named_index_html_collides_with_both_article_pages(built, capsys):
    before = state(built.out)
    built.write("content/2026/01/canada-japan-defence-deal/index.html", "<p>a page of my own</p>")
    assert built.run("build") == 1
    err = capsys.readouterr().err.replace(str(built.root) + "/", "")
    fr = "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/"
    folder = "content/2026/01/canada-japan-defence-deal"
    assert err.splitlines() == [
        "error: 2 problems found:",
        f"  {folder}/index.html: would be published as /{DEAL}index.html, the file of the page /{DEAL}, "
        f"which {folder}/en.md writes. Rename the file.",
        f"  {folder}/index.html: would be published as /{fr}index.html, the file of the page /{fr}, "
        f"which {folder}/fr.md writes. Rename the file.",
        "The build stopped; the previous output folder was left as it was.",
    ]
    assert state(built.out) == before and leftovers(built) == []


def test_collisions_are_checked_on_output_files_and_name_both_sources():
    article = Page("en/2026/02/11/a/", "article.html", "en", "content/a/en.md")
    pages = [article, Page("en/2026/02/11/a/", "article.html", "en", "content/b/en.md")]
    copies = [Copy("en/2026/02/11/a/index.html", Path("content/a/index.html"), "content/a/index.html"),
              Copy("assets/style.css", Path("templates/static/style.css"), "templates/static/style.css"),
              Copy("assets/style.css", Path("content/c/style.css"), "content/c/style.css"),
              Copy("en/2026/02/11/a/index.html/x.png", Path("content/d/x.png"), "content/d/x.png")]
    with pytest.raises(BuildError) as caught:
        check_collisions(pages, copies)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("content/b/en.md", "wants to write /en/2026/02/11/a/, which content/a/en.md already writes. "
                            "Give one of them its own 'slug:'."),
        ("content/a/index.html", "would be published as /en/2026/02/11/a/index.html, the file of the page "
                                 "/en/2026/02/11/a/, which content/a/en.md writes. Rename the file."),
        ("content/c/style.css", "would be published as /assets/style.css, where templates/static/style.css "
                                "is published too. Rename one of them."),
        ("content/d/x.png", "wants to write /en/2026/02/11/a/index.html/x.png, inside /en/2026/02/11/a/, which "
                            "content/a/en.md writes as a file. Rename one of them."),
    ]
    check_collisions([article], copies[1:2])  # one source, one file: fine


def test_an_image_that_is_never_published_is_an_error_naming_the_story(built):
    before = state(built.out)
    story = built.root / "content/2026/01/canada-japan-defence-deal/en.md"
    shutil.copy(photo(built), story.parent / "_photo.png")
    story.write_text(story.read_text().replace("image: signing.png", "image: _photo.png"))
    with pytest.raises(NewsdigestError) as caught:
        built.build()
    line = story.read_text().splitlines().index("image: _photo.png") + 1
    assert [(p.path, p.line, p.message) for p in caught.value.problems] == [(
        story, line, "image '_photo.png' is never published: story files (.md), names starting with '.' or "
                     "'_', and backup files are not copied beside the page; name a picture.")]
    assert state(built.out) == before and leftovers(built) == []


# -- A full disk or a read-only folder: one clear error, the last good site kept --------------------

class FullDisk:
    """Stands in for open() in the builder: the write after the first `after` files fails as on a
    full disk (OSError ENOSPC, no file name: write() does not say), once the file was created."""

    def __init__(self, after: int = 0, code: int = errno.ENOSPC):
        self.after, self.code, self.failed = after, code, None

    def __call__(self, file, mode="r", *args, **kwargs):
        handle = builtins.open(file, mode, *args, **kwargs)
        if "w" not in mode or self.failed:
            return handle
        if self.after:
            self.after -= 1
            return handle
        self.failed = Path(file)
        code = self.code

        class Failing:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def write(self, data):
                handle.write(data[:len(data) // 2])
                raise OSError(code, os.strerror(code))
        return Failing()


def published(site: FixtureSite, staged: Path) -> Path:
    """Where a file written into a build's folder beside site/ would be published."""
    relative = staged.relative_to(site.root)
    return site.out.joinpath(*relative.parts[1:])


def assert_kept_then_rebuilt(site: FixtureSite, before) -> None:
    assert state(site.out) == before, "the last good site changed"
    assert leftovers(site) == []
    site.build()
    assert tree(site.out) == clean_tree(site)


@pytest.mark.parametrize("after", [0, 7])
def test_a_full_disk_during_a_full_build_names_the_file(built, monkeypatch, after):
    before = state(built.out)
    edit_budget(built)
    disk = FullDisk(after)
    monkeypatch.setattr(builder, "open", disk, raising=False)
    with pytest.raises(BuildError) as caught:
        build(built.config(), clean=True)
    monkeypatch.undo()
    assert [(p.path, p.message) for p in caught.value.problems] == [(published(built, disk.failed), FULL)]
    assert disk.failed.relative_to(built.root).parts[0].startswith(".site-tmp-")  # staged, not in site/
    assert_kept_then_rebuilt(built, before)


@pytest.mark.parametrize("spare", [False, True], ids=["first-edit", "with-a-spare"])
def test_a_full_disk_during_an_incremental_build_names_the_file(built, monkeypatch, spare):
    if spare:  # a second incremental build starts from the tree the first one retired
        edit_budget(built)
        built.build()
        assert (built.root / ".site-spare").is_dir()
        edit_budget(built, "careful budget", "cautious budget")
    else:
        edit_budget(built)
    before = state(built.out)
    disk = FullDisk(1)
    monkeypatch.setattr(builder, "open", disk, raising=False)
    with pytest.raises(BuildError) as caught:
        built.build()
    monkeypatch.undo()
    [problem] = caught.value.problems
    assert (problem.path, problem.message) == (published(built, disk.failed), FULL)
    assert problem.path.is_relative_to(built.out) and problem.path.name == "index.html"
    assert_kept_then_rebuilt(built, before)


@pytest.mark.parametrize("incremental", [False, True])
@pytest.mark.parametrize("names", ["none", "both"])  # a plain copy names no file; sendfile names both
def test_a_full_disk_while_copying_a_photo(built, monkeypatch, incremental, names):
    before = state(built.out)
    photo(built).write_bytes(photo(built).read_bytes() + b"edited")
    real = shutil.copyfile

    def copyfile(src, dst, **kwargs):
        if not str(src).endswith(".png"):
            return real(src, dst, **kwargs)
        Path(dst).write_bytes(Path(src).read_bytes()[:100])  # a truncated photo
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *((src, None, dst) if names == "both" else ()))
    monkeypatch.setattr(shutil, "copyfile", copyfile)
    with pytest.raises(BuildError) as caught:
        build(built.config(), clean=not incremental)
    monkeypatch.undo()
    assert [(str(p.path), p.message) for p in caught.value.problems] == [(f"{built.out}/{DEAL}signing.png", FULL)]
    assert_kept_then_rebuilt(built, before)


def test_a_full_disk_while_linking_the_unchanged_files(built, monkeypatch):
    before = state(built.out)
    edit_budget(built)
    real, calls = os.link, []

    def link(src, dst, **kwargs):
        calls.append(dst)
        if len(calls) == 5:  # a new folder's block, say
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src, None, dst)
        return real(src, dst, **kwargs)
    monkeypatch.setattr(os, "link", link)
    with pytest.raises(BuildError) as caught:
        built.build()
    monkeypatch.undo()
    assert [(p.path, p.message) for p in caught.value.problems] == [(published(built, Path(calls[4])), FULL)]
    assert_kept_then_rebuilt(built, before)


def test_a_full_disk_on_the_command_line_is_one_clear_error_not_a_traceback(built, monkeypatch, capsys):
    before = state(built.out)
    edit_budget(built)
    disk = FullDisk(0)
    monkeypatch.setattr(builder, "open", disk, raising=False)
    assert built.run("build") == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert err.splitlines() == ["error:", f"  {published(built, disk.failed)}: {FULL}",
                                "The build stopped; the previous output folder was left as it was."]
    assert_kept_then_rebuilt(built, before)


def test_a_folder_the_build_may_not_write_in_is_a_clear_error(built, monkeypatch):
    before = state(built.out)
    edit_budget(built)

    def mkdtemp(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), f"{dir}/.site-tmp-1-x")
    monkeypatch.setattr(builder.tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(BuildError) as caught:
        built.build()
    monkeypatch.undo()
    assert [(p.path, p.message) for p in caught.value.problems] == [(
        built.root, f"could not create the new site in this folder: permission denied; make {built.root} "
                    "writable for you, or build elsewhere with --out DIR.")]
    assert_kept_then_rebuilt(built, before)


@pytest.mark.parametrize("code, message", [
    (errno.EROFS, "could not write this file: the disk is read-only; make it writable, or build elsewhere "
                  "with --out DIR."),
    (errno.EDQUOT, "could not write this file: your disk quota is used up; free some space or ask for a "
                   "larger quota, then build again."),
])
def test_a_disk_turned_read_only_or_over_quota_names_the_file(built, monkeypatch, code, message):
    before = state(built.out)
    edit_budget(built)
    disk = FullDisk(0, code)
    monkeypatch.setattr(builder, "open", disk, raising=False)
    with pytest.raises(BuildError) as caught:
        built.build()
    monkeypatch.undo()
    assert [(p.path, p.message) for p in caught.value.problems] == [(published(built, disk.failed), message)]
    assert_kept_then_rebuilt(built, before)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_read_only_project_folder_for_real(built):
    before = state(built.out)
    edit_budget(built)
    built.root.chmod(0o555)
    try:
        with pytest.raises(BuildError) as caught:
            built.build()
    finally:
        built.root.chmod(0o755)
    assert [p.path for p in caught.value.problems] == [built.root]
    assert state(built.out) == before


def test_an_unreadable_photo_is_named_as_a_file_to_read(built, monkeypatch):
    photo(built).write_bytes(photo(built).read_bytes() + b"edited")
    real = shutil.copyfile

    def copyfile(src, dst, **kwargs):
        if str(src).endswith(".png"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src))
        return real(src, dst, **kwargs)
    monkeypatch.setattr(shutil, "copyfile", copyfile)
    with pytest.raises(BuildError) as caught:
        built.build()
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (photo(built), "could not read this file: permission denied; make it readable, then build again.")]


# -- The swap, the spare, and what killed builds leave --------------------------------------------

def test_an_incremental_build_replaces_only_the_files_whose_bytes_changed(built):
    files = {p: p.stat() for p in built.out.rglob("*") if p.is_file()}
    edit_budget(built)
    built.build()
    assert tree(built.out) == clean_tree(built)
    replaced = sorted(p.relative_to(built.out).as_posix() for p, st in files.items()
                      if p.exists() and p.stat().st_ino != st.st_ino)
    kept = [p for p, st in files.items() if p.exists() and p.stat().st_ino == st.st_ino]
    # An article changed: the search index is made again, whole (Pagefind has no partial update).
    assert "pagefind/pagefind-entry.json" in replaced
    replaced = [name for name in replaced if not name.startswith("pagefind/")]
    kept = [p for p in kept if "pagefind" not in p.relative_to(built.out).parts]
    assert "en/2026/01/15/ottawa-tables-a-careful-budget/index.html" not in replaced  # a new page
    assert "en/page/2/index.html" in replaced and "fr/index.html" not in replaced
    assert all(p.stat().st_mtime_ns == files[p].st_mtime_ns for p in kept)
    assert len(kept) > 3 * len(replaced)
    assert leftovers(built) == []


def test_the_swap_without_renameat2_gives_the_same_site(built, monkeypatch):
    monkeypatch.setattr(builder, "_exchange", lambda a, b: False)
    edit_budget(built)
    photo(built).write_bytes(photo(built).read_bytes() + b"edited")
    built.build()
    assert tree(built.out) == clean_tree(built) and leftovers(built) == []
    build(built.config(), clean=True)
    assert tree(built.out) == clean_tree(built) and leftovers(built) == []


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_site_moved_aside_by_a_killed_swap_is_put_back_even_by_a_failing_build(built):
    before = state(built.out)
    built.out.rename(built.root / f".site-old-{dead_pid()}-abc")  # killed between the two renames
    built.write(BUDGET, "---\ntitle: Broken\n---\nNo date.\n")
    with pytest.raises(NewsdigestError):
        built.build()
    assert state(built.out) == before and leftovers(built) == []


def test_folders_left_by_killed_builds_are_cleaned_up_and_a_running_builds_are_not(built):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        for name in (".site-tmpk2j3h4", f".site-tmp-{dead_pid()}-x", f".site-tmp-{dead_pid()}-y",
                     f".site-tmp-{sleeper.pid}-running"):
            built.write(f"{name}/en/index.html", "half a page")
        (built.root / ".site-spare").mkdir()
        built.write(".site-spare/junk.html", "an old file")
        edit_budget(built)
        built.build()
        assert leftovers(built) == [f".site-tmp-{sleeper.pid}-running"]
        assert tree(built.out) == clean_tree(built)
    finally:
        sleeper.kill()
        sleeper.wait()
    built.build()
    assert leftovers(built) == []


def test_whatever_the_spare_holds_never_reaches_the_site(built, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not ours")
    edit_budget(built)
    built.build()  # leaves the previous site as the spare
    spare = built.root / ".site-spare"
    assert spare.is_dir()
    (spare / "stray.html").write_text("stray")
    (spare / "en/index.html").unlink()
    (spare / "en/index.html").mkdir()  # a folder where a page goes
    (spare / "fr/index.html").unlink()  # (writing through it would write the published file)
    (spare / "fr/index.html").write_text("a different file at a page's place")
    (spare / "link").symlink_to(outside)
    (spare / "fr/2026").rename(spare / "fr/2026-moved")
    built.write("site/stray-in-the-live-site.txt", "dropped by hand")
    edit_budget(built, "careful budget", "prudent budget")
    built.build()
    assert tree(built.out) == clean_tree(built)
    assert (outside / "keep.txt").read_text() == "not ours"


# -- SIGKILL at any moment ----------------------------------------------------------------------

STORIES = 30


def thirty_stories(root: Path) -> FixtureSite:
    site = make_fixture_site(root, None, page_size=5)
    for i in range(STORIES):
        folder = f"content/2026/0{1 + i % 3}/story-{i:02d}"
        image = "image: photo.png\n" if i % 5 == 0 else ""
        for lang in ("en", "fr"):
            site.write(f"{folder}/{lang}.md", f"---\ntitle: Story {i} in {lang}\ndate: 2026-0{1 + i % 3}-"
                                              f"{1 + i % 27:02d}\ntags: [Topic {i % 4}]\n{image}---\nBody {i}.\n")
        if image:
            site.write(f"{folder}/photo.png", tiny_picture(1))
    return site


def edit_some(site: FixtureSite) -> None:
    for i in (3, 11, 25):
        path = site.root / f"content/2026/0{1 + i % 3}/story-{i:02d}/en.md"
        path.write_text(path.read_text() + "An edited paragraph.\n")
    site.write("content/2026/01/story-00/photo.png", tiny_picture(2))
    site.write("content/2026/02/added/fr.md", "---\ntitle: Ajout\ndate: 2026-02-14\n---\nTexte.\n")
    shutil.rmtree(site.root / "content/2026/03/story-05")


class Scenario:
    """A project built once (the old site), then edited; `reset` puts that state back, so each run
    starts from the same old site, cache and edited content."""

    def __init__(self, root: Path):
        self.site = thirty_stories(root / "project")
        self.site.build()
        self.old = tree(self.site.out)
        edit_some(self.site)
        self.new = clean_tree(self.site)
        assert self.new != self.old
        self.pristine = root / "pristine"
        shutil.copytree(self.site.root, self.pristine, symlinks=True)

    def reset(self) -> None:
        shutil.rmtree(self.site.root)
        shutil.copytree(self.pristine, self.site.root, symlinks=True)

    def command(self, full: bool) -> list[str]:
        return [sys.executable, str(ROOT / "build.py"), "build", "--config", str(self.site.config_path), "-q",
                *(["--clean"] if full else [])]

    def check_after_kill(self, what: str) -> None:
        out = self.site.out
        if out.exists():
            assert tree(out) in (self.old, self.new), f"{what}: site/ is a mix of the old and the new site"
        else:  # only where the two-rename swap was killed between its renames
            [old] = [p for p in self.site.root.iterdir() if p.name.startswith(".site-old")]
            assert tree(old) == self.old, what
        build(self.site.config())
        assert tree(out) == self.new, f"{what}: the next build is not a clean build's site"
        assert leftovers(self.site) == [], what


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("kill"))


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_sigkill_at_random_moments_leaves_the_old_or_the_new_site(scenario, full):
    scenario.reset()
    start = time.perf_counter()
    subprocess.run(scenario.command(full), check=True)
    duration = time.perf_counter() - start
    assert tree(scenario.site.out) == scenario.new
    rng = random.Random(20261201 + full)
    for moment in sorted(rng.uniform(0, duration) for _ in range(15)):
        scenario.reset()
        process = subprocess.Popen(scenario.command(full), start_new_session=True)
        time.sleep(moment)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had finished
            pass
        process.wait()
        scenario.check_after_kill(f"killed at {moment:.3f} s of {duration:.3f} s")


KILLER = """
import os, signal, sys
import newsdigest.builder as builder
target, mode, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
calls = []
def hook(name, function):
    def wrapped(*args, **kwargs):
        if len(calls) == target:
            os.kill(os.getpid(), signal.SIGKILL)
        calls.append(name)
        return function(*args, **kwargs)
    return wrapped
for name in ("rename", "replace", "link", "unlink", "rmdir", "mkdir"):
    setattr(os, name, hook(name, getattr(os, name)))
builder._exchange = hook("exchange", (lambda a, b: False) if mode == "fallback" else builder._exchange)
from newsdigest.cli import main
status = main(sys.argv[4:])
open(log, "w").write("\\n".join(calls))
sys.exit(status)
"""


@pytest.mark.parametrize("mode", ["exchange", "fallback"])
def test_sigkill_at_each_step_of_the_swap(scenario, tmp_path, mode):
    """Killed just before each rename, exchange or replace of an incremental build (and a few other
    file-system calls), with renameat2 and with the two-rename fallback."""
    script, log = tmp_path / "killer.py", tmp_path / "calls.txt"
    script.write_text(KILLER)

    def run(target: int) -> None:
        subprocess.run([sys.executable, str(script), str(target), mode, str(log),
                        *scenario.command(False)[2:]], cwd=ROOT)
    scenario.reset()
    run(-1)
    calls = log.read_text().split("\n")
    assert tree(scenario.site.out) == scenario.new
    assert "exchange" in calls and (mode == "exchange" or calls.count("rename") == 3)
    steps = {i for i, name in enumerate(calls) if name in ("rename", "exchange")}
    steps.add(calls.index("exchange") + 1)
    steps.update([i for i, name in enumerate(calls) if name == "replace"][-2:])  # the spare, the manifest
    steps.update(random.Random(7).sample(range(len(calls)), 3))
    for target in sorted(steps):
        scenario.reset()
        run(target)
        scenario.check_after_kill(f"killed before {mode} call {target} ({calls[target]})")


def test_an_output_folder_holding_files_no_build_made_is_refused(tmp_path):
    site = make_fixture_site(tmp_path / "project")
    docs = site.root / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("precious")
    with pytest.raises(NewsdigestError) as caught:
        site.build(output=docs)
    [problem] = caught.value.problems
    assert problem.path == docs and problem.message.startswith(
        "refusing to use this output folder: it holds files that no build made")
    assert sorted(p.name for p in docs.iterdir()) == ["notes.txt"]
    assert not list(site.root.glob(".docs-*"))
