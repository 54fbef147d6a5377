"""`deploy`: build, then commit the output folder to a `gh-pages` branch and push it, the way
ghp-import and `mkdocs gh-deploy` do, for those who publish GitHub Pages from a branch.

Only git plumbing is used (hash-object, update-index on a temporary index file, write-tree,
commit-tree, update-ref), so the working tree, the index and the current branch are never touched.
Each deploy adds one commit on top of the branch's previous tip; the message names the source commit.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import NewsdigestError, Problem

# Variables that would point git at another repository or index than the one we mean.
_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY")
ZERO = "0" * 40


class DeployError(NewsdigestError):
    """The site could not be deployed (not a git repository, failed build, git refused)."""


@dataclass(frozen=True)
class DeployResult:
    branch: str
    commit: str  # the branch tip after the deploy
    created: bool  # False when the site was already deployed as it is
    files: int
    source: str  # e.g. "3f2a… (dirty)"
    pushed_to: str | None


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV}
    env.update(extra)
    return env


def git(repo: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, text=True,
                            env=env or _env())
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise DeployError(Problem(repo, f"'git {' '.join(args[:2])}' failed: {detail}"))
    return result


def find_repo(path: Path) -> Path:
    try:
        result = git(path, "rev-parse", "--show-toplevel", check=False)
    except FileNotFoundError:
        raise DeployError(Problem(None, "git is not installed; install it to deploy.")) from None
    if result.returncode != 0:
        raise DeployError(Problem(path, "not inside a git repository, so there is no gh-pages branch to "
                                  "deploy to. Run 'git init' (and add a remote) first, or publish with the "
                                  "GitHub Actions workflow."))
    return Path(result.stdout.strip())


def _ref(repo: Path, ref: str) -> str | None:
    result = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return result.stdout.strip() or None


def source_commit(repo: Path, output_dir: Path) -> str:
    """`git rev-parse HEAD`, with " (dirty)" when files other than the output folder have changes."""
    head = _ref(repo, "HEAD")
    pathspec = ["--", "."]
    if output_dir.is_relative_to(repo) and output_dir != repo:
        pathspec.append(f":(exclude){output_dir.relative_to(repo).as_posix()}")
    dirty = git(repo, "status", "--porcelain", *pathspec).stdout.strip()
    return f"{head or 'no commit yet'}{' (dirty)' if dirty else ''}"


def site_files(site_dir: Path) -> list[Path]:
    return sorted(p for p in site_dir.rglob("*") if p.is_file())


def write_tree(repo: Path, site_dir: Path) -> tuple[str, int]:
    """Stores every file of `site_dir` in the repository; returns the tree and the file count.
    A temporary index file keeps the repository's own index out of it."""
    files = site_files(site_dir)
    if not files:
        raise DeployError(Problem(site_dir, "the output folder is empty; there is nothing to deploy."))
    names = [f.relative_to(site_dir).as_posix() for f in files]
    if any("\n" in name or "\0" in name for name in names):
        raise DeployError(Problem(site_dir, "a file name contains a line break; rename it."))
    shas = git(repo, "hash-object", "-w", "--no-filters", "--stdin-paths",
               input="".join(f"{f}\n" for f in files)).stdout.split()
    if len(shas) != len(files):
        raise DeployError(Problem(site_dir, "git could not store every file of the site; nothing was deployed."))
    entries = "".join(f"{'100755' if os.access(f, os.X_OK) else '100644'} {sha}\t{name}\0"
                      for f, sha, name in zip(files, shas, names))
    with tempfile.TemporaryDirectory(prefix="newsdigest-deploy-") as tmp:
        env = _env(GIT_INDEX_FILE=str(Path(tmp) / "index"))
        git(repo, "update-index", "-z", "--add", "--index-info", input=entries, env=env)
        tree = git(repo, "write-tree", env=env).stdout.strip()
    return tree, len(files)


def _parent(repo: Path, branch: str, remote: str | None) -> tuple[str | None, str | None]:
    """(the commit to build on, the current local branch tip). The local branch wins; a remote
    branch that is ahead of it (or the only one, as in a fresh clone) is used instead."""
    local = _ref(repo, f"refs/heads/{branch}")
    tracking = _ref(repo, f"refs/remotes/{remote}/{branch}") if remote else None
    if tracking is None or tracking == local:
        return local, local
    if local is None:
        return tracking, None
    ahead = git(repo, "merge-base", "--is-ancestor", local, tracking, check=False).returncode == 0
    return (tracking if ahead else local), local


def commit_site(repo: Path, site_dir: Path, branch: str, message: str,
                remote: str | None = None) -> tuple[str, bool, int]:
    """Commits the site as the new tip of `branch`: (tip, whether a commit was made, file count)."""
    tree, count = write_tree(repo, site_dir)
    parent, local = _parent(repo, branch, remote)
    if parent is not None and git(repo, "rev-parse", f"{parent}^{{tree}}").stdout.strip() == tree:
        if parent != local:  # the remote branch already holds it: catch the local branch up
            git(repo, "update-ref", f"refs/heads/{branch}", parent, local or ZERO)
        return parent, False, count
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    result = git(repo, *args, input=message, check=False)
    if result.returncode != 0:
        raise DeployError(Problem(repo, f"git could not make the commit: {result.stderr.strip()} "
                                  "(set your name with 'git config user.name' and 'git config user.email')."))
    commit = result.stdout.strip()
    git(repo, "update-ref", "-m", "newsdigest deploy", f"refs/heads/{branch}", commit, local or ZERO)
    return commit, True, count


def _message(template: str | None, source: str) -> str:
    if not template:
        return f"Deploy the site built from {source}\n"
    if "{sha}" in template:
        return template.replace("{sha}", source) + "\n"
    return f"{template}\n\nBuilt from {source}\n"


def _check_target(repo: Path, branch: str, remote: str, push: bool) -> bool:
    """Refuses an unusable branch or remote; returns whether `remote` is a named remote."""
    if git(repo, "check-ref-format", "--branch", branch, check=False).returncode != 0:
        raise DeployError(Problem(None, f"'{branch}' is not a valid branch name."))
    current = git(repo, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if current == f"refs/heads/{branch}":
        raise DeployError(Problem(repo, f"you are on the '{branch}' branch; deploy would commit to it behind "
                                  "your working tree's back. Switch to your source branch first."))
    worktrees = git(repo, "worktree", "list", "--porcelain", check=False).stdout.split("\n\n")
    for entry in worktrees:
        if f"branch refs/heads/{branch}" in entry.splitlines():
            where = entry.splitlines()[0].removeprefix("worktree ")
            raise DeployError(Problem(repo, f"the '{branch}' branch is checked out in {where}; deploy would "
                                      "commit to it behind that working tree's back. Remove that worktree "
                                      "or deploy to another --branch."))
    named = git(repo, "remote", "get-url", remote, check=False).returncode == 0
    if push and not named and not any(c in remote for c in ":/\\"):  # a URL or a path is fine too
        raise DeployError(Problem(repo, f"no git remote named '{remote}'. Add one ('git remote add {remote} "
                                  "URL'), name another with --remote, or pass --no-push."))
    return named


def deploy(config: Config, *, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
           push: bool = True, log=print) -> DeployResult:
    """Builds the site, commits it to `branch` and (unless push=False) pushes it to `remote`."""
    from .builder import build

    repo = find_repo(config.root)
    named = _check_target(repo, branch, remote, push)
    source = source_commit(repo, config.output_dir)
    try:
        report = build(config)
    except NewsdigestError as exc:
        raise DeployError([*exc.problems, Problem(None, "the build failed, so nothing was deployed.")]) from None
    for warning in report.warnings:
        log(f"warning: {warning}")
    log(report.summary())
    tracked = remote if push and named else None
    if tracked:  # learn about deploys made from elsewhere, so history keeps accumulating
        git(repo, "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}",
            check=False)
    commit, created, count = commit_site(repo, config.output_dir, branch, _message(message, source), tracked)
    if created:
        log(f"Committed {commit[:12]} to '{branch}': {count} files, built from {source}.")
    else:
        log(f"Nothing new to deploy: '{branch}' ({commit[:12]}) already holds this site.")
        if tracked and _ref(repo, f"refs/remotes/{remote}/{branch}") == commit:
            log(f"'{remote}' has it too; nothing pushed.")
            return DeployResult(branch, commit, created, count, source, None)
    pushed_to = None
    if push:
        result = git(repo, "push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}", check=False)
        if result.returncode != 0:
            raise DeployError(Problem(repo, f"pushing '{branch}' to '{remote}' failed: {result.stderr.strip()}. "
                                      f"The commit is on the local '{branch}' branch; fix the problem and run "
                                      f"'git push {remote} {branch}'."))
        pushed_to = remote
        log(f"Pushed '{branch}' to '{remote}'. Once GitHub Pages publishes that branch, the site is at "
            f"{config.base_url}")
    return DeployResult(branch, commit, created, count, source, pushed_to)


# Command line (wired in cli.py)

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Build the site, commit it to a gh-pages branch (leaving your working tree, index "
                          "and current branch alone) and push that branch.")
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: site)")
    parser.add_argument("--base-url", metavar="URL",
                        help="absolute URL the site is published at, e.g. https://user.github.io/repo/")
    parser.add_argument("--remote", default="origin", help="remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch to commit the site to (default: gh-pages)")
    parser.add_argument("-m", "--message", metavar="TEXT",
                        help="commit message; '{sha}' is replaced by the source commit, which is "
                             "otherwise added on a line of its own")
    parser.add_argument("--no-push", dest="push", action="store_false", help="commit, but do not push")


def run(args: argparse.Namespace, config: Config) -> int:
    deploy(config, remote=args.remote, branch=args.branch, message=args.message, push=args.push)
    return 0
