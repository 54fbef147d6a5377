"""build(config): gather and check everything, plan every output, render into a temporary folder,
then swap it in. A failed build leaves the previous output folder exactly as it was."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from .config import Config
from .content import load_stories
from .errors import BuildError, NewsdigestError, Problem
from .i18n import load_translators
from .pages import Copy, check_collisions, plan
from .render import Renderer
from .site import Site

STATIC = "static"  # templates/static/* is published under assets/


@dataclass(frozen=True)
class Report:
    pages: int
    files: int
    stories: int
    seconds: float
    out_dir: Path

    def summary(self) -> str:
        return (f"Built {self.pages} pages and copied {self.files} files from {self.stories} stories "
                f"into {self.out_dir} in {self.seconds:.2f} s.")


def check_output_dir(config: Config) -> None:
    """Refuses an output folder whose replacement would destroy the project or its sources."""
    out = config.output_dir
    protected = {"the project folder": config.root, "the content folder": config.content_dir,
                 "the templates folder": config.templates_dir, "the locales folder": config.locales_dir}
    for what, folder in protected.items():
        if out == folder or out in folder.parents:
            raise BuildError(Problem(out, f"refusing to use this output folder: it is or contains {what} "
                                     f"({folder}), which the build would delete. Choose another --out."))
    if out in (Path(out.anchor), Path.home()) or config.content_dir in out.parents:
        raise BuildError(Problem(out, "refusing to use this output folder; choose a dedicated one "
                                 "such as 'site'."))


def _static_files(config: Config) -> list[Copy]:
    root = config.templates_dir / STATIC
    if not root.is_dir():
        return []
    return [Copy(f"assets/{path.relative_to(root).as_posix()}", path, str(path))
            for path in sorted(root.rglob("*")) if path.is_file()]


def _versioned(copies: list[Copy], site: Site) -> dict[str, str]:
    result = {}
    for copy in copies:
        digest = hashlib.sha256(copy.src.read_bytes()).hexdigest()[:10]
        result[copy.path.removeprefix("assets/")] = f"{site.urls.href(copy.path)}?v={digest}"
    return result


def gather(config: Config, include_drafts: bool = False):
    """Reads and checks all inputs; every problem from content and catalogs is reported at once."""
    problems: list[Problem] = []
    stories, translators = [], {}
    if not config.templates_dir.is_dir():
        problems.append(Problem(config.templates_dir, "templates folder not found; set 'templates' in "
                                f"{config.path.name} or restore the folder."))
    try:
        stories = load_stories(config, include_drafts=include_drafts)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    try:
        translators = load_translators(config)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    return Site.gather(config, stories), translators


def build(config: Config, *, include_drafts: bool = False) -> Report:
    start = perf_counter()
    check_output_dir(config)
    site, translators = gather(config, include_drafts)
    pages, copies = plan(site)
    static = _static_files(config)
    check_collisions(pages, copies + static)
    renderer = Renderer(site, translators, _versioned(static, site))

    out = config.output_dir
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a published site must be world-readable
        for page in pages:
            target = site.urls.output_file(tmp, page.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(renderer.render(page), encoding="utf-8")
        for copy in copies + static:
            target = site.urls.output_file(tmp, copy.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copy.src, target)
        (tmp / ".nojekyll").touch()  # GitHub Pages: serve the files as they are
        if config.cname:
            (tmp / "CNAME").write_text(config.cname + "\n", encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Report(pages=len(pages), files=len(copies) + len(static), stories=len(site.stories),
                  seconds=perf_counter() - start, out_dir=out)


def _swap(new: Path, out: Path) -> None:
    """Replaces `out` with `new` by two renames, so a reader never sees a half-written site."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old", dir=out.parent))
    old.rmdir()
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)
