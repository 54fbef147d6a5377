"""The import command end to end, in a throwaway project: what lands in content/, that the build
accepts it, idempotence, editors' changes, --dry-run, --json, --date, --force, bad files."""
from __future__ import annotations

import json
import re

from .importer_support import BAD, BATCH, SEED_EN, SEED_FR, SEEDS
from newsdigest.cli import main as cli_main

STORY = "2026/02/north-korea-warns-japan-against-forging-military-alliances-with-other-nations"


def test_seeds_become_one_bilingual_story_the_build_accepts(project):
    result = project.import_(SEEDS)
    assert result.code == 0, result.err
    assert sorted(project.files()) == [f"{STORY}/en.md", f"{STORY}/fr.md"]
    stories = project.stories()
    assert len(stories) == 1 and stories[0].key == STORY
    en, fr = stories[0].articles["en"], stories[0].articles["fr"]
    assert en.title == "North Korea warns Japan against forging military alliances with other nations"
    assert en.slug == "north-korea-warns-japan-against-forging-military-alliances-with-other-nations"
    assert (en.date.isoformat(), en.has_time, en.source) == ("2026-02-11T10:32:00+01:00", True, "Yonhap")
    assert en.caption.startswith("A copy of the Rodong Sinmun")
    assert fr.date.date().isoformat() == "2026-02-11" and not fr.has_time
    assert fr.slug.startswith("yonhap-a-cite-rodong-sinmun")
    assert "Rodong Sinmun" in fr.title
    files = project.files()
    assert "title_inferred: true\ndate_inferred: true\noriginal_file: 000_0ac311f8ac50953c.txt\n" in files[f"{STORY}/fr.md"]
    assert "title_inferred" not in files[f"{STORY}/en.md"]
    assert f"pairing: paired {SEED_FR} (fr) with {SEED_EN} (en): score 0." in result.out
    assert f"created content/{STORY}/en.md from {SEED_EN} [en, 2026-02-11]: North Korea warns" in result.out
    assert f"warning: {SEED_FR}: the date has no year; took 2026-02-11 from the other dates" in result.err


def test_importing_twice_creates_nothing_new(project):
    project.import_(SEEDS)
    before = project.files()
    again = project.import_(SEED_EN, SEED_FR)
    assert again.code == 0
    assert project.files() == before
    assert "2 unchanged; 0 failed" in again.out


def test_an_edited_file_is_kept_unless_forced(project):
    project.import_(SEEDS)
    path = project.content / STORY / "en.md"
    edited = path.read_text(encoding="utf-8").replace("North Korea warned Wednesday", "North Korea warned on Wednesday")
    path.write_text(edited, encoding="utf-8")
    result = project.import_(SEEDS)
    assert path.read_text(encoding="utf-8") == edited
    assert (f"warning: {path}: it was changed by hand since it was imported; left as it is "
            "(use --force to overwrite it)") in result.err
    forced = project.import_(SEEDS, "--force")
    assert forced.code == 0 and "overwrote" in forced.out
    assert "North Korea warned Wednesday" in path.read_text(encoding="utf-8")


def test_dry_run_writes_nothing(project):
    result = project.import_(SEEDS, "--dry-run")
    assert result.code == 0
    assert project.files() == {}
    assert f"would create content/{STORY}/fr.md" in result.out
    assert "dry run: 2 file(s): 2 would create; 0 failed" in result.out


def test_json_writes_nothing_and_describes_each_file(project):
    result = project.import_(SEED_FR, SEED_EN, BAD / "german.txt", "--json")
    assert project.files() == {}
    rows = json.loads(result.out)  # stdout holds the JSON only; the log went to stderr
    assert [r["file"] for r in rows] == [str(SEED_FR), str(SEED_EN), str(BAD / "german.txt")]
    fr, en, de = rows
    documented = {"file", "lang", "title", "title_inferred", "date", "date_inferred", "source", "caption", "story",
                  "paired_with", "pair_score", "error"}
    assert all(documented <= set(row) for row in rows)
    assert {k: en[k] for k in ("lang", "title", "title_inferred", "date", "date_inferred", "published",
                               "source", "story", "paired_with")} == {
        "lang": "en", "title": "North Korea warns Japan against forging military alliances with other nations",
        "title_inferred": False, "date": "2026-02-11", "date_inferred": False,
        "published": "2026-02-11T10:32:00", "source": "Yonhap", "story": STORY, "paired_with": str(SEED_FR)}
    assert en["caption"].endswith("southern Seoul, on Jan. 7.")
    assert fr["title_inferred"] and fr["date_inferred"] and fr["published"] is None
    assert fr["story"] == STORY and fr["paired_with"] == str(SEED_EN) and fr["pair_score"] == en["pair_score"] > 0.3
    assert de["lang"] is None and de["story"] is None and "German (de)" in de["error"]
    assert "pairing: paired" in result.err
    assert result.code == 1


def test_bad_files_are_reported_and_the_rest_imported(project):
    result = project.import_(BAD, SEED_EN, project.root / "missing.txt")
    assert result.code == 1
    assert [line for line in result.err.splitlines() if line.startswith("error:")] == [
        f"error: {project.root / 'missing.txt'}: no such file or folder; check the path.",
        f"error: {BAD / 'blank.txt'}: the file holds only blank lines; nothing to import.",
        f"error: {BAD / 'empty.txt'}: the file is empty; nothing to import.",
        f"error: {BAD / 'german.txt'}: the text is in German (de), not English (en) or French (fr); "
        "only those languages can be imported.",
        f"error: {BAD / 'photo.png'}: this is a binary file, not text; only plain text copied from a "
        "news page can be imported.",
    ]
    assert list(project.files()) == [f"{STORY}/en.md"]
    project.stories()


def test_no_date_is_imported_flagged_and_said(project):
    result = project.import_(BATCH / "nodate_en.txt")
    assert result.code == 0
    assert (f"warning: {BATCH / 'nodate_en.txt'}: no date found; dated it 2026-03-10 (today) and flagged "
            "date_inferred: true. Pass --date YYYY-MM-DD, or edit the date.") in result.err
    [(path, text)] = project.files().items()
    assert path.startswith("2026/03/quebec-city-approves-tramway") and "date_inferred: true" in text
    project.stories()


def test_date_option_sets_the_date_when_none_is_found(project):
    result = project.import_(BATCH / "nodate_en.txt", SEED_EN, "--date", "2026-01-05", "--json")
    nodate, seed = json.loads(result.out)
    assert (nodate["date"], nodate["date_inferred"]) == ("2026-01-05", False)
    assert seed["date"] == "2026-02-11"  # a date in the text wins over --date
    assert "no date found" not in result.err


def test_cp1252_file_is_imported_with_a_warning(project):
    result = project.import_(BATCH / "cp1252_fr.txt")
    assert result.code == 0
    assert f"warning: {BATCH / 'cp1252_fr.txt'}:1: not valid UTF-8 (byte 0xe9); read as Windows-1252" in result.err
    [text] = project.files().values()
    assert "Montréal a adopté" in text and "« raisonnable »" in text


def test_the_other_language_joins_a_story_already_in_content(project):
    project.import_(SEED_EN)
    result = project.import_(SEED_FR)
    assert f"pairing: paired {SEED_FR} (fr) with {project.content / STORY / 'en.md'} (en)" in result.out
    assert sorted(project.files()) == [f"{STORY}/en.md", f"{STORY}/fr.md"]
    assert set(project.stories()[0].articles) == {"en", "fr"}


def test_a_slug_taken_by_another_story_gets_a_new_folder(project):
    other = project.content / STORY / "en.md"
    other.parent.mkdir(parents=True)
    other.write_text("---\ntitle: Another story\ndate: 2026-02-01\n---\n\nWritten by an editor.\n", encoding="utf-8")
    project.import_(SEEDS)
    assert sorted(project.files()) == [f"{STORY}-2/en.md", f"{STORY}-2/fr.md", f"{STORY}/en.md"]
    assert len(project.stories()) == 2


def test_whole_fixture_batch_builds_and_no_story_has_two_of_a_language(project):
    result = project.import_(SEEDS, BATCH)
    assert result.code == 0, result.err
    stories = project.stories()
    assert sorted(len(s.articles) for s in stories) == [1, 1, 1, 1, 1, 2, 2, 2]


def test_wired_into_the_project_command_line(project, capsys):
    code = cli_main(["import", "--config", str(project.root / "site.toml"), str(SEED_EN), "--dry-run"])
    assert code == 0
    assert f"would create content/{STORY}/en.md" in capsys.readouterr().out
    assert project.files() == {}


def test_two_stories_with_one_headline_get_two_urls_and_build(project, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for n, place in ((1, "Halifax"), (2, "Sydney")):
        (raw / f"storm{n}.txt").write_text(
            f"Storm hits coast\nPublished Feb. 11, 2026\nA winter storm hit the coast near {place} on Wednesday, "
            f"cutting power to {n * 1000} homes and closing schools across the region.\n"
            f"Crews expect to restore power in {place} by Thursday evening.\n", encoding="utf-8")
    assert project.import_(raw / "storm1.txt").code == 0
    assert project.import_(raw / "storm2.txt").code == 0  # against content/
    (raw / "storm3.txt").write_text((raw / "storm1.txt").read_text().replace("Halifax", "Truro"), encoding="utf-8")
    (raw / "storm4.txt").write_text((raw / "storm1.txt").read_text().replace("Halifax", "Digby"), encoding="utf-8")
    assert project.import_(raw / "storm3.txt", raw / "storm4.txt").code == 0  # against the batch too
    slugs = sorted(re.search(r"^slug: (.+)$", text, re.M).group(1) for text in project.files().values())
    assert slugs == ["storm-hits-coast", "storm-hits-coast-2", "storm-hits-coast-3", "storm-hits-coast-4"]
    project.stories()  # the build accepts them all: no URL written twice


def test_a_file_of_punctuation_has_no_language(project, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("!!! ... --- ??? *** 123 456 ### ;;; :::\n" * 5, encoding="utf-8")
    result = project.import_(junk)
    assert result.code == 1
    assert (f"error: {junk}: no article text found: it holds hardly any letters (only punctuation, numbers "
            "or symbols); copy the article's text into it.") in result.err
