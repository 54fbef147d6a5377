"""Each kind of bad input has its own fixture (tests/fixtures/invalid/<case>/) and an exact message
that names the file, the line where there is one, and the fix."""
from __future__ import annotations

import resource
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, FixtureSite, site_toml
from newsdigest.errors import NewsdigestError

CASES = {
    "malformed-yaml": ("story/en.md", 4, "invalid YAML front matter: did not find expected ',' or ']' while "
                       "parsing a flow sequence. Fix the syntax; quote values that contain ': ' or start "
                       "with a special character."),
    "missing-title": ("story/en.md", 2, "missing 'title'; add a line such as 'title: North Korea warns Japan'."),
    "missing-date": ("story/en.md", 2, "missing 'date'; add a line such as 'date: 2026-02-11' or "
                     "'date: 2026-02-11T10:32:00+09:00'."),
    "bad-date": ("story/fr.md", 4, "date '11 février 2026' is not a date; write it as YYYY-MM-DD or "
                 "YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2026-02-11T10:32:00+09:00)."),
    "unknown-language": ("story/de.md", None, "unknown language 'de': the file name must be a configured "
                         "language (en.md, fr.md); rename it, or add [languages.de] to site.toml."),
    "empty-body": ("story/en.md", 4, "the article has no body text below the front matter; write it, or "
                   "set 'draft: true'."),
    "no-front-matter": ("story/en.md", 1, "no front matter; start the file with a '---' line, then 'title:' "
                        "and 'date:', then a closing '---' line."),
    "not-utf8": ("story/en.md", 2, "not valid UTF-8 (byte 0xe9); re-save the file with UTF-8 encoding."),
    "unknown-key": ("story/en.md", 4, "unknown front matter key 'sumary'; did you mean 'summary'?"),
    "bad-slug": ("story/en.md", 4, "slug 'Not A Slug!' must be lowercase ASCII letters, digits and single "
                 "hyphens, e.g. 'not-a-slug'."),
    "missing-image": ("story/en.md", 4, "image 'photo.jpg' is not in the story folder {root}/content/story; "
                      "add the file or fix the name."),
    "bad-tags": ("story/en.md", 4, "tags must be a list of words, e.g. 'tags: [Japan, Defence]'."),
    "file-at-root": ("en.md", None, "a story file must sit in its own folder, e.g. "
                     "content/2026/02/my-story/en.md; move it into one."),
    "url-collision": ("a/en.md", None, "wants to write /en/2026/02/11/same-title-twice/, which "
                      "{root}/content/b/en.md already writes. Give one of them its own 'slug:'."),
    "impossible-date": ("story/en.md", 3, "date '2026-02-30' is not a date (day is out of range for month); "
                        "write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2026-02-11T10:32:00+09:00)."),
    "unquoted-offset": ("story/en.md", 3, "date '2026-02-11T10:00:00+25:00' is not a date (the UTC offset must "
                        "lie between -23:59 and +23:59); write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM "
                        "(e.g. 2026-02-11T10:32:00+09:00)."),
    "hour-25": ("story/en.md", 3, "date '2026-02-11T25:00:00' is not a date (hour must be in 0..23); write it as "
                "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2026-02-11T10:32:00+09:00)."),
    "bad-updated": ("story/en.md", 4, "updated '2026-13-45' is not a date (month must be in 1..12); write it as "
                    "YYYY-MM-DD or an ISO 8601 date-time."),
    "unclosed-front-matter": ("story/en.md", 1, "the front matter is never closed; add a '---' line after its "
                              "last 'key: value' line, before the article text."),
    "deep-nesting": ("story/en.md", 5, "the Markdown is nested too deeply to render (lists, quotes or emphasis "
                     "inside each other hundreds of levels deep); flatten it."),
    "alias-bomb": ("story/en.md", 5, "YAML aliases (*name) are not allowed in front matter; write the value out "
                   "in full."),
    "duplicate-key": ("story/en.md", 4, "the key 'title' is written twice (lines 2 and 4); keep one."),
    "title-not-text": ("story/en.md", 2, "'title' must be text, e.g. 'title: North Korea warns Japan' (quote it "
                       "if it holds ': ')."),
    "nul-byte": ("story/en.md", 5, "contains a control character (U+0000) that no web page or feed may hold; "
                 "delete it (it often comes with copied text)."),
    "image-outside": ("story/en.md", 4, "image '../../secret.png' must be a file of the story folder, not a path "
                      "out of it; copy the file in."),
    "image-javascript": ("story/en.md", 4, "image 'javascript:alert(1)' must be a file of the story folder or an "
                         "http(s) address; 'javascript:' addresses are not allowed."),
    "image-private": ("story/en.md", 4, "image '_photo.png' is never published: story files (.md), names starting "
                      "with '.' or '_', and backup files are not copied beside the page; name a picture."),
    "photos-only": ("story", None, "holds photo.jpg, photo2.jpg but no story file; add en.md or fr.md, or move "
                    "the files into the story they belong to."),
}


def invalid_site(tmp_path: Path, case: str) -> FixtureSite:
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml())
    shutil.copytree(FIXTURES / "invalid" / case, site.root / "content")
    return site


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_line_and_fix(tmp_path, case):
    site = invalid_site(tmp_path, case)
    relpath, line, message = CASES[case]
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    found = [(str(p.path), p.line, p.message) for p in caught.value.problems]
    root = str(site.root)
    assert found == [(f"{root}/content/{relpath}", line, message.format(root=root))]


def test_command_line_lists_every_problem_at_once_and_keeps_the_last_good_site(tmp_path, capsys):
    site = invalid_site(tmp_path, "missing-date")
    site.write("content/story/en.md", "---\ntitle: Fine\ndate: 2026-02-11\n---\nGood.\n")
    assert site.run("build") == 0
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    capsys.readouterr()

    site.write("content/story/en.md", "---\ntitle: Broken\n---\nBody.\n")
    site.write("content/other/fr.md", "---\ntitle: Sans date\ndate: demain\n---\nTexte.\n")
    site.write("content/third/de.md", "---\ntitle: x\ndate: 2026-01-01\n---\ny\n")
    assert site.run("build") == 1
    err = capsys.readouterr().err.replace(str(site.root) + "/", "")
    assert err.splitlines() == [
        "error: 3 problems found:",
        "  content/other/fr.md:3: date 'demain' is not a date; write it as YYYY-MM-DD or "
        "YYYY-MM-DDTHH:MM:SS+HH:MM (e.g. 2026-02-11T10:32:00+09:00).",
        "  content/story/en.md:2: missing 'date'; add a line such as 'date: 2026-02-11' or "
        "'date: 2026-02-11T10:32:00+09:00'.",
        "  content/third/de.md: unknown language 'de': the file name must be a configured language "
        "(en.md, fr.md); rename it, or add [languages.de] to site.toml.",
        "The build stopped; the previous output folder was left as it was.",
    ]
    after = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".site")] == []


def build_with_broken_template(tmp_path, name: str, edit) -> tuple[Path, list]:
    """Builds one good story with a copy of the templates in which `name` was changed by `edit`;
    returns that template's path and the problems the build raised."""
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).parent.parent / "templates", templates)
    template = templates / name
    template.write_text(edit(template.read_text()))
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml(templates=templates))
    site.write("content/story/en.md", "---\ntitle: Fine\ndate: 2026-02-11\n---\nGood.\n")
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    return template, caught.value.problems


def test_a_template_typo_fails_the_build_with_the_template_line(tmp_path):
    article, [problem] = build_with_broken_template(
        tmp_path, "article.html", lambda text: text.replace("{{ article.title }}</h1>", "{{ article.titel }}</h1>"))
    line = next(i for i, text in enumerate(article.read_text().splitlines(), 1) if "article.titel" in text)
    assert (problem.path, problem.line) == (article, line)
    assert problem.message.startswith("rendering ")
    assert "'newsdigest.content.Article object' has no attribute 'titel'" in problem.message


def test_a_template_syntax_error_names_the_template_and_line(tmp_path):
    tags, [problem] = build_with_broken_template(
        tmp_path, "tags.html", lambda text: "{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n")
    assert (problem.path, problem.line) == (tags, 3)
    assert problem.message == "template syntax error: Expected an expression, got 'end of statement block'. Fix the template."


@pytest.mark.parametrize("out", [".", "..", "content"])
def test_refuses_an_output_folder_that_would_destroy_the_project(tmp_path, out):
    site = invalid_site(tmp_path, "missing-date")
    site.write("content/story/en.md", "---\ntitle: Fine\ndate: 2026-02-11\n---\nGood.\n")
    with pytest.raises(NewsdigestError) as caught:
        site.build(output=site.root / out)
    assert "refusing to use this output folder" in str(caught.value)
    assert (site.root / "content/story/en.md").exists()


def test_old_mac_line_endings_are_read_like_any_other(tmp_path):
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml())
    site.write("content/story/en.md", b"---\rtitle: Old Mac line ends\rdate: 2026-02-11\r---\rText.\r")
    site.build()
    assert "Old Mac line ends" in site.page("en/2026/02/11/old-mac-line-ends/")


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    site = invalid_site(tmp_path, "alias-bomb")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(NewsdigestError):
        site.build()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing was expanded


def test_a_huge_value_is_quoted_short(tmp_path):
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml())
    site.write("content/story/en.md", "---\ntitle: Long\ndate: " + "9" * 5000 + "\nslug: " + "X" * 5000 +
               "\n---\nText.\n")
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    assert caught.value.problems and all(len(p.message) < 400 for p in caught.value.problems)


def test_an_image_naming_a_story_file_is_refused(tmp_path):
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml())
    site.write("content/story/en.md", "---\ntitle: Self\ndate: 2026-02-11\nimage: en.md\n---\nText.\n")
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    assert [p.message for p in caught.value.problems] == [
        "image 'en.md' is never published: story files (.md), names starting with '.' or '_', and backup files "
        "are not copied beside the page; name a picture."]


def test_a_year_before_1000_is_no_date(tmp_path):
    site = FixtureSite(tmp_path / "project")
    site.write("site.toml", site_toml())
    site.write("content/story/en.md", "---\ntitle: Antique\ndate: 0001-01-01\n---\nText.\n")
    with pytest.raises(NewsdigestError) as caught:
        site.build()
    assert [p.line for p in caught.value.problems] == [3]
    assert caught.value.problems[0].message.startswith("date '0001-01-01' is not a date")
