"""`newsdigest serve`: preview the site with live reload, under the same base path as production.

The generic server lives in livereload.py; this module gives it a builder that builds the site into
a temporary folder (never the project's site/), keeps what it planned (preview.SiteModel), and
applies each edit the watcher reports to it, or, when the edit changes the plan, re-reads
site.toml and builds again; and runs it until Ctrl-C. While it runs, `_status/` under the base
path is the translation status report (status.py), made from the current content on every request
and never written to the output.
An edit is built without the search index, which is brought up to date once the preview has been
quiet for a second, and given up at the next edit.
"""
from __future__ import annotations

import argparse
import ipaddress
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .builder import Planned, build, count
from .cache import CACHE_DIR, Cache
from .config import Config, load_config
from .errors import ContentError, NewsdigestError
from .livereload import Built, LiveReloadServer, problem_lines
from .preview import SiteModel
from .status import read_status, render_page

STATUS_PAGE = "_status/"  # under the base path: the translation status report, for the editor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this computer only)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    parser.add_argument("--base-url", metavar="URL",
                        help="preview as if published at this URL (default: base_url from the config); "
                             "its path is where the preview is served, e.g. /repo/")
    parser.add_argument("--drafts", action="store_true", help="include stories marked 'draft: true'")
    parser.add_argument("--debounce", type=float, default=0.05, metavar="SECONDS", help=argparse.SUPPRESS)


def watched_paths(config: Config) -> tuple[Path, ...]:
    """Everything a build reads: stories, templates (with static assets), catalogs, the config."""
    return (config.content_dir, *config.template_dirs, *config.locale_dirs, config.path)


@dataclass
class SiteBuilder:
    """The `builder` the live-reload server calls: re-reads the config from disk (a site.toml edit
    takes effect; a broken one is a build error like any other) and builds into `out_dir`."""
    config_path: Path
    out_dir: Path
    content: Path | None = None
    base_url: str | None = None
    include_drafts: bool = False
    watch: Callable[[Iterable[Path]], None] = lambda paths: None
    cache: Cache | None = None  # kept in memory between rebuilds
    warnings: tuple[str, ...] = ()  # the last build's, shown again only when they change
    config: Config | None = None  # the last one read
    model: SiteModel | None = None  # the last build's plan, which an edit updates
    # Held while building and while making the status page: both use the cache, and the page is
    # made from a finished build's cache (the server never runs them at once, but for its timeouts).
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __call__(self, changed: frozenset[str] | None = None) -> Built:
        """`changed`: the files the edit touched, as the watcher names them (None: unknown)."""
        try:
            with self.lock:
                return self._update(changed) if changed is not None and self.model else self._build()
        except Exception as exc:
            self.model = None  # the next edit builds afresh
            # The overlay names the file being processed: for an unexpected error (a bug, a file that
            # vanished mid-build) and for a problem that names none.
            if not getattr(exc, "where", None):
                try:
                    exc.where = self._where(exc)
                except AttributeError:  # an exception type that takes no attributes
                    pass
            raise

    def _where(self, exc: Exception) -> str | None:
        if not isinstance(exc, NewsdigestError):
            return processing(exc)  # None: the overlay names the line of code instead
        # Its problems name their files; this stands in for one that does not.
        if isinstance(exc, ContentError) and self.config is not None:
            return str(self.config.content_dir)
        return str(self.config_path)  # ConfigError, or a BuildError: the site site.toml describes

    def _update(self, changed: frozenset[str]) -> Built:
        """The edit applied to the kept plan (preview.py), or else the full build."""
        update = self.model.update(changed)
        if update is None:
            return self._build()
        return Built(f"Updated {count(update.written, 'file')} ({count(update.rendered, 'page')} rendered of "
                     f"{len(self.model.pages):,}) in {update.seconds * 1000:.0f} ms.", changed=update.changed)

    def _keep(self, planned: Planned) -> None:
        self.model = SiteModel(planned, self.config, self.cache, self.include_drafts)

    def _build(self) -> Built:
        config = load_config(self.config_path, content=self.content, base_url=self.base_url)
        config = replace(config, output_dir=self.out_dir)
        self.config = config
        self.watch(watched_paths(config))  # before building: a failing build still watches the new folders
        # One process: forking from a threaded server could deadlock a child on a lock another
        # thread held at the fork.
        if self.cache is None or self.cache.dir != config.root / CACHE_DIR:
            self.cache = Cache(config, workers=1, long_lived=True)
        # The search index waits (refresh_search): an edit is shown without indexing every story.
        # Static files are linked without a version: the server forbids caching, and a stylesheet's
        # edit then changes no page.
        report = build(config, include_drafts=self.include_drafts, workers=1, cache=self.cache, search_index=False,
                       asset_versions=False, keep=self._keep)
        if getattr(report, "full", True):
            message = (f"Built {count(report.pages, 'page')} from {count(report.stories, 'story', 'stories')} "
                       f"in {report.seconds:.2f} s.")
        else:  # an incremental build
            message = f"Rebuilt {report.written} of {report.pages} pages in {report.seconds:.2f} s."
        warnings = tuple(getattr(report, "warnings", ()))
        if warnings != self.warnings:
            message += "".join(f"\n  warning: {w}" for w in warnings)
            self.warnings = warnings
        return Built(message, config.base_path)

    def refresh_search(self, cancel: threading.Event) -> None:
        """Brings the search index up to date with the last build (the server's idle work); gives up
        when `cancel` is set, and says nothing when the site does not build (the overlay says why)."""
        with self.lock:
            if self.config is None:
                return
            if self.model is not None:  # the pages as the model has them: no planning
                try:
                    self.model.refresh_search(cancel)
                except NewsdigestError:
                    pass
                return
            try:
                build(self.config, include_drafts=self.include_drafts, workers=1, cache=self.cache, cancel=cancel,
                      asset_versions=False, keep=self._keep)
            except NewsdigestError:
                return

    def pages(self) -> dict[str, Callable[[], bytes]]:
        """The pages the server makes on request (LiveReloadServer's `pages`), by URL path under the base."""
        return {STATUS_PAGE: self.status_page}

    def status_page(self) -> bytes:
        """The translation status page, from site.toml and the content as they are now (read through
        the build's cache, so it costs little more than a look at each file); when they cannot be
        read, the problems, as the overlay shows them."""
        with self.lock:
            try:
                config = load_config(self.config_path, content=self.content, base_url=self.base_url)
                if self.cache is None or self.cache.dir != config.root / CACHE_DIR:
                    self.cache = Cache(config, workers=1, long_lived=True)
                self.cache.config = config
                page = render_page(read_status(config, self.include_drafts, self.cache))
            except NewsdigestError as exc:
                page = render_page(problems=problem_lines(exc))
        return page.encode("utf-8")


# The local variables that, in newsdigest's own frames, say what was being processed: a story's
# path, a SourceFile, an Article, a Page (its source), a Copy.
_SUBJECTS = ("path", "source", "article", "page", "copy", "src", "file", "filename")
_PACKAGE = str(Path(__file__).resolve().parent)


def processing(exc: BaseException) -> str | None:
    """What the build was processing when `exc` was raised, when it can tell: an OSError's file, or
    the subject of the innermost newsdigest frame of the traceback (its causes' too)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.filename is not None:
            return str(exc.filename)
        for frame, _ in reversed(list(traceback.walk_tb(exc.__traceback__))):
            if not frame.f_code.co_filename.startswith(_PACKAGE):
                continue  # a library's `source` may be a whole template
            for name in _SUBJECTS:
                subject = _subject(frame.f_locals.get(name), name)
                if subject:
                    return subject
        exc = exc.__cause__ or exc.__context__
    return None


def _subject(value: object, name: str) -> str | None:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):  # a path as text, or a page's description ("front page (en)")
        return value if name in ("source", "file", "filename") and value.strip() else None
    for attribute in ("source", "path", "src"):  # Page and Copy have a source; Article, SourceFile a path
        inner = getattr(value, attribute, None)
        if isinstance(inner, Path) or (isinstance(inner, str) and attribute == "source" and inner.strip()):
            return str(inner)
    return None


def _log(message: str) -> None:
    line = message if message.startswith(" ") else f"{datetime.now():%H:%M:%S} {message}"
    sys.stdout.write(line + "\n")  # one write: lines from the builder and request threads never mix
    sys.stdout.flush()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run(args: argparse.Namespace, config: Config, log: Callable[[str], None] = _log) -> int:
    """Serves until Ctrl-C. `config` is the first, already checked, load of site.toml."""
    tmp = Path(tempfile.mkdtemp(prefix="newsdigest-serve-"))
    builder = SiteBuilder(config.path, tmp / "site", content=args.content, base_url=args.base_url,
                          include_drafts=args.drafts)
    try:
        server = LiveReloadServer(builder, builder.out_dir, base_path=config.base_path, host=args.host,
                                  port=args.port, debounce=args.debounce, log=log,
                                  pages=builder.pages(), idle=builder.refresh_search)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}). "
              "Pass another --port, or stop the other server.", file=sys.stderr)
        return 1
    builder.watch = server.watch
    builder.watch(watched_paths(config))
    restore = _stop_on_sigterm()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"watchdog\.")  # inotify chatter
        try:
            server.start()
            server.wait_for_build()
            log(f"Serving {server.url} (Ctrl-C to stop)")
            log(f"  translation status: {server.url}{STATUS_PAGE}")
            if not _is_loopback(args.host):
                log(f"Listening on {args.host}: other computers on the network can read this preview "
                    "(at this computer's IP address or name; requests for other host names are refused).")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
        finally:
            _shut_down(server, tmp, log)
            restore()


def _shut_down(server: LiveReloadServer, tmp: Path, log: Callable[[str], None]) -> None:
    """Stops the server and removes the temporary build folder. A build still running is let
    finish first (it would recreate the folder), unless Ctrl-C is pressed again."""
    try:
        if not server.stop(timeout=1):
            log("Letting the current build finish, to remove its folder (Ctrl-C again to quit now)...")
            server.wait_for_builder(timeout=120)
    except KeyboardInterrupt:
        pass
    finally:
        if _main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the last steps are quick; finish them
        shutil.rmtree(tmp, ignore_errors=True)
        log("Stopped.")


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _stop_on_sigterm() -> Callable[[], None]:
    """SIGTERM (a process manager, `kill`) stops like Ctrl-C, so the temporary folder is removed."""
    if not _main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old_term, old_int = signal.signal(signal.SIGTERM, interrupt), signal.getsignal(signal.SIGINT)
    return lambda: (signal.signal(signal.SIGTERM, old_term), signal.signal(signal.SIGINT, old_int))
