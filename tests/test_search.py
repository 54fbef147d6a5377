"""Search: Pagefind's index of the article pages, one per language, made only when an article page
changed; the search pages; and the side-by-side view of a story's versions."""
from __future__ import annotations

import json
import re
import shutil
import threading

import lxml.html
import pytest

from conftest import ROOT, make_fixture_site
from newsdigest import search
from newsdigest.builder import build

EN_NK = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR_NK = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"


@pytest.fixture
def counted(monkeypatch):
    """Counts the times the index is made."""
    calls = []
    real = search.index

    def index(tree, fingerprint, cancel=None):
        calls.append(tree)
        return real(tree, fingerprint, cancel)
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
