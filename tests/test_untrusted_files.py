"""What a story folder holds that must never be published: links out of content/ (followed, one
published the build's environment) and the files editors leave behind (backups, swap files)."""
from __future__ import annotations

import os

import pytest

from newsdigest.errors import NewsdigestError
from newsdigest.ignore import ignored_name, ignored_path

from conftest import make_fixture_site

STORY = "content/2026/02/links/en.md"
TEXT = "---\ntitle: A story with odd files beside it\ndate: 2026-02-11\n---\nBody text.\n"
DROPPINGS = ("en.md~", "#en.md#", ".en.md.swp", ".#en.md", "4913", "fr.md.bak", "photo.jpg~", "notes.orig",
             "upload.part", ".DS_Store")


def _site(tmp_path):
    site = make_fixture_site(tmp_path / "project", None)
    site.write(STORY, TEXT)
    return site


@pytest.mark.parametrize("target", ["/proc/self/environ", "secret", "outside-folder"])
def test_a_link_out_of_content_is_refused_and_named(tmp_path, target):
    site = _site(tmp_path)
    (site.root / "secret").write_text("TOKEN=1234")
    (site.root / "outside-folder").mkdir()
    (site.root / "outside-folder" / "fr.md").write_text(TEXT)
    site.build()
    before = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    link = site.root / "content/2026/02/links/leak.txt"
    real = target if target.startswith("/") else site.root / target
    link.symlink_to(real)
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    [problem] = caught.value.problems
    assert problem.path == link
    assert problem.message == (f"a link to {os.path.realpath(real)}, outside the content folder: links are "
                               "never followed out of it (they could publish any file on this machine). Copy "
                               "the file into the story folder instead.")
    after = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert after == before  # the last good site is untouched


def test_a_link_inside_content_to_a_file_is_published_as_a_copy(tmp_path):
    site = _site(tmp_path)
    site.write("content/2026/02/links/photo-original.jpg", b"\xff\xd8\xffjpeg")
    (site.root / "content/2026/02/links/photo.jpg").symlink_to("photo-original.jpg")
    site.build()
    copy = site.out / "en/2026/02/11/a-story-with-odd-files-beside-it/photo.jpg"
    assert copy.read_bytes() == b"\xff\xd8\xffjpeg" and not copy.is_symlink()


def test_editor_droppings_are_never_published(tmp_path):
    site = _site(tmp_path)
    for name in DROPPINGS:
        site.write(f"content/2026/02/links/{name}", "left behind by an editor")
    site.build()
    published = {p.name for p in site.out.rglob("*") if p.is_file()}
    assert not published & set(DROPPINGS)


@pytest.mark.parametrize("name", DROPPINGS + (".git",))
def test_the_builder_and_the_watcher_ignore_the_same_names(name):
    assert ignored_name(name) and ignored_path(f"content/2026/{name}")


@pytest.mark.parametrize("name", ["en.md", "photo.jpg", "_macros.html", "2026", "fr.md"])
def test_content_names_are_not_ignored(name):
    assert not ignored_name(name)
