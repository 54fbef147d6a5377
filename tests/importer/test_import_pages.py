"""`import page.html` and `import https://…` as an editor runs them: the story written from the
page's own metadata, and a fetch error that names the URL and writes nothing."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frontmatter
import pytest

from .importer_support import FIXTURES

HTML = FIXTURES / "html"
STORY = "2025/03/greve-a-la-sncf-le-trafic-fortement-perturbe-mardi/fr.md"


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/article":
            body, status, ctype = (HTML / "courrier_fr.html").read_bytes(), 200, "text/html; charset=utf-8"
        elif self.path == "/report.pdf":
            body, status, ctype = b"%PDF-1.7\n", 200, "application/pdf"
        else:
            body, status, ctype = b"<html><body>gone</body></html>", 404, "text/html"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _check_story(post):
    assert post["title"] == "Grève à la SNCF : le trafic fortement perturbé mardi"
    assert post["date"].isoformat() == "2025-03-03T14:05:00+01:00"
    assert post["author"] == "Claire Martin"
    assert post["source"] == "Le Courrier du Rhône"
    assert post["caption"] == "Des voyageurs attendent leur train en gare de Lyon-Part-Dieu, lundi soir."
    assert post["import"]["photo_credit"] == "Jean Dupont / AFP"
    assert post["import"]["image_url"] == "https://img.courrier-rhone.fr/2025/03/03/gare-part-dieu.jpg"
    assert "title_inferred" not in post and "date_inferred" not in post
    assert post.content.startswith("La SNCF prévoit en moyenne un TGV sur deux")
    assert "cookies" not in post.content and "jeanpierre69" not in post.content


def test_saved_page_is_imported_from_its_markup(project):
    result = project.import_(HTML / "courrier_fr.html")
    assert result.code == 0, result.err
    post = frontmatter.loads(project.files()[STORY])
    _check_story(post)
    assert post["original_file"] == "courrier_fr.html"
    project.stories()  # the build accepts what was written


def test_url_is_fetched_and_imported(project, site):
    result = project.import_(f"{site}/article", "--json")
    assert result.code == 0, result.err
    [row] = result.json()
    assert (row["file"], row["lang"], row["date"], row["date_inferred"]) == (f"{site}/article", "fr", "2025-03-03", False)
    assert row["published"] == "2025-03-03T14:05:00+01:00"
    project.import_(f"{site}/article")
    post = frontmatter.loads(project.files()[STORY])
    _check_story(post)
    assert post["import"]["url"] == f"{site}/article"


@pytest.mark.parametrize("route, reason", [
    ("/missing", "the server answered 404 Not Found; check the address, or save the page from your "
                 "browser and import the .html file."),
    ("/report.pdf", "is a PDF, not a web page"),
])
def test_fetch_error_names_the_url_and_writes_nothing(project, site, route, reason):
    result = project.import_(f"{site}{route}")
    assert result.code == 1
    assert f"error: {site}{route}: " in result.err and reason in result.err
    assert project.files() == {}


def test_a_page_without_an_article_says_so(project, tmp_path):
    page = tmp_path / "menu.html"
    page.write_text("<!doctype html><html lang=en><head><title>Home</title></head><body><nav><a href=/>Home</a>"
                    "<a href=/world>World</a></nav><footer>© 2025 The Outlet</footer></body></html>", encoding="utf-8")
    result = project.import_(page)
    assert result.code == 1
    assert (f"error: {page}: no article text found in this web page (only navigation, or nothing "
            "at all); save the article's own page, or copy its text.") in result.err
