"""Publishing: the built site crawled over HTTP by LinkChecker, served like GitHub Pages both under a
project path (/repo/) and at a domain root; the root 404.html under the subpath, in both languages;
and the Pages workflow."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

import conftest
from conftest import ROOT, free_port, make_fixture_site, require, serve
from newsdigest.check import check_site
from newsdigest.check.model import page_url

EN = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"
MOUNTS = ["/repo/", "/"]


def linkchecker_command() -> str | None:
    found = shutil.which("linkchecker")
    beside = Path(sys.executable).parent / "linkchecker"
    return found or (str(beside) if beside.exists() else None)


class RatedPagesHandler(conftest.PagesHandler):
    """conftest's Pages-like handler, plus the header that lifts LinkChecker's politeness delay
    (0.1-0.6 s between two requests to one host, 17 s for a crawl of this small site), and a plain
    404 for paths outside the base path (conftest's handler drops the connection on them)."""

    def end_headers(self):
        self.send_header("LinkChecker", "maxrated")
        super().end_headers()

    def send_head(self):
        if not self.path.startswith(self.base_path):
            self.send_error(404)
            return None
        return super().send_head()


@pytest.fixture
def pages_server(monkeypatch):
    monkeypatch.setattr(conftest, "PagesHandler", RatedPagesHandler)
    return serve


def linkcheck(tmp_path: Path, port: int, *urls: str) -> tuple[list[tuple[str, str, str]], set[str], float]:
    """Crawls from `urls`, checking every URL on the test server (internal or not, so the absolute
    canonical and hreflang URLs too) and nothing elsewhere. Returns (broken, checked URLs, seconds)."""
    command = linkchecker_command()
    require(command is not None, "LinkChecker (pip install linkchecker)")
    rc = tmp_path / "linkcheckerrc"
    rc.write_text("[checking]\nmaxrequestspersecond=1000\n")
    rc.chmod(0o644)
    start = time.perf_counter()
    result = subprocess.run(
        [command, "--config", str(rc), "--no-status", "--check-extern", "--verbose", "-o", "csv",
         "--ignore-url", rf"^(?!http://127\.0\.0\.1:{port}/)", *urls],
        capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    assert result.returncode in (0, 1), result.stderr
    rows = list(csv.DictReader(io.StringIO("\n".join(
        line for line in result.stdout.splitlines() if line and not line.startswith("#"))), delimiter=";"))
    bad = [(row["parentname"], row["url"], row["result"]) for row in rows if row["valid"] == "False"]
    assert (result.returncode == 0) == (not bad), result.stderr
    checked = {row["url"].split("?")[0] for row in rows if row["url"].startswith(f"http://127.0.0.1:{port}/")}
    return bad, checked, seconds


def build_for(root: Path, base: str):
    site = make_fixture_site(root, "basic")  # site.toml says http://127.0.0.1:8000/
    assert site.run("build", "-q", "--base-url", base) == 0
    return site


@pytest.mark.parametrize("mount", MOUNTS, ids=["project-path", "domain-root"])
def test_linkchecker_finds_no_broken_link_or_asset(mount, tmp_path, pages_server, capsys):
    port = free_port()
    base = f"http://127.0.0.1:{port}{mount}"
    site = build_for(tmp_path / "project", base)
    assert check_site(site.out) == []
    with pages_server(site.out, port, mount):
        broken, checked, seconds = linkcheck(tmp_path, port, base, base + "404.html")
    assert broken == []
    pages = {page_url(site.out, f, base) for f in site.out.rglob("*.html")}
    assert pages - checked == set()  # every page of both languages was reached and checked
    assert {base + "assets/style.css", base + "assets/favicon.svg"} <= checked
    assert any(u.startswith(base + "en/") for u in checked) and any(u.startswith(base + "fr/") for u in checked)
    with capsys.disabled():
        print(f"\n  LinkChecker at {mount}: {len(checked)} URLs ({len(pages)} pages) in {seconds:.1f} s", end="")


def test_linkchecker_reports_planted_defects(tmp_path, pages_server):
    """The crawl is not vacuous: a link outside the base path and a dead hreflang are caught."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/repo/"
    site = build_for(tmp_path / "project", base)
    en = site.out / EN / "index.html"
    text = en.read_text()
    text = text.replace('<a href="/repo/en/archive/">', '<a href="/en/archive/">')
    text = text.replace(f'hreflang="fr" href="{base}{FR}"', f'hreflang="fr" href="{base}fr/gone/"')
    en.write_text(text)
    with pages_server(site.out, port, "/repo/"):
        broken, _, _ = linkcheck(tmp_path, port, base + EN)
    assert {(url, result) for _, url, result in broken} >= {
        (f"http://127.0.0.1:{port}/en/archive/", "404 Not Found"), (f"{base}fr/gone/", "404 Not Found")}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.mark.parametrize("mount", MOUNTS, ids=["project-path", "domain-root"])
def test_a_missing_page_gets_the_404_page_and_its_links_work(mount, tmp_path, pages_server):
    port = free_port()
    base = f"http://127.0.0.1:{port}{mount}"
    site = build_for(tmp_path / "project", base)
    with pages_server(site.out, port, mount):
        for missing in ("fr/2031/01/01/nulle-part/", "en/gone", "nothing/here.html"):
            url = base + missing
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(url, timeout=10)
            assert caught.value.code == 404
            body = caught.value.read().decode()
            assert "Page not found" in body and "Page introuvable" in body
            parser = _Links()
            parser.feed(body)
            targets = {urljoin(url, link).split("#")[0] for link in parser.links}
            assert {base + "en/", base + "fr/"} <= targets
            for target in targets:
                if target.startswith(f"http://127.0.0.1:{port}/") and target != url:
                    with urllib.request.urlopen(target, timeout=10) as response:
                        assert response.status == 200, (missing, target)


def test_the_404_page_has_an_inline_script_only(tmp_path):
    site = build_for(tmp_path / "project", "https://user.github.io/repo/")
    page = (site.out / "404.html").read_text()
    assert re.findall(r"<script[^>]*>", page) == ["<script>"]  # inline, no external file
    assert 'var base = "/repo/", codes = ["en", "fr"];' in page


@pytest.mark.browser
class TestThe404PageInABrowser:
    def order(self, page) -> list[str]:
        return page.eval_on_selector_all("section.notfound", "els => els.map(e => e.lang)")

    def test_the_language_of_the_url_comes_first(self, served_site, page):
        _, url = served_site
        response = page.goto(url + "fr/2031/01/01/nulle-part/")
        assert response.status == 404
        assert self.order(page) == ["fr", "en"]
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.locator("h1").inner_text() == "Page introuvable · Page not found"
        assert page.title() == "Page introuvable · Page not found"
        page.get_by_role("link", name="Voir les dernières nouvelles").click()
        page.wait_for_url(url + "fr/")

        page.goto(url + "en/gone/")
        assert self.order(page) == ["en", "fr"]
        assert page.locator("h1").inner_text() == "Page not found · Page introuvable"

    def test_otherwise_the_browser_language_comes_first(self, served_site, browser):
        _, url = served_site
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.goto(url + "nothing-here")
        assert self.order(page) == ["fr", "en"]
        context.close()

    def test_it_reads_well_without_javascript(self, served_site, browser):
        _, url = served_site
        context = browser.new_context(java_script_enabled=False, locale="fr-FR")
        page = context.new_page()
        page.goto(url + "fr/nulle-part/")
        assert self.order(page) == ["en", "fr"]
        assert page.locator("section.notfound[lang=fr]").is_visible()
        assert page.locator("section.notfound[lang=en]").is_visible()
        assert page.get_by_role("link", name="Voir les dernières nouvelles").get_attribute("href") == "/repo/fr/"
        context.close()

    def test_axe_finds_nothing_after_the_reordering(self, served_site, page):
        _, url = served_site
        page.goto(url + "fr/nulle-part/")
        assert self.order(page) == ["fr", "en"]
        assert conftest.axe_violations(page) == {}


# The workflow

def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))


def test_the_workflow_uses_the_official_pages_actions():
    wf = workflow()
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "workflow_dispatch" in triggers and "push" not in triggers
    assert triggers["workflow_run"] == {"workflows": ["Tests"], "types": ["completed"], "branches": ["main"]}
    assert wf["jobs"]["build"]["if"] == ("github.event_name == 'workflow_dispatch' || "
                                         "github.event.workflow_run.conclusion == 'success'")
    assert wf["concurrency"]["group"] == "pages"

    build = wf["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in build]
    assert [u for u in uses if u] == ["actions/checkout", "actions/setup-python", "actions/cache",
                                      "actions/configure-pages", "actions/upload-pages-artifact"]
    cache = build[uses.index("actions/cache")]["with"]
    assert cache["path"] == ".newsdigest-cache" and cache["restore-keys"] == "newsdigest-"
    setup = build[uses.index("actions/setup-python")]["with"]
    assert str(setup["python-version"]) == "3.11" and setup["cache"] == "pip"

    runs = [step["run"] for step in build if "run" in step]
    assert runs == ["pip install -e .",
                    'python build.py --base-url "${{ steps.pages.outputs.base_url }}/"',
                    "python build.py check site"]
    pages_step = build[uses.index("actions/configure-pages")]
    assert pages_step["id"] == "pages"
    assert uses.index("actions/configure-pages") < [i for i, s in enumerate(build) if "run" in s][1]
    assert build[uses.index("actions/upload-pages-artifact")]["with"]["path"] == "site"

    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["steps"][0]["id"] == "deployment"


def test_the_workflow_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runs = [step["run"] for step in workflow()["jobs"]["build"]["steps"] if "run" in step]
    assert "pip install -e . && python build.py" in readme
    assert runs[0] == "pip install -e ." and runs[1].startswith("python build.py ")
    assert "--base-url" in readme


def test_the_tests_workflow_runs_the_readme_test_command_on_every_push_and_pull_request():
    wf = yaml.safe_load((ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8"))
    triggers = wf.get("on", wf.get(True))
    assert wf["name"] == "Tests" and set(triggers) == {"push", "pull_request"}
    runs = [step["run"] for step in wf["jobs"]["test"]["steps"] if "run" in step]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert runs[-1] == "bash tests/run.sh" and "```bash\nbash tests/run.sh\n```" in readme
    assert wf["jobs"]["test"]["steps"][-1]["env"] == {"CI": "true"}
