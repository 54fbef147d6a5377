"""Starting a site (`new`), adding a story (`add`), and the command line's own words (--help,
--version, an unknown command)."""
from __future__ import annotations

from datetime import date

import frontmatter
import pytest

from newsdigest import __version__
from newsdigest.cli import COMMANDS, main
from newsdigest.config import load_config
from newsdigest.content import load_stories
from newsdigest.errors import NewsdigestError
from newsdigest.scaffold import add_story, new_site

TODAY = date(2026, 3, 10)


def test_new_writes_a_ready_site(tmp_path):
    folder = tmp_path / "mysite"
    written = new_site(folder, TODAY)
    assert sorted(p.relative_to(folder).as_posix() for p in written) == [
        ".github/workflows/pages.yml", ".gitignore", "content/2026/03/welcome/en.md",
        "content/2026/03/welcome/fr.md", "requirements.txt", "site.toml"]
    config = load_config(folder / "site.toml")
    assert config.codes == ("en", "fr")
    [story] = load_stories(config)
    assert set(story.articles) == {"en", "fr"} and story.articles["fr"].title == "Bienvenue dans votre revue de presse"
    workflow = (folder / ".github/workflows/pages.yml").read_text()
    assert "pip install -r requirements.txt" in workflow and "${{ steps.pages.outputs.base_url }}" in workflow
    assert f"newsdigest=={__version__}\n" in (folder / "requirements.txt").read_text()
    assert "/site/" in (folder / ".gitignore").read_text()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NewsdigestError) as caught:
        new_site(tmp_path, TODAY)
    assert caught.value.problems[0].message.startswith("is not empty; 'newsdigest new' only writes into a new or empty")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_add_writes_a_story_file_and_never_replaces_one(tmp_path):
    new_site(tmp_path / "s", TODAY)
    config = load_config(tmp_path / "s" / "site.toml")
    made = add_story(config, "Storm hits the coast", "fr", date(2026, 3, 1))
    assert made.created_folder and made.path == config.content_dir / "2026/03/storm-hits-the-coast/fr.md"
    post = frontmatter.loads(made.path.read_text())
    assert (post["title"], str(post["date"])) == ("Storm hits the coast", "2026-03-01")
    other = add_story(config, "Storm hits the coast", "en", date(2026, 3, 1), story=made.path.parent)
    assert not other.created_folder and other.path == made.path.with_name("en.md")
    again = add_story(config, "Storm hits the coast", "fr", date(2026, 3, 1))  # a new story of the same name
    assert again.path.parent.name == "storm-hits-the-coast-2"
    with pytest.raises(NewsdigestError) as caught:
        add_story(config, "Storm hits the coast", "en", date(2026, 3, 1), story=made.path.parent)
    assert caught.value.problems[0].message == "already exists; edit it, or give another --story or --lang."
    with pytest.raises(NewsdigestError):
        add_story(config, "Sturm", "de", date(2026, 3, 1))
    assert len(load_stories(config)) == 3  # what add wrote reads back


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name, what in COMMANDS.items():
        assert f"  {name}" in out and what in out


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"newsdigest {__version__}\n"


def test_an_unknown_command_says_so_and_lists_the_commands(capsys):
    assert main(["init"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsdigest: unknown command 'init'.") and "  new     start a site of your own" in err
