"""`newsdigest pair` / `unpair` (an editor's one-command correction of a pairing) and the build's
warning about single-language stories that look like one story: tiny sites built in temp dirs."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import make_fixture_site, tiny_picture
from newsdigest.importer.pairing import THRESHOLD
from newsdigest.regroup import set_key

FLOOD_PHOTO, CRUE_PHOTO = tiny_picture(4, "JPEG"), tiny_picture(5, "JPEG")

EN_FLOOD = """\
---
title: Flooding forces 1,200 residents of Gatineau from their homes
date: 2026-03-14
source: The Canadian Press
image: flood.jpg
---
Rising water on the Ottawa River forced 1,200 residents of Gatineau from their homes on Saturday,
Mayor Maude Marquis-Bissonnette said.

The river reached 45.6 metres at the Hull gauge, its highest level since 2019, according to Hydro-Québec.

Premier François Legault promised $25 million in emergency aid.
"""
FR_FLOOD = """\
---
title: La crue force 1 200 résidents de Gatineau à quitter leur domicile
date: 2026-03-14
source: La Presse canadienne
slug: crue-a-gatineau
image: crue.jpg
---
La montée de la rivière des Outaouais a forcé 1 200 résidents de Gatineau à quitter leur domicile
samedi, a indiqué la mairesse Maude Marquis-Bissonnette.

La rivière a atteint 45,6 mètres à la station de Hull, son plus haut niveau depuis 2019, selon Hydro-Québec.

Le premier ministre François Legault a promis une aide d'urgence de 25 millions de dollars.
"""
EN_BUDGET = """\
---
title: Ottawa tables a cautious budget
date: 2026-03-15
---
The finance minister tabled a budget with modest spending and a smaller deficit. Economists called it prudent.
"""
FR_SKI = """\
---
title: La saison de ski s'ouvre tôt dans les Alpes
date: 2026-03-15
---
Les stations des Alpes ont ouvert leurs pistes avec deux semaines d'avance. Les exploitants se réjouissent.
"""
EN_PAGE = "en/2026/03/14/flooding-forces-1-200-residents-of-gatineau-from-their-homes/"
FR_PAGE = "fr/2026/03/14/crue-a-gatineau/"  # its own slug: the URL does not depend on the folder
EN, FR = "2026/03/quebec-flood", "2026/03/crue-gatineau"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Two single-language stories reporting one event (shared names, figures, date), each with its
    photo, and two unrelated singles. The current folder is the project, as for an editor."""
    site = make_fixture_site(tmp_path / "project", fixture=None)
    site.write(f"content/{EN}/en.md", EN_FLOOD)
    site.write(f"content/{EN}/flood.jpg", FLOOD_PHOTO)
    site.write(f"content/{FR}/fr.md", FR_FLOOD)
    site.write(f"content/{FR}/crue.jpg", CRUE_PHOTO)
    site.write("content/2026/03/ottawa-budget/en.md", EN_BUDGET)
    site.write("content/2026/03/saison-de-ski/fr.md", FR_SKI)
    monkeypatch.chdir(site.root)
    return site


def snapshot(site) -> dict[str, bytes]:
    content = site.root / "content"
    return {p.relative_to(content).as_posix(): p.read_bytes() for p in sorted(content.rglob("*")) if p.is_file()}


def folders(site) -> set[str]:
    content = site.root / "content"
    return {p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_dir()}


def run(site, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = site.run(*args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def refused(site, capsys, *args: str) -> str:
    """Runs a command that must be refused; returns its one problem line, checking nothing changed."""
    before = snapshot(site)
    status, out, err = run(site, capsys, *args)
    assert (status, out) == (1, "")
    assert snapshot(site) == before
    lines = err.splitlines()
    assert lines[0] == "error:" and lines[-1] == "Nothing was moved." and len(lines) == 3, err
    assert "Traceback" not in err
    return lines[1].strip()


HINT = re.compile(
    r"warning: content/2026/03/quebec-flood \(en\) and content/2026/03/crue-gatineau \(fr\) look like one "
    r"story in two languages \(pairing score (\d\.\d\d), threshold " + re.escape(f"{THRESHOLD:.2f}") + r"\)\. To join them, run: "
    + re.escape("newsdigest pair 2026/03/quebec-flood 2026/03/crue-gatineau (or, if they are different "
                "stories, add 'unpaired_from: 2026/03/quebec-flood' to content/2026/03/crue-gatineau/fr.md).")
)


# The build's warning

def test_build_warns_about_two_singles_that_report_one_event(site, capsys):
    status, out, err = run(site, capsys, "build")
    assert status == 0 and out.startswith("Built ")
    lines = err.splitlines()
    assert len(lines) == 1, err  # the unrelated singles (budget, ski) are not suggested
    match = HINT.fullmatch(lines[0])
    assert match and float(match.group(1)) > THRESHOLD
    # A rebuild with nothing changed says it again (the warning is kept with the last build).
    status, out, err = run(site, capsys, "build")
    assert status == 0 and "(0 written" in out and HINT.fullmatch(err.strip())


def test_unrelated_singles_are_not_suggested(site, capsys):
    shutil.rmtree(site.root / "content" / FR)  # a folder of photos alone would be an error of its own
    site.write("content/2026/03/ski-bis/fr.md", FR_SKI.replace("tôt", "très tôt"))
    status, out, err = run(site, capsys, "build")
    assert (status, err) == (0, "") and out.startswith("Built ")


def test_singles_more_than_three_days_apart_are_not_suggested(site, capsys):
    site.write(f"content/{FR}/fr.md", FR_FLOOD.replace("date: 2026-03-14", "date: 2026-03-18"))
    status, _, err = run(site, capsys, "build")
    assert (status, err) == (0, "")


def test_unpaired_from_written_by_hand_silences_the_warning(site, capsys):
    site.write(f"content/{FR}/fr.md", FR_FLOOD.replace("image: crue.jpg\n", f"image: crue.jpg\nunpaired_from: {EN}\n"))
    status, _, err = run(site, capsys, "build")
    assert (status, err) == (0, "")


def test_unpaired_from_must_name_stories(site, capsys):
    site.write(f"content/{FR}/fr.md", FR_FLOOD.replace("image: crue.jpg\n", "image: crue.jpg\nunpaired_from: 12\n"))
    status, _, err = run(site, capsys, "build")
    assert status == 1
    assert ("content/2026/03/crue-gatineau/fr.md:7: unpaired_from must be a story folder below content/, or a "
            "list of them, e.g. 'unpaired_from: 2026/02/north-korea-warns-japan'.") in err


# pair

def test_pair_moves_the_second_story_into_the_first(site, capsys):
    status, out, err = run(site, capsys, "pair", EN, FR)
    assert (status, err) == (0, "")
    assert out == ("moved content/2026/03/crue-gatineau/fr.md and crue.jpg into content/2026/03/quebec-flood "
                   "and removed the empty folder content/2026/03/crue-gatineau\n")
    files = snapshot(site)
    assert files[f"{EN}/fr.md"] == FR_FLOOD.encode()  # moved as it was: nothing needed editing
    assert files[f"{EN}/crue.jpg"] == CRUE_PHOTO and files[f"{EN}/flood.jpg"] == FLOOD_PHOTO
    assert FR not in folders(site)

    status, out, err = run(site, capsys, "build")
    assert (status, err) == (0, "")  # no more warning: they are one story
    en, fr = site.page(EN_PAGE), site.page(FR_PAGE)
    assert f'<a class="other-link" href="/{FR_PAGE}" lang="fr" hreflang="fr">' in en
    assert f'<a class="other-link" href="/{EN_PAGE}" lang="en" hreflang="en">' in fr
    assert '<img src="/fr/2026/03/14/crue-a-gatineau/crue.jpg" width="8" height="6" alt="La crue force' in fr
    assert (site.out / FR_PAGE / "crue.jpg").read_bytes() == CRUE_PHOTO


@pytest.mark.parametrize("first, second", [
    ("content/2026/03/quebec-flood", "content/2026/03/crue-gatineau/"),  # folders, from here
    ("content/2026/03/quebec-flood/en.md", "2026/03/crue-gatineau/fr.md"),  # their files
])
def test_stories_can_be_named_by_folder_or_file(site, capsys, first, second):
    status, out, _ = run(site, capsys, "pair", first, second)
    assert status == 0 and out.startswith("moved content/2026/03/crue-gatineau/fr.md and crue.jpg into "
                                          "content/2026/03/quebec-flood ")


def test_pair_dry_run_changes_nothing(site, capsys):
    before = snapshot(site)
    status, out, _ = run(site, capsys, "pair", EN, FR, "--dry-run")
    assert status == 0
    assert out == ("dry run: would move content/2026/03/crue-gatineau/fr.md and crue.jpg into "
                   "content/2026/03/quebec-flood and would remove the empty folder content/2026/03/crue-gatineau; "
                   "nothing was changed\n")
    assert snapshot(site) == before


def test_pair_refuses_two_stories_in_one_language(site, capsys):
    assert refused(site, capsys, "pair", EN, "2026/03/ottawa-budget") == (
        "content/2026/03/ottawa-budget/en.md: both stories are in English (en): "
        "content/2026/03/quebec-flood/en.md and content/2026/03/ottawa-budget/en.md; a story holds one file "
        "per language. Pair stories in different languages.")


def test_pair_never_overwrites_a_file(site, capsys):
    site.write(f"content/{EN}/notes.txt", "the English desk's notes")
    site.write(f"content/{FR}/notes.txt", "les notes du pupitre")
    assert refused(site, capsys, "pair", EN, FR) == (
        "content/2026/03/quebec-flood/notes.txt: already exists; pairing would overwrite it with "
        "content/2026/03/crue-gatineau/notes.txt. Rename one of the two files, then pair again.")


def test_pair_refuses_a_photo_with_the_name_of_a_file_of_the_first_story(site, capsys):
    site.write(f"content/{EN}/crue.jpg", tiny_picture(3))
    assert refused(site, capsys, "pair", EN, FR) == (
        "content/2026/03/crue-gatineau/crue.jpg: photo name collision: content/2026/03/crue-gatineau/crue.jpg "
        "(the image of content/2026/03/crue-gatineau/fr.md) and content/2026/03/quebec-flood/crue.jpg have "
        "the same name but different contents; rename one of them (and the 'image:' line that names it), "
        "then pair again.")


def test_pair_refuses_what_is_not_a_story(site, capsys):
    assert refused(site, capsys, "pair", EN, EN + "/en.md") == (
        "content/2026/03/quebec-flood: both arguments name this story; give two different stories.")
    assert refused(site, capsys, "pair", EN, "2026/03/nowhere") == (
        "2026/03/nowhere: no such story: give a story folder below content/ (e.g. "
        "2026/02/north-korea-warns-japan), or the path of the folder or of one of its .md files.")
    assert refused(site, capsys, "pair", EN, "2026/03") == (
        "content/2026/03: no story here: the folder holds no language file (en.md, fr.md).")


def test_pair_keeps_a_folder_that_still_holds_something(site, capsys):
    site.write(f"content/{FR}/.DS_Store", b"finder")
    status, out, _ = run(site, capsys, "pair", EN, FR)
    assert status == 0 and out.endswith("; kept content/2026/03/crue-gatineau, which still holds .DS_Store\n")
    assert snapshot(site)[f"{FR}/.DS_Store"] == b"finder"


# unpair

@pytest.fixture
def paired(site):
    """The flood story in both languages in one folder: a photo both use, a map only the French
    version shows (linked from its body), and the importer's record of the French file."""
    content = site.root / "content"
    for name in ("fr.md", "crue.jpg"):
        (content / FR / name).unlink()
    (content / FR).rmdir()
    fr = (FR_FLOOD.replace("image: crue.jpg\n", "image: flood.jpg\nimport:\n  language: fr\n  importer: 1\n")
          + "\n![Carte de la crue](carte.png)\n")
    site.write(f"content/{EN}/fr.md", fr)
    site.write(f"content/{EN}/carte.png", b"map")
    site.write(f"content/{EN}/notes.txt", b"kept with the story")
    return site


def test_unpair_moves_one_version_into_a_new_story(paired, capsys):
    site = paired
    before = snapshot(site)
    status, out, err = run(site, capsys, "unpair", EN, "fr")
    assert (status, err) == (0, "")
    assert out == ("moved content/2026/03/quebec-flood/fr.md and carte.png into the new story "
                   "content/2026/03/crue-a-gatineau (copied flood.jpg, used by both versions); recorded "
                   "'unpaired_from: 2026/03/quebec-flood' in its front matter, so the build will not suggest "
                   "pairing them again\n")
    after = snapshot(site)
    new = "2026/03/crue-a-gatineau"
    assert set(after) == {f"{EN}/en.md", f"{EN}/flood.jpg", f"{EN}/notes.txt", f"{new}/fr.md", f"{new}/flood.jpg",
                          f"{new}/carte.png", "2026/03/ottawa-budget/en.md", "2026/03/saison-de-ski/fr.md"}
    assert after[f"{new}/flood.jpg"] == after[f"{EN}/flood.jpg"] == FLOOD_PHOTO
    # One line added at the end of the front matter; every other byte as it was.
    old = before[f"{EN}/fr.md"].decode()
    assert after[f"{new}/fr.md"].decode() == old.replace(
        "  importer: 1\n---\n", "  importer: 1\nunpaired_from: 2026/03/quebec-flood\n---\n")

    status, _, err = run(site, capsys, "build")
    assert (status, err) == (0, "")  # the same event, but an editor separated them: no warning
    assert "Cet article n’est pas disponible en anglais." in site.page(FR_PAGE)

    # Pairing them again puts everything back as it was.
    status, out, _ = run(site, capsys, "pair", EN, new)
    assert status == 0
    assert out == ("moved content/2026/03/crue-a-gatineau/fr.md and carte.png into content/2026/03/quebec-flood "
                   "(deleted content/2026/03/crue-a-gatineau/flood.jpg: the same file is already there) and "
                   "removed the empty folder content/2026/03/crue-a-gatineau\n")
    assert snapshot(site) == before


def test_unpair_names_the_new_folder_apart_from_existing_ones(paired, capsys):
    paired.write("content/2026/03/crue-a-gatineau/en.md", EN_BUDGET)
    paired.write("content/2026/03/crue-a-gatineau-2/notes.txt", "taken")
    status, out, _ = run(paired, capsys, "unpair", EN, "fr", "--dry-run")
    assert status == 0
    assert out == ("dry run: would move content/2026/03/quebec-flood/fr.md and carte.png into the new story "
                   "content/2026/03/crue-a-gatineau-3 (would copy flood.jpg, used by both versions); would record "
                   "'unpaired_from: 2026/03/quebec-flood' in its front matter, so the build will not suggest "
                   "pairing them again; nothing was changed\n")


def test_unpair_dry_run_changes_nothing(paired, capsys):
    before, dirs = snapshot(paired), folders(paired)
    assert run(paired, capsys, "unpair", EN, "fr", "--dry-run")[0] == 0
    assert (snapshot(paired), folders(paired)) == (before, dirs)


def test_unpair_refusals(paired, capsys):
    assert refused(paired, capsys, "unpair", "2026/03/ottawa-budget", "en") == (
        "content/2026/03/ottawa-budget/en.md: this is the story's only version, so there is nothing to "
        "unpair it from.")
    assert refused(paired, capsys, "unpair", "2026/03/ottawa-budget", "fr") == (
        "content/2026/03/ottawa-budget: this story has no French (fr) version (fr.md); its versions: en.md.")
    assert refused(paired, capsys, "unpair", EN, "de") == (
        "site.toml: 'de' is not a language of this site; the configured languages are en, fr.")


# Front matter edits stay minimal

@pytest.mark.parametrize("raw, values, expected", [
    ("---\ntitle: T\n---\nBody\n", ["a/b"], "---\ntitle: T\nunpaired_from: a/b\n---\nBody\n"),
    ("\ufeff---\r\ntitle: T\r\n---\r\nBody\r\n", ["a"], "\ufeff---\r\ntitle: T\r\nunpaired_from: a\r\n---\r\nBody\r\n"),
    ("---\nunpaired_from:\n  - x\n  - y\n\n# note\ntitle: T  # kept\n---\n", ["x", "y", "z"],
     "---\nunpaired_from: [x, y, z]\n\n# note\ntitle: T  # kept\n---\n"),
    ("---\ntitle: T\nunpaired_from: [x, y]\ntags: [a]\n---\n", ["y"], "---\ntitle: T\nunpaired_from: y\ntags: [a]\n---\n"),
    ("---\ntitle: T\nunpaired_from: x\nsummary: >\n  two\n  lines\n---\n", [],
     "---\ntitle: T\nsummary: >\n  two\n  lines\n---\n"),
    ("---\ntitle: T\nunpaired_from: '2026'\n---\n", ["2026", "2026/x"],
     "---\ntitle: T\nunpaired_from: ['2026', 2026/x]\n---\n"),
])
def test_front_matter_edits_touch_only_their_key(raw, values, expected):
    assert set_key(raw, "unpaired_from", values) == expected


def test_a_rebuild_weighs_again_only_what_changed(site, capsys, monkeypatch):
    import newsdigest.importer.pairing as pairing
    both = {"en": EN_BUDGET.replace("2026-03-15", "2026-01-05"), "fr": FR_SKI.replace("2026-03-15", "2026-01-05")}
    for lang, text in both.items():
        site.write(f"content/2026/01/both/{lang}.md", text)
    site.build()
    site.write("content/2026/01/both/en.md", both["en"] + "\nOne more sentence.\n")  # no single changed

    def fail(*args, **kwargs):
        raise AssertionError("pairing ran again")
    monkeypatch.setattr(pairing, "pair", fail)
    report = site.build()
    assert report.written and len(report.warnings) == 1 and HINT.fullmatch("warning: " + report.warnings[0])
    site.write("content/2026/03/ottawa-budget/en.md", EN_BUDGET + "\nOne more sentence.\n")  # in their window
    # A failing check costs a warning, never the build.
    assert site.build().warnings == ("could not look for single-language stories to pair (AssertionError: "
                                     "pairing ran again); the site was built without that check.",)


def test_serve_shows_the_warning_when_it_changes(site, tmp_path):
    from newsdigest.serve import SiteBuilder
    builder = SiteBuilder(site.config_path, tmp_path / "preview")
    first, again = builder().message.splitlines(), builder().message.splitlines()
    assert len(first) == 2 and first[0].startswith("Built ") and HINT.fullmatch(first[1].strip())
    assert len(again) == 1  # said once, not on every save


def test_a_move_that_fails_halfway_is_undone(site, capsys, monkeypatch):
    import os
    import newsdigest.regroup as regroup
    real, calls = os.rename, []

    def flaky(src, dst):
        calls.append(src)
        if len(calls) == 2:  # the photo, after the language file moved
            raise PermissionError(13, "Permission denied")
        real(src, dst)
    monkeypatch.setattr(regroup.os, "rename", flaky)
    assert refused(site, capsys, "pair", EN, FR) == (
        "content/2026/03/quebec-flood/crue.jpg: could not change it (Permission denied); everything done so far "
        "was undone.")
