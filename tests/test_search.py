"""Search: Pagefind's index of the article pages, one per language, made only when an article page
changed; the search pages; and the side-by-side view of a story's versions."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading

import lxml.html
import pytest

from conftest import ROOT, free_port, make_fixture_site, serve
from newsdigest import search, search_merge
from newsdigest.builder import build
from newsdigest.config import load_config

EN_NK = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR_NK = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"


@pytest.fixture
def counted(monkeypatch):
    """Counts the times the index is made."""
    calls = []
    real = search.index

    def index(tree, *args, **kwargs):
        calls.append(tree)
        return real(tree, *args, **kwargs)
    monkeypatch.setattr(search, "index", index)
    return calls


def entry(site) -> dict:
    return json.loads((site.out / "pagefind" / "pagefind-entry.json").read_text())


def test_the_index_holds_each_languages_article_pages(fixture_site):
    site = fixture_site("basic")
    site.build()
    languages = entry(site)["languages"]
    articles = {lang: sum(1 for page in site.out.glob(f"{lang}/[0-9]*/*/*/*/index.html")) for lang in ("en", "fr")}
    assert {lang: data["page_count"] for lang, data in languages.items()} == articles == {"en": 4, "fr": 4}
    assert (site.out / "pagefind" / "pagefind.js").is_file()


def test_only_the_story_is_indexed_not_the_page_around_it(fixture_site):
    site = fixture_site("basic")
    site.build()
    page = lxml.html.fromstring(site.page(EN_NK))
    [body] = page.xpath("//*[@data-pagefind-body]")
    assert body.tag == "article" and body.get("class") == "story"
    ignored = {node.get("class") for node in body.xpath(".//*[@data-pagefind-ignore]")}
    assert {"meta", "other-versions", "tags__title", "side-by-side"} <= ignored  # the other language's title too
    # Nothing outside the story: not the masthead, the related stories or the next story.
    assert not page.xpath("//header[@class='masthead']//*[@data-pagefind-body]")
    assert not page.xpath("//section[@class='related']/ancestor::*[@data-pagefind-body]")


def test_a_no_change_build_does_not_index_again(fixture_site, counted):
    site = fixture_site("basic")
    site.build()
    assert len(counted) == 1
    site.build()
    assert len(counted) == 1


def test_only_an_article_change_makes_the_index_again(tmp_path, counted):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    site = make_fixture_site(tmp_path / "p", "basic", templates=templates)
    site.build()
    before = {p.name: p.stat().st_ino for p in (site.out / "pagefind").rglob("*") if p.is_file()}
    list_template = templates / "list.html"
    list_template.write_text(list_template.read_text().replace("{% block main %}", "{% block main %}<!-- the list -->"))
    report = site.build()
    assert report.written and len(counted) == 1  # list pages were rendered; no article page changed
    assert {p.name: p.stat().st_ino for p in (site.out / "pagefind").rglob("*") if p.is_file()} == before
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe sur la péninsule coréenne.\n")
    site.build()
    assert len(counted) == 2


def test_the_dev_server_path_keeps_the_old_index_and_catches_up_later(fixture_site, counted):
    site = fixture_site("basic")
    site.build()
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe de plus.\n")
    build(site.config(), search_index=False)
    assert len(counted) == 1 and (site.out / "pagefind" / "pagefind.js").is_file()  # stale, not gone
    site.build()  # no input changed, but the index is behind: made now
    assert len(counted) == 2
    site.build()
    assert len(counted) == 2


def test_a_cancelled_index_leaves_the_published_site_as_it_was(fixture_site):
    site = fixture_site("basic")
    site.build()
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    story = site.root / "content/2026/02/north-korea-warns-japan/en.md"
    story.write_text(story.read_text() + "\nOne more paragraph.\n")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(search.Cancelled):
        build(site.config(), cancel=cancel)
    assert {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()} == before
    site.build()
    assert "One more paragraph." in site.page("en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/")


def test_a_site_without_stories_builds_without_an_index(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    site.build()
    assert not (site.out / "pagefind").exists() and (site.out / "en" / "search" / "index.html").is_file()


def test_the_search_pages_read_q_from_a_plain_form_and_say_what_to_do_without_javascript(fixture_site):
    site = fixture_site("basic")
    site.build()
    page = lxml.html.fromstring(site.page("fr/search/"))
    form = page.xpath("//form[@role='search']")[0]
    assert (form.get("action"), form.get("method")) == ("/fr/search/", "get")
    assert form.xpath(".//input/@name") == ["q"] and form.xpath(".//label/@for") == ["q"]
    note = page.xpath("//noscript")[0].text_content()
    assert "La recherche a besoin de JavaScript" in note
    assert {"/fr/tags/", "/fr/archive/"} <= set(lxml.html.fromstring(lxml.html.tostring(page.xpath("//noscript")[0]))
                                                  .xpath("//a/@href"))
    assert '<meta name="robots" content="noindex">' in site.page("fr/search/")
    assert "search/" not in (site.out / "sitemap.xml").read_text()
    # Every page's masthead links its language's search page.
    assert page.xpath("//header//a[@class='search-link']/@href") == ["/fr/search/"]


def test_the_front_pages_tell_search_engines_how_to_search(fixture_site):
    site = fixture_site("basic", base_url="https://news.example.org/")
    site.build()
    data = [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', site.page("en/"))]
    [website] = [d for d in data if d["@type"] == "WebSite"]
    assert website["potentialAction"] == {
        "@type": "SearchAction", "query-input": "required name=search_term_string",
        "target": {"@type": "EntryPoint", "urlTemplate": "https://news.example.org/en/search/?q={search_term_string}"}}


# Pagefind a share of the pages at a time, and the merged index

def bundle(root) -> dict:
    """What a reader's search sees of a Pagefind bundle, page numbers replaced by URLs: per language,
    each page's fragment and word count, each word's pages (locations, meta locations) and forms
    with diacritics, and the chunks (from, to, words)."""
    entry = json.loads((root / "pagefind-entry.json").read_text())
    seen = {"entry": {key: value for key, value in entry.items() if key != "languages"}}
    for lang, info in entry["languages"].items():
        meta = search_merge.read(root / f"pagefind.{info['hash']}.pf_meta")
        fragments = [search_merge.read(root / "fragment" / f"{name}.pf_fragment") for name, _ in meta[1]]
        urls = [json.loads(fragment)["url"] for fragment in fragments]

        def pages(postings):
            number, found = 0, {}
            for step, locations, meta_locations in postings:
                number += step
                found[urls[number]] = (locations, meta_locations)
            return found
        chunks, words = [], {}
        for start, end, name in meta[2]:
            [chunk] = search_merge.read(root / "index" / f"{name}.pf_index")
            chunks.append((start, end, [word for word, _, _ in chunk]))
            words.update((word, (pages(postings), {form: pages(p) for form, p in forms}))
                         for word, postings, forms in chunk)
        seen[lang] = {"page_count": info["page_count"], "wasm": info["wasm"], "chunks": chunks, "words": words,
                      "pages": {url: (fragment, count) for url, fragment, (_, count) in zip(urls, fragments, meta[1])},
                      "meta": [meta[0], *meta[3:]]}
    return seen


def files(root) -> dict:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_the_merged_index_is_the_one_pagefind_makes_in_one_run(fixture_site, tmp_path, monkeypatch):
    site = fixture_site("basic")
    site.write("content/2026/02/accents/fr.md", "---\ntitle: Grève à l’hôpital\ndate: 2026-02-12\n---\n"
               "La grève de l’hôpital continue ; la greve des trains aussi.\n")  # a word with and without accents
    monkeypatch.setattr(search, "SHARD_BYTES", 1)  # each page in a Pagefind process of its own
    site.build()
    assert len(search._articles(site.out)) == 9
    one_run = tmp_path / "one-run"
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site.out), "--output-path", str(one_run),
                    "--glob", "{en,fr}/[0-9][0-9][0-9][0-9]/*/*/*/index.html", "--silent"], check=True)
    merged, expected = bundle(site.out / "pagefind"), bundle(one_run)
    assert merged == expected
    assert merged["fr"]["words"]["grev"][1]  # the forms with diacritics were merged too
    # Everything but the index itself (pagefind.js, the search code of each language) is Pagefind's own.
    theirs = {name: data for name, data in files(one_run).items() if not name.startswith(("fragment/", "index/"))
              and not name.endswith((".pf_meta", ".json"))}
    assert {name: files(site.out / "pagefind")[name] for name in theirs} == theirs


def test_shares_with_different_meta_fields_merge_into_one_run_s_index(tmp_path, monkeypatch):
    """A share whose pages have a meta field the others lack numbers the fields otherwise: the
    merge numbers them as one run would (in order of their names)."""
    tree = tmp_path / "tree"
    for path, body in [("en/2020/01/01/a", '<h1>Alpha story</h1><p data-pagefind-meta="author">Jane Writer</p>'
                                           "<p>Words about rivers.</p>"),
                       ("en/2020/01/02/b", "<h1>Beta story</h1><p>Words about rivers, and Jane.</p>")]:
        (tree / path).mkdir(parents=True)
        (tree / path / "index.html").write_text(f'<!doctype html><html lang="en"><head><title>t</title></head>'
                                                f"<body><article data-pagefind-body>{body}</article></body></html>")
    one_run = tmp_path / "one-run"
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(tree), "--output-path", str(one_run),
                    "--glob", search.GLOB, "--silent"], check=True)
    monkeypatch.setattr(search, "SHARD_BYTES", 1)
    search.index(tree, "key")
    merged = bundle(tree / "pagefind")
    assert merged == bundle(one_run) and merged["en"]["meta"][-1] == ["author", "title"]
    assert merged["en"]["words"]["beta"][0]["/en/2020/01/02/b/"][1] == [-2, 0]  # the title: field 1 of the two


def test_the_index_is_the_same_bytes_however_the_pages_were_shared_out(tmp_path, monkeypatch):
    built = {}
    for budget in (search.SHARD_BYTES, 1, 40_000):
        monkeypatch.setattr(search, "SHARD_BYTES", budget)
        site = make_fixture_site(tmp_path / str(budget), "basic")
        site.build()
        built[budget] = files(site.out / "pagefind")
    assert built[1] == built[40_000] == built[search.SHARD_BYTES] and len(built[1]) > 10


def test_pages_are_shared_out_within_the_budget_and_in_order():
    pages = [(f"en/2020/01/{n:04}/index.html", 100 + n % 7 * 50) for n in range(3000)]
    shares = search._shares(pages, 20_000)
    assert [name for share in shares for name in share] == [name for name, _ in pages]
    sizes = dict(pages)
    assert all(sum(sizes[name] for name in share) <= 20_000 for share in shares)
    full = sum(sizes.values()) / 20_000
    assert full < len(shares) < 4 * full  # about half the budget on average
    assert search._shares([("big", 50), ("b", 1)], 20) == [["big"], ["b"]]  # a page over the budget alone
    assert search._shares(pages[:5], 1) == [[name] for name, _ in pages[:5]]


@pytest.mark.parametrize("edit", ["add", "remove", "grow"])
def test_an_edit_moves_only_the_cuts_next_to_it(edit):
    """A share's stored index counts only while its pages are the same: one page more, less or
    larger must leave every share but the one or two around it as they were."""
    pages = [(f"en/2020/{n // 300:02}/{n % 300:03}/index.html", 120 + n % 11 * 40) for n in range(4000)]
    before = search._shares(pages, 20_000)
    middle = len(pages) // 2
    after = {"add": pages[:middle] + [(pages[middle][0] + "x", 300)] + pages[middle:],
             "remove": pages[:middle] + pages[middle + 1:],
             "grow": pages[:middle] + [(pages[middle][0], 2_000)] + pages[middle + 1:]}[edit]
    now = search._shares(after, 20_000)
    changed = [share for share in now if share not in before]
    assert len(changed) <= 2 and len(now) > 20
    assert changed or edit == "grow"  # a larger page may keep its share's cuts (its share's key changes)


def indexed(site, tmp_path, monkeypatch, budget=30_000):
    """Builds with small shares, counting the pages Pagefind is run over."""
    runs = []
    real = search._pagefind

    def pagefind(tree, jobs, *args):
        runs.extend(names for _, names, _ in jobs)
        return real(tree, jobs, *args)
    monkeypatch.setattr(search, "SHARD_BYTES", budget)
    monkeypatch.setattr(search, "_pagefind", pagefind)
    return runs


def clean_index(site, tmp_path) -> dict:
    """The index of a clean build of the same project, made elsewhere."""
    copy = tmp_path / "clean"
    shutil.copytree(site.root, copy, ignore=shutil.ignore_patterns("site", ".newsdigest-cache"))
    build(load_config(copy / "site.toml"), clean=True)
    return files(copy / "site" / "pagefind")


def test_an_article_edit_runs_pagefind_over_its_share_only(fixture_site, tmp_path, monkeypatch):
    site = fixture_site("basic")
    runs = indexed(site, tmp_path, monkeypatch)
    site.build()
    shares = len(runs)
    assert shares >= 3 and sum(map(len, runs)) == 8
    runs.clear()
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe sur la péninsule coréenne.\n")
    site.build()
    # Its share, and one page of the language no new run covered, for Pagefind's own code.
    assert FR_NK + "index.html" in runs[0] and len(runs[0]) < 8
    assert len(runs) == 2 and sorted(name[:3] for name in runs[1]) == ["en/", "fr/"]
    assert files(site.out / "pagefind") == clean_index(site, tmp_path)
    assert "péninsule" in b"".join(page for page, _ in bundle(site.out / "pagefind")["fr"]["pages"].values()).decode()


def stored(site) -> list:
    return sorted(path for path in (site.root / ".newsdigest-cache" / "search").iterdir())


def test_a_clean_build_uses_no_stored_share(fixture_site, tmp_path, monkeypatch):
    site = fixture_site("basic")
    runs = indexed(site, tmp_path, monkeypatch)
    site.build()
    first = len(runs)
    build(site.config(), clean=True)
    assert len(runs) == 2 * first


@pytest.mark.parametrize("damage", ["cut", "link", "code", "name"])
def test_a_damaged_or_crafted_stored_share_is_made_again(fixture_site, tmp_path, monkeypatch, damage):
    """The cache is untrusted: a stored share cut short, holding a link, holding code (which runs in
    readers' browsers) or naming a file outside itself only makes the build slower."""
    site = fixture_site("basic")
    runs = indexed(site, tmp_path, monkeypatch)
    site.build()
    outside = tmp_path / "secret.txt"
    outside.write_text("not for publishing")
    for share in stored(site):
        if damage == "cut":
            for chunk in (share / "index").iterdir():
                chunk.write_bytes(chunk.read_bytes()[:-5])
        elif damage == "link":
            fragment = next((share / "fragment").iterdir())
            fragment.unlink()
            fragment.symlink_to(outside)
        elif damage == "code":
            (share / "pagefind.js").write_text("alert('from the cache')")
        else:
            entry_file = share / "pagefind-entry.json"
            data = json.loads(entry_file.read_text())
            for info in data["languages"].values():
                info["hash"] = "../../../secret"
            entry_file.write_text(json.dumps(data))
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe de plus.\n")
    runs.clear()
    report = site.build()
    assert not report.warnings
    assert files(site.out / "pagefind") == clean_index(site, tmp_path)
    assert not [path for path in (site.out / "pagefind").rglob("*") if path.is_symlink()]
    assert "from the cache" not in (site.out / "pagefind" / "pagefind.js").read_text()
    assert len(runs) > 2  # the damaged shares were made again


def test_the_stored_shares_are_this_build_s_and_the_last_one_s(fixture_site, tmp_path, monkeypatch):
    site = fixture_site("basic")
    indexed(site, tmp_path, monkeypatch)
    site.build()
    shares = len(stored(site))
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    for n in range(4):
        story.write_text(story.read_text() + f"\nParagraphe {n}.\n")
        site.build()
    assert shares < len(stored(site)) <= 2 * shares


def built_without_index(site):
    """A copy of the built site without its search index: a tree to index."""
    site.build()
    tree = site.root / "tree"
    shutil.copytree(site.out, tree)
    shutil.rmtree(tree / "pagefind")
    return tree


def test_a_cancel_kills_the_running_pagefind(fixture_site, monkeypatch):
    tree = built_without_index(fixture_site("basic"))
    cancel = threading.Event()
    started = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        process = real(*args, **kwargs)
        started.append(process)
        cancel.set()  # while it runs
        return process
    monkeypatch.setattr(search.subprocess, "Popen", popen)
    with pytest.raises(search.Cancelled):
        search.index(tree, "key", cancel)
    assert len(started) == 1 and started[0].returncode == -9  # killed, not waited for
    assert not (tree / "pagefind").exists() and not list(tree.glob(".search-*"))  # the scratch folder is gone


def test_an_index_pagefind_wrote_in_another_format_is_a_warning_not_a_broken_index(fixture_site, monkeypatch):
    site = fixture_site("basic")
    monkeypatch.setattr(search_merge, "CHUNK", "not a number")  # the merge fails halfway
    report = site.build()
    assert any("could not be merged" in warning for warning in report.warnings)
    assert not (site.out / "pagefind").exists()



def test_an_index_file_cut_short_is_a_warning_not_a_broken_index(fixture_site, monkeypatch):
    site = fixture_site("basic")
    real = search_merge._read
    cut = lambda path: real(path)[:-1] if path.suffix == ".pf_index" else real(path)  # noqa: E731
    monkeypatch.setattr(search_merge, "_read", cut)
    report = site.build()
    assert any("could not be merged (CBORDecodeEOF" in warning for warning in report.warnings)
    assert not (site.out / "pagefind").exists()


def test_a_cancel_while_merging_leaves_no_index(fixture_site, monkeypatch):
    tree = built_without_index(fixture_site("basic"))
    cancel = threading.Event()
    real = search_merge._read

    def read(path):
        cancel.set()  # once the merge has begun
        return real(path)
    monkeypatch.setattr(search_merge, "_read", read)
    with pytest.raises(search.Cancelled):
        search.index(tree, "key", cancel)
    assert not (tree / "pagefind").exists() and not list(tree.glob(".search-*"))

def merge_processes(monkeypatch, then=None) -> list:
    """The merge processes started (then(process) called on each), every language merged in one."""
    started = []
    real = subprocess.Popen

    def popen(arguments, *args, **kwargs):
        process = real(arguments, *args, **kwargs)
        if arguments[:2] == [sys.executable, "-c"]:
            started.append(process)
            if then:
                then(process)
        return process
    monkeypatch.setattr(search_merge.subprocess, "Popen", popen)
    monkeypatch.setattr(search_merge, "SPAWN_PAGES", 1)
    return started


def test_a_language_merged_in_a_process_of_its_own_is_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "SHARD_BYTES", 1)
    here = make_fixture_site(tmp_path / "here", "basic")
    here.build()
    started = merge_processes(monkeypatch)
    apart = make_fixture_site(tmp_path / "apart", "basic")
    assert not apart.build().warnings
    assert len(started) == 2 and [process.returncode for process in started] == [0, 0]
    assert files(apart.out / "pagefind") == files(here.out / "pagefind")


def test_a_damaged_stored_share_is_made_again_when_merged_apart(fixture_site, tmp_path, monkeypatch):
    site = fixture_site("basic")
    runs = indexed(site, tmp_path, monkeypatch)
    site.build()
    for share in stored(site):
        for chunk in (share / "index").iterdir():
            chunk.write_bytes(chunk.read_bytes()[:-5])
    story = site.root / "content/2026/02/north-korea-warns-japan/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe de plus.\n")
    started = merge_processes(monkeypatch)
    runs.clear()
    assert not site.build().warnings
    assert files(site.out / "pagefind") == clean_index(site, tmp_path)
    assert len(runs) > 2 and [process.returncode for process in started].count(1) >= 1  # failed, then made again


def test_a_merge_process_that_dies_is_a_warning_not_a_broken_index(fixture_site, monkeypatch):
    site = fixture_site("basic")
    merge_processes(monkeypatch, then=lambda process: process.kill())
    report = site.build()
    [warning] = [warning for warning in report.warnings if "could not be merged" in warning]
    assert "index ended with exit code -9" in warning
    assert not (site.out / "pagefind").exists()


def test_a_cancel_kills_the_merge_processes(fixture_site, monkeypatch):
    tree = built_without_index(fixture_site("basic"))
    cancel = threading.Event()
    started = merge_processes(monkeypatch, then=lambda process: cancel.set())
    with pytest.raises(search.Cancelled):
        search.index(tree, "key", cancel)
    assert started and all(process.returncode == -9 for process in started)  # killed, not waited for
    assert not (tree / "pagefind").exists() and not list(tree.glob(".search-*"))


@pytest.fixture(scope="module")
def served_shared_site(tmp_path_factory):
    """The basic fixture indexed a page at a time (one Pagefind process a page, merged), served at
    http://127.0.0.1:PORT/repo/ like conftest's served_site."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/repo/"
    site = make_fixture_site(tmp_path_factory.mktemp("shared") / "project", "basic", base_url=base)
    budget, search.SHARD_BYTES = search.SHARD_BYTES, 1
    try:
        site.build()
    finally:
        search.SHARD_BYTES = budget
    with serve(site.out, port, "/repo/") as url:
        yield site, url


def results(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_selector(".search-status")
    return page.eval_on_selector_all(".search-list li a", "links => links.map(a => a.getAttribute('href'))")


@pytest.mark.browser
def test_a_reader_gets_the_same_results_from_the_merged_index(served_site, served_shared_site, page):
    (_, one), (_, shared) = served_site, served_shared_site
    for lang, word in [("fr", "japon"), ("fr", "souligné"), ("fr", "le"), ("en", "forge"), ("en", "the"),
                       ("en", "budget")]:
        found = results(page, shared + f"{lang}/search/?q={word}")
        assert found and all(href.startswith(f"/repo/{lang}/") for href in found), (lang, word)
        assert found == results(page, one + f"{lang}/search/?q={word}"), (lang, word)
    assert "/repo/" + FR_NK in results(page, shared + "fr/search/?q=japon")
    assert results(page, shared + "en/search/?q=forge") == ["/repo/" + EN_NK]


# Side by side

def test_a_story_in_both_languages_has_one_side_by_side_page_linked_from_both_versions(fixture_site):
    site = fixture_site("basic")
    site.build()
    both = "side-by-side/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
    for own in (EN_NK, FR_NK):
        article = lxml.html.fromstring(site.page(own))
        assert article.xpath("//p[@class='side-by-side']/a/@href") == ["/" + both]
    page = lxml.html.fromstring(site.page(both))
    versions = page.xpath("//article[@class='sbs__version']")
    assert [v.get("lang") for v in versions] == ["en", "fr"]
    for version, path in zip(versions, (EN_NK, FR_NK)):
        assert version.xpath(".//h2/a/@href") == ["/" + path]
        assert version.xpath(".//time/@datetime")
        assert version.xpath(".//div[@class='story__body']//p")
    assert [h.text_content() for h in page.xpath("//h1")] == ["Side by side · Côte à côte"]
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert not page.xpath("//link[@hreflang]")  # not a page of search results either
    assert "side-by-side" not in (site.out / "sitemap.xml").read_text()
    assert "side-by-side" not in (site.out / "en" / "feed.xml").read_text()
    assert len(list((site.out / "side-by-side").glob("*/*/*/*/index.html"))) == 3  # the stories with two versions
    only_english = lxml.html.fromstring(site.page("en/2026/01/15/ottawa-tables-a-cautious-budget/"))
    assert not only_english.xpath("//p[@class='side-by-side']")


def test_the_two_bodies_keep_distinct_ids(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    body = "Text with a note.[^1]\n\n[^1]: The note.\n"
    site.write("content/2026/02/s/en.md", f"---\ntitle: Notes\ndate: 2026-02-11\n---\n{body}")
    site.write("content/2026/02/s/fr.md", f"---\ntitle: Notes fr\ndate: 2026-02-11\n---\n{body}")
    site.build()
    page = site.page("side-by-side/2026/02/11/notes/")
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for href in re.findall(r'href="#([^"]+)"', page):
        assert href in ids or href == "main"
