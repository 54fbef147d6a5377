"""`check` on the site's metadata: the sitemap and robots.txt, the Atom and JSON feeds, OpenGraph and
JSON-LD. A good build passes; each defect, planted in a copy of a built site, is reported with its
file, line and an exact message."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CHECK_BASE
from newsdigest.check import check_site, check_site_report
from newsdigest.check.values import iso_date_or_datetime, rfc3339, w3c_datetime

BASE = CHECK_BASE
EN = "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/"
FR = "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/"
NK = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"


@pytest.fixture
def built(built_for_check):
    return built_for_check


@pytest.fixture
def copy(site_copy):
    return site_copy


def file_of(site_dir: Path, path: str) -> Path:
    return site_dir / path / "index.html" if path.endswith("/") else site_dir / path


def line_of(file: Path, text: str) -> int:
    return next(n for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def plant(site_dir: Path, path: str, old: str, new: str) -> tuple[Path, int]:
    """Replaces the first `old` by `new` in one built file; returns the file and the line of the change."""
    file = file_of(site_dir, path)
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    at = text.index(old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file, text.count("\n", 0, at) + 1


def listable(site_dir: Path) -> int:
    """The pages a sitemap lists: all but 404.html and those marked noindex (side by side, search)."""
    return sum(1 for html in site_dir.rglob("*.html") if html.name != "404.html"
               and '<meta name="robots" content="noindex">' not in html.read_text(encoding="utf-8"))


def problems(site_dir: Path) -> list[tuple[Path, int | None, str]]:
    return [(Path(p.path), p.line, p.message) for p in check_site(site_dir)]


# A good build

def test_a_good_build_passes_with_every_metadata_file_checked(built):
    report = check_site_report(built.out)
    assert report.problems == []
    pages = len(list(built.out.rglob("*.html")))
    assert report.sitemap_urls == listable(built.out) < pages - 1
    assert report.feeds == 4  # Atom and JSON, in each language
    assert report.json_ld == sum(html.read_text(encoding="utf-8").count("application/ld+json")
                                 for html in built.out.rglob("*.html"))
    assert report.json_ld > pages / 2


def test_the_command_line_summary_counts_the_metadata(built, capsys):
    assert built.run("check", str(built.out)) == 0
    pages = len(list(built.out.rglob("*.html")))
    report = check_site_report(built.out)
    assert capsys.readouterr().out == (
        f"Checked {pages} pages, {report.links} internal links and assets, {listable(built.out)} sitemap URLs, 4 feeds, "
        f"{report.json_ld} JSON-LD blocks and {report.hreflangs} hreflang links under {BASE}: no problems.\n")


def test_a_sitemap_split_behind_an_index_passes(fixture_site, monkeypatch):
    from newsdigest import pages as pages_module
    monkeypatch.setattr(pages_module, "SITEMAP_LIMIT", 10)
    site = fixture_site("basic", base_url="https://user.github.io/a/deep/path/")
    site.build()
    assert (site.out / "sitemap-5.xml").is_file()
    report = check_site_report(site.out)
    assert report.problems == []
    assert report.sitemap_urls == listable(site.out)

    # one part goes missing: the index names a broken file, and its pages are not listed
    (site.out / "sitemap-2.xml").unlink()
    found = check_site(site.out)
    assert (found[0].path, found[0].line, found[0].message) == (
        site.out / "sitemap.xml", 4,
        "sitemap https://user.github.io/a/deep/path/sitemap-2.xml: no file sitemap-2.xml in the site.")
    assert len(found) == 1 + 10 and all(p.message.endswith("is not listed; the sitemap must list every "
                                                           "HTML page but 404.html and those marked noindex.")
                                        for p in found[1:])


@pytest.mark.parametrize("text, rfc, w3c", [
    ("2026-02-11T10:32:00+09:00", True, True), ("2026-02-11T10:32:00.25Z", True, True),
    ("2026-02-11T10:32:00", False, False), ("2026-02-11 10:32:00+09:00", False, False),
    ("2026-02-11", False, True), ("2026-02", False, True), ("2026", False, True),
    ("2026-02-11T10:32+09:00", False, True), ("2026-13-01T00:00:00Z", False, False),
    ("2026-02-30", False, False), ("yesterday", False, False), ("2026-02-11T25:00:00Z", False, False),
])
def test_date_formats(text, rfc, w3c):
    assert (rfc3339(text), w3c_datetime(text)) == (rfc, w3c)
    assert iso_date_or_datetime(text) == (rfc or text == "2026-02-11")


# Sitemap and robots.txt

def test_page_missing_from_the_sitemap(copy):
    sitemap = copy / "sitemap.xml"
    text = sitemap.read_text()
    entry = re.search(r"  <url>\n    <loc>" + re.escape(BASE) + r"en/archive/</loc>.*?</url>\n", text, re.S)
    sitemap.write_text(text.replace(entry.group(0), ""))
    assert problems(copy) == [
        (sitemap, None, f"page en/archive/index.html ({BASE}en/archive/) is not listed; "
                        "the sitemap must list every HTML page but 404.html and those marked noindex.")]


def test_sitemap_alternates_differ_from_the_head(copy):
    sitemap = copy / "sitemap.xml"
    plant(copy, "sitemap.xml", f'hreflang="fr" href="{BASE}{FR}"', f'hreflang="fr" href="{BASE}fr/"')
    assert problems(copy) == [
        (sitemap, line_of(sitemap, f"<loc>{BASE}{EN}</loc>"),
         f"the alternates of {BASE}{EN} differ from the hreflang links of {EN}index.html "
         f"(only in the sitemap: fr {BASE}fr/; only in the page: fr {BASE}{FR}).")]


def test_invalid_lastmods(copy):
    sitemap, line = plant(copy, "sitemap.xml", "<lastmod>2026", "<lastmod>yesterday 2026")
    _, second = plant(copy, "sitemap.xml", "<lastmod>2026-02-10T00:00:00+01:00", "<lastmod>2026-02-30T00:00:00+01:00")
    assert problems(copy) == [
        (sitemap, line, f"<lastmod> 'yesterday 2026-02-11T10:32:00+09:00' of {BASE}{NK} is not a W3C datetime "
                        "such as 2026-02-11 or 2026-02-11T10:32:00+09:00."),
        (sitemap, second, f"<lastmod> '2026-02-30T00:00:00+01:00' of {BASE}en/2026/02/10/seoul-and-tokyo-plan-a-summit/ "
                          "is not a W3C datetime such as 2026-02-11 or 2026-02-11T10:32:00+09:00.")]


def test_sitemap_urls_outside_the_site_twice_or_not_canonical(copy):
    sitemap, line = plant(copy, "sitemap.xml", f"<loc>{BASE}en/archive/</loc>", "<loc>https://elsewhere.example/en/archive/</loc>")
    _, twice = plant(copy, "sitemap.xml", f"<loc>{BASE}fr/archive/</loc>", f"<loc>{BASE}en/tags/</loc>")
    _, index = plant(copy, "sitemap.xml", f"<loc>{BASE}fr/tags/</loc>", f"<loc>{BASE}fr/tags/index.html</loc>")
    first_tags = line_of(sitemap, f"<loc>{BASE}en/tags/</loc>")
    assert problems(copy) == [
        (sitemap, line, f"URL https://elsewhere.example/en/archive/ is outside the site's base URL {BASE}."),
        (sitemap, twice, f"URL {BASE}en/tags/ is listed twice (first at sitemap.xml:{first_tags})."),
        (sitemap, index, f"URL {BASE}fr/tags/index.html is not the page's canonical URL {BASE}fr/tags/."),
        (sitemap, None, f"page en/archive/index.html ({BASE}en/archive/) is not listed; "
                        "the sitemap must list every HTML page but 404.html and those marked noindex."),
        (sitemap, None, f"page fr/archive/index.html ({BASE}fr/archive/) is not listed; "
                        "the sitemap must list every HTML page but 404.html and those marked noindex.")]


def test_sitemap_not_well_formed_or_in_the_wrong_namespace(copy):
    sitemap = copy / "sitemap.xml"
    sitemap.write_text(sitemap.read_text().replace("</urlset>", ""))
    [(path, line, message)] = problems(copy)
    assert (path, message) == (sitemap, "the sitemap is not well-formed XML: no element found (column 1).")
    assert line == len(sitemap.read_text().splitlines()) + 1

    sitemap.write_text('<?xml version="1.0"?>\n<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"/>\n')
    assert problems(copy) == [
        (sitemap, 2, "the root element is <urlset> in the namespace http://www.google.com/schemas/sitemap/0.84; "
                     "a sitemap is a <urlset> (or a <sitemapindex>) in the namespace "
                     "http://www.sitemaps.org/schemas/sitemap/0.9.")]


def test_robots_txt_without_the_sitemap(copy):
    robots = copy / "robots.txt"
    robots.write_text("User-agent: *\nAllow: /\n")
    assert problems(copy) == [
        (robots, None, f"robots.txt does not name the sitemap; add the line 'Sitemap: {BASE}sitemap.xml'.")]
    robots.write_text("User-agent: *\nSitemap: /repo/sitemap.xml\n")
    assert problems(copy) == [
        (robots, 2, f"robots.txt names the sitemap /repo/sitemap.xml, not its absolute URL {BASE}sitemap.xml.")]
    robots.unlink()
    assert problems(copy) == [
        (robots, None, f"missing robots.txt; it should name the sitemap: 'Sitemap: {BASE}sitemap.xml'.")]


# Feeds

def test_atom_feed_without_its_self_link(copy):
    feed, _ = plant(copy, "en/feed.xml", f'<link rel="self" type="application/atom+xml" href="{BASE}en/feed.xml"/>', "")
    line = next(n for n, text in enumerate(feed.read_text().splitlines(), 1) if text.startswith("<feed "))
    assert problems(copy) == [
        (feed, line, f'the <feed> has no <link rel="self">; it should be {BASE}en/feed.xml')]


def test_atom_self_link_naming_another_url(copy):
    feed, line = plant(copy, "fr/feed.xml", f'href="{BASE}fr/feed.xml"', f'href="{BASE}en/feed.xml"')
    assert problems(copy) == [
        (feed, line, f'<link rel="self"> is {BASE}en/feed.xml, not the feed\'s own URL {BASE}fr/feed.xml')]


def test_bad_date_in_an_atom_entry(copy):
    feed, line = plant(copy, "en/feed.xml", "<published>2026-02-11T10:32:00+09:00",
                       "<published>2026-02-11 10:32:00")
    assert problems(copy) == [
        (feed, line, "<published> '2026-02-11 10:32:00' is not an RFC 3339 date-time with an offset, "
                     "such as 2026-02-11T10:32:00+09:00.")]


def test_atom_entry_incomplete_and_linking_to_a_missing_page(copy):
    feed, line = plant(copy, "en/feed.xml", f'<link rel="alternate" type="text/html" hreflang="en" href="{BASE}{NK}"/>',
                       f'<link rel="alternate" type="text/html" hreflang="en" href="{BASE}en/gone/"/>')
    _, title = plant(copy, "en/feed.xml", "<title>Seoul and Tokyo plan a summit</title>", "<title></title>")
    entry = line_of(feed, "<entry xml:base=\"" + BASE + "en/2026/02/10/")
    assert problems(copy) == [
        (feed, line, f"entry 1: link {BASE}en/gone/: no file en/gone/index.html in the site."),
        (feed, entry, "entry 2 has no <title>.")]


def test_atom_feed_in_the_wrong_language(copy):
    feed, _ = plant(copy, "fr/feed.xml", 'xml:lang="fr"', 'xml:lang="en"')
    found = problems(copy)
    home = line_of(feed, f'<link rel="alternate" type="text/html" hreflang="fr" href="{BASE}fr/"/>')
    assert found[0] == (feed, home, 'the feed\'s xml:lang is "en" but its page fr/index.html is in "fr".')
    assert found[1][2].startswith("entry 1 is in xml:lang \"en\" but its page fr/2026/02/11/")
    # and no French page announces an Atom feed in French any more
    assert found[-1][2] == "announces no Atom feed in its own language (fr); no page announces one."


def test_json_feed_with_the_wrong_version(copy):
    feed, _ = plant(copy, "en/feed.json", '"version": "https://jsonfeed.org/version/1.1"',
                    '"version": "https://jsonfeed.org/version/1"')
    assert problems(copy) == [
        (feed, None, 'version is "https://jsonfeed.org/version/1"; a JSON Feed 1.1 says '
                     '"https://jsonfeed.org/version/1.1".')]


def test_json_feed_items_and_urls(copy):
    feed = copy / "fr" / "feed.json"
    data = json.loads(feed.read_text())
    data["feed_url"] = BASE + "fr/feed"
    del data["items"][0]["content_html"]
    data["items"][1]["url"] = BASE + "fr/nowhere/"
    data["items"][2]["date_published"] = "2026-02-11"
    data["items"][3]["id"] = data["items"][2]["id"]
    feed.write_text(json.dumps(data))
    assert problems(copy) == [
        (feed, None, f"feed_url is \"{BASE}fr/feed\", not the feed's own URL {BASE}fr/feed.json"),
        (feed, None, "item 1 has neither content_html nor content_text."),
        (feed, None, f"item 2: url {BASE}fr/nowhere/: no file fr/nowhere/index.html in the site."),
        (feed, None, 'item 3: date_published "2026-02-11" is not an RFC 3339 date-time with an offset, '
                     "such as 2026-02-11T10:32:00+09:00."),
        (feed, None, f"item 4 repeats the id {data['items'][2]['id']}.")]


def test_invalid_json_feed(copy):
    feed, _ = plant(copy, "en/feed.json", '"version": ', '"version" ')
    column = feed.read_text().index('"version" ') + len('"version" ') + 1
    assert problems(copy) == [
        (feed, 1, f"the JSON Feed is not valid JSON: Expecting ':' delimiter (column {column}).")]


def test_page_announcing_a_feed_that_does_not_exist(copy):
    page, line = plant(copy, EN, f'href="{BASE}en/feed.json"', f'href="{BASE}en/feeds.json"')
    assert problems(copy) == [
        (page, line, f"broken link '{BASE}en/feeds.json': no file en/feeds.json in the site"),
        (page, None, "announces no JSON feed in its own language (en); add <link rel=\"alternate\" "
                     f"type=\"application/feed+json\" href=\"{BASE}en/feed.json\">.")]


def test_page_announcing_only_the_other_languages_feed(copy):
    page, _ = plant(copy, EN, f'<link rel="alternate" type="application/atom+xml" title="The Digest (Atom)" '
                              f'href="{BASE}en/feed.xml">\n', "")
    assert problems(copy) == [
        (page, None, "announces no Atom feed in its own language (en); add <link rel=\"alternate\" "
                     f"type=\"application/atom+xml\" href=\"{BASE}en/feed.xml\">.")]


# OpenGraph and Twitter cards

def test_og_url_differs_from_the_canonical_url(copy):
    page, line = plant(copy, EN, f'<meta property="og:url" content="{BASE}{EN}">',
                       f'<meta property="og:url" content="{BASE}en/">')
    assert problems(copy) == [(page, line, f"og:url {BASE}en/ differs from the canonical URL {BASE}{EN}")]


def test_relative_og_image(copy):
    page, line = plant(copy, EN, f'<meta property="og:image" content="{BASE}{EN}signing.png">',
                       '<meta property="og:image" content="signing.png">')
    assert problems(copy) == [
        (page, line, f"og:image 'signing.png' must be an absolute URL, i.e. {BASE}{EN}signing.png")]


def test_missing_og_tags_and_twitter_card(copy):
    page, _ = plant(copy, "en/archive/", '<meta property="og:description"', '<meta property="og:nothing"')
    _, line = plant(copy, "en/archive/", '<meta name="twitter:card" content="summary">',
                    '<meta name="twitter:card" content="big">')
    assert problems(copy) == [
        (page, None, 'missing or empty <meta property="og:description">.'),
        (page, line, "twitter:card 'big' is not one of app, player, summary, summary_large_image.")]


def test_og_locale_alternates_match_the_other_language_versions(copy):
    page, _ = plant(copy, EN, '<meta property="og:locale:alternate" content="fr_FR">\n', "")
    only_en = "en/2026/01/15/ottawa-tables-a-cautious-budget/"
    other, other_line = plant(copy, only_en, '<meta property="og:locale" content="en_US">',
                              '<meta property="og:locale" content="en_US">\n<meta property="og:locale:alternate" content="fr_FR">')
    assert problems(copy) == [  # in file order
        (other, other_line + 1, "1 og:locale:alternate for 0 other-language versions in the hreflang links (none)."),
        (page, line_of(page, '<meta property="og:locale" '),  # none left: the og:locale line
         "0 og:locale:alternate for 1 other-language version in the hreflang links (fr).")]


# JSON-LD

def test_invalid_json_in_a_json_ld_block(copy):
    day = "en/2026/02/11/"
    page, line = plant(copy, day, '"@type": "BreadcrumbList", "itemListElement"', '"@type": "BreadcrumbList" "itemListElement"')
    assert problems(copy) == [
        (page, line, "<script type=\"application/ld+json\"> is not valid JSON: Expecting ',' delimiter.")]


def test_news_article_whose_translation_does_not_point_back(copy):
    text = file_of(copy, FR).read_text()
    back = re.search(r', "translationOfWork": \{[^}]*\}', text).group(0)
    plant(copy, FR, back, "")
    page = file_of(copy, EN)
    assert problems(copy) == [
        (page, line_of(page, '"@type": "NewsArticle"'),
         f"NewsArticle workTranslation {BASE}{FR} does not point back: the NewsArticle of {FR}index.html "
         f"has no translationOfWork naming {BASE}{EN}")]


def test_news_article_translation_leading_nowhere(copy):
    page, line = plant(copy, EN, f'"workTranslation": [{{"@id": "{BASE}{FR}"', f'"workTranslation": [{{"@id": "{BASE}fr/gone/"')
    assert problems(copy) == [
        (page, line, f"NewsArticle workTranslation {BASE}fr/gone/: no file fr/gone/index.html in the site."),
        (file_of(copy, FR), line_of(file_of(copy, FR), '"@type": "NewsArticle"'),
         f"NewsArticle translationOfWork {BASE}{EN} does not point back: the NewsArticle of {EN}index.html "
         f"has no workTranslation naming {BASE}{FR}")]


def test_news_article_fields_url_and_language(copy):
    page, line = plant(copy, EN, '"@type": "NewsArticle", "author"', '"@type": "NewsArticle", "writer"')
    plant(copy, EN, '"inLanguage": "en", "keywords"', '"inLanguage": "fr", "keywords"')
    plant(copy, EN, f'"url": "{BASE}{EN}", "wordCount"', f'"url": "{BASE}{FR}", "wordCount"')
    assert problems(copy) == [
        (page, line, "NewsArticle has no author."),
        (page, line, f"NewsArticle url {BASE}{FR} differs from the canonical URL {BASE}{EN}"),
        (page, line, 'NewsArticle inLanguage "fr" differs from <html lang="en">.')]


def test_article_without_news_article_or_breadcrumbs(copy):
    page = file_of(copy, NK)
    text = page.read_text()
    page.write_text(re.sub(r'<script type="application/ld\+json">.*?</script>\n', "", text))
    fr = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"
    assert problems(copy) == [
        (page, None, "an article page (og:type article) has no NewsArticle JSON-LD."),
        (page, None, "an article page (og:type article) has no BreadcrumbList JSON-LD."),
        (file_of(copy, fr), line_of(file_of(copy, fr), '"@type": "NewsArticle"'),
         f"NewsArticle workTranslation {BASE}{NK}: {NK}index.html has no NewsArticle.")]


def test_breadcrumbs_must_be_built_pages_ending_with_the_page(copy):
    page, line = plant(copy, "fr/2026/02/", f'"item": "{BASE}fr/archive/"', '"item": "/repo/fr/archive/"')
    month_crumb = f'"item": "{BASE}fr/2026/02/", "name"'
    day, day_line = plant(copy, "fr/2026/02/11/", month_crumb, f'"item": "{BASE}fr/2026/03/", "name"')
    _, _ = plant(copy, "fr/2026/02/11/", f'"item": "{BASE}fr/2026/02/11/"', f'"item": "{BASE}fr/2026/02/10/"')
    assert problems(copy) == [  # in file order: fr/2026/02/11/ before fr/2026/02/index.html
        (day, day_line, f"BreadcrumbList item 2 {BASE}fr/2026/03/: no file fr/2026/03/index.html in the site."),
        (day, day_line, f"the last BreadcrumbList item is {BASE}fr/2026/02/10/, not this page ({BASE}fr/2026/02/11/)."),
        (page, line, "BreadcrumbList item 2 '/repo/fr/archive/' must be an absolute URL.")]


def test_home_pages_need_a_website(copy):
    root = copy / "index.html"
    root.write_text(re.sub(r'<script type="application/ld\+json">.*?</script>', "", root.read_text()))
    front, line = plant(copy, "fr/", f'"url": "{BASE}fr/"}}', f'"url": "{BASE}"}}')
    assert problems(copy) == [
        (front, line, f'WebSite url "{BASE}" differs from the canonical URL {BASE}fr/'),
        (root, None, "a home page has no WebSite JSON-LD.")]
