"""The dev server's site model (preview.py): an edit applied to the kept plan publishes exactly what
a clean build would, touches only the files whose bytes change, and says which; what it cannot
apply goes through the full build."""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FixtureSite
from newsdigest import search
from newsdigest.builder import build
from newsdigest.errors import NewsdigestError
from newsdigest.livereload import State, output_file, tab_action
from newsdigest.serve import SiteBuilder
from test_incremental import EDITS, apply, project, tree

EN_STORY = "content/2026/02/north-korea-warns-japan/en.md"


def files_of(site: FixtureSite) -> dict[str, tuple]:
    """Every watched path (content, templates, catalogs, site.toml) with what would make the
    watcher report it: its bytes (files) or nothing (folders)."""
    found = {str(site.config_path): site.config_path.read_bytes()}
    for top in ("content", "templates", "locales"):
        for path in (site.root / top).rglob("*"):
            found[str(path)] = path.read_bytes() if path.is_file() else None
    return found


def reported(before: dict, after: dict) -> frozenset[str]:
    """What the watcher reports for the change from `before` to `after`: each path made, gone or
    rewritten (a renamed folder as both of its names, as a move event gives them)."""
    return frozenset(p for p in before.keys() | after.keys() if before.get(p, 0) != after.get(p, 0))


LEAD = ("This lead paragraph runs long enough that the summary taken from the body ends inside it, "
        "so that what an edit appends to the body changes the body alone, which is the edit the dev "
        "server applies in place rather than through the full build. ")


def lengthened(site: FixtureSite) -> FixtureSite:
    """The fixture with a long lead paragraph in every article."""
    for path in (site.root / "content").rglob("*.md"):
        head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
        path.write_text(head + sep + LEAD + "\n\n" + body, encoding="utf-8")
    return site


def serve_builder(site: FixtureSite) -> SiteBuilder:
    builder = SiteBuilder(site.config_path, site.root / "preview" / "site")
    builder()
    return builder


def clean_build(site: FixtureSite) -> Path:
    """What `serve` would publish from scratch: static files unversioned, no search index."""
    out = site.root / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(dataclasses.replace(site.config(), output_dir=out), clean=True, use_cache=False, search_index=False,
          asset_versions=False)
    return out


def outcome(run):
    try:
        return ("built", run())
    except NewsdigestError as exc:
        return ("failed", sorted(str(p) for p in exc.problems))


def without_index(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith(search.BUNDLE)}


def step(site: FixtureSite, builder: SiteBuilder, change) -> tuple:
    """Makes a change, tells the builder which files it touched, and compares with a clean build."""
    before = files_of(site)
    change()
    served = outcome(lambda: builder(reported(before, files_of(site))))
    clean = outcome(lambda: clean_build(site))
    assert served[0] == clean[0], (served, clean)
    if clean[0] == "failed":
        assert served[1] == clean[1]
    else:
        assert without_index(tree(builder.out_dir)) == tree(clean[1])
    return served


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 50)), min_size=1, max_size=5))
def test_the_serve_path_publishes_what_a_clean_build_does(edits):
    """After each edit, told which files changed as the watcher tells it, the dev server's site
    equals a clean build's, byte for byte, or both fail with the same problems. After each, one
    story's body is edited too, which the model applies in place whenever it holds that story."""
    with tempfile.TemporaryDirectory() as tmp:
        site = lengthened(project(Path(tmp) / "p"))
        builder = serve_builder(site)
        story = site.root / EN_STORY
        for number, (edit, n) in enumerate(edits):
            step(site, builder, lambda: apply(site, edit, n))
            if not story.exists():
                continue
            key = story.parent.relative_to(site.root / "content").as_posix()
            found = builder.model.site.story_named(key) if builder.model else None
            held = found is not None and "en" in found.articles
            text = story.read_text(encoding="utf-8")
            served = step(site, builder, lambda: story.write_text(text + f"\nServed paragraph {number}.\n",
                                                                  encoding="utf-8"))
            if held:
                assert served[0] == "built" and served[1].message.startswith("Updated "), served


def test_a_body_edit_is_applied_in_place_to_the_pages_whose_bytes_change(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    before = tree(builder.out_dir)
    inodes = {p: os.stat(builder.out_dir / p).st_ino for p in before}
    story = site.root / EN_STORY
    story.write_text(story.read_text(encoding="utf-8") + "\nA paragraph written in the preview.\n", encoding="utf-8")
    built = builder(frozenset({str(story)}))
    assert built.message.startswith("Updated ")
    after = tree(builder.out_dir)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {output_file(path) for path in built.changed}
    article = next(name for name in changed if name.startswith("en/2026/"))
    assert "A paragraph written in the preview." in after[article].decode()
    assert any(name.startswith("side-by-side/") for name in changed)  # it shows both bodies
    assert all(os.stat(builder.out_dir / p).st_ino == inodes[p] for p in before if p not in changed)
    assert without_index(after) == tree(clean_build(site))


def test_what_moves_a_story_in_the_plan_goes_through_the_full_build(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    story = site.root / EN_STORY
    story.write_text(story.read_text(encoding="utf-8").replace("title: ", "title: Now ", 1), encoding="utf-8")
    built = builder(frozenset({str(story)}))
    assert built.changed is None and not built.message.startswith("Updated ")
    assert builder.model is not None  # kept from the full build for the next edit


def test_a_stylesheet_edit_is_a_copy_and_changes_no_page(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    before = tree(builder.out_dir)
    css = site.root / "templates/static/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline: 1px solid red; }\n", encoding="utf-8")
    built = builder(frozenset({str(css)}))
    assert built.changed == frozenset({"assets/style.css"})
    after = tree(builder.out_dir)
    assert {name for name in after if after[name] != before.get(name)} == {"assets/style.css"}
    assert b'href="/assets/style.css"' in after["en/index.html"]  # unversioned in the preview


def test_an_editors_temporary_file_gone_again_changes_nothing(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    before = tree(builder.out_dir)
    gone = site.root / EN_STORY.replace("en.md", "en.md.new")
    built = builder(frozenset({str(gone)}))
    assert built.message.startswith("Updated ") and built.changed == frozenset()
    assert tree(builder.out_dir) == before


def test_a_deleted_story_folder_reported_alone_is_removed(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    folder = (site.root / EN_STORY).parent
    shutil.rmtree(folder)
    builder(frozenset({str(folder)}))  # moved out of content/: a lone "deleted" for the folder
    assert without_index(tree(builder.out_dir)) == tree(clean_build(site))


def test_the_preview_makes_its_search_index_without_planning(tmp_path, monkeypatch):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    assert not (builder.out_dir / search.BUNDLE).exists()  # an edit is shown before the index
    monkeypatch.setattr("newsdigest.builder.plan", lambda site: pytest.fail("planned again"))
    builder.refresh_search(threading.Event())
    assert (builder.out_dir / search.BUNDLE / search.ENTRY).is_file()
    indexed = search.recorded(builder.model.wanted)
    assert indexed and set(indexed.values()) == {search.key(builder.model.wanted)}
    assert builder.model.refresh_search(threading.Event()) is False  # current: nothing to do


def test_a_cancelled_index_leaves_the_preview_as_it_was(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    before = tree(builder.out_dir)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(search.Cancelled):
        builder.model.refresh_search(cancel)
    assert tree(builder.out_dir) == before
    deadline = time.monotonic() + 10  # the links are removed aside, off the next edit's path
    while [p for p in builder.out_dir.parent.iterdir() if "-search-" in p.name]:
        assert time.monotonic() < deadline, "the index's scratch folder stayed"
        time.sleep(0.05)


def test_a_tab_reloads_only_for_its_own_page_or_a_script():
    page = "en/2026/02/11/north-korea/index.html"
    assert tab_action(frozenset({page, "en/feed.xml"}), page) == (True, [])
    assert tab_action(frozenset({"fr/index.html", "sitemap.xml"}), page) == (False, [])
    assert tab_action(frozenset({"assets/style.css"}), page) == (False, ["assets/style.css"])
    assert tab_action(frozenset({"assets/search.js"}), page) == (True, [])
    assert tab_action(None, page) == (True, [])
    assert tab_action(frozenset(), None) == (True, [])  # a page made on request: after every build


def test_the_history_says_what_changed_since_a_tabs_build():
    state = State(builds=5, epoch=4, problems=(), base_path="/",
                  history=((2, frozenset({"a/index.html"})), (3, frozenset({"b.css"})), (4, frozenset())))
    assert state.since(4) == frozenset()
    assert state.since(2) == frozenset({"b.css"})
    assert state.since(1) == frozenset({"a/index.html", "b.css"})
    assert state.since(0) is None  # older than the history: unknown
    full = dataclasses.replace(state, history=((3, None), (4, frozenset())))
    assert full.since(2) is None and full.since(3) == frozenset()


def test_the_model_never_reads_a_file_outside_content(tmp_path):
    site = project(tmp_path / "p")
    builder = serve_builder(site)
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntitle: x\ndate: 2026-01-01\n---\nx\n", encoding="utf-8")
    assert builder.model.update([str(outside)]) is None  # not the model's: the full build decides
    link = (site.root / EN_STORY).parent / "fr.md"
    link.unlink()
    link.symlink_to(outside)
    assert builder.model.update([str(link)]) is None
