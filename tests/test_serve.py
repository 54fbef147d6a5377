"""`serve`: the live-reload preview server, in process (HTTP and the event stream) and in Chromium."""
from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

# watchdog's inotify backend warns about its own bookkeeping when folders are created quickly
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")

from conftest import ROOT, free_port
from newsdigest.cli import main as cli_main
from newsdigest.errors import BuildError, ConfigError, ContentError, Problem
from newsdigest.livereload import Built, LiveReloadServer, allowed_host, host_names, inject, problem_lines, safe_path
from newsdigest.serve import SiteBuilder, processing, watched_paths

STORY = "content/2026/02/north-korea-warns-japan/en.md"
EN = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"
BROKEN_YAML = "---\ntitle: [North Korea warns Japan\ndate: 2026-02-11T10:32:00+09:00\n---\nText.\n"
TIMEOUT = 10  # generous upper bounds; each wait returns as soon as its event happens
QUIET = 0.5  # how long a test watches for something that must not happen (it cannot fail by luck)


# -- helpers ------------------------------------------------------------------------------------
def get(server: LiveReloadServer, path: str, method: str = "GET", headers: dict | None = None):
    """A raw request (the path is sent exactly as given): (status, headers, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=TIMEOUT)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_until(condition, what: str, timeout: float = TIMEOUT) -> None:
    """Polls `condition` until it holds; fails after a generous deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.005)


def overlay_lines(page: str) -> list[str]:
    match = re.search(r'<section id="nd-livereload-overlay".*?</section>', page, re.S)
    return [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", match.group(0), re.S)] if match else []


class EventStream:
    """Reads `event: state` messages from the server's SSE endpoint."""

    def __init__(self, server: LiveReloadServer):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=TIMEOUT)
        self.conn.request("GET", server.base_path + "__livereload")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_state(self) -> dict | None:
        """The next state message, or None when the server ended the stream."""
        event = None
        while True:
            line = self.response.fp.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "state":
                return json.loads(line[6:])

    def close(self) -> None:
        self.conn.close()


@contextmanager
def live(builder, root: Path, base_path: str = "/", **options):
    options = {"debounce": 0.05, "log": lambda message: None, **options}
    server = LiveReloadServer(builder, root, base_path=base_path, port=free_port(), **options)
    with server:
        assert server.wait_for_build(0, TIMEOUT), "the first build never finished"
        yield server


@contextmanager
def live_site(site, tmp_path: Path, **options):
    """The real builder on a fixture site, built into a temp folder and watched like `serve` does."""
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site")
    with live(builder, builder.out_dir, site.config().base_path, **options) as server:
        builder.watch = server.watch
        server.watch(watched_paths(site.config()))
        yield server


class FakeSite:
    """A builder that writes a tiny site and counts its calls. While `gate` is cleared, a build
    stops half-way and waits for it (a slow build, as long as the test needs)."""

    def __init__(self, root: Path):
        self.root, self.calls, self.fail = root, 0, None
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, changed=None) -> Built:
        self.calls += 1
        self.changed = changed
        if self.fail:
            raise self.fail
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "index.html").write_text(f"<html><body><h1>home v{self.calls}</h1></body></html>")
        if not self.gate.is_set():
            assert self.gate.wait(TIMEOUT), "the test never let the build finish"
            (self.root / "index.html").write_text(f"<html><body><h1>home v{self.calls} done</h1></body></html>")
        (self.root / "en").mkdir(exist_ok=True)
        (self.root / "en" / "index.html").write_text("<html><body><p>en</p></body></html>")
        (self.root / "404.html").write_text("<html><body><p>site 404 page</p></body></html>")
        (self.root / "data.json").write_text('{"a": 1}')
        return Built(f"build {self.calls}")


@pytest.fixture
def fake(tmp_path):
    return FakeSite(tmp_path / "out")


# -- URLs, base path, traversal ------------------------------------------------------------------
OUTSIDE = ["/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E%2Fsecret.txt", "/repo/..%2fsecret.txt",
           "/repo/..%5csecret.txt", "/repo/en/../../secret.txt", "/repo/%2e%2e%2f%2e%2e%2fetc/passwd",
           "/repo//etc/passwd", "/repo/%2fetc/passwd", "/repo/./index.html", "/repo/%00", "/secret.txt", "/",
           "/out/index.html", "/repox/", "http://127.0.0.1/repo/../secret.txt"]


def test_requests_outside_the_site_get_404(fake, tmp_path):
    (tmp_path / "secret.txt").write_text("top secret")
    with live(fake, fake.root, "/repo/") as server:
        for path in OUTSIDE:
            status, _, body = get(server, path)
            assert status == 404 and "top secret" not in body, path


def test_safe_path_rejects_traversal_and_keeps_ordinary_paths():
    assert safe_path("/repo/en/caf%C3%A9/") == "/repo/en/café/"
    for raw in ("/a/../b", "/a/%2e%2e/b", "/a/.%2E/b", "/a%2Fb", "/a%5cb", "/a\\b", "/a//b", "a/b", "/a/%00"):
        assert safe_path(raw) is None, raw


def test_site_is_served_under_the_production_base_path(fake):
    with live(fake, fake.root, "/repo/") as server:
        assert server.url.endswith("/repo/")
        status, headers, _ = get(server, "/repo")
        assert (status, headers["Location"]) == (302, "/repo/")
        status, headers, _ = get(server, "/repo?lang=en")
        assert headers["Location"] == "/repo/?lang=en"
        status, headers, body = get(server, "/repo/")
        assert status == 200 and "home v1" in body and headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-store"
        status, headers, _ = get(server, "/repo/en")
        assert (status, headers["Location"]) == (302, "/repo/en/")
        assert get(server, "/repo/en/index.html")[0] == 200
        status, headers, body = get(server, "/repo/data.json")
        assert (status, body) == (200, '{"a": 1}') and headers["Content-Type"].startswith("application/json")
        assert "__livereload" not in body  # only HTML gets the script
        status, _, body = get(server, "/repo/no/such/page/")
        assert status == 404 and "site 404 page" in body and "__livereload.js" in body
        status, _, body = get(server, "/elsewhere/")
        assert status == 404 and 'href="/repo/"' in body  # says where the site is
        status, headers, body = get(server, "/repo/", method="HEAD")
        assert status == 200 and body == "" and int(headers["Content-Length"]) > 0


def test_domain_root_base_path(fake):
    with live(fake, fake.root, "/") as server:
        assert get(server, "/")[0] == 200
        assert get(server, "/en")[2] == ""  # redirect
        assert get(server, "/en/")[0] == 200
        assert get(server, "/__livereload.js")[0] == 200


def test_reload_script_is_injected_only_while_serving(fixture_site, tmp_path):
    site = fixture_site("basic", base_url="https://user.github.io/repo/")
    with live_site(site, tmp_path) as server:
        status, _, body = get(server, "/repo/" + EN)
        assert status == 200
        assert body.count("__livereload.js") == 1
        assert body.index('src="/repo/__livereload.js"') > body.index("North Korea warned Wednesday")
        assert body.rstrip().endswith("</body>\n</html>")
        built = list((tmp_path / "preview" / "site").rglob("*.html"))
        assert len(built) > 30
        assert not [p for p in built if "livereload" in p.read_text(encoding="utf-8")]
    assert not (site.root / "site").exists()  # serve never writes the project's site/


def test_inject_before_the_last_closing_body_or_at_the_end():
    assert inject(b"<body>a</body><!-- </BODY> --></BODY>", "X") == b"<body>a</body><!-- </BODY> -->X</BODY>"
    assert inject(b"<p>fragment", "X") == b"<p>fragment" + b"X"


# -- the build loop ------------------------------------------------------------------------------
def test_a_burst_of_changes_makes_one_rebuild(fake):
    with live(fake, fake.root, debounce=0.2, max_delay=TIMEOUT) as server:
        for _ in range(5):
            server.mark_dirty()
        assert server.wait_for_build(1, TIMEOUT).builds == 2
        assert server.wait_for_build(2, QUIET) is None  # more than two debounce periods: nothing is pending
        assert fake.calls == 2


def test_an_editor_save_through_watchdog_makes_one_rebuild(fixture_site, tmp_path):
    site = fixture_site("basic")
    story = site.root / STORY
    calls = []
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site")

    def counting(changed=None):
        calls.append(time.monotonic())
        return builder(changed)

    # The debounce must outlast the whole save, however slowly this machine runs it.
    with live(counting, builder.out_dir, debounce=0.5, max_delay=TIMEOUT) as server:
        server.watch(watched_paths(site.config()))
        text = story.read_text(encoding="utf-8")
        # what editors do: write a temporary file, move the original away, rename the new one in
        (story.parent / ".en.md.swp").write_text("swap")
        (story.parent / "en.md.new").write_text(text.replace("warned Wednesday", "warned on Wednesday"))
        story.rename(story.parent / "en.md~")
        (story.parent / "en.md.new").rename(story)
        (story.parent / "en.md~").unlink()
        state = server.wait_for_build(1, TIMEOUT)
        assert state is not None and state.problems == ()
        assert "warned on Wednesday" in get(server, "/" + EN)[2]
        assert server.wait_for_build(2, 1.0) is None  # the first build, then one for the whole save
        (story.parent / ".en.md.swp").write_text("swap again")  # hidden editor files are ignored
        (story.parent / "en.md.swx").write_text("x")
        assert server.wait_for_build(2, 1.0) is None
        assert len(calls) == 2


def test_reading_the_sources_never_triggers_a_build(fixture_site, tmp_path):
    """Every build opens every story: opening and closing without writing is not a change."""
    site = fixture_site("basic")
    with live_site(site, tmp_path) as server:
        for _ in range(200):
            for story in (site.root / "content").rglob("*.md"):
                story.read_bytes()
        assert server.wait_for_build(1, QUIET) is None
        assert server.state.builds == 1


def test_changes_during_a_build_cause_one_more_build(fake):
    with live(fake, fake.root) as server:
        fake.gate.clear()
        server.mark_dirty()
        wait_until(lambda: fake.calls == 2, "the second build is running")
        server.mark_dirty()
        fake.gate.set()
        assert server.wait_for_build(2, TIMEOUT).builds == 3
        assert server.wait_for_build(3, QUIET) is None and fake.calls == 3


def test_a_request_during_a_build_waits_for_the_finished_site(fake):
    with live(fake, fake.root) as server:
        fake.gate.clear()
        server.mark_dirty()
        wait_until(lambda: fake.calls == 2, "the second build is running")  # and has written half a page
        answers = []
        request = threading.Thread(target=lambda: answers.append(get(server, "/")))
        request.start()
        request.join(QUIET)
        assert request.is_alive() and not answers  # waiting for the build
        fake.gate.set()
        request.join(TIMEOUT)
        status, _, body = answers[0]
        assert status == 200 and "home v2 done" in body


def test_event_stream_sends_the_state_then_every_build(fake):
    with live(fake, fake.root, "/repo/") as server:
        stream = EventStream(server)
        first = stream.next_state()
        assert first["epoch"] == 1 and first["problems"] == [] and first["server"] == server.token
        server.mark_dirty()
        assert stream.next_state()["epoch"] == 2
        stream.close()


def test_event_streams_are_time_bounded_and_stop_promptly(fake):
    with live(fake, fake.root, sse_lifetime=0.3, heartbeat=0.1) as server:
        stream = EventStream(server)
        assert stream.next_state()["epoch"] == 1
        assert stream.next_state() is None  # the server ended it; browsers reconnect by themselves
        server.sse_lifetime = 60
        streams = [EventStream(server) for _ in range(10)]  # many tabs
        for s in streams:
            assert s.next_state() is not None
    for s in streams:  # stopping ended them all (a stream left open would time out the read)
        assert s.next_state() is None
        s.close()


# -- failed builds -------------------------------------------------------------------------------
def test_failed_rebuild_keeps_the_last_good_pages_and_shows_the_problems(fixture_site, tmp_path, capsys):
    site = fixture_site("basic", base_url="https://user.github.io/repo/")
    good = (site.root / STORY).read_text(encoding="utf-8")
    with live_site(site, tmp_path) as server:
        stream = EventStream(server)
        assert stream.next_state()["problems"] == []
        site.write(STORY, BROKEN_YAML)
        state = stream.next_state()
        assert state["epoch"] == 1 and len(state["problems"]) == 1

        # exactly what the command line prints
        assert cli_main(["build", "--config", str(site.config_path), "--out", str(tmp_path / "cli-out")]) == 1
        cli_lines = [line.strip() for line in capsys.readouterr().err.splitlines() if line.startswith("  ")]
        assert state["problems"] == cli_lines
        assert f"{site.root / STORY}:2: invalid YAML" in cli_lines[0]

        for path in (EN, FR, "", "en/no-such-page/"):
            status, _, body = get(server, "/repo/" + path)
            assert status == (404 if "no-such" in path else 200)
            assert overlay_lines(body) == cli_lines  # every HTML page carries the overlay
        assert "North Korea warned Wednesday" in get(server, "/repo/" + EN)[2]  # the last good page

        site.write(STORY, good.replace("warned Wednesday", "warned sharply on Wednesday"))
        state = stream.next_state()
        # the build after a failure builds afresh, so it cannot say which pages changed: every tab reloads
        assert state == {"epoch": 2, "problems": [], "server": server.token, "reload": True, "styles": []}
        body = get(server, "/repo/" + EN)[2]
        assert overlay_lines(body) == [] and "nd-livereload-overlay" not in body
        assert "warned sharply on Wednesday" in body
        stream.close()


def test_a_bug_in_the_builder_is_shown_not_fatal(fake):
    with live(fake, fake.root) as server:
        fake.fail = RuntimeError("boom")
        server.mark_dirty()
        state = server.wait_for_build(1, TIMEOUT)
        assert state.problems[0] == "RuntimeError: boom" and state.epoch == 1
        assert "test_serve.py:" in state.problems[1] and "(__call__)" in state.problems[1]  # the line that raised
        fake.fail = None
        server.mark_dirty()
        assert server.wait_for_build(2, TIMEOUT).epoch == 2


def test_first_build_failing_still_serves_the_problems(fixture_site, tmp_path):
    site = fixture_site("basic", base_url="http://127.0.0.1:8000/repo/")
    good = (site.root / STORY).read_text(encoding="utf-8")
    site.write(STORY, BROKEN_YAML)
    with live_site(site, tmp_path) as server:
        status, _, body = get(server, "/repo/")
        assert status == 404 and "not been built yet" in body
        assert overlay_lines(body)[0].startswith(f"{site.root / STORY}:2: ")
        site.write(STORY, good)
        assert server.wait_for_build(1, TIMEOUT).epoch == 1
        assert get(server, "/repo/")[0] == 200


def test_site_toml_is_reread_on_every_rebuild(fixture_site, tmp_path):
    site = fixture_site("basic", base_url="https://user.github.io/repo/")
    toml = site.config_path.read_text(encoding="utf-8")
    with live_site(site, tmp_path) as server:
        site.write("site.toml", "bogus = 1\n" + toml)
        state = server.wait_for_build(1, TIMEOUT)
        assert state.problems[0].startswith(f"{site.config_path}: unknown key 'bogus'")
        assert get(server, "/repo/" + EN)[0] == 200  # still the last good site

        # only the base_url line: the templates path may itself contain "/repo/"
        other = re.sub(r'(?m)^base_url = ".*"$', 'base_url = "https://user.github.io/other/"', toml)
        assert other.count("/other/") == 1
        site.write("site.toml", other)
        state = server.wait_for_build(2, TIMEOUT)
        assert state.problems == () and state.base_path == "/other/"
        assert get(server, "/other/" + EN)[0] == 200
        assert get(server, "/repo/" + EN)[0] == 404


def test_the_other_language_is_never_stale(fixture_site, tmp_path):
    site = fixture_site("basic")
    with live_site(site, tmp_path) as server:
        text = (site.root / STORY).read_text(encoding="utf-8")
        site.write(STORY, text.replace("title: North Korea warns Japan against forging military alliances",
                                       "title: North Korea warns Japan"))
        assert server.wait_for_build(1, TIMEOUT).problems == ()
        french = get(server, "/" + FR)[2]
        assert 'href="/en/2026/02/11/north-korea-warns-japan/"' in french
        assert get(server, "/en/2026/02/11/north-korea-warns-japan/")[0] == 200


def test_new_deleted_and_renamed_stories_and_template_edits_are_picked_up(fixture_site, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    site = fixture_site("basic", templates=templates)
    with live_site(site, tmp_path) as server:
        builds = server.state.builds

        def rebuilt():
            nonlocal builds
            state = server.wait_for_build(builds, TIMEOUT)
            builds = state.builds
            return state

        site.write("content/2026/03/brand-new/en.md",
                   "---\ntitle: A brand new story\ndate: 2026-03-01\n---\nFresh text.\n")
        assert rebuilt().problems == ()
        assert "Fresh text." in get(server, "/en/2026/03/01/a-brand-new-story/")[2]

        (site.root / "content/2026/03/brand-new").rename(site.root / "content/2026/03/renamed")
        assert rebuilt().problems == ()
        assert get(server, "/en/2026/03/01/a-brand-new-story/")[0] == 200  # the slug comes from the title

        shutil.rmtree(site.root / "content/2026/03")
        assert rebuilt().problems == ()
        assert get(server, "/en/2026/03/01/a-brand-new-story/")[0] == 404

        article = templates / "article.html"
        original = article.read_text(encoding="utf-8")
        article.write_text(original.replace("{% endblock %}", "{% endblock %", 1), encoding="utf-8")
        state = rebuilt()
        assert len(state.problems) == 1 and state.problems[0].startswith(f"{article}:")
        assert "template syntax error" in state.problems[0]

        article.write_text(original.replace("{% endblock %}", "<p>template edit</p>{% endblock %}", 1),
                           encoding="utf-8")
        assert rebuilt().problems == ()
        assert "<p>template edit</p>" in get(server, "/" + EN)[2]


def test_stop_reports_a_build_still_running(fake):
    server = LiveReloadServer(fake, fake.root, port=free_port(), debounce=0.01, log=lambda message: None)
    server.start()
    server.wait_for_build(0, TIMEOUT)
    fake.gate.clear()
    server.mark_dirty()
    wait_until(lambda: fake.calls == 2, "the second build is running")
    assert server.stop(timeout=0.1) is False
    fake.gate.set()
    assert server.wait_for_builder(TIMEOUT) is True


# -- what the overlay says ------------------------------------------------------------------------
def test_the_overlay_names_the_story_file_and_line_of_a_content_problem(fixture_site, tmp_path):
    site = fixture_site("basic", base_url="https://user.github.io/repo/")
    good = (site.root / STORY).read_text(encoding="utf-8")
    with live_site(site, tmp_path) as server:
        site.write(STORY, good.replace("source: Yonhap\n", "source: Yonhap\ncolour: red\n"))
        state = server.wait_for_build(1, TIMEOUT)
        assert len(state.problems) == 1
        assert state.problems[0].startswith(f"{site.root / STORY}:5: unknown front matter key 'colour'")
        assert f"{STORY}:5: " in state.problems[0]  # content/2026/02/.../en.md:LINE
        lines = overlay_lines(get(server, "/repo/" + FR)[2])
        assert lines == list(state.problems)


def test_an_unexpected_error_names_the_story_being_read(fixture_site, tmp_path, monkeypatch):
    import types
    site = fixture_site("basic")
    story = site.root / STORY
    with live_site(site, tmp_path) as server:
        def broken(locale):
            raise RuntimeError("typography exploded")
        monkeypatch.setattr("newsdigest.content.typography", types.SimpleNamespace(for_locale=broken))
        site.write(STORY, story.read_text(encoding="utf-8").replace("warned Wednesday", "warned on Wednesday"))
        state = server.wait_for_build(1, TIMEOUT)
        assert state.problems[0] == f"{story}: RuntimeError: typography exploded"
        assert state.problems[1] == f"(an unexpected error while processing {story}: the terminal shows the traceback)"
        assert overlay_lines(get(server, "/" + EN)[2]) == list(state.problems)


@pytest.mark.parametrize("error, where", [
    (BuildError("the plan failed"), "site.toml"),
    (ConfigError([Problem(None, "the plan failed")]), "site.toml"),
    (ContentError("the plan failed"), "content"),
])
def test_a_problem_without_a_file_is_named_after_what_was_built(fixture_site, tmp_path, monkeypatch, error, where):
    site = fixture_site("basic")
    with live_site(site, tmp_path) as server:
        def failing(*args, **kwargs):
            raise error
        monkeypatch.setattr("newsdigest.serve.build", failing)
        server.mark_dirty()
        state = server.wait_for_build(1, TIMEOUT)
        assert state.problems == (f"{site.root / where}: the plan failed",)


def test_problem_lines_are_never_empty_and_say_where():
    assert problem_lines(ContentError(Problem("/s/en.md", "bad date", 3))) == ("/s/en.md:3: bad date",)
    error = BuildError([Problem(None, "no file here"), Problem("/t/a.html", "broken", 7)])
    assert problem_lines(error) == ("no file here", "/t/a.html:7: broken")
    error.where = "/site.toml"
    assert problem_lines(error) == ("/site.toml: no file here", "/t/a.html:7: broken")
    gone = FileNotFoundError(2, "No such file or directory", "/s/en.md")
    assert problem_lines(gone)[0] == "/s/en.md: No such file or directory (FileNotFoundError)"
    try:
        raise KeyError()
    except KeyError as exc:
        lines = problem_lines(exc)
    assert lines[0] == "KeyError" and "test_serve.py:" in lines[1] and "test_problem_lines" in lines[1]
    hostile = RuntimeError("x")
    hostile.where = "/a\nb " + "c" * 1000
    assert "\n" not in problem_lines(hostile)[0] and len(problem_lines(hostile)[0]) < 400


def test_processing_finds_the_subject_in_newsdigest_frames_only(tmp_path):
    from newsdigest.content import read_article
    story = tmp_path / "en.md"
    story.write_text("---\ntitle: T\ndate: 2026-01-01\n---\nText\n", encoding="utf-8")
    try:
        read_article(story, "s", "en", "en_US", None, None)  # no config: fails inside newsdigest
    except Exception as exc:  # noqa: BLE001
        assert processing(exc) == str(story)
    try:
        raise ValueError("no newsdigest frame")
    except ValueError as exc:
        assert processing(exc) is None


# -- hostile and broken clients --------------------------------------------------------------------
def connect(server: LiveReloadServer, **options) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=TIMEOUT, **options)


def closed_by_server(sock: socket.socket) -> bool:
    """Waits (up to the socket's timeout) for the server to close the connection."""
    try:
        while sock.recv(4096):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def raw_request(server: LiveReloadServer, data: bytes) -> bytes:
    with connect(server) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_half_open_connections_are_closed_while_others_are_served(fake):
    with live(fake, fake.root, header_timeout=0.5, socket_timeout=TIMEOUT * 3) as server:
        silent = connect(server)  # sends nothing
        half = connect(server)
        half.sendall(b"GET /ind")  # half a request line
        headers = connect(server)
        headers.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never ends its headers
        for _ in range(5):
            assert get(server, "/")[0] == 200  # meanwhile
        for sock in (silent, half, headers):
            assert closed_by_server(sock)
            sock.close()
        # A byte at a time, far faster than any per-read timeout: the header deadline still ends it.
        trickle = connect(server)
        trickle.sendall(b"GET / HTTP/1.1\r\n")
        deadline = time.monotonic() + TIMEOUT
        try:
            while time.monotonic() < deadline:
                trickle.sendall(b"X")
                trickle.settimeout(0.05)
                try:
                    if trickle.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
            else:
                pytest.fail("a trickling client kept its connection")
        except (ConnectionResetError, BrokenPipeError):
            pass  # closed too
        trickle.close()
        assert get(server, "/")[0] == 200
        wait_until(lambda: not server._connections, "the server let go of every connection")


def test_stop_does_not_wait_for_half_open_connections(fake):
    server = LiveReloadServer(fake, fake.root, port=free_port(), header_timeout=TIMEOUT * 6, log=lambda message: None)
    server.start()
    silent = connect(server)
    wait_until(lambda: server._connections, "the server took the connection")
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    stopping.join(TIMEOUT)
    assert not stopping.is_alive()  # not held until the header deadline
    assert closed_by_server(silent)
    silent.close()


def test_a_client_that_stops_reading_is_dropped(fake):
    with live(fake, fake.root, socket_timeout=0.5) as server:
        (fake.root / "big.bin").write_bytes(b"\0" * (32 << 20))  # more than any socket buffer holds
        sock = connect(server)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait_until(lambda: server._connections, "the request is being answered")
        wait_until(lambda: not server._connections, "the server gave up on the reader")  # never reads
        assert get(server, "/")[0] == 200
        sock.close()


def test_the_event_stream_outlives_the_socket_timeouts(fake):
    with live(fake, fake.root, header_timeout=0.2, socket_timeout=0.3, heartbeat=0.05, sse_lifetime=60) as server:
        stream = EventStream(server)
        assert stream.next_state()["epoch"] == 1
        pings, until = 0, time.monotonic() + 1.0  # several times both timeouts
        while time.monotonic() < until:
            line = stream.response.fp.readline()
            assert line, "the stream was cut"
            pings += line == b": ping\n"
        assert pings >= 2  # the heartbeat keeps it alive and lets a dead tab be noticed
        server.mark_dirty()
        assert stream.next_state()["epoch"] == 2
        stream.close()


def test_a_burst_of_connections_is_queued_and_all_are_answered(fake):
    fake()  # a site to serve before the first build of the server
    server = LiveReloadServer(fake, fake.root, port=free_port(), log=lambda message: None)
    clients = []
    try:
        assert server.request_queue_size >= 128
        # Listening but accepting nothing yet: all of them must fit in the listen queue (a backlog of 5
        # drops the rest, which the kernel retries after 1 s, 3 s, 7 s...).
        for _ in range(100):
            clients.append(connect(server))
            clients[-1].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        server.start()
        for sock in clients:
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            answer = b"".join(chunks)
            assert answer.startswith(b"HTTP/1.0 200 ") and b"<h1>home v" in answer
        # and a hundred at once on the running server
        barrier, answers = threading.Barrier(100), []

        def client():
            barrier.wait(TIMEOUT)
            answers.append(get(server, "/en/")[0])
        threads = [threading.Thread(target=client) for _ in range(100)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT * 2)
        assert answers == [200] * 100
    finally:
        for sock in clients:
            sock.close()
        server.stop()


def test_requests_for_other_host_names_are_refused(fake):
    logged = []
    with live(fake, fake.root, "/repo/", log=logged.append) as server:
        port = server.server_address[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", f"localhost.evil.example:{port}",
                     f"127.0.0.1:{port}@evil.example", "192.168.1.20", "localhost:http", "", "[::1"):
            for path in ("/repo/", "/repo/__livereload", "/repo/__livereload.js", "/repo/data.json", "/repo/nope/",
                         "/elsewhere/"):
                status, headers, body = get(server, path, headers={"Host": host})
                assert status == 403, (host, path)
                assert headers["Content-Type"] == "text/plain; charset=utf-8"
                assert "home" not in body and "__livereload" not in body and '"a": 1' not in body
                assert "only answers requests addressed to localhost, 127.0.0.1, [::1]" in body
        assert sum("refused a request for Host 'evil.example'" in line for line in logged) == 1  # once each
        twice = raw_request(server, b"GET /repo/ HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n")
        assert twice.startswith(b"HTTP/1.0 403 ") and b"home" not in twice
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "127.0.0.1", f"[::1]:{port}",
                     f"preview.localhost:{port}", "LOCALHOST.", f"127.0.0.2:{port}"):
            status, _, body = get(server, "/repo/", headers={"Host": host})
            assert status == 200 and "home v1" in body, host
        assert raw_request(server, b"GET /repo/ HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200 ")  # no Host: no browser


def test_which_host_names_a_server_answers_to():
    loopback = host_names("127.0.0.1")
    assert loopback == {"localhost"}
    for value in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "a.b.localhost", "127.9.9.9"):
        assert allowed_host(value, "127.0.0.1", loopback), value
    for value in ("evil.example", "evil.example:8000", "10.0.0.5:8000", "[fe80::1]", "localhost:", "localhost:99999x",
                  "::1", "[::1]x", "local host", "localhost/x", "", ":8000"):
        assert not allowed_host(value, "127.0.0.1", loopback), value
    # bound to one address or name: that one too
    assert allowed_host("192.168.1.20:8000", "192.168.1.20", host_names("192.168.1.20"))
    assert not allowed_host("192.168.1.21:8000", "192.168.1.20", host_names("192.168.1.20"))
    assert allowed_host("mybox.lan:8000", "mybox.lan", host_names("mybox.lan"))
    assert not allowed_host("evil.example", "mybox.lan", host_names("mybox.lan"))
    # bound to every interface: any IP address (an address cannot be rebound) and this computer's name
    for wildcard in ("0.0.0.0", "::"):
        names = host_names(wildcard)
        me = socket.gethostname().lower()
        for value in ("192.168.1.20:8000", "[fe80::1]:8000", "localhost", f"{me}:8000",
                      f"{me.split('.')[0]}.local:8000"):
            assert allowed_host(value, wildcard, names), (wildcard, value)
        assert not allowed_host("evil.example:8000", wildcard, names)
        assert not allowed_host(f"{me}.evil.example", wildcard, names)


# -- the command line ----------------------------------------------------------------------------
def test_cli_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(fixture_site, tmp_path):
    site = fixture_site("basic", base_url="https://user.github.io/repo/")
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--config", str(site.config_path),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=site.root)
    try:
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
        reader.start()
        wait_until(lambda: any("Serving" in line for line in lines) or process.poll() is not None, "serve is up")
        assert any(f"Serving http://127.0.0.1:{port}/repo/ (Ctrl-C to stop)" in line for line in lines), lines
        assert re.search(r"Built \d+ pages from \d+ stories in \d+\.\d\d s\.", "".join(lines))
        assert list(tmp_path.glob("newsdigest-serve-*"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/repo/")
        assert conn.getresponse().status == 200
        conn.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(TIMEOUT) in (0, 130)
        reader.join(TIMEOUT)
        stderr = process.stderr.read()
        assert "Traceback" not in stderr, stderr
        assert lines[-1].rstrip().endswith("Stopped.")
        assert not list(tmp_path.glob("newsdigest-serve-*"))  # the temporary build folder is gone
        assert not (site.root / "site").exists()
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def test_cli_serve_reports_a_busy_port(fixture_site, tmp_path, capsys):
    site = fixture_site("basic")
    with live(FakeSite(tmp_path / "out"), tmp_path / "out") as server:
        status = cli_main(["serve", "--config", str(site.config_path), "--port", str(server.server_address[1])])
    assert status == 1
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


# -- in the browser ------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("base", ["/", "/repo/"])
def test_browser_reloads_on_save_and_shows_build_errors(fixture_site, tmp_path, page, base):
    site = fixture_site("basic", base_url=f"https://user.github.io{base}")
    story = site.root / STORY
    good = story.read_text(encoding="utf-8")
    with live_site(site, tmp_path) as server:
        page.goto(server.url + EN)
        assert page.locator("h1").inner_text() == "North Korea warns Japan against forging military alliances"

        # 1. an edit puts the new page in place in the open tab (its new body: no navigation)
        page.evaluate("window.__sameDocument = true")
        started = time.monotonic()
        story.write_text(good.replace("warned Wednesday", "warned sternly on Wednesday"), encoding="utf-8")
        page.wait_for_function("() => document.querySelector('.story__body').innerText.includes('warned sternly')",
                               timeout=TIMEOUT * 1000)
        latency = time.monotonic() - started
        assert page.evaluate("window.__sameDocument") is True
        print(f"\nsave -> page shown ({base}): {latency * 1000:.0f} ms")

        # 2. broken YAML: the overlay appears in the open tab, without a reload, naming the file and line
        page.evaluate("window.__sameDocument = true")
        story.write_text(BROKEN_YAML, encoding="utf-8")
        overlay = page.get_by_role("alert")
        overlay.wait_for(timeout=TIMEOUT * 1000)
        assert f"{story}:2: invalid YAML front matter" in overlay.inner_text()
        assert page.evaluate("window.__sameDocument") is True
        assert "warned sternly on Wednesday" in page.locator(".story__body").inner_text()  # last good page

        # a new tab (or a manual reload) shows it too
        other = page.context.new_page()
        other.goto(server.url + FR)
        assert f"{story}:2:" in other.get_by_role("alert").inner_text()
        other.close()

        # 3. fixing the file removes the overlay and shows the fixed page
        story.write_text(good, encoding="utf-8")
        page.wait_for_function("() => document.querySelector('.story__body').innerText.includes('Korea warned Wednesday')",
                               timeout=TIMEOUT * 1000)
        assert page.locator("#nd-livereload-overlay").count() == 0


@pytest.mark.browser
def test_only_the_tabs_showing_a_changed_page_take_it_and_stylesheets_swap_in_place(fixture_site, tmp_path, page):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    site = fixture_site("basic", templates=templates)
    story = site.root / STORY
    with live_site(site, tmp_path) as server:
        page.goto(server.url + EN)
        other = page.context.new_page()
        other.goto(server.url + "fr/")
        for tab in (page, other):
            tab.evaluate("document.body.dataset.kept = 'yes'")  # gone if the body is replaced
            tab.evaluate("window.scrollTo(0, 0)")
        builds = server.state.builds

        # an edit to the article's body: its tab takes the new body; the French front is not touched
        story.write_text(story.read_text(encoding="utf-8") + "\nA paragraph written while both tabs are open.\n",
                         encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('while both tabs are open')",
                               timeout=TIMEOUT * 1000)
        builds = server.wait_for_build(builds, TIMEOUT).builds
        other.wait_for_timeout(500)
        assert other.evaluate("document.body.dataset.kept") == "yes"
        assert page.evaluate("document.body.dataset.kept") is None

        # a stylesheet edit: both tabs restyle without reloading
        page.evaluate("document.body.dataset.kept = 'yes'")
        css = templates / "static" / "style.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n:root { --nd-live-test: 7; }\n", encoding="utf-8")
        for tab in (page, other):
            tab.wait_for_function("() => getComputedStyle(document.documentElement)"
                                  ".getPropertyValue('--nd-live-test').trim() === '7'", timeout=TIMEOUT * 1000)
            assert tab.evaluate("document.body.dataset.kept") == "yes"
            assert tab.locator('link[rel="stylesheet"][href*="style.css"]').count() == 1
        other.close()


@pytest.mark.browser
def test_the_error_overlay_is_accessible_and_can_be_hidden(fixture_site, tmp_path, page):
    from conftest import axe_violations
    site = fixture_site("basic")
    with live_site(site, tmp_path) as server:
        site.write(STORY, BROKEN_YAML)
        assert server.wait_for_build(1, TIMEOUT).problems
        page.goto(server.url + FR)
        overlay = page.get_by_role("region", name="The site did not rebuild")
        assert overlay.get_by_role("alert").is_visible()
        assert axe_violations(page) == {}
        page.get_by_role("button", name="Hide").click()
        assert overlay.count() == 0


def test_an_edit_is_shown_before_the_search_index_which_catches_up_when_quiet(fixture_site, tmp_path, monkeypatch):
    from newsdigest import search
    site = fixture_site("basic")
    made = []
    real = search.index
    monkeypatch.setattr(search, "index", lambda tree, key, *args: made.append(key) or real(tree, key, *args))
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site")
    with live(builder, builder.out_dir, site.config().base_path, idle=builder.refresh_search, idle_after=0.5) as server:
        builder.watch = server.watch
        server.watch(watched_paths(site.config()))
        assert made == []  # the first build shows the site without waiting for the index
        wait_until(lambda: len(made) == 1 and (builder.out_dir / "pagefind" / "pagefind.js").is_file(),
                   "the index made once the preview was quiet")
        entry = (builder.out_dir / "pagefind" / "pagefind-entry.json").read_bytes()
        text = (site.root / STORY).read_text(encoding="utf-8")
        site.write(STORY, text + "\nA paragraph about glaciers.\n")
        assert server.wait_for_build(1, TIMEOUT).problems == ()
        assert "glaciers" in get(server, "/" + EN)[2]
        assert (builder.out_dir / "pagefind" / "pagefind.js").is_file()  # the old index still serves
        wait_until(lambda: len(made) == 2, "the index made again for the edit")
        wait_until(lambda: (builder.out_dir / "pagefind" / "pagefind-entry.json").read_bytes() != entry,
                   "the new index swapped in")


def test_an_edit_during_the_search_index_stops_it(fixture_site, tmp_path, monkeypatch):
    from newsdigest import search
    site = fixture_site("basic")
    started, stopped = threading.Event(), []

    def slow_index(tree, key, cancel=None, *rest):
        started.set()
        assert cancel.wait(TIMEOUT), "the edit never cancelled the index"
        stopped.append(key)
        raise search.Cancelled(tree)
    monkeypatch.setattr(search, "index", slow_index)
    builder = SiteBuilder(site.config_path, tmp_path / "preview" / "site")
    with live(builder, builder.out_dir, site.config().base_path, idle=builder.refresh_search, idle_after=0.1) as server:
        builder.watch = server.watch
        server.watch(watched_paths(site.config()))
        assert started.wait(TIMEOUT)
        text = (site.root / STORY).read_text(encoding="utf-8")
        site.write(STORY, text + "\nA paragraph about glaciers.\n")
        assert server.wait_for_build(1, TIMEOUT).problems == ()
        assert stopped and "glaciers" in get(server, "/" + EN)[2]
