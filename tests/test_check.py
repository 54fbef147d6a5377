"""`check`: a good build passes; each kind of defect, planted in a copy of a built site, is reported
with its file, line and an exact message."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CHECK_BASE, make_fixture_site
from newsdigest.check import check_site, check_site_report

BASE = CHECK_BASE
EN = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"


@pytest.fixture
def built(built_for_check):
    return built_for_check


@pytest.fixture
def copy(site_copy):
    return site_copy


def plant(site_dir: Path, page: str, old: str, new: str) -> tuple[Path, int]:
    """Replaces `old` by `new` in one built page; returns the file and the line of the change."""
    file = site_dir / page / "index.html" if page.endswith("/") else site_dir / page
    text = file.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} is not in {page}"
    at = text.index(old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file, text.count("\n", 0, at) + 1


def sitemap_disagrees(site_dir: Path, page: str, detail: str) -> tuple[Path, int, str]:
    """The problem check reports when a page's head no longer matches its sitemap entry."""
    sitemap = site_dir / "sitemap.xml"
    line = next(n for n, text in enumerate(sitemap.read_text().splitlines(), start=1)
                if f"<loc>{BASE}{page}</loc>" in text)
    return (sitemap, line,
            f"the alternates of {BASE}{page} differ from the hreflang links of {page}index.html ({detail}).")


def locales_disagree(site_dir: Path, page: str, count: int, others: str) -> tuple[Path, int, str]:
    """The problem check reports when og:locale:alternate no longer matches the hreflang links."""
    file = site_dir / page / "index.html"
    line = next(n for n, text in enumerate(file.read_text().splitlines(), start=1) if "og:locale:alternate" in text)
    versions = len(others.split(", ")) if others != "none" else 0
    return (file, line, f"{count} og:locale:alternate for {versions} other-language "
                        f"version{'s' if versions != 1 else ''} in the hreflang links ({others}).")


def found(problems) -> list[tuple[str, int | None, str]]:
    return [(Path(p.path).name if Path(p.path).name != "index.html" else Path(p.path).parent.name,
             p.line, p.message) for p in problems]


def test_a_good_build_passes(built):
    report = check_site_report(built.out)
    assert report.problems == []
    assert report.base_url == BASE
    assert report.pages == len(list(built.out.rglob("*.html")))
    assert report.links > report.pages * 5
    assert report.hreflangs > 0


def test_both_mounts_pass(tmp_path):
    for n, base in enumerate(("https://digest.example.net/", "https://user.github.io/a/deep/path/")):
        site = make_fixture_site(tmp_path / str(n), "basic")
        site.build(base_url=base)
        assert check_site(site.out) == [], base


def test_broken_link(copy):
    file, line = plant(copy, "en/", '<a href="/repo/en/archive/">', '<a href="/repo/en/missing/">')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, "broken link '/repo/en/missing/': no file en/missing/index.html in the site")]


def test_broken_relative_asset_and_srcset(copy):
    file, line = plant(copy, "en/", "</main>",
                       '<img src="../assets/nope.png" srcset="../assets/favicon.svg 1x, nope-2x.png 2x" alt=""></main>')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, "broken link '../assets/nope.png': no file assets/nope.png in the site"),
        (file, line, "broken link 'nope-2x.png': no file en/nope-2x.png in the site")]


def test_link_outside_the_base_path(copy):
    file, line = plant(copy, "en/", '<a href="/repo/en/archive/">', '<a href="/en/archive/">')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, "link '/en/archive/' leads outside the site's base path /repo/ (to /en/archive/); "
                     "build it with href() so it carries the base path")]


def test_absolute_link_outside_the_base_path(copy):
    file, line = plant(copy, "en/", '<a href="/repo/en/archive/">', '<a href="http://127.0.0.1:8000/assets/x.css">')
    assert [p.message for p in check_site(copy)] == [
        "link 'http://127.0.0.1:8000/assets/x.css' leads outside the site's base path /repo/ "
        "(to /assets/x.css); build it with href() so it carries the base path"]


def test_missing_fragment_target(copy):
    file, line = plant(copy, "en/", 'href="#main"', 'href="#nowhere"')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, "link '#nowhere': en/index.html has no element with id=\"nowhere\"")]


def test_external_links_are_not_checked(copy):
    plant(copy, "en/", "</main>", '<a href="https://example.org/nope">x</a><a href="mailto:a@b.c">m</a></main>')
    assert check_site(copy) == []


def test_missing_hreflang_partner(copy):
    gone = BASE + "fr/2026/02/11/gone/"
    en, line = plant(copy, EN, f'hreflang="fr" href="{BASE}{FR}"', f'hreflang="fr" href="{gone}"')
    fr = copy / FR / "index.html"
    fr_line = fr.read_text().splitlines().index(f'<link rel="alternate" hreflang="en" href="{BASE}{EN}">') + 1
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (en, line, f'hreflang "fr" partner {gone} is not in the site.'),
        (fr, fr_line, f'hreflang "en" partner {EN}index.html does not link back to this page.'),
        sitemap_disagrees(copy, EN, f"only in the sitemap: fr {BASE}{FR}; only in the page: fr {gone}")]


def test_non_reciprocal_hreflang(copy):
    fr_link = f'<link rel="alternate" hreflang="en" href="{BASE}{EN}">\n'
    plant(copy, FR, fr_link, "")
    en = copy / EN / "index.html"
    line = en.read_text().splitlines().index(f'<link rel="alternate" hreflang="fr" href="{BASE}{FR}">') + 1
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (en, line, f'hreflang "fr" partner {FR}index.html does not link back to this page.'),
        locales_disagree(copy, FR, 1, "none"),
        sitemap_disagrees(copy, FR, f"only in the sitemap: en {BASE}{EN}")]


def test_hreflang_sets_differ(copy):
    extra = f'<link rel="alternate" hreflang="de" href="{BASE}{FR}">\n'
    fr, _ = plant(copy, FR, '<link rel="stylesheet"', extra + '<link rel="stylesheet"')
    en = copy / EN / "index.html"
    line = en.read_text().splitlines().index(f'<link rel="alternate" hreflang="fr" href="{BASE}{FR}">') + 1
    fr_line = fr.read_text().splitlines().index(f'<link rel="alternate" hreflang="en" href="{BASE}{EN}">') + 1
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (en, line, f'hreflang "fr" partner {FR}index.html lists other alternates '
                   f'(only there: de {BASE}{FR}).'),
        (fr, fr_line, f'hreflang "en" partner {EN}index.html lists other alternates '
                      f'(only here: de {BASE}{FR}).'),
        locales_disagree(copy, FR, 1, "de, en"),
        sitemap_disagrees(copy, FR, f"only in the page: de {BASE}{FR}")]


def test_relative_hreflang(copy):
    file, line = plant(copy, EN, f'hreflang="fr" href="{BASE}{FR}"', f'hreflang="fr" href="/repo/{FR}"')
    assert [(p.path, p.line, p.message) for p in check_site(copy)][:1] == [
        (file, line, f"hreflang \"fr\" URL '/repo/{FR}' must be absolute.")]


def test_missing_lang(copy):
    file, _ = plant(copy, EN, '<html lang="en">', "<html>")
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, None, 'missing <html lang>: every page must say its language, e.g. <html lang="en">.')]


def test_missing_title(copy):
    file, _ = plant(copy, "en/archive/", "<title>", "<title> </title><!-- ")
    assert [(p.path, p.message) for p in check_site(copy)] == [(file, "missing or empty <title>.")]


def test_missing_canonical(copy):
    file, _ = plant(copy, EN, f'<link rel="canonical" href="{BASE}{EN}">\n', "")
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, None, f'missing <link rel="canonical">; it should be {BASE}{EN}')]


def test_canonical_must_be_absolute_and_point_at_itself(copy):
    file, line = plant(copy, EN, f'<link rel="canonical" href="{BASE}{EN}">', f'<link rel="canonical" href="/repo/{EN}">')
    other, other_line = plant(copy, FR, f'<link rel="canonical" href="{BASE}{FR}">', f'<link rel="canonical" href="{BASE}fr/">')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, f"canonical URL '/repo/{EN}' must be absolute, i.e. {BASE}{EN}"),
        (other, other_line, f"canonical URL {BASE}fr/ does not point at this page, which is served at {BASE}{FR}")]


def test_the_base_url_is_the_one_the_site_was_built_for(fixture_site):
    site = fixture_site("basic")  # site.toml says http://127.0.0.1:8000/
    assert site.run("build", "-q", "--base-url", "https://news.example.org/digest/") == 0
    assert check_site_report(site.out).base_url == "https://news.example.org/digest/"
    problems = check_site(site.out, "https://other.example.org/")
    assert Path(problems[0].path).name == "404.html" and problems[0].message == (
        "canonical URL https://news.example.org/digest/404.html does not point at this page, "
        "which is served at https://other.example.org/404.html")


def test_command_line(built, copy, capsys, monkeypatch):
    monkeypatch.chdir(copy.parent)
    assert built.run("check", str(built.out)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Checked {len(list(built.out.rglob('*.html')))} pages, ")
    assert out.endswith(f"hreflang links under {BASE}: no problems.\n")

    plant(copy, "en/", '<a href="/repo/en/archive/">', '<a href="/en/archive/">')
    plant(copy, EN, '<html lang="en">', "<html>")
    assert built.run("check", "site") == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0] == f"error: 2 problems found in {len(list(copy.rglob('*.html')))} pages (base URL {BASE}):"
    assert lines[1] == f"  site/{EN}index.html: missing <html lang>: every page must say its language, " \
                       'e.g. <html lang="en">.'
    assert lines[2].startswith("  site/en/index.html:") and lines[2].endswith(
        ": link '/en/archive/' leads outside the site's base path /repo/ (to /en/archive/); "
        "build it with href() so it carries the base path")


def test_command_line_without_a_built_site(fixture_site, capsys):
    site = fixture_site("basic")
    assert site.run("check") == 1
    assert "no built site here; run 'python build.py' first" in capsys.readouterr().err


def test_social_image_and_feed_links_are_checked(copy):
    file, line = plant(copy, EN, "</head>",
                       f'<meta property="og:image" content="{BASE}assets/missing.png">\n'
                       f'<link rel="alternate" type="application/atom+xml" hreflang="en" href="{BASE}en/nofeed.xml">\n</head>')
    assert [(p.path, p.line, p.message) for p in check_site(copy)] == [
        (file, line, f"broken link '{BASE}assets/missing.png': no file assets/missing.png in the site"),
        (file, line + 1, f"broken link '{BASE}en/nofeed.xml': no file en/nofeed.xml in the site")]
