"""Incremental builds give byte-identical output to clean builds, whatever the edits; a damaged or
stale cache is detected and rebuilt, never trusted."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT, FixtureSite, site_toml
from newsdigest.builder import build
from newsdigest.errors import NewsdigestError


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def project(root: Path) -> FixtureSite:
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "locales", root / "locales")
    site = FixtureSite(root)
    site.write("site.toml", site_toml(templates=root / "templates", locales=root / "locales"))
    shutil.copytree(FIXTURES / "sites" / "basic", root / "content")
    return site


def assert_same_as_clean(site: FixtureSite) -> None:
    report = site.build()
    clean_out = site.root / "clean"
    config = dataclasses.replace(site.config(), output_dir=clean_out)
    build(config, clean=True, use_cache=False)
    assert tree(site.out) == tree(clean_out)
    shutil.rmtree(clean_out)
    return report


def _stories(site):
    return sorted(p for p in (site.root / "content").rglob("*.md"))


EDITS = ["body", "title", "date", "add", "delete", "rename", "draft", "tags", "template", "catalog",
         "config", "asset", "summary", "stylesheet"]


def apply(site: FixtureSite, edit: str, n: int) -> None:
    files = _stories(site)
    target = files[n % len(files)] if files else None
    text = target.read_text(encoding="utf-8") if target else ""
    if edit == "body" and target:
        target.write_text(text + f"\nAnother paragraph {n}.\n", encoding="utf-8")
    elif edit == "title" and target:
        target.write_text(text.replace("title: ", f"title: New {n} ", 1), encoding="utf-8")
    elif edit == "date" and target:
        lines = text.splitlines()
        lines = [f"date: 2026-03-{1 + n % 28:02d}" if l.startswith("date:") else l for l in lines]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif edit == "summary" and target:
        target.write_text(text.replace("\n---\n", f"\nsummary: Summary {n}\n---\n", 1), encoding="utf-8")
    elif edit == "add":
        lang = ("en", "fr")[n % 2]
        site.write(f"content/2026/03/added-{n}/{lang}.md",
                   f"---\ntitle: Added story {n}\ndate: 2026-03-0{1 + n % 9}\ntags: [Added, Japan]\n---\nText {n}.\n")
    elif edit == "delete" and target:
        target.unlink()
    elif edit == "rename" and target:
        folder = target.parent
        folder.rename(folder.with_name(folder.name + f"-r{n}"))
    elif edit == "draft" and target:
        target.write_text(text.replace("\n---\n", "\ndraft: true\n---\n", 1) if "draft:" not in text
                          else text.replace("draft: true\n", ""), encoding="utf-8")
    elif edit == "tags" and target:
        lines = [l for l in text.splitlines() if not l.startswith("tags:")]
        lines.insert(1, f"tags: [Topic {n % 3}]")
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif edit == "template":
        path = site.root / "templates" / ("article.html", "list.html", "base.html", "_macros.html")[n % 4]
        path.write_text(path.read_text().replace("</main>", f"<!-- edit {n} --></main>")
                        .replace("<h1>", f"<h1 data-edit=\"{n}\">", 1), encoding="utf-8")
    elif edit == "catalog":
        path = site.root / "locales/fr/LC_MESSAGES/messages.po"
        path.write_text(path.read_text().replace('msgstr "Archives"', f'msgstr "Archives {n}"')
                        .replace(f'msgstr "Archives {n - 1}"', f'msgstr "Archives {n}"'), encoding="utf-8")
    elif edit == "config":
        path = site.config_path
        path.write_text(path.read_text().replace("page_size = 2", "page_size = 3")
                        if "page_size = 2" in path.read_text() else path.read_text().replace("page_size = 3", "page_size = 2"))
    elif edit == "stylesheet":  # pages link it with a content-hash query, so all of them change
        css = site.root / "templates/static/style.css"
        css.write_text(css.read_text() + f"\n/* edit {n} */\n", encoding="utf-8")
    elif edit == "asset":
        for photo in (site.root / "content").rglob("*.png"):
            photo.write_bytes(photo.read_bytes() + bytes([n % 256]))


def outcome(run) -> tuple:
    """("built", warnings) or ("failed", the problems as printed): what a build told the editor."""
    try:
        report = run()
    except NewsdigestError as exc:
        return ("failed", [str(p) for p in exc.problems])
    return ("built", report.warnings)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 50)), min_size=1, max_size=5))
def test_incremental_output_is_byte_identical_to_a_clean_build(edits):
    """After each edit the incremental build and a clean build without a cache both succeed, with
    the same warnings and byte-identical sites, or both fail with the same problems; the edits
    go on after a failure (a later one may repair the content, which the next build must see)."""
    with tempfile.TemporaryDirectory() as tmp:
        site = project(Path(tmp) / "p")
        site.build()
        clean_out = site.root / "clean"
        for edit, n in edits:
            apply(site, edit, n)
            incremental = outcome(site.build)
            clean = outcome(lambda: build(dataclasses.replace(site.config(), output_dir=clean_out),
                                          clean=True, use_cache=False))
            assert incremental == clean
            if clean[0] == "built":
                assert tree(site.out) == tree(clean_out)
            shutil.rmtree(clean_out, ignore_errors=True)


def test_an_unchanged_rebuild_writes_nothing_and_keeps_mtimes(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    before = {p: p.stat().st_mtime_ns for p in site.out.rglob("*") if p.is_file()}
    report = site.build()
    assert (report.written, report.full) == (0, False)
    assert {p: p.stat().st_mtime_ns for p in site.out.rglob("*") if p.is_file()} == before


def test_editing_one_article_rewrites_only_the_pages_that_show_it(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    target = site.root / "content/2026/01/ottawa-budget/en.md"
    target.write_text(target.read_text().replace("cautious budget", "careful budget"))
    report = assert_same_as_clean(site)
    # its old and new article page, front page, day, month, archive, topic index, topic page, home
    assert 0 < report.written <= 10 < report.pages


def test_a_damaged_cache_is_rebuilt_not_trusted(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    cache = site.root / ".newsdigest-cache"
    for path in cache.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage")
    (site.root / "content/2026/01/ottawa-budget/en.md").write_text(
        "---\ntitle: Rewritten\ndate: 2026-01-15\n---\nNew text.\n")
    report = assert_same_as_clean(site)
    assert report.full


def test_a_deleted_output_file_is_rebuilt(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    (site.out / "en/index.html").unlink()
    (site.out / "assets/style.css").unlink()
    report = assert_same_as_clean(site)
    assert report.written == 1 and not report.full


def test_a_failed_incremental_build_leaves_the_site_and_manifest_as_they_were(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    before = tree(site.out)
    base = site.root / "templates/list.html"
    base.write_text(base.read_text().replace("{{ heading }}</h1>", "{{ heading.nope() }}</h1>"))
    (site.root / "content/2026/01/ottawa-budget/en.md").write_text(
        "---\ntitle: Rewritten\ndate: 2026-01-15\n---\nNew text.\n")
    from newsdigest.errors import NewsdigestError
    try:
        site.build()
    except NewsdigestError:
        pass
    else:
        raise AssertionError("the broken template should fail the build")
    assert tree(site.out) == before
    base.write_text(base.read_text().replace("{{ heading.nope() }}</h1>", "{{ heading }}</h1>"))
    assert_same_as_clean(site)


def test_a_fresh_checkout_reuses_parsed_articles_by_their_bytes(tmp_path):
    """In CI the cache is restored but every file has a new modification time (a new checkout)."""
    import os
    site = project(tmp_path / "p")
    site.build()
    shutil.rmtree(site.out)
    for path in (site.root / "content").rglob("*"):
        os.utime(path, (1, 1))
    lines = []
    report = build(site.config(), log=lines.append)
    assert report.full and report.written == report.pages
    assert "articles (9 from the cache)" in lines[0]  # every file, the draft included


def test_editing_a_template_rerenders_only_the_pages_that_use_it(tmp_path):
    site = project(tmp_path / "p")
    first = site.build()
    template = site.root / "templates/tags.html"
    template.write_text(template.read_text().replace("<h1>", '<h1 class="edited">'))
    report = assert_same_as_clean(site)
    assert report.written == 2  # the topic index in each language
    base = site.root / "templates/base.html"
    base.write_text(base.read_text().replace("<main", '<main data-edited=""'))
    report = assert_same_as_clean(site)
    html_pages = len(list(site.out.rglob("*.html")))
    assert report.written == html_pages < first.pages  # every HTML page; not the feeds, sitemap, robots.txt


# The no-change shortcut (issue 15): a rebuild with nothing to do reads only a small companion of
# the manifest, walks content/ once (listing and stats in one pass), and looks for every output,
# in a child process meanwhile. Whatever it skips must still be caught.

def _no_change(site, **kwargs) -> tuple[bool, object]:
    """(whether the build took the no-change shortcut, its report)."""
    lines: list[str] = []
    report = build(site.config(), log=lines.append, **kwargs)
    return "no input changed since the last build" in lines, report


def _article_page(site) -> Path:
    return next(p for p in sorted(site.out.glob("en/*/*/*/*/index.html")))


@pytest.mark.parametrize("workers", [None, 1])  # looked for in a child process, or here
def test_a_deleted_article_page_is_rebuilt(tmp_path, workers):
    site = project(tmp_path / "p")
    site.build()
    assert _no_change(site, workers=workers)[0]
    page = _article_page(site)
    page.unlink()
    skipped, report = _no_change(site, workers=workers)
    assert not skipped and report.written == 1 and page.is_file()
    assert tree(site.out) == tree(_clean(site))
    assert _no_change(site, workers=workers)[0]


@pytest.mark.parametrize("workers", [None, 1])
def test_an_article_page_replaced_by_a_dangling_link_is_rebuilt(tmp_path, workers):
    site = project(tmp_path / "p")
    site.build()
    page = _article_page(site)
    page.unlink()
    page.symlink_to(tmp_path / "nowhere")
    skipped, report = _no_change(site, workers=workers)
    assert not skipped and report.written == 1
    assert page.is_file() and not page.is_symlink()
    assert tree(site.out) == tree(_clean(site))


def test_a_deleted_page_folder_is_rebuilt(tmp_path):
    site = project(tmp_path / "p")
    site.build()
    shutil.rmtree(_article_page(site).parent.parent)  # a whole day of English articles
    skipped, report = _no_change(site)
    assert not skipped and report.written >= 1
    assert tree(site.out) == tree(_clean(site))


def _clean(site) -> Path:
    out = site.root / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(dataclasses.replace(site.config(), output_dir=out), clean=True, use_cache=False)
    return out


def test_outputs_of_a_folder_holding_many_are_looked_for_by_listing_it(tmp_path):
    """Folders with many outputs (the search index's fragments) are listed once, not looked for
    file by file; a file missing from the listing, or a dangling link, counts as missing."""
    from newsdigest import builder
    from newsdigest.cache import Cache
    site = project(tmp_path / "p")
    for n in range(12):  # enough fragments for the search index's folder to be listed
        for lang in ("en", "fr"):
            site.write(f"content/2026/03/extra-{n}/{lang}.md",
                       f"---\ntitle: Extra {n} {lang}\ndate: 2026-03-0{1 + n % 9}\n---\nText {n}.\n")
    site.build()
    record = Cache(site.config()).load_manifest(site.out, outputs=False)
    assert "outputs" not in record and "pagefind/fragment" in record["listed"]
    assert len(record["files"].split("\0")) > 100
    for fork in (True, False):
        assert not builder._missing(site.out, record, fork=fork)()
    fragment = sorted((site.out / "pagefind/fragment").iterdir())[3]
    data = fragment.read_bytes()
    fragment.unlink()
    for fork in (True, False):
        assert builder._missing(site.out, record, fork=fork)()
    assert not _no_change(site)[0]
    assert fragment.read_bytes() == data  # the index was made again
    fragment.unlink()
    fragment.symlink_to(tmp_path / "nowhere")
    assert builder._missing(site.out, record)()
    fragment.unlink()
    fragment.write_bytes(data)
    assert not builder._missing(site.out, record)()
    (site.out / "pagefind/fragment").rename(site.out / "pagefind/moved")
    assert builder._missing(site.out, record)()


def test_an_answer_that_is_not_needed_stops_the_child(tmp_path):
    from newsdigest import builder
    from newsdigest.cache import Cache
    site = project(tmp_path / "p")
    site.build()
    record = Cache(site.config()).load_manifest(site.out, outputs=False)
    answer = builder._missing(site.out, record, fork=True)
    assert answer(needed=False)  # killed and reaped, whatever it had found
    assert answer() is True  # asked again: the same answer, no second wait


def test_the_manifest_companion_is_trusted_only_beside_its_manifest(tmp_path):
    from newsdigest.cache import CACHE_DIR
    site = project(tmp_path / "p")
    site.build()
    [manifest] = (site.root / CACHE_DIR / "outputs").glob("*.json")
    companion = manifest.with_suffix(".pickle")
    assert companion.is_file()
    # Without its companion, the manifest itself says there is nothing to do.
    companion.unlink()
    skipped, report = _no_change(site)
    assert skipped and report.written == 0 and not report.full
    # Written again by any build that goes on; then used.
    (site.root / "content/2026/01/ottawa-budget/en.md").write_text(
        (site.root / "content/2026/01/ottawa-budget/en.md").read_text() + "\nOne more line.\n")
    site.build()
    assert companion.is_file() and _no_change(site)[0]
    # A manifest changed by hand (here its snapshot, at the same length) is read, not its companion.
    text = manifest.read_text()
    snapshot = json.loads(text)["snapshot"]
    manifest.write_text(text.replace(snapshot, "0" * len(snapshot)))
    skipped, report = _no_change(site)
    assert not skipped and report.written == 0 and not report.full
    # No manifest (what a build killed after its swap leaves): a full build, whatever the companion says.
    shutil.copy(companion, tmp_path / "companion")
    manifest.unlink()
    shutil.copy(tmp_path / "companion", companion)
    skipped, report = _no_change(site)
    assert not skipped and report.full
    assert tree(site.out) == tree(_clean(site))


def test_the_walk_takes_each_files_stat_in_the_same_pass(tmp_path):
    from newsdigest.cache import stat_key
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    (site.root / "content/2026/01/ottawa-budget/photo.jpg").symlink_to("en.md")  # a link inside: its target's stat
    plain, walked = walk_content(site.root / "content"), walk_content(site.root / "content", stats=True)
    assert plain.folders == walked.folders and plain.links_out == walked.links_out and plain.stats is None
    paths = [os.path.join(folder, name) for folder, names in walked for name in names]
    assert len(paths) > 5 and [stat_key(os.stat(p)) for p in paths] == list(walked.stats)


# A folder's listing is reused while its stat key is unchanged, if it had settled when listed.

FUTURE = 2 ** 62  # a `settled` time after every change: every folder counts as settled


def _counting_listings(monkeypatch) -> list[str]:
    listed: list[str] = []
    scandir = os.scandir

    def counting(path="."):
        listed.append(path if isinstance(path, int) else os.fspath(path))
        return scandir(path)
    monkeypatch.setattr(os, "scandir", counting)
    return listed


def _tick() -> None:
    """Waits for the file system's clock (coarse, a few milliseconds a tick) to move on."""
    import time
    time.sleep(0.05)


def test_a_walk_lists_again_only_the_folders_that_changed(tmp_path, monkeypatch):
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    root = site.root / "content"
    first = walk_content(root, stats=True, settled=FUTURE)
    assert all(entry[3] for entry in first.listing.values())
    listed = _counting_listings(monkeypatch)
    again = walk_content(root, stats=True, known=first.listing, settled=FUTURE)
    assert listed == [] and again.listing == first.listing
    assert (again.folders, again.links_out, again.stats) == (first.folders, first.links_out, first.stats)
    # A new file, the folder's modification time put back: its change time still moved.
    _tick()
    story = root / "2026/01/ottawa-budget"
    info = story.stat()
    (story / "fr.md").write_text("---\ntitle: Budget\ndate: 2026-01-15\n---\nTexte.\n")
    os.utime(story, ns=(info.st_atime_ns, info.st_mtime_ns))
    third = walk_content(root, stats=True, known=again.listing, settled=FUTURE)
    assert listed == [str(story)]
    assert third.folders == walk_content(root).folders and "fr.md" in dict(third.folders)[str(story)]


def test_a_folder_that_changed_just_before_it_was_listed_is_listed_again(tmp_path, monkeypatch):
    """Within one tick of the clock, a change leaves a folder's times as they were: a listing
    taken then is not trusted by the next walk."""
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    root = site.root / "content"
    first = walk_content(root, stats=True, settled=0)  # every folder changed "just now"
    assert not any(entry[3] for entry in first.listing.values())
    listed = _counting_listings(monkeypatch)
    walk_content(root, stats=True, known=first.listing, settled=0)
    assert len(listed) == len(first.folders)


def test_a_folder_holding_a_link_is_always_listed_again(tmp_path, monkeypatch):
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    root = site.root / "content"
    story = root / "2026/01/ottawa-budget"
    (tmp_path / "target.txt").write_text("inside, for now")
    (story / "notes.txt").symlink_to(tmp_path / "target.txt")
    first = walk_content(root, stats=True, settled=FUTURE)
    assert first.listing[str(story)][3] is False and first.links_out
    listed = _counting_listings(monkeypatch)
    walk_content(root, stats=True, known=first.listing, settled=FUTURE)
    assert listed == [str(story)]


@pytest.mark.parametrize("names", [("../../secret.txt",), (".env",), ("en.md~",), ("",), (1,), (["en.md"],),
                                   ("a\0b",)])
def test_a_crafted_listing_is_never_used(tmp_path, names):
    """A stored listing is used only if a listing could have given it: a crafted cache cannot
    make the walk publish a hidden file or one outside content/, nor make it fail."""
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    root = site.root / "content"
    fresh = walk_content(root, stats=True, settled=FUTURE)
    story = str(root / "2026/01/ottawa-budget")
    for where in (1, 2):  # as files, as folders
        crafted = dict(fresh.listing)
        entry = list(crafted[story])
        entry[where] = names
        crafted[story] = tuple(entry)
        walked = walk_content(root, stats=True, known=crafted, settled=FUTURE)
        assert (walked.folders, walked.stats, walked.listing) == (fresh.folders, fresh.stats, fresh.listing)
    for nonsense in (None, 1, (), ("key", (), (), True), [fresh.listing[story]]):
        walked = walk_content(root, stats=True, known={**fresh.listing, story: nonsense}, settled=FUTURE)
        assert walked.folders == fresh.folders
    assert walk_content(root, stats=True, known="not a dict", settled=FUTURE).folders == fresh.folders


@pytest.mark.parametrize("edit", ["new story", "new file, time put back", "deleted file", "renamed folder",
                                  "hidden file"])
def test_builds_reusing_settled_listings_see_every_change(tmp_path, monkeypatch, edit):
    from newsdigest import builder
    monkeypatch.setattr(builder, "time_ns", lambda: FUTURE + 5 * 10**9)  # every folder counts as settled
    site = project(tmp_path / "p")
    site.build()
    assert _no_change(site)[0]
    listed = _counting_listings(monkeypatch)
    assert _no_change(site)[0]
    assert not [path for path in listed if "/content" in str(path)]  # no folder of content/ listed: all reused
    _tick()
    story = site.root / "content/2026/01/ottawa-budget"
    info = story.stat()
    if edit == "new story":
        site.write("content/2026/01/a-new-story/en.md", "---\ntitle: A new story\ndate: 2026-01-20\n---\nText.\n")
    elif edit == "new file, time put back":
        site.write("content/2026/01/ottawa-budget/fr.md", "---\ntitle: Budget\ndate: 2026-01-15\n---\nTexte.\n")
        os.utime(story, ns=(info.st_atime_ns, info.st_mtime_ns))
    elif edit == "deleted file":
        (story / "en.md").unlink()
    elif edit == "renamed folder":
        story.rename(story.with_name("ottawa-budget-2"))
    else:
        site.write("content/2026/01/ottawa-budget/.en.md.swp", "an editor's swap file")
    skipped, _ = _no_change(site)
    assert skipped == (edit == "hidden file")
    assert tree(site.out) == tree(_clean(site))
    assert _no_change(site)[0]


@pytest.mark.parametrize("edit", ["hidden file", "empty folder"])
def test_what_is_never_content_does_not_count_as_a_change(tmp_path, edit):
    site = project(tmp_path / "p")
    site.build()
    if edit == "hidden file":
        site.write("content/2026/01/ottawa-budget/.en.md.swp", "an editor's swap file")
    else:
        (site.root / "content/2026/01/empty").mkdir()
    assert _no_change(site)[0]


@pytest.mark.parametrize("edit", ["new story", "new file in a story", "renamed folder", "deleted file",
                                  "link out of content", "moved file, same stat"])
def test_every_change_to_content_is_seen(tmp_path, edit):
    site = project(tmp_path / "p")
    site.build()
    story = site.root / "content/2026/01/ottawa-budget"
    if edit == "new story":
        site.write("content/2026/03/new/en.md", "---\ntitle: New\ndate: 2026-03-01\n---\nText.\n")
    elif edit == "new file in a story":
        site.write("content/2026/01/ottawa-budget/notes.txt", "a file published beside the pages")
    elif edit == "renamed folder":
        story.rename(story.with_name("ottawa-budget-2"))
    elif edit == "deleted file":
        (story / "en.md").unlink()
    elif edit == "link out of content":
        (story / "leak.txt").symlink_to(tmp_path)
    else:  # the same file (inode, times, size) under another name: only the names differ
        os.rename(story / "en.md", story / "fr.md")
    try:
        skipped, _ = _no_change(site)
    except NewsdigestError:
        return  # refused (the link out of content/): not skipped either
    assert not skipped


def test_the_snapshot_covers_every_setting_the_code_and_the_drafts(tmp_path, monkeypatch):
    """input_snapshot hashes what fingerprint.global_settings does (without importing it): every
    field of the config but the output folder, the code key, and whether drafts are in."""
    import copy
    from newsdigest import builder
    from newsdigest.content import walk_content
    site = project(tmp_path / "p")
    config = site.config()
    tree_ = walk_content(config.content_dir, stats=True)
    before = builder.input_snapshot(config, tree_, False)
    assert builder.input_snapshot(config, tree_, True) != before

    class Other:
        def __repr__(self):
            return "<another value>"
    for field in dataclasses.fields(config):
        changed = copy.copy(config)
        value = getattr(config, field.name)
        object.__setattr__(changed, field.name, value / "elsewhere" if isinstance(value, Path) else Other())
        assert (builder.input_snapshot(changed, tree_, False) == before) == (field.name == "output_dir"), field.name
    monkeypatch.setattr(builder, "code_key", lambda: "other code")
    assert builder.input_snapshot(config, tree_, False) != before


def test_a_build_with_nothing_to_do_imports_neither_the_renderer_nor_pillow_nor_babels_dates(tmp_path):
    import subprocess
    import sys
    site = project(tmp_path / "p")
    site.build()
    heavy = ["PIL", "babel.dates", "babel.messages", "newsdigest.render", "newsdigest.images", "newsdigest.pages",
             "newsdigest.fingerprint", "newsdigest.i18n", "newsdigest.pair_hints", "trafilatura"]
    script = ("import sys; from newsdigest.cli import main; code = main(['--config', sys.argv[1], '-v']); "
              f"print(sorted(m for m in {heavy!r} if m in sys.modules)); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script, str(site.config_path)], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "no input changed since the last build" in done.stderr
    assert done.stdout.strip().endswith("[]"), done.stdout


def test_a_deleted_file_of_the_search_index_is_made_again(tmp_path):
    from newsdigest import search
    site = project(tmp_path / "p")
    site.build()
    files = sorted(p for p in (site.out / search.BUNDLE).rglob("*") if p.is_file())
    victim = next(p for p in files if p.suffix == ".pf_fragment")
    victim.unlink()
    report = site.build()
    assert victim.is_file() and report.warnings == ()
    assert tree(site.out) == tree(_clean(site))
