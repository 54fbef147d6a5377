"""`deploy` against a local bare repository: the gh-pages branch holds exactly the built site, history
accumulates, an unchanged site makes no commit, and the working tree, index and current branch are
left exactly as they were. Every repository here lives in tmp_path."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, FixtureSite, make_fixture_site
from newsdigest.deploy import DeployError, commit_site

BASE = "https://user.github.io/repo/"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(autouse=True)
def isolated_git(tmp_path, monkeypatch):
    """No git repository above tmp_path may be found, and no user or system config applies."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def remote(tmp_path) -> Path:
    path = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(path))
    return path


def init_repo(path: Path, remote: Path | None) -> None:
    git(path, "init", "--quiet", "-b", "main")
    git(path, "config", "user.name", "Test Editor")
    git(path, "config", "user.email", "editor@example.org")
    if remote is not None:
        git(path, "remote", "add", "origin", str(remote))


@pytest.fixture
def project(tmp_path, remote):
    """A fixture site committed on 'main', with the bare repository as 'origin'."""
    site = make_fixture_site(tmp_path / "project", "basic", base_url=BASE)
    shutil.copyfile(ROOT / ".gitignore", site.root / ".gitignore")  # ignores site/ and the build cache
    init_repo(site.root, remote)
    git(site.root, "add", "-A")
    git(site.root, "commit", "--quiet", "-m", "Stories")
    return site


def files_on(git_dir: Path, ref: str) -> list[str]:
    return git(git_dir, "ls-tree", "-r", "--name-only", ref).splitlines()


def built_files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_the_branch_holds_exactly_the_site(project, remote, capsys):
    head = git(project.root, "rev-parse", "HEAD")
    assert project.run("deploy") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Built ")
    assert "Committed " in out and f"built from {head}." in out
    assert f"Pushed 'gh-pages' to 'origin'. Once GitHub Pages publishes that branch, the site is at {BASE}" in out

    files = files_on(remote, "gh-pages")
    assert files == sorted(built_files(project.out))
    assert ".nojekyll" in files and "404.html" in files and "index.html" in files
    assert not any(f.startswith(("content/", "site/")) or f in ("site.toml", ".gitignore") for f in files)
    assert git(remote, "rev-parse", "gh-pages") == git(project.root, "rev-parse", "gh-pages")
    assert git(remote, "log", "-1", "--format=%B", "gh-pages") == f"Deploy the site built from {head}"
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"
    # the pushed files are byte for byte the built ones
    assert git(remote, "show", "gh-pages:index.html") == (project.out / "index.html").read_text().strip()


def test_history_accumulates_and_an_unchanged_site_makes_no_commit(project, remote, capsys):
    assert project.run("deploy") == 0
    first = git(remote, "rev-parse", "gh-pages")

    assert project.run("deploy") == 0
    out = capsys.readouterr().out
    assert "Nothing new to deploy: 'gh-pages' (" in out and "'origin' has it too; nothing pushed." in out
    assert git(remote, "rev-parse", "gh-pages") == first

    story = project.root / "content/2026/02/korea-summit/en.md"
    story.write_text(story.read_text().replace("summit", "summit meeting", 1))
    git(project.root, "commit", "--quiet", "-am", "Edit a story")
    assert project.run("deploy") == 0
    second = git(remote, "rev-parse", "gh-pages")
    assert second != first
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert files_on(remote, "gh-pages") == sorted(built_files(project.out))
    assert git(remote, "log", "-1", "--format=%B", "gh-pages").endswith(git(project.root, "rev-parse", "HEAD"))


def repository_state(root: Path) -> dict:
    """Everything deploy must leave alone: status, staged and unstaged changes, branch, index."""
    return {
        "status": git(root, "status", "--porcelain"),
        "cached": git(root, "diff", "--cached"),
        "diff": git(root, "diff"),
        "branch": git(root, "symbolic-ref", "HEAD"),
        "index": (root / ".git/index").read_bytes(),
        "branches": git(root, "branch", "--list"),
    }


def test_working_tree_index_and_current_branch_are_untouched(project, remote):
    root = project.root
    (root / "NOTES.txt").write_text("staged\n")
    git(root, "add", "NOTES.txt")
    (root / "site.toml").write_text((root / "site.toml").read_text() + "\n# unstaged edit\n")
    (root / "scratch.txt").write_text("untracked\n")
    head = git(root, "rev-parse", "HEAD")
    before = repository_state(root)
    assert project.run("deploy") == 0
    after = repository_state(root)
    assert after == {**before, "branches": "  gh-pages\n* main".strip()}
    assert git(root, "rev-parse", "HEAD") == head
    assert (root / "NOTES.txt").read_text() == "staged\n" and (root / "scratch.txt").exists()
    assert git(remote, "log", "-1", "--format=%B", "gh-pages") == f"Deploy the site built from {head} (dirty)"
    assert "NOTES.txt" not in files_on(remote, "gh-pages")


def test_message_branch_and_no_push(project, remote):
    head = git(project.root, "rev-parse", "HEAD")
    assert project.run("deploy", "--no-push", "--branch", "pages", "--message", "Publish {sha}") == 0
    assert git(project.root, "log", "-1", "--format=%B", "pages") == f"Publish {head}"
    assert git(remote, "branch", "--list") == ""  # nothing pushed

    assert project.run("deploy", "--no-push", "--branch", "other", "-m", "Morning edition") == 0
    assert git(project.root, "log", "-1", "--format=%B", "other") == f"Morning edition\n\nBuilt from {head}"


def test_a_commit_made_with_no_push_is_pushed_by_the_next_deploy(project, remote, capsys):
    assert project.run("deploy", "--no-push") == 0
    assert git(remote, "branch", "--list") == ""
    assert project.run("deploy") == 0
    assert "Nothing new to deploy" in capsys.readouterr().out
    assert git(remote, "rev-parse", "gh-pages") == git(project.root, "rev-parse", "gh-pages")


def test_deploy_honours_base_url(project, remote):
    assert project.run("deploy", "--base-url", "https://news.example.org/") == 0
    home = git(remote, "show", "gh-pages:index.html")
    assert '<link rel="canonical" href="https://news.example.org/">' in home


def test_a_fresh_clone_builds_on_the_published_history(project, remote, tmp_path):
    assert project.run("deploy") == 0
    first = git(remote, "rev-parse", "gh-pages")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    git(clone, "config", "user.name", "Other Editor")
    git(clone, "config", "user.email", "other@example.org")
    # The remote has no 'main' (only gh-pages was pushed), so publish the sources there too.
    git(project.root, "push", "--quiet", "origin", "main")
    git(clone, "fetch", "--quiet", "origin")
    git(clone, "checkout", "--quiet", "main")
    story = clone / "content/2026/02/korea-summit/fr.md"
    story.write_text(story.read_text() + "\nUn paragraphe de plus.\n")
    git(clone, "commit", "--quiet", "-am", "Add a paragraph")
    assert FixtureSite(clone).run("deploy") == 0
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"


def test_refuses_when_the_build_fails(project, remote, capsys):
    project.write("content/2026/02/korea-summit/de.md", "---\ntitle: Gipfel\ndate: 2026-02-10\n---\nText.\n")
    assert project.run("deploy") == 1
    err = capsys.readouterr().err
    assert "de.md" in err
    assert err.rstrip().endswith("the build failed, so nothing was deployed.")
    assert git(project.root, "branch", "--list", "gh-pages") == ""
    assert git(remote, "branch", "--list") == ""


def test_refuses_outside_a_git_repository(tmp_path, capsys):
    site = make_fixture_site(tmp_path / "plain", "basic", base_url=BASE)
    assert site.run("deploy") == 1
    err = capsys.readouterr().err
    assert "not inside a git repository, so there is no gh-pages branch to deploy to." in err
    assert not site.out.exists()  # refused before building


def test_refuses_without_the_remote_unless_no_push(project, capsys):
    git(project.root, "remote", "remove", "origin")
    assert project.run("deploy") == 1
    assert ("no git remote named 'origin'. Add one ('git remote add origin URL'), name another with "
            "--remote, or pass --no-push.") in capsys.readouterr().err
    assert project.run("deploy", "--no-push") == 0


def test_refuses_on_the_target_branch(project, capsys):
    git(project.root, "checkout", "--quiet", "-b", "gh-pages")
    assert project.run("deploy", "--no-push") == 1
    assert "you are on the 'gh-pages' branch" in capsys.readouterr().err


def test_refuses_an_empty_output(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DeployError) as caught:
        commit_site(project.root, empty, "gh-pages", "msg")
    assert [p.message for p in caught.value.problems] == ["the output folder is empty; there is nothing to deploy."]


def test_a_rejected_push_is_explained(project, remote, tmp_path, capsys):
    # Someone else's unrelated gh-pages history is on the remote; this deploy cannot fast-forward it.
    other = tmp_path / "other"
    other.mkdir()
    init_repo(other, remote)
    (other / "index.html").write_text("other\n")
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", "Other")
    git(other, "push", "--quiet", "origin", "main:gh-pages")
    assert project.run("deploy", "--no-push") == 0  # a local gh-pages unrelated to the remote one
    assert project.run("deploy") == 1
    err = capsys.readouterr().err
    assert "pushing 'gh-pages' to 'origin' failed:" in err and "git push origin gh-pages" in err


def test_refuses_a_branch_checked_out_in_another_worktree(project, tmp_path, capsys):
    git(project.root, "branch", "gh-pages")
    git(project.root, "worktree", "add", "--quiet", str(tmp_path / "pages"), "gh-pages")
    assert project.run("deploy", "--no-push") == 1
    assert f"the 'gh-pages' branch is checked out in {tmp_path / 'pages'}; deploy would commit" \
        in capsys.readouterr().err
