"""End to end: the basic fixture (tests/fixtures/sites/basic) built into a temp dir, checked as a reader
would see it: files, links both ways, localized dates, pagination, escaping, a third language."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT, FixtureSite, make_fixture_site, site_toml

EN_NK = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR_NK = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"
EN_DEAL = "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/"
FR_DEAL = "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/"
EN_ONLY = "en/2026/01/15/ottawa-tables-a-cautious-budget/"
FR_ONLY = "fr/2025/12/08/la-saison-de-ski-s-ouvre-tot-dans-les-alpes/"


@pytest.fixture
def built(fixture_site):
    site = fixture_site("basic", base_url="https://news.example.org/repo/")
    site.build()
    return site


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_every_planned_page_is_written(built):
    files = sorted(p.relative_to(built.out).as_posix() for p in built.out.rglob("*") if p.is_file())
    articles = [EN_NK, FR_NK, EN_DEAL, FR_DEAL, EN_ONLY, FR_ONLY,
                "en/2026/02/10/seoul-and-tokyo-plan-a-summit/", "fr/2026/02/10/seoul-et-tokyo-preparent-un-sommet/"]
    for path in articles:
        assert path + "index.html" in files
    assert EN_DEAL + "signing.png" in files and FR_DEAL + "signing.png" in files
    for lang in ("en", "fr"):
        for path in ("", "page/2/", "archive/", "tags/", "2026/02/", "2026/01/", "2026/02/11/"):
            assert f"{lang}/{path}index.html" in files
    assert {"index.html", "404.html", ".nojekyll", "assets/style.css", "assets/favicon.svg"} <= set(files)
    assert not any("unfinished" in f for f in files), "a draft was published"
    assert {"en/search/index.html", "fr/search/index.html", "pagefind/pagefind.js",
            "side-by-side/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/index.html"} <= set(files)
    assert len([f for f in files if f.startswith("side-by-side/")]) == 3  # one version: nothing to compare
    assert len([f for f in files if f.endswith(".html")]) == 49


def test_article_links_to_its_other_language_version_both_ways(built):
    en, fr = built.page(EN_NK), built.page(FR_NK)
    assert (f'<a class="other-link" href="/repo/{FR_NK}" lang="fr" hreflang="fr">'
            "Lire en français\u202f: Corée du Nord\u202f: le Japon appelé à ne pas nouer d’alliances militaires</a>") in en
    assert (f'<a class="other-link" href="/repo/{EN_NK}" lang="en" hreflang="en">'
            "Read in English: North Korea warns Japan against forging military alliances</a>") in fr
    for html, lang in ((en, "en"), (fr, "fr")):
        assert f'<html lang="{lang}">' in html
        assert f'<link rel="alternate" hreflang="en" href="https://news.example.org/repo/{EN_NK}">' in html
        assert f'<link rel="alternate" hreflang="fr" href="https://news.example.org/repo/{FR_NK}">' in html
        assert '<link rel="alternate" hreflang="x-default" href="https://news.example.org/repo/">' in html


def test_a_story_in_one_language_says_so_in_the_readers_language(built):
    assert "This story is not available in French." in built.page(EN_ONLY)
    assert "Cet article n’est pas disponible en anglais." in built.page(FR_ONLY)
    assert 'hreflang="fr"' not in built.page(EN_ONLY).split("</head>")[0]


def test_dates_are_localized_and_machine_readable(built):
    assert '<time datetime="2026-02-11T10:32:00+09:00">February 11, 2026, 10:32\u202fAM UTC+9</time>' in built.page(EN_NK)
    assert '<time datetime="2026-02-11T00:00:00+01:00">11 février 2026</time>' in built.page(FR_NK)
    assert "<h1>Stories of Wednesday, February 11, 2026</h1>" in built.page("en/2026/02/11/")
    assert "<h1>Articles du mercredi 11 février 2026</h1>" in built.page("fr/2026/02/11/")
    assert "<h1>Février 2026</h1>" in built.page("fr/2026/02/")
    assert ">Décembre 2025</a>" in built.page("fr/archive/")


def test_article_page_shows_metadata_reading_time_photo_and_tags(built):
    html = built.page(EN_DEAL)
    assert "By Jane Doe" in html and '<a href="https://example.org/news/etta">Department of National Defence</a>' in html
    assert "1 min read" in html
    assert f'<img src="/repo/{EN_DEAL}signing.png"' in html
    assert "<figcaption>The two ministers after the signing in Ottawa.</figcaption>" in html
    assert '<li><a href="/repo/en/tags/defence/">Defence</a></li>' in html
    assert "1\u00a0min de lecture" in built.page(FR_DEAL) or "1 min de lecture" in built.page(FR_DEAL)
    # A caption whose picture the story does not have: shown as text, never labelled "Photo".
    assert "Photo" not in built.page(EN_NK).split("<main")[1]
    assert '<p class="caption">A copy of the Rodong Sinmun' in built.page(EN_NK)


def test_front_pages_paginate_and_list_other_language_links(built):
    first, second = built.page("en/"), built.page("en/page/2/")
    # the first page leads with the newest story, then the rest by day
    assert first.count('<article class="lead') == 1 and first.count('<article class="item') == 1
    assert second.count('<article class="item') == 2 and '<article class="lead' not in second
    assert "Page 1 of 2" in first and 'rel="next" href="/repo/en/page/2/"' in first
    assert "Page 2 of 2" in second and 'rel="prev" href="/repo/en/"' in second
    assert "Page 1 sur 2" in built.page("fr/")
    # newest first: the 11 February story leads
    assert first.index("North Korea warns Japan") < first.index("Seoul and Tokyo plan a summit")
    assert f'href="/repo/{FR_NK}" lang="fr" hreflang="fr">' in first


def test_bilingual_home_shows_both_titles_side_by_side_and_lets_the_reader_choose(built):
    home = built.page("")
    assert '<meta http-equiv="refresh"' not in home and "location" not in home
    assert '<a href="/repo/en/" hreflang="en">' in home and '<a href="/repo/fr/" hreflang="fr">' in home
    assert "Lire en français" in home and "Read in English" in home
    pair = home[home.index("North Korea warns Japan"):]
    assert pair.index("Corée du Nord") < pair.index("</article>")
    assert "Pas disponible en français" in built.page("page/2/")  # the English-only story
    # its pager speaks both languages
    assert ('<a class="pager__older" rel="next" href="/repo/page/2/"><span lang="en">Older stories</span> · '
            '<span lang="fr">Articles plus anciens</span></a>') in home


def test_french_typography_in_french_output_only(built):
    fr = built.page(FR_NK)
    assert "l’étranger\u202f!" in fr
    assert "a souligné\u202f: «\u202fLe renforcement de la coopération est essentiel\u202f»" in fr
    assert "Pourquoi maintenant\u202f?" in fr
    english_body = built.page(EN_NK).split('<div class="story__body">')[1].split("</div>")[0]
    assert "Japan should not forge" in english_body and "\u202f" not in english_body


def test_titles_and_summaries_are_escaped(fixture_site):
    site = fixture_site(None)
    site.write("content/x/en.md", '---\ntitle: "<script>alert(1)</script> & co"\ndate: 2026-02-11\n'
                                  'summary: "<b>bold</b>"\n---\nBody.\n')
    site.build()
    html = site.page("en/2026/02/11/script-alert-1-script-co/")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in site.page("en/")


def test_drafts_are_built_only_on_request(fixture_site):
    site = fixture_site("basic")
    assert site.run("build", "--drafts", "--quiet") == 0
    assert (site.out / "en/2026/02/12/an-unfinished-draft/index.html").exists()


def test_build_prints_one_summary_line(fixture_site, capsys):
    site = fixture_site("basic")
    assert site.run("build") == 0
    out = capsys.readouterr().out
    assert re.fullmatch(rf"Built 55 pages \(55 written, 0 unchanged\) and 6 files from 5 stories into "
                        rf"{site.out} in \d+\.\d\d s; 1 draft left out \(--drafts includes it\)\.\n", out)
    assert site.run("build") == 0
    assert "Built 55 pages (0 written, 55 unchanged)" in capsys.readouterr().out


def test_the_summary_speaks_in_the_singular_for_one(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "project", None)
    site.write("content/2026/02/one/en.md", "---\ntitle: The only story\ndate: 2026-02-11\n---\nText.\n")
    assert site.run("build") == 0
    summary = capsys.readouterr().out
    assert " from 1 story into " in summary and "1 stories" not in summary and "draft" not in summary


def test_two_builds_give_identical_output(fixture_site):
    """A build that renders every page from a warm cache (parsed articles, pairing tables) writes
    the very bytes of a clean build without any cache, and two clean builds agree."""
    from newsdigest.builder import build
    site = fixture_site("basic")
    first = site.build()  # warms the cache
    assert first.full and first.written == first.pages

    def files(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    lines = []
    cached = build(site.config(output=site.root / "cached"), log=lines.append)  # no record of that folder
    assert cached.full and cached.written == cached.pages  # it really rendered everything
    hits = re.search(r"\((\d+) from the cache\)", "\n".join(lines))
    assert hits and int(hits.group(1)) > 0  # from cached articles
    clean_a = build(site.config(output=site.root / "clean-a"), clean=True, use_cache=False)
    clean_b = build(site.config(output=site.root / "clean-b"), clean=True, use_cache=False)
    assert clean_a.written == clean_b.written == first.pages
    assert files(site.out) == files(site.root / "cached") == files(site.root / "clean-a") == files(site.root / "clean-b")
    assert len(files(site.out)) > first.pages


GERMAN_PO = r'''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "Read in English: %(title)s"
msgstr "Auf Deutsch lesen: %(title)s"

msgid "This story is not available in %(language)s."
msgstr "Dieser Artikel ist nicht auf %(language)s verfügbar."

msgid "%(num)d min read"
msgid_plural "%(num)d min read"
msgstr[0] "%(num)d Minute Lesezeit"
msgstr[1] "%(num)d Minuten Lesezeit"
'''


def test_a_third_language_needs_only_a_catalog_and_a_config_line(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    (locales / "de/LC_MESSAGES").mkdir(parents=True)
    (locales / "de/LC_MESSAGES/messages.po").write_text(GERMAN_PO, encoding="utf-8")
    languages = ('[languages.en]\ntitle = "The Digest"\n[languages.fr]\ntitle = "Le Digest"\n'
                 '[languages.de]\ntitle = "Der Digest"\n')
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml(languages=languages, locales=locales))
    site.write("content/nk/en.md", "---\ntitle: North Korea warns Japan\ndate: 2026-02-11\n---\nBody.\n")
    site.write("content/nk/de.md", "---\ntitle: Nordkorea warnt Japan\ndate: 2026-02-11\n---\nText.\n")
    site.build()
    de = site.page("de/2026/02/11/nordkorea-warnt-japan/")
    assert '<html lang="de">' in de
    assert '<time datetime="2026-02-11T00:00:00+01:00">11. Februar 2026</time>' in de
    assert "1 Minute Lesezeit" in de
    assert "Dieser Artikel ist nicht auf Französisch verfügbar." in de
    en = site.page("en/2026/02/11/north-korea-warns-japan/")
    assert 'lang="de" hreflang="de">Auf Deutsch lesen: Nordkorea warnt Japan</a>' in en
    assert '<link rel="alternate" hreflang="de"' in en
    assert site.page("de/").count('<article class="lead') == 1


def test_a_language_without_a_catalog_is_a_clear_error(tmp_path):
    languages = '[languages.en]\ntitle = "The Digest"\n[languages.it]\ntitle = "Il Digest"\n'
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml(languages=languages))
    site.write("content/nk/en.md", "---\ntitle: x\ndate: 2026-02-11\n---\nBody.\n")
    from newsdigest.errors import NewsdigestError
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    [problem] = caught.value.problems
    assert problem.path == ROOT / "locales/it/LC_MESSAGES/messages.po"
    assert problem.message.startswith("no message catalog for language 'it'. Create it with 'pybabel init")


def test_a_custom_domain_gets_a_cname_file_and_loses_it_when_removed(fixture_site):
    site = fixture_site("basic", base_url="https://news.example.org/", extra='cname = "news.example.org"')
    site.build()
    assert (site.out / "CNAME").read_text() == "news.example.org\n"
    assert site.page("").count('href="/en/"') >= 1  # links at the domain root
    site.config_path.write_text(site.config_path.read_text().replace('cname = "news.example.org"', ""))
    site.build()
    assert not (site.out / "CNAME").exists()
