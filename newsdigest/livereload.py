"""A generic live-reload preview server (the design of MkDocs' LiveReloadServer, with Server-Sent Events).

The server knows nothing about newsdigest: it is given a `builder(changed)` callable that writes a site
into `root`, the URL path to mount it at, and the paths to watch (watcher.py watches them).

* File events only mark the site dirty under a Condition, and note the file. One builder thread waits
  until the events stop for `debounce` seconds (an editor's save is often delete + create + rename),
  then runs `builder(changed)`, with the files noted since the last build (None when unknown, as
  for the first build), off the request path. Events that arrive during a build cause one more.
* Requests wait while a build runs (up to `request_timeout`), and a build waits for the requests that
  are reading files, so a half-built or half-swapped site is never served.
* HTML responses get a small script injected before `</body>` (only here, never in the built files).
  It listens on `<base>__livereload` (SSE), naming its page and the build it was served from. A
  build says which files it changed (Built.changed): a tab reloads when its own page changed (or a
  script, or when the build cannot say), swaps the stylesheets that changed, and otherwise stays
  as it is. The script and the overlay's styles are package files (livereload_client/), read when
  the server starts.
* `pages` are made on request rather than read from `root` (an editor's tool, such as newsdigest's
  translation status page): a callable per URL path under the base, run like a file read (never
  while a build runs), its HTML served with the script like any page. They never touch `root`.
* A failed build keeps the last good pages. Every HTML response then carries an overlay listing the
  problems (`file:line: message`), and open tabs get it through the event stream.
* Hostile or broken clients: a connection must send its request line and headers within
  `header_timeout` (a total, so trickling one byte at a time does not help), and every later socket
  read or write times out after `socket_timeout`; the event stream only waits on the server's state
  and writes a ping every `heartbeat`, so it outlives both. The listen queue holds a burst of tabs.
  Requests whose Host header names another site are refused (403), so a web page cannot read the
  preview through DNS rebinding: see allowed_host().
"""
from __future__ import annotations

import html
import importlib.resources
import io
import ipaddress
import json
import mimetypes
import secrets
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import monotonic
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import format_problems
from .watcher import Watcher

ENDPOINT = "__livereload"  # under the base path: the event stream; with .js and .css, the client
CLIENT_PACKAGE = "newsdigest.livereload_client"
CLIENT_FILES = {ENDPOINT + ".js": ("livereload.js", "text/javascript; charset=utf-8"),
                ENDPOINT + ".css": ("overlay.css", "text/css; charset=utf-8")}  # URL -> (package file, type)


@dataclass(frozen=True)
class Built:
    """What a successful `builder()` call may tell the server (it may also return None)."""
    message: str = ""  # one line for the terminal, e.g. "Built 44 pages in 0.12 s."
    base_path: str | None = None  # the URL path the site is now mounted at, when it changed
    # The files whose bytes changed, relative to the root ("en/", "assets/style.css"; a folder's
    # path stands for its index.html), or None: any may have.
    changed: frozenset[str] | None = None


@dataclass(frozen=True)
class State:
    builds: int  # finished build attempts
    epoch: int  # successful builds; a tab reloads when the server's epoch passes its own
    problems: tuple[str, ...]  # of the last build attempt; empty after a success
    base_path: str
    # (epoch, the files it changed as output file names, or None), for the latest successful builds.
    history: tuple[tuple[int, frozenset[str] | None], ...] = ()

    def since(self, epoch: int) -> frozenset[str] | None:
        """The files changed by the builds after `epoch` (None: unknown, or too long ago to say)."""
        if epoch >= self.epoch:
            return frozenset()
        if not self.history or self.history[0][0] > epoch + 1:
            return None
        changed: set[str] = set()
        for number, files in self.history:
            if number > epoch:
                if files is None:
                    return None
                changed |= files
        return frozenset(changed)


HISTORY = 64  # builds remembered for tabs that were hidden meanwhile (they reload past that)


def output_file(path: str) -> str:
    """A site path as the file it is: a folder's ("", "en/") is its index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def tab_action(changed: frozenset[str] | None, page: str | None) -> tuple[bool, list[str]]:
    """What a tab showing `page` (an output file name) does about these changes: (reload, the
    stylesheets to swap). It reloads when it cannot know, when its page or any script changed."""
    if changed is None or page is None or page in changed or any(f.endswith((".js", ".mjs")) for f in changed):
        return True, []
    return False, sorted(f for f in changed if f.endswith(".css"))


def problem_lines(exc: BaseException) -> tuple[str, ...]:
    """`file:line: message` for each problem an error carries (NewsdigestError.problems), else its type
    and text. Either way, what was being processed is named when known: `exc.where` (a builder may
    set it: the file it was reading, say) or an OSError's file name; it stands in for the file of a
    problem that has none. Never empty, never a blank line."""
    where = _where(exc)
    problems = getattr(exc, "problems", None)
    if problems:
        return tuple(_problem_line(p, where) or type(exc).__name__ for p in problems)
    if isinstance(exc, OSError) and exc.strerror and where:
        what = f"{exc.strerror} ({type(exc).__name__})"
    else:
        text = " ".join(str(exc).split())
        what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if where:
        return f"{where}: {what}", f"(an unexpected error while processing {where}: the terminal shows the traceback)"
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" in {frames[-1].filename}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    return what, f"(an unexpected error{at}: the terminal shows the traceback)"


def _where(exc: BaseException) -> str | None:
    where = getattr(exc, "where", None)
    if not where and isinstance(exc, OSError) and exc.filename is not None:
        where = exc.filename
    if isinstance(where, bytes):
        where = where.decode(errors="replace")
    where = " ".join(str(where).split())[:300] if where is not None else ""  # one line, however hostile
    return where or None


def _problem_line(problem: object, where: str | None) -> str:
    if getattr(problem, "path", "") is None and where:  # a Problem that names no file
        return f"{where}: {getattr(problem, 'message', '') or problem}"
    return str(problem).strip()


class LiveReloadServer(ThreadingHTTPServer):
    """Serves `root` under `base_path`, rebuilds it with `builder()` when watched files change.

    Use as a context manager (or call start() and stop()); the first build starts at once.
    """
    daemon_threads = True  # an open event stream never keeps the process alive
    request_queue_size = 128  # the listen backlog: a burst of tabs and assets is queued, not dropped and retried

    def __init__(self, builder: Callable[[frozenset[str] | None], Built | None], root: Path, *, base_path: str = "/",
                 host: str = "127.0.0.1", port: int = 8000, debounce: float = 0.1, max_delay: float = 2.0,
                 request_timeout: float = 30.0, sse_lifetime: float = 30.0, heartbeat: float = 5.0,
                 header_timeout: float = 10.0, socket_timeout: float = 30.0,
                 log: Callable[[str], None] = print, pages: Mapping[str, Callable[[], bytes]] | None = None,
                 idle: Callable[[threading.Event], None] | None = None, idle_after: float = 1.0):
        """request_timeout: how long a request waits for a running build; header_timeout: the time a
        connection has to send its request line and headers, in all; socket_timeout: the limit on
        each later read or write (a client that stops reading); pages: URL path under the base
        (such as "_status/") -> a callable returning an HTML page, made on each request; idle: work
        put off the edit's path (the search index), run in the builder thread once `idle_after`
        seconds passed without an event after a build, with an Event that the next file event sets:
        it must then give up at once. Requests are served while it runs (it swaps atomically)."""
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.builder, self.root, self.log = builder, Path(root), log
        self.host = host
        self.debounce, self.max_delay = debounce, max_delay
        self.request_timeout, self.sse_lifetime, self.heartbeat = request_timeout, sse_lifetime, heartbeat
        self.header_timeout, self.socket_timeout = header_timeout, socket_timeout
        self.host_names = host_names(host)
        self._refused_hosts: set[str] = set()  # logged once each
        self._connections: set[socket.socket] = set()  # open ones, shut down by stop()
        self._connections_lock = threading.Lock()
        self.token = secrets.token_hex(4)  # tabs from an earlier run of the server reload too
        # Watcher -> builder thread
        self._dirty_cond = threading.Condition()
        self._dirty = True  # the first build
        self._changed: set[str] | None = None  # the files noted since the last build; None: unknown
        self.idle, self.idle_after = idle, idle_after
        self._idle_due = False  # a build finished since the idle work last ran
        self._cancel_idle = threading.Event()
        self._last_event = float("-inf")
        self._last_built = float("-inf")
        self._stopping = False
        # Builder thread <-> request threads and event streams
        self._state_cond = threading.Condition()
        self._building = False
        self._readers = 0
        self._state = State(builds=0, epoch=0, problems=(), base_path=_mount(base_path))
        self._watcher = Watcher(self.mark_dirty, log)
        self.client = client_files()  # URL path under the base -> (bytes, content type)
        self.pages = dict(pages or {})  # URL path under the base -> the callable that makes its HTML
        self._workers: list[threading.Thread] = []
        super().__init__((host, port), _RequestHandler)

    # -- public API -----------------------------------------------------------------------------
    @property
    def state(self) -> State:
        with self._state_cond:
            return self._state

    @property
    def base_path(self) -> str:
        return self.state.base_path

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server_address[1]}{self.base_path}"

    def start(self) -> LiveReloadServer:
        self._watcher.start()
        serve = lambda: self.serve_forever(poll_interval=0.1)  # noqa: E731 (shutdown() waits one interval)
        for target, name in ((self._build_loop, "livereload-builder"), (serve, "livereload-http")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """Stops watching, building and serving; open event streams end at once. Returns False when
        a build is still running after `timeout` (see wait_for_builder)."""
        with self._dirty_cond:
            self._stopping = True
            self._cancel_idle.set()  # put-off work gives up at once
            self._dirty_cond.notify_all()
        with self._state_cond:
            self._state_cond.notify_all()
        self._watcher.stop(timeout)
        if self._workers:
            self.shutdown()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:  # a half-sent request or a slow reader must not delay the stop
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.server_close()  # joins the request threads, which end at once now
        return self.wait_for_builder(timeout)

    def wait_for_builder(self, timeout: float | None = None) -> bool:
        """After stop(): waits for a running build to end; True when no thread is left."""
        for thread in self._workers:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in self._workers)

    def __enter__(self) -> LiveReloadServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def watch(self, paths: Iterable[Path]) -> None:
        """Sets the watched paths (replacing the previous set): folders recursively, files through
        their folder. Missing paths are skipped; call again after a build to pick them up."""
        self._watcher.watch(paths)

    def mark_dirty(self, path: str | None = None) -> None:
        """Called for every file event: only records that a build is wanted, and for which file
        (None: unknown, so the builder is told nothing)."""
        with self._dirty_cond:
            self._dirty = True
            if path is None:
                self._changed = None
            elif self._changed is not None:
                self._changed.add(path)
            self._last_event = monotonic()
            self._cancel_idle.set()
            self._dirty_cond.notify_all()

    def wait_for_build(self, after: int = 0, timeout: float | None = None) -> State | None:
        """Waits until more than `after` builds have finished; returns the state, or None on timeout."""
        with self._state_cond:
            done = self._state_cond.wait_for(lambda: self._state.builds > after or self._stopping, timeout)
            return self._state if done else None

    # -- building -------------------------------------------------------------------------------
    def _build_loop(self) -> None:
        while True:
            with self._dirty_cond:
                while not (self._dirty or self._stopping):
                    if self._idle_due and monotonic() - self._last_built >= self.idle_after:
                        break
                    self._dirty_cond.wait(0.5 if not self._idle_due else self.idle_after)
                if not (self._dirty or self._stopping):
                    self._idle_due = False
                    self._cancel_idle.clear()
                    run_idle = True
                else:
                    run_idle = False
            if run_idle:
                self._run_idle()
                continue
            with self._dirty_cond:
                first = monotonic()
                while not self._stopping:  # debounce: wait for a quiet spell, but not forever
                    now = monotonic()
                    quiet = now - self._last_event
                    if quiet >= self.debounce or now - first >= self.max_delay:
                        break
                    self._dirty_cond.wait(min(self.debounce - quiet, self.max_delay - (now - first)))
                if self._stopping:
                    return
                self._dirty = False
                changed = None if self._changed is None else frozenset(self._changed)
                self._changed = set()
            self._rebuild(changed)

    def _run_idle(self) -> None:
        try:
            self.idle(self._cancel_idle)
        except Exception as exc:  # noqa: BLE001 - put-off work must never stop the preview
            if not self._stopping:
                self.log(f"(in the background) {type(exc).__name__}: {exc}")

    def _rebuild(self, changed: frozenset[str] | None = None) -> None:
        with self._state_cond:
            self._building = True  # new requests wait...
            self._state_cond.wait_for(lambda: self._readers == 0, self.request_timeout)  # ...for readers
        built, problems = None, ()
        try:
            built = self.builder(changed) or Built()
        except Exception as exc:  # a broken site is reported, never fatal
            problems = problem_lines(exc)
            if not hasattr(exc, "problems") and not self._stopping:
                self.log("".join(traceback.format_exception(exc)).rstrip())
        if not self._stopping:  # logged before the state changes, so waiters print after it
            if built is not None:
                if built.message:
                    self.log(built.message)
            else:
                for line in format_problems(problems):
                    self.log(line)
                self.log("The preview keeps showing the last good pages, with these problems on top.")
        with self._state_cond:
            old = self._state
            if built is not None:
                files = None if built.changed is None else frozenset(map(output_file, built.changed))
                history = (*old.history, (old.epoch + 1, files))[-HISTORY:]
                self._state = State(old.builds + 1, old.epoch + 1, (), _mount(built.base_path or old.base_path),
                                    history)
                with self._dirty_cond:
                    self._idle_due = self.idle is not None
                    self._last_built = monotonic()
            else:
                self._state = State(old.builds + 1, old.epoch, problems, old.base_path, old.history)
            self._building = False
            self._state_cond.notify_all()

    # -- serving --------------------------------------------------------------------------------
    @contextmanager
    def _reading(self):
        """Waits until no build is running, then holds it off (yielding the state) until done."""
        with self._state_cond:
            self._state_cond.wait_for(lambda: not self._building or self._stopping, self.request_timeout)
            self._readers += 1
            state = self._state
        try:
            yield state
        finally:
            with self._state_cond:
                self._readers -= 1
                if self._readers == 0 and self._building:
                    self._state_cond.notify_all()

    def read(self, relative: str) -> tuple[State, Path | None, bytes | None]:
        """Reads the file at a site-relative path once no build is running: (state, file, bytes).
        The file is None when the path is outside the site or missing, and a directory yields its
        index.html (bytes None when there is none)."""
        with self._reading() as state:
            return state, *self._read_file(relative)

    def _read_file(self, relative: str) -> tuple[Path | None, bytes | None]:
        try:
            root = self.root.resolve()
            target = (root / relative).resolve()
            if target != root and root not in target.parents:
                return None, None
            if target.is_dir():
                index = target / "index.html"
                return target, index.read_bytes() if index.is_file() else None
            if target.is_file():
                return target, target.read_bytes()
            return None, None
        except OSError:
            return None, None

    def render(self, relative: str) -> tuple[State, int, bytes]:
        """Makes one of `pages` once no build is running: (state, HTTP status, HTML). A page that
        fails is a 500 naming the error; the terminal gets the traceback."""
        with self._reading() as state:
            try:
                return state, 200, self.pages[relative]()
            except Exception as exc:  # noqa: BLE001 - a broken tool page must not cost the preview
                self.log("".join(traceback.format_exception(exc)).rstrip())
                return state, 500, page_error(relative, problem_lines(exc))

    def events(self, last_builds: int | None) -> State | None:
        """Waits up to `heartbeat` for a state newer than `last_builds`; None means "send a ping"."""
        with self._state_cond:
            changed = self._state_cond.wait_for(
                lambda: self._stopping or self._state.builds != last_builds, self.heartbeat)
            if self._stopping or not changed:
                return None
            return self._state

    @property
    def stopping(self) -> bool:
        return self._stopping

    def allows_host(self, values: list[str] | None) -> bool:
        """Whether the request's Host header (every copy of it) names this server; see allowed_host()."""
        if not values:
            return True  # no Host at all: not a browser (every browser sends one), so not a rebinding page
        return len(values) == 1 and allowed_host(values[0], self.host, self.host_names)

    def refused_host(self, value: str) -> None:
        value = " ".join(value.split())[:100]
        if value in self._refused_hosts or len(self._refused_hosts) >= 20:
            return
        self._refused_hosts.add(value)
        self.log(f"403: refused a request for Host {value!r}: this preview only answers to "
                 f"{', '.join(allowed_names(self.host, self.host_names))}.")

    def handle_error(self, request, client_address) -> None:
        """A client that vanishes or times out is routine; anything else is a bug worth a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self._stopping:
            return
        self.log(traceback.format_exc().rstrip())

    def _opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)


WILDCARDS = ("", "0.0.0.0", "::")  # listening on every interface


def host_names(bound: str) -> frozenset[str]:
    """The host names a server listening on `bound` answers to, besides IP literals (allowed_host):
    localhost, the name it was bound to, and when bound to every interface this computer's name
    (also with .local, its name on the local network)."""
    names = {"localhost"}
    bound = bound.strip("[]").lower()
    if bound in WILDCARDS:
        name = socket.gethostname().lower().rstrip(".")
        if name:
            short = name.split(".")[0]
            names.update({name, short, f"{short}.local"})
    elif not _ip(bound):
        names.add(bound.rstrip("."))
    return frozenset(names)


def allowed_names(bound: str, names: frozenset[str]) -> list[str]:
    """For messages: what the Host header may say."""
    shown = ["localhost", "127.0.0.1", "[::1]"] + sorted(names - {"localhost"})
    bound = bound.strip("[]").lower()
    if bound in WILDCARDS:
        shown.append("this computer's IP addresses")
    elif _ip(bound) and not _ip(bound).is_loopback:
        shown.append(f"[{bound}]" if ":" in bound else bound)
    return shown


def allowed_host(value: str, bound: str, names: frozenset[str] = frozenset({"localhost"})) -> bool:
    """Whether a Host header value ("name", "name:port", "[v6]:port") may be answered by a server
    listening on `bound`. DNS rebinding points a name the attacker owns at this computer, so what
    matters is the name: loopback literals, localhost and *.localhost (which browsers never resolve
    through DNS) and `names` (host_names()) are allowed, with any port or none; so is the bound
    address, and, when listening on every interface, any IP literal (no one can rebind an address)."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = (value[1:end], value[end + 1:]) if end > 0 else ("", "")
        if ":" not in host:
            return False
    else:
        host, colon, port = value.partition(":")
        rest = colon + port
    if rest and not (rest.startswith(":") and rest[1:].isdigit() and len(rest) <= 6):
        return False
    if not host or any(c.isspace() or c in "/\\@?#%" for c in host):
        return False
    ip = _ip(host)
    if ip is not None:
        bound = bound.strip("[]").lower()
        return ip.is_loopback or bound in WILDCARDS or ip == _ip(bound)
    host = host[:-1] if host.endswith(".") else host
    return host in names or host.endswith(".localhost")


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _mount(base_path: str) -> str:
    base_path = "/" + base_path.strip("/") + "/"
    return "/" if base_path == "//" else base_path


def safe_path(raw: str) -> str | None:
    """The decoded URL path, or None when it tries to leave the site: `..` or `.` segments (also
    percent-encoded), encoded slashes or backslashes, NUL bytes, empty segments."""
    lowered = raw.lower()
    if "%2f" in lowered or "%5c" in lowered or "\\" in raw or not raw.startswith("/"):
        return None
    path = unquote(raw)
    if "\0" in path or "\\" in path:
        return None
    segments = path.split("/")[1:]
    if any(s in (".", "..") for s in segments) or any(s == "" for s in segments[:-1]):
        return None
    return path


def inject(page: bytes, snippet: str) -> bytes:
    """Inserts `snippet` before the last `</body>`, or appends it when there is none."""
    index = page.lower().rfind(b"</body>")
    data = snippet.encode("utf-8")
    return page + data if index < 0 else page[:index] + data + page[index:]


def overlay_html(problems: Iterable[str]) -> str:
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return (f'<section id="nd-livereload-overlay" class="nd-livereload" lang="en" dir="ltr" '
            f'aria-labelledby="nd-livereload-title"><div role="alert">'
            f'<p id="nd-livereload-title" class="nd-livereload__title">The site did not rebuild. '
            f'This page is the last good version.</p><ul class="nd-livereload__list">{items}</ul>'
            f'<p class="nd-livereload__hint">Fix the file and save: the page reloads by itself.</p></div>'
            f'<button type="button" class="nd-livereload__hide">Hide</button></section>')


def client_snippet(state: State, token: str, page: str | None = None) -> str:
    """`page`: the output file the tab shows (None: one made on request, reloaded after every build)."""
    base = html.escape(state.base_path, quote=True)
    shown = f' data-page="{html.escape(page, quote=True)}"' if page is not None else ""
    snippet = (f'<link rel="stylesheet" href="{base}{ENDPOINT}.css">'
               f'<script src="{base}{ENDPOINT}.js" data-events="{base}{ENDPOINT}" data-base="{base}" '
               f'data-epoch="{state.epoch}" data-server="{token}"{shown}></script>')
    return snippet + (overlay_html(state.problems) if state.problems else "")


def not_found_page(path: str, state: State) -> bytes:
    if state.epoch == 0:
        why = "The site has not been built yet." + (" Fix the problems shown on this page." if state.problems else "")
    else:
        why = f'The site is served at <a href="{html.escape(state.base_path)}">{html.escape(state.base_path)}</a>.'
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>'
            f'<h1>Not found</h1><p>Nothing is published at <code>{html.escape(path)}</code>. {why}</p>'
            f'</main></body></html>\n').encode("utf-8")


def page_error(relative: str, problems: Iterable[str]) -> bytes:
    items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Page failed</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>'
            f'<h1>This page failed</h1><p>The preview could not make <code>{html.escape(relative)}</code>:</p>'
            f'<ul>{items}</ul></main></body></html>\n').encode("utf-8")


def client_files() -> dict[str, tuple[bytes, str]]:
    """The client's files (livereload_client/), by URL path under the base: (bytes, content type)."""
    folder = importlib.resources.files(CLIENT_PACKAGE)
    return {url: ((folder / name).read_bytes(), kind) for url, (name, kind) in CLIENT_FILES.items()}


class _DeadlineReader(io.RawIOBase):
    """A socket's reading end that, while `deadline` is set, gives up at that time however the bytes
    trickle in (a socket timeout alone restarts with every byte); then each read waits up to `timeout`."""

    def __init__(self, sock: socket.socket, timeout: float | None):
        self.sock, self.timeout, self.deadline = sock, timeout, None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - monotonic()
        if left <= 0:
            raise TimeoutError("the request line and headers did not arrive in time")
        self.sock.settimeout(left if self.timeout is None else min(left, self.timeout))
        try:
            return self.sock.recv_into(buffer)
        finally:
            self.sock.settimeout(self.timeout)


class _RequestHandler(BaseHTTPRequestHandler):
    server: LiveReloadServer
    server_version = "newsdigest-serve"

    def log_message(self, format, *args) -> None:  # the server logs what matters itself
        pass

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout  # every read and write, once the headers are in
        super().setup()
        self.server._opened(self.connection)
        self.rfile.close()  # the socket's own file, replaced by one that keeps the header deadline
        self._reader = _DeadlineReader(self.connection, self.timeout)
        self.rfile = io.BufferedReader(self._reader)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server._closed(self.connection)

    def handle_one_request(self) -> None:
        self._reader.deadline = monotonic() + self.server.header_timeout
        super().handle_one_request()  # a timeout there closes the connection

    def parse_request(self) -> bool:
        if not self.raw_requestline.endswith(b"\n") or self.server.stopping:
            self.close_connection = True  # cut off half-way (the client left, or stop() shut it)
            return False
        try:
            return super().parse_request()  # reads the headers
        finally:
            self._reader.deadline = None

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def _handle(self, send_body: bool) -> None:
        try:
            self._route(send_body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the tab went away

    def _route(self, send_body: bool) -> None:
        hosts = self.headers.get_all("Host")
        if not self.server.allows_host(hosts):
            self.server.refused_host(", ".join(hosts or ()))
            return self._forbidden(send_body)
        parts = urlsplit(self.path)
        path = safe_path(parts.path)
        state = self.server.state
        base = state.base_path
        if path is None or not (path + "/").startswith(base):
            return self._not_found(path or parts.path, state, send_body, inside=False)
        if path + "/" == base:  # "/repo" -> "/repo/"
            return self._redirect(base + (f"?{parts.query}" if parts.query else ""))
        relative = path[len(base):]
        if relative == ENDPOINT:
            return self._events(parts.query) if send_body else self._send(200, b"", "text/event-stream", False)
        if relative in self.server.client:
            return self._send(200, *self.server.client[relative], send_body)
        if relative in self.server.pages:
            state, status, body = self.server.render(relative)
            return self._send(status, body, "text/html; charset=utf-8", send_body, state)
        if relative + "/" in self.server.pages:  # "/repo/_status" -> "/repo/_status/"
            return self._redirect(path + "/" + (f"?{parts.query}" if parts.query else ""))
        state, target, body = self.server.read(relative)
        if target is not None and target.is_dir() and not path.endswith("/"):
            return self._redirect(path + "/" + (f"?{parts.query}" if parts.query else ""))
        if body is None:
            return self._not_found(path, state, send_body, inside=True)
        name = "index.html" if target.is_dir() else target.name
        page = output_file(relative)  # a folder's path ends with "/" here (redirected above)
        self._send(200, body, _content_type(name), send_body, state, page)

    def _not_found(self, path: str, state: State, send_body: bool, inside: bool) -> None:
        page = None
        if inside:  # the site's own 404 page; outside the site, a note saying where the site is
            self.server.log(f"404 {path}")
            if state.epoch:
                state, _, page = self.server.read("404.html")
        self._send(404, page or not_found_page(path, state), "text/html; charset=utf-8", send_body, state)

    def _forbidden(self, send_body: bool) -> None:
        names = ", ".join(allowed_names(self.server.host, self.server.host_names))
        body = (f"Forbidden: this preview only answers requests addressed to {names}; open "
                f"{self.server.url} instead. (Other names are refused so that no web site can read the "
                f"preview through DNS rebinding.)\n").encode("utf-8")
        self.send_response(403)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, status: int, body: bytes, content_type: str, send_body: bool, state: State | None = None,
              page: str | None = None) -> None:
        if state is not None and content_type.startswith("text/html"):
            body = inject(body, client_snippet(state, self.server.token, page))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _events(self, query: str = "") -> None:
        """Server-Sent Events: the state now, then on every build; pings keep it honest. The stream
        ends after `sse_lifetime` (the browser reconnects), so no thread is held forever. The query
        names the tab's page and the build it shows ("page=en/index.html&epoch=3"): each state says
        whether that tab reloads and which stylesheets it swaps (tab_action)."""
        asked = parse_qs(query)
        page = asked.get("page", [None])[0]
        try:
            epoch = int(asked["epoch"][0])
        except (KeyError, ValueError):
            epoch = None  # a tab that does not say: it shows the state it connects to
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        deadline = monotonic() + self.server.sse_lifetime
        last = None
        while monotonic() < deadline and not self.server.stopping:
            state = self.server.events(last)
            if state is None:
                if self.server.stopping:
                    break
                self.wfile.write(b": ping\n\n")
            else:
                last = state.builds
                reload, styles = tab_action(state.since(epoch), page) if epoch is not None else (False, [])
                reload = reload and state.epoch > epoch
                epoch = state.epoch  # the tab is up to date after this state: reloaded, or left as it is
                data = json.dumps({"epoch": state.epoch, "problems": state.problems, "server": self.server.token,
                                   "reload": reload, "styles": styles}, ensure_ascii=False)
                self.wfile.write(f"event: state\ndata: {data}\n\n".encode("utf-8"))
            self.wfile.flush()


def _content_type(name: str) -> str:
    kind = {".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
            ".xml": "application/xml", ".json": "application/json", ".webmanifest": "application/manifest+json",
            ".svg": "image/svg+xml", ".txt": "text/plain"}.get(Path(name).suffix.lower())
    kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind in ("application/xml", "application/json", "application/manifest+json")
    return f"{kind}; charset=utf-8" if textual else kind
