"""`status [--json]`: the translation status report (missing languages, outdated versions, what the
importer inferred), on the command line and as the dev server's `_status/` page."""
from __future__ import annotations

import html
import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import LANGUAGES, make_fixture_site
from newsdigest.status import read_status
from newsdigest.serve import SiteBuilder, watched_paths
from test_serve import TIMEOUT, FakeSite, get, live

# watchdog's inotify backend warns about its own bookkeeping when folders are created quickly
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

THREE = LANGUAGES + '\n[languages.de]\ntitle = "Der Digest"\ndescription = "Nachrichten."\n'


def story(title: str, date: str, *extra: str, body: str = "Body.") -> str:
    return "\n".join(["---", f"title: {title}", f"date: {date}", *extra, "---", body, ""])


@pytest.fixture
def site(tmp_path):
    return make_fixture_site(tmp_path / "p", None)


def status_json(site, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert site.run("status", "--json", *args) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def status_text(site, capsys, *args: str) -> list[str]:
    capsys.readouterr()
    assert site.run("status", *args) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out.splitlines()


# -- the JSON report ---------------------------------------------------------------------------
def test_json_names_the_single_language_story_and_the_outdated_version(site, capsys):
    site.write("content/2026/02/ski-season/en.md", story("Ski season opens early", "2026-02-03"))
    site.write("content/2026/01/story/en.md", story("T", "2026-01-05", "updated: 2026-01-07"))
    site.write("content/2026/01/story/fr.md", story("Le T", "2026-01-05"))
    assert status_json(site, capsys) == {
        "missing": [{"story": "2026/02/ski-season", "has": ["en"], "missing": ["fr"]}],
        "outdated": [{"story": "2026/01/story", "lang": "fr", "behind": "en"}],
        "review": [],
    }


def test_an_empty_content_folder_reports_nothing(site, capsys):
    assert status_json(site, capsys) == {"missing": [], "outdated": [], "review": []}
    assert status_text(site, capsys) == [
        "Translation status of 0 stories (en, fr): 0 stories missing a language, 0 outdated versions, "
        "0 versions to review."]


def test_outdated_compares_updated_or_else_date(site, capsys):
    # the partner's date is later than this version's own date
    site.write("content/a/en.md", story("A", "2026-01-02"))
    site.write("content/a/fr.md", story("A fr", "2026-01-01"))
    # this version's updated catches up with the partner's date: not outdated
    site.write("content/b/en.md", story("B", "2026-01-05"))
    site.write("content/b/fr.md", story("B fr", "2026-01-01", "updated: 2026-01-05"))
    # the partner's updated passes this version's date
    site.write("content/c/en.md", story("C", "2026-01-01", "updated: 2026-01-03T09:00:00+01:00"))
    site.write("content/c/fr.md", story("C fr", "2026-01-01T10:00:00+01:00"))
    # the same moment in two time zones: neither is later
    site.write("content/d/en.md", story("D", "2026-01-01T10:00:00+01:00"))
    site.write("content/d/fr.md", story("D fr", "2026-01-01T18:00:00+09:00"))
    # a bare date stands for its whole day: a time on that same day is not later
    site.write("content/e/en.md", story("E", "2026-02-11T10:32:00+09:00"))
    site.write("content/e/fr.md", story("E fr", "2026-02-11"))
    # ...but a time on the next day (in the site's time zone, Europe/Paris) is
    site.write("content/f/en.md", story("F", "2026-02-11", "updated: 2026-02-12T00:30:00+01:00"))
    site.write("content/f/fr.md", story("F fr", "2026-02-11"))
    # two precise times on the same day
    site.write("content/g/en.md", story("G", "2026-02-11T08:00:00+01:00"))
    site.write("content/g/fr.md", story("G fr", "2026-02-11T09:00:00+01:00"))
    # a bare `updated` is a day too: later than a time of the day before, not of the same day
    site.write("content/h/en.md", story("H", "2026-02-01", "updated: 2026-02-12"))
    site.write("content/h/fr.md", story("H fr", "2026-02-11T23:00:00+01:00"))
    site.write("content/i/en.md", story("I", "2026-02-01", "updated: 2026-02-12"))
    site.write("content/i/fr.md", story("I fr", "2026-02-12T23:00:00+01:00"))
    assert status_json(site, capsys)["outdated"] == [
        {"story": "a", "lang": "fr", "behind": "en"},
        {"story": "c", "lang": "fr", "behind": "en"},
        {"story": "f", "lang": "fr", "behind": "en"},
        {"story": "g", "lang": "en", "behind": "fr"},
        {"story": "h", "lang": "fr", "behind": "en"},
    ]
    lines = status_text(site, capsys)
    assert "outdated fr: a (en is newer: 2026-01-02, fr 2026-01-01)" in lines
    assert "outdated fr: c (en is newer: 2026-01-03 09:00+01:00, fr 2026-01-01 10:00+01:00)" in lines
    assert "outdated fr: f (en is newer: 2026-02-12 00:30+01:00, fr 2026-02-11)" in lines
    assert "outdated fr: h (en is newer: 2026-02-12, fr 2026-02-11 23:00+01:00)" in lines  # a bare updated
    assert "outdated en: g (fr is newer: 2026-02-11 09:00+01:00, en 2026-02-11 08:00+01:00)" in lines


def test_every_list_is_ordered_by_story_then_configured_language(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "p", None, languages=THREE)
    # written in no particular order; de is configured last
    site.write("content/2026/03/b/de.md", story("B de", "2026-03-04", "title_inferred: true"))
    site.write("content/2026/03/b/en.md", story("B", "2026-03-01", "title_inferred: true"))
    site.write("content/2026/03/b/fr.md", story("B fr", "2026-03-02", "date_inferred: true"))
    site.write("content/2026/01/z/fr.md", story("Z", "2026-01-01"))
    site.write("content/2026/01/a/de.md", story("A", "2026-01-01"))
    site.write("content/2026/01/a/en.md", story("A en", "2026-01-01"))
    report = status_json(site, capsys)
    assert report["missing"] == [
        {"story": "2026/01/a", "has": ["en", "de"], "missing": ["fr"]},
        {"story": "2026/01/z", "has": ["fr"], "missing": ["en", "de"]},
    ]
    # en and fr are both behind de, the newest; not behind each other's older partner
    assert report["outdated"] == [
        {"story": "2026/03/b", "lang": "en", "behind": "de"},
        {"story": "2026/03/b", "lang": "fr", "behind": "de"},
    ]
    assert [(r["story"], r["lang"]) for r in report["review"]] == [
        ("2026/03/b", "en"), ("2026/03/b", "fr"), ("2026/03/b", "de")]
    assert status_text(site, capsys)[:2] == ["missing fr: 2026/01/a (has en, de)",
                                             "missing en, de: 2026/01/z (has fr)"]


def test_a_tie_between_newer_partners_names_the_first_configured(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "p", None, languages=THREE)
    site.write("content/s/en.md", story("S", "2026-01-01"))
    site.write("content/s/fr.md", story("S fr", "2026-01-03"))
    site.write("content/s/de.md", story("S de", "2026-01-03"))
    assert status_json(site, capsys)["outdated"] == [{"story": "s", "lang": "en", "behind": "fr"}]


# -- review: what the importer inferred -------------------------------------------------------------
def test_review_lists_the_inferred_title_and_date(site, capsys):
    site.write("content/2026/01/both/en.md", story("Both", "2026-01-01", "title_inferred: true", "date_inferred: true"))
    site.write("content/2026/01/both/fr.md", story("Les deux", "2026-01-01", "date_inferred: true"))
    site.write("content/2026/01/title/fr.md", story("Titre", "2026-01-01", "title_inferred: true"))
    site.write("content/2026/01/checked/en.md", story("Checked", "2026-01-01", "title_inferred: false"))
    site.write("content/2026/01/checked/fr.md", story("Vérifié", "2026-01-01"))
    # the importer's own block mentions neither flag; quoted "true" is text, not a flag
    site.write("content/2026/01/block/en.md", story("Block", "2026-01-01", "import:", "  original: x.txt",
                                                    "date_inferred: 'true'"))
    site.write("content/2026/01/block/fr.md", story("Bloc", "2026-01-01"))
    assert status_json(site, capsys)["review"] == [
        {"story": "2026/01/both", "lang": "en", "inferred": ["title", "date"]},
        {"story": "2026/01/both", "lang": "fr", "inferred": ["date"]},
        {"story": "2026/01/title", "lang": "fr", "inferred": ["title"]},
    ]
    lines = status_text(site, capsys)
    assert lines[1:] == [
        "review en: 2026/01/both (title and date inferred by the importer)",
        "review fr: 2026/01/both (date inferred by the importer)",
        "review fr: 2026/01/title (title inferred by the importer)",
        "Translation status of 4 stories (en, fr): 1 story missing a language, 0 outdated versions, "
        "3 versions to review.",
    ]


def test_review_reads_the_files_as_the_build_does(site, capsys):
    """Windows line ends and a byte order mark, as the build accepts them."""
    site.write("content/s/en.md", b"\xef\xbb\xbf---\r\ntitle: S\r\ndate: 2026-01-01\r\ntitle_inferred: true\r\n"
                                  b"---\r\nBody.\r\n")
    site.write("content/s/fr.md", story("S fr", "2026-01-01"))
    assert status_json(site, capsys)["review"] == [{"story": "s", "lang": "en", "inferred": ["title"]}]


# -- the text report ------------------------------------------------------------------------------
def test_text_report_has_a_line_per_item_and_a_summary(site, capsys):
    site.write("content/2026/02/ski-season/en.md", story("Ski season", "2026-02-03"))
    site.write("content/2026/01/story/en.md", story("T", "2026-01-05", "updated: 2026-01-07"))
    site.write("content/2026/01/story/fr.md", story("Le T", "2026-01-05", "title_inferred: true"))
    site.write("content/2026/01/fine/en.md", story("Fine", "2026-01-05"))
    site.write("content/2026/01/fine/fr.md", story("Bien", "2026-01-05"))
    assert status_text(site, capsys) == [
        "missing fr: 2026/02/ski-season (has en)",
        "outdated fr: 2026/01/story (en is newer: 2026-01-07, fr 2026-01-05)",
        "review fr: 2026/01/story (title inferred by the importer)",
        "Translation status of 3 stories (en, fr): 1 story missing a language, 1 outdated version, "
        "1 version to review.",
    ]


def test_a_complete_site_says_so_in_one_line(site, capsys):
    site.write("content/s/en.md", story("S", "2026-01-01"))
    site.write("content/s/fr.md", story("S fr", "2026-01-01"))
    assert status_text(site, capsys) == [
        "Translation status of 1 story (en, fr): 0 stories missing a language, 0 outdated versions, "
        "0 versions to review."]


def test_content_and_config_options_are_honoured(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "p", None)
    other = tmp_path / "elsewhere"
    (other / "s").mkdir(parents=True)
    (other / "s" / "fr.md").write_text(story("S", "2026-01-01"), encoding="utf-8")
    capsys.readouterr()
    assert site.run("status", "--json", "--content", str(other)) == 0
    assert json.loads(capsys.readouterr().out)["missing"] == [{"story": "s", "has": ["fr"], "missing": ["en"]}]


def test_help_explains_the_report_and_the_drafts(capsys):
    from newsdigest.cli import main
    with pytest.raises(SystemExit):
        main(["status", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--json" in out and "--config FILE" in out and "--content DIR" in out
    assert "Drafts ('draft: true') are left out, as in the build, and the report says how many" in out
    assert "--drafts includes them" in out and "_status/" in out
    main(["--help"])
    assert "  status " in capsys.readouterr().out


# -- bad content ----------------------------------------------------------------------------------
def test_bad_content_is_every_problem_with_file_and_line_as_the_build_says_it(site, capsys):
    site.write("content/good/en.md", story("Good", "2026-01-01"))
    site.write("content/story/en.md", "---\ntitle: Broken\n---\nBody.\n")
    site.write("content/other/fr.md", "---\ntitle: [unclosed\ndate: 2026-01-01\n---\nTexte.\n")
    site.write("content/third/de.md", story("x", "2026-01-01"))
    capsys.readouterr()
    assert site.run("status") == 1
    status = capsys.readouterr()
    assert status.out == "" and "Traceback" not in status.err
    lines = status.err.replace(str(site.root) + "/", "").splitlines()
    assert lines[0] == "error: 3 problems found:"
    assert lines[1].startswith("  content/other/fr.md:2: invalid YAML front matter")
    assert lines[2].startswith("  content/story/en.md:2: missing 'date'")
    assert lines[3].startswith("  content/third/de.md: unknown language 'de'")
    assert len(lines) == 4
    # the build's own words, problem for problem
    assert site.run("build") == 1
    assert [line for line in capsys.readouterr().err.splitlines() if line.startswith("  ")] == \
        status.err.splitlines()[1:]
    # --json too: nothing on stdout but the error on stderr
    assert site.run("status", "--json") == 1
    status = capsys.readouterr()
    assert status.out == "" and f"{site.root}/content/story/en.md:2: missing 'date'" in status.err


def test_a_missing_content_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "p", None)
    (site.root / "content").rmdir()
    assert site.run("status") == 1
    err = capsys.readouterr().err
    assert "content folder not found" in err and "Traceback" not in err


def test_a_broken_config_is_an_error(site, capsys):
    site.write("site.toml", "bogus = 1\n" + site.config_path.read_text(encoding="utf-8"))
    assert site.run("status") == 1
    assert f"{site.config_path}: unknown key 'bogus'" in capsys.readouterr().err


# -- drafts ---------------------------------------------------------------------------------------
def draft_site(site):
    site.write("content/s/en.md", story("S", "2026-01-01", "updated: 2026-01-04"))
    site.write("content/s/fr.md", story("S fr", "2026-01-02", "draft: true", "title_inferred: true"))
    site.write("content/t/fr.md", story("T", "2026-01-01", "draft: true"))  # a story of drafts only
    site.write("content/u/en.md", story("U", "2026-01-01"))
    site.write("content/u/fr.md", story("U fr", "2026-01-01"))
    return site


def test_drafts_are_left_out_as_in_the_build_and_the_report_says_so(site, capsys):
    draft_site(site)
    assert status_json(site, capsys) == {
        "missing": [{"story": "s", "has": ["en"], "missing": ["fr"]}], "outdated": [], "review": []}
    assert status_text(site, capsys) == [
        "missing fr: s (has en; the fr draft is left out)",
        "Translation status of 2 stories (en, fr): 1 story missing a language, 0 outdated versions, "
        "0 versions to review; 2 drafts left out (--drafts includes them).",
    ]


def test_drafts_are_included_and_marked_with_the_drafts_option(site, capsys):
    draft_site(site)
    assert status_json(site, capsys, "--drafts") == {
        "missing": [{"story": "t", "has": ["fr"], "missing": ["en"]}],
        "outdated": [{"story": "s", "lang": "fr", "behind": "en"}],
        "review": [{"story": "s", "lang": "fr", "inferred": ["title"]}],
    }
    assert status_text(site, capsys, "--drafts") == [
        "missing en: t (has fr; fr is a draft)",
        "outdated fr: s (en is newer: 2026-01-04, fr 2026-01-02; fr is a draft)",
        "review fr: s (title inferred by the importer; fr is a draft)",
        "Translation status of 3 stories (en, fr): 1 story missing a language, 1 outdated version, "
        "1 version to review; 2 drafts included.",
    ]


# -- the dev server's page ------------------------------------------------------------------------
def page_site(tmp_path):
    site = make_fixture_site(tmp_path / "p", "basic", base_url="https://user.github.io/repo/")
    site.write("content/2026/03/imported/en.md",
               story("Tom & Jerry <b>sign</b>", "2026-03-01", "title_inferred: true", "date_inferred: true"))
    return site


@contextmanager
def live_status(site, tmp_path: Path, **options):
    """test_serve's live_site with the pages `serve` adds (the status page), as serve.run wires them."""
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site", **options)
    with live(builder, builder.out_dir, site.config().base_path, pages=builder.pages()) as server:
        builder.watch = server.watch
        server.watch(watched_paths(site.config()))
        yield server


def links(page: str) -> dict[str, str]:
    """href -> link text, for the links inside <main>."""
    main = re.search(r"<main>(.*)</main>", page, re.S).group(1)
    return {html.unescape(href): html.unescape(re.sub(r"<[^>]+>", "", text))
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)}


def test_the_status_page_is_served_with_links_to_the_preview(tmp_path):
    site = page_site(tmp_path)
    with live_status(site, tmp_path) as server:
        status, headers, page = get(server, "/repo/_status/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-store"
        assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\"")
        assert "<title>Translation status" in page and "<main>" in page and "<h1>Translation status</h1>" in page
        for heading in ("Missing a language (3)", "Outdated versions (0)", "To review (1)", "Drafts left out (1)"):
            assert f">{heading}</h2>" in page
        assert "Translation status of 6 stories (en, fr): 3 stories missing a language, 0 outdated versions, " \
               "1 version to review; 1 draft left out (--drafts includes it)." in page
        assert "__livereload.js" in page  # reloads after every build like any page
        found = links(page)
        assert found["/repo/fr/2025/12/08/la-saison-de-ski-s-ouvre-tot-dans-les-alpes/"] == \
            "fr La saison de ski s’ouvre tôt dans les Alpes"
        assert found["/repo/en/2026/03/01/tom-jerry-b-sign-b/"] == "en Tom & Jerry <b>sign</b>"
        assert len(found) == 3  # the versions that exist: saison-de-ski, ottawa-budget, imported (linked twice)
        for href in found:
            assert get(server, href)[0] == 200, href
        # the title is text, escaped: never markup
        assert "Tom &amp; Jerry &lt;b&gt;sign&lt;/b&gt;" in page and "<b>sign</b>" not in page
        assert "<td>title and date</td>" in page
        assert get(server, "/repo/_status/", method="HEAD")[2] == ""
        status, headers, _ = get(server, "/repo/_status?x=1")
        assert (status, headers["Location"]) == (302, "/repo/_status/?x=1")
        assert get(server, "/_status/")[0] == 404  # under the base path only
    assert not list((tmp_path / "preview").rglob("_status*"))  # never written to the output


def test_the_status_page_follows_the_content_and_shows_its_problems(tmp_path):
    site = page_site(tmp_path)
    fr = "content/2026/01/ottawa-budget/fr.md"
    with live_status(site, tmp_path) as server:
        site.write(fr, story("Ottawa dépose un budget prudent", "2026-01-14"))
        state = server.wait_for_build(1, TIMEOUT)
        assert state.problems == ()
        page = get(server, "/repo/_status/")[2]
        assert ">Missing a language (2)</h2>" in page and ">Outdated versions (1)</h2>" in page
        assert "/repo/fr/2026/01/14/ottawa-depose-un-budget-prudent/" in links(page)
        assert '<time datetime="2026-01-15">2026-01-15</time>' in page

        site.write(fr, "---\ntitle: [Ottawa\ndate: 2026-01-14\n---\nTexte.\n")
        state = server.wait_for_build(2, TIMEOUT)
        assert len(state.problems) == 1
        status, _, page = get(server, "/repo/_status/")
        assert status == 200 and "there is no report" in page
        items = re.findall(r'<ul class="problems">(.*?)</ul>', page, re.S)[0]
        assert [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", items)] == list(state.problems)
        assert f"{site.root / fr}:2: invalid YAML" in state.problems[0]


def test_the_status_page_includes_drafts_when_serve_does(tmp_path):
    site = page_site(tmp_path)
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site", include_drafts=True)
    page = builder.status_page().decode("utf-8")
    assert "Drafts are included and marked." in page and "Drafts left out" not in page
    assert "1 draft included" in page and '<span class="draft">draft</span>' in page


def test_a_page_that_fails_is_a_500_and_the_preview_goes_on(tmp_path):
    fake = FakeSite(tmp_path / "out")
    logged = []

    def broken() -> bytes:
        raise RuntimeError("the <tool> broke")
    with live(fake, fake.root, pages={"tool/": broken, "ok/": lambda: b"<p>made</p>"}, log=logged.append) as server:
        status, _, page = get(server, "/tool/")
        assert status == 500 and "RuntimeError: the &lt;tool&gt; broke" in page
        assert any("Traceback" in line for line in logged)
        status, _, page = get(server, "/ok/")
        assert status == 200 and page.startswith("<p>made</p>") and "__livereload.js" in page
        assert get(server, "/")[0] == 200
    assert not (fake.root / "tool").exists() and not (fake.root / "ok").exists()


def test_a_build_never_writes_the_status_page(tmp_path):
    site = page_site(tmp_path)
    assert site.run("build", "--quiet") == 0
    assert not (site.out / "_status").exists()
    assert not [p for p in site.out.rglob("*") if "_status" in p.name]


def test_read_status_shares_the_builds_reading(tmp_path):
    """The report reads stories through the build cache: a report after a build parses nothing anew."""
    from newsdigest.cache import Cache
    site = page_site(tmp_path)
    site.build()
    cache = Cache(site.config())
    report = read_status(site.config(), cache=cache)
    assert cache.hits == 10 and len(report.site.stories) == 6  # every file, the draft too


@pytest.mark.validator
def test_the_status_page_is_valid_html(tmp_path):
    from conftest import vnu_messages
    site = page_site(tmp_path)
    with live_status(site, tmp_path) as server:
        pages = {"report.html": get(server, "/repo/_status/")[2]}
        site.write("content/2026/01/ottawa-budget/fr.md", "---\ntitle: [x\n---\n")
        server.wait_for_build(1, TIMEOUT)
        pages["problems.html"] = get(server, "/repo/_status/")[2]
    for name, page in pages.items():
        (tmp_path / name).write_text(page, encoding="utf-8")
    assert vnu_messages(*(tmp_path / name for name in pages)) == []
