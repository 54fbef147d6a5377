"""Incremental builds give byte-identical output to clean builds, whatever the edits; a damaged or
stale cache is detected and rebuilt, never trusted."""
from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

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
