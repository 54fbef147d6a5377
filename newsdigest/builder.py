"""build(config): gather and check everything, plan every output, render into a temporary folder,
then swap it in. A failed build leaves the previous output folder exactly as it was."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from .config import Config
from .content import Tree, load_stories, walk_content
from .errors import BuildError, NewsdigestError, Problem
from .i18n import load_translators
from .cache import Cache
from .fingerprint import Fingerprinter, global_key, global_settings
from .pages import Copy, Page, check_collisions, plan
from .parallel import fork_map
from .progress import Progress
from .render import Renderer
from .site import Site
from .urls import Urls

STATIC = "static"  # templates/static/* is published under assets/


@dataclass(frozen=True)
class Report:
    pages: int  # planned
    written: int  # rendered and written this time (the rest were unchanged)
    files: int  # copied files (story photos, theme assets) planned
    stories: int
    seconds: float
    out_dir: Path
    full: bool  # a complete rebuild (no usable manifest) rather than an incremental one
    # What the editor should know but that does not stop the build (stories that look like one
    # story in two languages: pair_hints.py), one line each, without the "warning: " prefix.
    warnings: tuple[str, ...] = ()

    @property
    def unchanged(self) -> int:
        return self.pages - self.written

    def summary(self) -> str:
        return (f"Built {self.pages} pages ({self.written} written, {self.unchanged} unchanged) and "
                f"{self.files} files from {self.stories} stories into {self.out_dir} in {self.seconds:.2f} s.")


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


def gather(config: Config, include_drafts: bool = False, cache: Cache | None = None, progress=None,
           tree: Tree | None = None):
    """Reads and checks all inputs; every problem from content and catalogs is reported at once."""
    problems: list[Problem] = []
    stories, translators = [], {}
    if not config.templates_dir.is_dir():
        problems.append(Problem(config.templates_dir, "templates folder not found; set 'templates' in "
                                f"{config.path.name} or restore the folder."))
    def parse_cached(files):
        return cache.parse(files, progress.phase("reading", len(files)) if progress else None)
    try:
        stories = load_stories(config, include_drafts=include_drafts, parse=parse_cached if cache else None,
                               tree=tree)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    try:
        translators = load_translators(config)
    except NewsdigestError as exc:
        problems.extend(exc.problems)
    if problems:
        raise BuildError(problems)
    return Site.gather(config, stories), translators


def build(config: Config, *, include_drafts: bool = False, clean: bool = False, use_cache: bool = True,
          progress: Progress | None = None, log: Callable[[str], None] | None = None,
          workers: int | None = None, cache: Cache | None = None) -> Report:
    """Builds the site into config.output_dir. With a manifest of the last build, only pages whose
    fingerprint changed are rendered, and only files whose bytes changed are replaced; otherwise (or
    with clean=True) everything is built into a new folder that replaces the old one at the end.
    Either way, any error in content, catalogs or templates is raised before the output is touched.
    `progress` draws a bar on a terminal; `log` receives a line per phase (--verbose); `workers`
    caps the processes (default: one per core; 1 never forks, which a threaded caller needs);
    `cache` lets a long-lived caller (the dev server) keep the cache in memory between builds."""
    start = perf_counter()
    say = log or (lambda line: None)
    check_output_dir(config)
    if cache is None:
        cache = Cache(config, enabled=use_cache, trust=not clean, workers=workers)
    cache.config = config  # the caller may have re-read site.toml since the last build
    out = config.output_dir
    tree = walk_content(config.content_dir) if config.content_dir.is_dir() else None
    snapshot = input_snapshot(config, tree, include_drafts)
    previous = cache.load_manifest(out)
    if previous and previous.get("snapshot") == snapshot and not any(_missing(out, p) for p in previous["outputs"]):
        # No input changed since the last build (by size and modification time), and every output is there.
        say("no input changed since the last build")
        counts = previous["counts"]
        return Report(pages=counts["pages"], written=0, files=counts["files"], stories=counts["stories"],
                      seconds=perf_counter() - start, out_dir=out, full=False,
                      warnings=tuple(previous.get("warnings", ())))

    site, translators = gather(config, include_drafts, cache, progress, tree)
    say(f"read {sum(len(s.articles) for s in site.stories)} articles ({cache.hits} from the cache) "
        f"in {perf_counter() - start:.2f} s")
    pages, copies = plan(site)
    static = _static_files(config)
    copies = copies + static
    check_collisions(pages, copies)
    hints_start = perf_counter()
    warnings = _pairing_hints(site, cache, workers, progress)
    say(f"looked for single-language stories to pair in {perf_counter() - hints_start:.2f} s: "
        f"{len(warnings)} found")
    assets = _versioned(static, site)
    renderer = Renderer(site, translators, assets, cache.dir / "templates" if cache.enabled else None)
    fingerprints = Fingerprinter(site, global_key(config, include_drafts, assets))
    wanted = {page.path: fingerprints.page(page) for page in pages}
    wanted.update((copy.path, fingerprints.copy(copy)) for copy in copies)

    say(f"planned {len(pages)} pages and {len(copies)} files")
    say("no usable record of the last build: building everything" if previous is None
        else "building the pages whose inputs changed")
    render_start = perf_counter()
    update = progress.phase("rendering", len(pages)) if progress else None
    if previous is None:
        written = _build_all(renderer, pages, copies, config, update, workers)
    else:
        written = _update(renderer, pages, copies, config, previous["outputs"], wanted, cache, update, say,
                          workers)
    say(f"rendered {written} pages in {perf_counter() - render_start:.2f} s")
    counts = {"pages": len(pages), "files": len(copies), "stories": len(site.stories)}
    cache.save_manifest(out, wanted, snapshot, counts, warnings)
    return Report(pages=len(pages), written=written, files=len(copies), stories=len(site.stories),
                  seconds=perf_counter() - start, out_dir=out, full=previous is None, warnings=warnings)


def _pairing_hints(site: Site, cache: Cache, workers: int | None, progress: Progress | None) -> tuple[str, ...]:
    """Warnings naming single-language stories the importer would pair. Advice only: if looking
    fails (the importer's code is broken, say), the build goes on and says so."""
    from . import pair_hints
    try:
        phase = (lambda total: progress.phase("pairing", total)) if progress else None
        return tuple(h.message() for h in pair_hints.find(site, cache, workers, phase))
    except Exception as exc:  # noqa: BLE001 - a hint must never cost the editor the build
        return (f"could not look for single-language stories to pair ({type(exc).__name__}: {exc}); "
                "the site was built without that check.",)


def input_snapshot(config: Config, tree: Tree | None, include_drafts: bool) -> str:
    """A digest of every input's name, size and modification time, with the settings and code:
    equal digests mean there is nothing to rebuild. Cheap (stat only), unlike reading the files."""
    digest = hashlib.blake2b(global_settings(config, include_drafts), digest_size=16)
    folders = [(folder, files) for folder, files in tree or []]
    digest.update(repr(tree.links_out if tree else ()).encode())  # a refused link is a change too
    for root in (config.templates_dir, config.locales_dir):
        for folder, _, files in sorted(os.walk(root)):
            folders.append((folder, sorted(files)))
    for folder, files in folders:
        for name in files:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:  # vanished while we looked: the snapshot simply differs
                continue
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


def _missing(out: Path, path: str) -> bool:
    """Whether a site path's output file is absent."""
    return not os.path.exists(Urls.output_name(str(out), path))


def _render_into(renderer: Renderer, pages: list[Page], root: Path, progress=None, workers=None) -> int:
    """Renders pages into files below root, spread over the cores; returns how many."""
    def work(chunk: list[Page], tick) -> list[int]:
        made: set[str] = set()
        for page in chunk:
            _write(str(root), page.path, renderer.render(page).encode(), made)
            tick()
        return [len(chunk)]
    return sum(fork_map(work, pages, workers, progress))


def _write(root: str, path: str, data: bytes, made: set[str]) -> None:
    target = Urls.output_name(root, path)
    folder = os.path.dirname(target)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    with open(target, "wb") as handle:
        handle.write(data)


def _copy_into(root: Path, copy: Copy) -> None:
    target = Urls.output_file(root, copy.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(copy.src, target)


def _hosting_files(root: Path, config: Config) -> None:
    """What GitHub Pages reads: .nojekyll (serve files as they are) and CNAME for a custom domain."""
    if not (root / ".nojekyll").exists():
        (root / ".nojekyll").touch()
    cname = root / "CNAME"
    if config.cname:
        if not cname.exists() or cname.read_text(encoding="utf-8") != config.cname + "\n":
            cname.write_text(config.cname + "\n", encoding="utf-8")
    else:
        cname.unlink(missing_ok=True)


def _build_all(renderer: Renderer, pages: list[Page], copies: list[Copy], config: Config, progress=None,
               workers=None) -> int:
    out = config.output_dir
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a published site must be world-readable
        written = _render_into(renderer, pages, tmp, progress, workers)
        for copy in copies:
            _copy_into(tmp, copy)
        _hosting_files(tmp, config)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _update(renderer: Renderer, pages: list[Page], copies: list[Copy], config: Config,
            previous: dict[str, str], wanted: dict[str, str], cache: Cache, progress=None,
            say: Callable[[str], None] = lambda line: None, workers=None) -> int:
    out, urls = config.output_dir, renderer.urls

    dirty = [p for p in pages if previous.get(p.path) != wanted[p.path] or _missing(out, p.path)]
    fresh = [c for c in copies if previous.get(c.path) != wanted[c.path] or _missing(out, c.path)]
    stale = [path for path in previous if path not in wanted]
    say(f"{len(dirty)} pages changed, {len(fresh)} files to copy, {len(stale)} outputs to remove")
    if dirty:
        # Rendered aside first: a template error found on the 500th page leaves `out` untouched.
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp", dir=out.parent))
        try:
            _render_into(renderer, dirty, staging, progress, workers)
            cache.forget_manifest(out)
            for page in dirty:
                _replace_if_changed(urls.output_file(staging, page.path), urls.output_file(out, page.path))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if fresh or stale:
        cache.forget_manifest(out)
    for copy in fresh:
        _copy_into(out, copy)
    for path in stale:
        target = urls.output_file(out, path)
        target.unlink(missing_ok=True)
        _prune_empty_dirs(target.parent, out)
    _hosting_files(out, config)
    return len(dirty)


def _replace_if_changed(new: Path, target: Path) -> None:
    """Moves new over target unless target already has these bytes (its mtime then stays put)."""
    if target.exists() and target.stat().st_size == new.stat().st_size and target.read_bytes() == new.read_bytes():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(new, target)


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty
            return
        folder = folder.parent


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
