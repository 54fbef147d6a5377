"""Found and shared correctly: every page's hreflang set is complete, reciprocal and identical to its
sitemap entry; the sitemap validates against the sitemaps.org schema; Atom and JSON feeds are
complete; JSON-LD and OpenGraph are present and absolute; Lighthouse scores 100 in all four categories."""
from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES, require

SCHEMA = Path(__file__).parent / "schemas" / "sitemap-with-hreflang.xsd"
SITEMAP_XSD = NODE_MODULES / "sitemap" / "schema" / "sitemap.xsd"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hreflangs: dict[str, str] = {}
        self.meta: dict[str, list[str]] = {}
        self.canonical = None
        self.lang = None
        self.ld: list[dict] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a and "type" not in a:
            assert a["hreflang"] not in self.hreflangs, f"duplicate hreflang {a['hreflang']}"
            self.hreflangs[a["hreflang"]] = a["href"]
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content"))
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True

    def handle_data(self, data):
        if self._in_ld:
            self.ld.append(json.loads(data))

    def handle_endtag(self, tag):
        self._in_ld = False


def page_texts(site, url) -> dict[str, str]:
    """Absolute URL -> HTML, for every HTML page of the built site."""
    result = {}
    for file in sorted(site.out.rglob("*.html")):
        rel = file.relative_to(site.out).as_posix()
        result[url + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)] = file.read_text(encoding="utf-8")
    return result


def pages(site, url) -> dict[str, Head]:
    """Absolute URL -> parsed head, for every HTML page of the built site."""
    result = {}
    for page, text in page_texts(site, url).items():
        head = Head()
        head.feed(text)
        result[page] = head
    return result


def test_hreflang_sets_are_complete_reciprocal_and_absolute(served_site):
    site, url = served_site
    heads = pages(site, url)
    with_sets = {u: h for u, h in heads.items() if h.hreflangs}
    assert len(with_sets) > 20
    for page_url, head in with_sets.items():
        assert head.hreflangs["x-default"] == url, page_url
        assert page_url in head.hreflangs.values(), f"{page_url} does not list itself"
        for code, target in head.hreflangs.items():
            assert target.startswith(url), target
            assert target in heads, f"{page_url} advertises a missing page {target}"
            if code != "x-default":  # every page's x-default is the bilingual home
                assert heads[target].hreflangs == head.hreflangs, f"{page_url} and {target} disagree"
                assert heads[target].lang == code
    # a one-language story advertises no other language
    only_en = heads[url + "en/2026/01/15/ottawa-tables-a-cautious-budget/"]
    assert set(only_en.hreflangs) == {"en", "x-default"}


def test_every_page_has_an_absolute_self_canonical(served_site):
    site, url = served_site
    for page_url, head in pages(site, url).items():
        assert head.canonical == page_url, page_url


def sitemap_sets(site) -> dict[str, dict[str, str]]:
    tree = etree.parse(str(site.out / "sitemap.xml"))
    return {u.findtext(f"{SM}loc"): {l.get("hreflang"): l.get("href") for l in u.findall(f"{XHTML}link")}
            for u in tree.getroot().findall(f"{SM}url")}


def test_sitemap_lists_every_page_with_the_same_alternates_as_its_head(served_site):
    site, url = served_site
    heads = pages(site, url)
    entries = sitemap_sets(site)
    hidden = {page for page, text in page_texts(site, url).items() if '<meta name="robots" content="noindex">' in text}
    assert hidden  # the side-by-side and search pages
    assert set(entries) == set(heads) - {url + "404.html"} - hidden
    for loc, alternates in entries.items():
        assert alternates == heads[loc].hreflangs, loc
    assert (site.out / "robots.txt").read_text() == f"User-agent: *\nAllow: /\n\nSitemap: {url}sitemap.xml\n"


def test_sitemap_validates_against_the_sitemaps_org_schema(served_site, tmp_path):
    site, _ = served_site
    require(SITEMAP_XSD.exists(), "the sitemaps.org XSD (npm package 'sitemap')")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.parse(str(site.out / "sitemap.xml"))), schema.error_log
    bad = tmp_path / "bad.xml"
    bad.write_text((site.out / "sitemap.xml").read_text().replace("<lastmod>2026", "<lastmod>yesterday 2026", 1))
    assert not schema.validate(etree.parse(str(bad)))


def test_sitemap_is_split_behind_an_index_past_50000_urls(fixture_site, monkeypatch):
    from newsdigest import pages as pages_module
    monkeypatch.setattr(pages_module, "SITEMAP_LIMIT", 10)
    site = fixture_site("basic")
    site.build()
    index = etree.parse(str(site.out / "sitemap.xml")).getroot()
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.findtext(f"{SM}loc") for s in index]
    assert parts == [f"http://127.0.0.1:8000/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    urls = [u for n in range(1, len(parts) + 1)
            for u in etree.parse(str(site.out / f"sitemap-{n}.xml")).getroot()]
    assert len(parts) == 5 and len(urls) == 44 - 1 + 0  # every HTML page but the 404


def atom_problems(path: Path) -> list[str]:
    """RFC 4287's required parts, which feedparser does not check."""
    root = etree.parse(str(path)).getroot()
    problems = []
    if root.tag != f"{ATOM}feed":
        return ["root is not atom:feed"]
    for name in ("id", "title", "updated", "author"):
        if root.find(ATOM + name) is None:
            problems.append(f"feed: missing {name}")
    if not root.findall(f"{ATOM}link[@rel='self']"):
        problems.append("feed: missing link rel=self")
    for i, entry in enumerate(root.findall(f"{ATOM}entry")):
        for name in ("id", "title", "updated", "published", "summary", "content"):
            if entry.find(ATOM + name) is None:
                problems.append(f"entry {i}: missing {name}")
        if not entry.findall(f"{ATOM}link[@rel='alternate']"):
            problems.append(f"entry {i}: missing link rel=alternate")
    for el in root.iter(f"{ATOM}updated", f"{ATOM}published"):
        try:
            assert datetime.fromisoformat(el.text).tzinfo is not None
        except Exception:  # noqa: BLE001
            problems.append(f"bad date {el.text!r}")
    return problems


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_atom_feed_per_language_is_complete(served_site, lang):
    site, url = served_site
    path = site.out / lang / "feed.xml"
    parsed = feedparser.parse(str(path))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.language == lang
    assert parsed.feed.links[0].href == f"{url}{lang}/feed.xml"
    assert len(parsed.entries) == 4
    assert [e.link for e in parsed.entries][0].startswith(f"{url}{lang}/2026/02/11/")
    assert atom_problems(path) == []
    first = parsed.entries[0]
    assert first.content[0].type == "text/html" and "<p>" in first.content[0].value
    assert any(link.rel == "related" and link.get("hreflang") == ("fr" if lang == "en" else "en") for link in first.links)


def test_atom_check_catches_an_incomplete_feed(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
                    '<entry><title>y</title><updated>last tuesday</updated></entry></feed>')
    assert atom_problems(feed) == [
        "feed: missing id", "feed: missing updated", "feed: missing author", "feed: missing link rel=self",
        "entry 0: missing id", "entry 0: missing published", "entry 0: missing summary",
        "entry 0: missing content", "entry 0: missing link rel=alternate", "bad date 'last tuesday'"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_json_feed_has_the_1_1_required_fields(served_site, lang):
    site, url = served_site
    feed = json.loads((site.out / lang / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"] == f"{url}{lang}/feed.json"
    assert feed["home_page_url"] == f"{url}{lang}/" and feed["language"] == lang
    assert len(feed["items"]) == 4
    for item in feed["items"]:
        assert item["id"] and item["url"].startswith(url) and item["content_html"].startswith("<p>")
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None


def test_pages_announce_their_own_feed_first(served_site):
    site, url = served_site
    html = (site.out / "fr/index.html").read_text(encoding="utf-8")
    atom = [line for line in html.splitlines() if "application/atom+xml" in line]
    assert atom[0] == f'<link rel="alternate" type="application/atom+xml" title="Le Digest (Atom)" href="{url}fr/feed.xml">'
    assert len(atom) == 2


def test_articles_carry_news_article_json_ld_linked_to_their_translation(served_site):
    site, url = served_site
    heads = pages(site, url)
    en = heads[url + "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/"]
    fr = heads[url + "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/"]
    en_ld = next(d for d in en.ld if d["@type"] == "NewsArticle")
    fr_ld = next(d for d in fr.ld if d["@type"] == "NewsArticle")
    for data in (en_ld, fr_ld):
        for key in ("headline", "datePublished", "dateModified", "inLanguage", "author", "publisher",
                    "image", "mainEntityOfPage"):
            assert data[key], key
        assert data["image"] == [data["url"] + "signing.png"]
    assert (en_ld["inLanguage"], fr_ld["inLanguage"]) == ("en", "fr")
    assert en_ld["author"] == {"@type": "Person", "name": "Jane Doe"}
    # same date: the first configured language is the original
    assert en_ld["workTranslation"] == [{"@type": "NewsArticle", "@id": fr_ld["url"], "inLanguage": "fr",
                                         "headline": fr_ld["headline"]}]
    assert fr_ld["translationOfWork"]["@id"] == en_ld["url"]
    crumbs = next(d for d in en.ld if d["@type"] == "BreadcrumbList")
    assert [i["item"] for i in crumbs["itemListElement"]] == [url + "en/", url + "en/2026/01/27/", en_ld["url"]]


def test_home_pages_carry_website_json_ld(served_site):
    site, url = served_site
    heads = pages(site, url)
    for page_url, lang in ((url, ["en", "fr"]), (url + "en/", "en"), (url + "fr/", "fr")):
        [website] = [d for d in heads[page_url].ld if d["@type"] == "WebSite"]
        assert website["url"] == page_url and website["inLanguage"] == lang


def test_opengraph_and_twitter_tags_are_present_and_absolute(served_site):
    site, url = served_site
    heads = pages(site, url)
    article = heads[url + "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/"]
    meta = article.meta
    assert meta["og:type"] == ["article"] and meta["og:locale"] == ["en_US"]
    assert meta["og:locale:alternate"] == ["fr_FR"]
    assert meta["og:url"] == [article.canonical]
    assert meta["og:image"] == [article.canonical + "signing.png"]
    assert meta["article:published_time"] == ["2026-01-27T15:00:00-05:00"]
    assert meta["article:tag"] == ["Canada", "Japan", "Defence"]
    assert meta["twitter:card"] == ["summary_large_image"]
    assert meta["og:title"] == ["Canada and Japan sign a defence equipment transfer agreement"]
    for page_url, head in heads.items():
        if page_url.endswith("404.html"):
            continue
        for key in ("og:title", "og:description", "og:url", "og:locale", "twitter:card"):
            assert head.meta.get(key) and all(head.meta[key]), (page_url, key)
        assert head.meta["og:url"][0].startswith("http")


# The root, a front, a day, a topic and an article with a photo, in each language.
LIGHTHOUSE_PAGES = ["", "en/", "fr/", "en/2026/02/11/", "fr/2026/02/11/", "en/tags/defence/", "fr/tags/defense/",
                    "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/",
                    "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


# Lighthouse's performance score moves with the host's load (its simulated throttling scales the
# CPU time it observes), so, as its own variability guide advises, a page that misses 100 is run
# four more times and judged on the median of the five runs (CI twice failed a page on the median
# of three, on a loaded host); the other categories do not vary.
LIGHTHOUSE_RUNS = 5


def lighthouse(url: str, report: Path, preset: str) -> dict:
    preset_flags = ["--preset=desktop"] if preset == "desktop" else ["--form-factor=mobile"]
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                    "--only-categories=" + ",".join(CATEGORIES), *preset_flags,
                    "--chrome-flags=" + " ".join(CHROMIUM_ARGS)],
                   check=True, timeout=180, env={**os.environ, "CHROME_PATH": CHROMIUM})
    data = json.loads(report.read_text())
    assert not data.get("runtimeError"), data.get("runtimeError")
    return data


def below_100(data: dict) -> dict[str, tuple[float, list[str]]]:
    return {category: (data["categories"][category]["score"],
                       [a for a, v in data["audits"].items()
                        if v.get("score") not in (None, 1) and v.get("scoreDisplayMode") != "informative"])
            for category in CATEGORIES if data["categories"][category]["score"] != 1}


@pytest.mark.browser
@pytest.mark.parametrize("preset", ["mobile", "desktop"])
def test_lighthouse_scores_100_in_every_category(served_site, tmp_path, preset):
    require(LIGHTHOUSE.exists() and Path(CHROMIUM).exists(), "Lighthouse (npm) and Chromium")
    _, url = served_site
    scores = {}
    for path in LIGHTHOUSE_PAGES:
        runs = [lighthouse(url + path, tmp_path / "lh.json", preset)]
        if below_100(runs[0]):
            runs += [lighthouse(url + path, tmp_path / "lh.json", preset) for _ in range(LIGHTHOUSE_RUNS - 1)]
        for category in CATEGORIES:
            ranked = sorted(runs, key=lambda data: data["categories"][category]["score"])
            median = below_100(ranked[len(ranked) // 2]).get(category)
            if median:
                scores[(path, category)] = median
    assert scores == {}
