"""Web pages: metadata and main text from saved HTML, and fetching URLs from a local server."""
from __future__ import annotations

import socket
import threading
import time
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from .importer_support import FIXTURES
from newsdigest.importer import webpage
from newsdigest.importer.webpage import FetchError, Page, fetch, is_url, looks_like_html, read_page

HTML = FIXTURES / "html"
PARIS = timezone(timedelta(hours=1))


def page(name: str, url: str | None = None) -> Page:
    return read_page((HTML / name).read_bytes().decode("utf-8", "replace"), url)


# --- read_page ----------------------------------------------------------------------------------

def test_french_page_metadata_from_opengraph_and_json_ld():
    fr = page("courrier_fr.html")
    assert fr.title == "Grève à la SNCF : le trafic fortement perturbé mardi"
    assert fr.published == datetime(2025, 3, 3, 14, 5, tzinfo=PARIS)
    assert fr.published.isoformat() == "2025-03-03T14:05:00+01:00"
    assert fr.updated == datetime(2025, 3, 4, 8, 30, tzinfo=PARIS)
    assert fr.author == "Claire Martin"
    assert fr.site_name == "Le Courrier du Rhône"
    assert fr.lang == "fr"
    assert fr.url == "https://www.courrier-rhone.fr/economie/2025/03/03/greve-sncf-trafic-perturbe_1234.html"
    assert fr.description == ("Les syndicats appellent à une journée de mobilisation contre la réforme des "
                              "retraites des cheminots.")


def test_french_page_lead_image_caption_and_credit():
    fr = page("courrier_fr.html")
    assert fr.image == "https://img.courrier-rhone.fr/2025/03/03/gare-part-dieu.jpg"  # og:image, not the <img>
    assert fr.caption == "Des voyageurs attendent leur train en gare de Lyon-Part-Dieu, lundi soir."
    assert fr.credit == "Jean Dupont / AFP"


def test_french_page_body_without_page_furniture():
    fr = page("courrier_fr.html")
    assert fr.paragraphs == (
        "La SNCF prévoit en moyenne un TGV sur deux et un TER sur trois mardi, au premier jour de la grève "
        "lancée par l'intersyndicale contre la réforme du régime des cheminots.",
        "« Nous demandons le retrait pur et simple du projet », a déclaré lundi le secrétaire général de la "
        "CGT-Cheminots, lors d'une conférence de presse à Lyon.",
        "La direction de l'entreprise conseille aux voyageurs de reporter leurs déplacements et promet un "
        "remboursement intégral des billets annulés, sans frais.",
        "Un mouvement reconductible",
        "Le mouvement pourrait être reconduit jusqu'à la fin de la semaine si aucune négociation ne s'ouvre "
        "d'ici jeudi, selon les syndicats.",
    )
    text = "\n".join(fr.paragraphs)
    for furniture in ("cookies", "Tout accepter", "Politique", "S'abonner", "Accueil", "Partager",
                      "Retraites : le calendrier", "Recevez chaque matin", "Transports", "Commentaires",
                      "jeanpierre69", "usagers qui trinquent", "Soutien total", "Tous droits réservés",
                      "Des voyageurs attendent", "Jean Dupont"):
        assert furniture not in text, furniture


def test_page_with_only_h1_and_time():
    en = page("plain_en.html")
    assert en.title == "Council approves new bike lanes on Main Street"  # the <h1>, not the shorter <title>
    assert en.published == datetime(2025, 2, 18, 19, 40, tzinfo=timezone.utc)
    assert (en.updated, en.author, en.site_name, en.lang, en.image, en.caption, en.credit, en.url,
            en.description) == (None,) * 9
    assert [p[:32] for p in en.paragraphs] == ["The city council voted seven to ",
                                               "Construction is expected to begi",
                                               "Local business owners were divid"]
    assert not any("Weather" in p or "Copyright" in p for p in en.paragraphs)


def test_given_url_is_kept_and_its_host_is_not_taken_for_a_site_name():
    en = page("plain_en.html", url="https://riverside-news.example/council/bike-lanes")
    assert en.url == "https://riverside-news.example/council/bike-lanes"
    assert en.site_name is None


def test_json_ld_only_page():
    ld = page("jsonld_only.html")
    assert ld.title == "Wildfire forces thousands to evacuate near Valencia"
    assert ld.published == datetime(2025, 7, 21, 6, 15, tzinfo=timezone(timedelta(hours=2)))
    assert ld.author == "Ana Ruiz"
    assert ld.site_name == "Iberia Daily"
    assert ld.image == "https://iberiadaily.example/photos/valencia-fire.jpg"
    assert ld.updated is None and ld.lang is None
    assert len(ld.paragraphs) == 2 and ld.paragraphs[0].startswith("Firefighters battled a fast-moving wildfire")


@pytest.mark.parametrize("name", ["empty.html", "garbage.html"])
def test_empty_or_garbage_file_gives_an_empty_page(name):
    assert page(name) == Page()


def test_page_without_article_has_no_paragraphs():
    nav_only = ("<html><head><title>Accueil - Le Courrier</title></head><body><nav><a href='/'>Accueil</a> "
                "<a href='/sport'>Sport</a></nav><div class='cookie'><p>Nous utilisons des cookies pour "
                "améliorer votre expérience.</p><button>OK</button></div><footer>© 2025 Le Courrier. Tous "
                "droits réservés.</footer></body></html>")
    result = read_page(nav_only)
    assert result.paragraphs == ()
    assert result.published is None  # not 2025-01-01 from the copyright line


ARTICLE = ("<p>Heavy rain caused the river to burst its banks overnight, and the council closed every school "
           "in the district on Thursday morning.</p>")


def test_title_repeated_in_the_text_is_dropped_and_alt_is_the_caption():
    html = ("<html lang='en-GB'><body><article><h1>Floods close schools</h1><p class='kicker'>Floods close "
            "schools</p><figure><img src='/img/flood.jpg' alt='A flooded street in the town centre'></figure>"
            f"{ARTICLE}</article></body></html>")
    result = read_page(html, url="https://town.example/news/floods")
    assert result.title == "Floods close schools"
    assert result.paragraphs == ("Heavy rain caused the river to burst its banks overnight, and the council "
                                 "closed every school in the district on Thursday morning.",)
    assert result.image == "https://town.example/img/flood.jpg"  # the figure's, made absolute
    assert result.caption == "A flooded street in the town centre"
    assert result.credit is None
    assert result.lang == "en"


def test_locale_from_og_locale_and_credit_in_a_small_element():
    html = ("<html><head><meta property='og:locale' content='fr_CA'><meta property='og:image' "
            "content='https://cdn.example/1200/pont.jpg'></head><body><article><h1>Le pont rouvre</h1>"
            "<figure><img src='https://site.example/media/pont.jpg'><figcaption>Le pont Jacques-Cartier, "
            "mardi. <small>© La Presse canadienne</small></figcaption></figure>"
            "<p>Le pont Jacques-Cartier a rouvert à la circulation mardi matin, après trois semaines de "
            "travaux sur sa structure.</p></article></body></html>")
    result = read_page(html)
    assert result.lang == "fr"
    assert result.image == "https://cdn.example/1200/pont.jpg"
    assert (result.caption, result.credit) == ("Le pont Jacques-Cartier, mardi.", "La Presse canadienne")


@pytest.mark.parametrize("head, expected", [
    # the time and zone are kept as written, even when the day differs in UTC
    ('<meta property="article:published_time" content="2025-03-03T23:30:00-05:00">',
     datetime(2025, 3, 3, 23, 30, tzinfo=timezone(timedelta(hours=-5)))),
    ('<meta property="article:published_time" content="2025-03-03">', date(2025, 3, 3)),
    # htmldate refuses dates after today: the markup does not override it
    ('<meta property="article:published_time" content="2999-03-03T10:00:00+01:00">', None),
    # only a copyright year: htmldate's extensive search would say 2025-01-01
    ("", None),
])
def test_publication_date(head, expected):
    html = (f"<html><head>{head}</head><body><article><h1>Storm hits the coast</h1>{ARTICLE}</article>"
            "<footer>© 2025 Example News</footer></body></html>")
    assert read_page(html).published == expected


def test_original_date_is_preferred_over_the_update():
    html = ("<html><head><meta property='article:published_time' content='2025-03-03T10:00:00+01:00'>"
            "<meta property='article:modified_time' content='2025-03-05T18:00:00+01:00'></head><body><article>"
            f"<h1>Storm hits the coast</h1>{ARTICLE}</article></body></html>")
    result = read_page(html)
    assert result.published == datetime(2025, 3, 3, 10, 0, tzinfo=PARIS)
    assert result.updated == datetime(2025, 3, 5, 18, 0, tzinfo=PARIS)


def test_date_written_in_the_text_only():
    html = (f"<html><body><article><h1>Storm hits the coast</h1><p class='date'>Publié le 3 mars 2025</p>"
            f"{ARTICLE}</article></body></html>")
    assert read_page(html).published == date(2025, 3, 3)


def test_malformed_json_ld_and_addresses_are_ignored():
    html = ("<html><head><script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"image\": [</script>"
            "<link rel='canonical' href='http://[oops/'><meta property='og:image' content='http://[x/a.jpg'>"
            f"</head><body><article><h1>Storm hits the coast</h1>{ARTICLE}</article></body></html>")
    result = read_page(html, url="https://news.example/storm")
    assert result.title == "Storm hits the coast"
    assert result.url == "https://news.example/storm"
    assert result.image is None
    assert len(result.paragraphs) == 1


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=300),
                 st.lists(st.sampled_from(["<html>", "<head>", "<body>", "<p>", "</p>", "<figure>", "<img src='",
                                           "<figcaption>", "<time datetime='2025-13-45'>", "<h1>", "</h1>",
                                           "<meta property='og:image' content='http://[", "'>", "\x00", "é",
                                           "<script type='application/ld+json'>", "{\"headline\": [",
                                           "Le texte de l'article, assez long pour compter. ", "<!--"]),
                          max_size=40).map("".join)))
def test_read_page_never_raises(html):
    result = read_page(html)
    assert isinstance(result.paragraphs, tuple)


# --- looks_like_html and is_url ---------------------------------------------------------------

@pytest.mark.parametrize("name, data, expected", [
    ("saved.HTML", b"", True),
    ("saved.htm", b"plain words", True),
    ("page.xhtml", b"", True),
    ("article.txt", b"\xef\xbb\xbf  \n<!-- saved from url=(0042)https://example.org/ -->\n<!DOCTYPE html>\n<html>",
     True),
    ("article", b"<?xml version='1.0' encoding='utf-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>", True),
    ("article", b"\n\n<HEAD><title>x</title>", True),
    ("article", "\ufeff<!doctype html><html>".encode("utf-16"), True),
    ("article.txt", "Grève à la SNCF\n\nLa SNCF prévoit un TGV sur deux.".encode(), False),
    ("article.txt", b"<p>A fragment is not a page</p>", False),
    ("notes.txt", b"<htmlish> is not a tag we know", False),
])
def test_looks_like_html(name, data, expected):
    assert looks_like_html(Path(name), data) is expected


@pytest.mark.parametrize("text, expected", [
    ("https://www.example.org/news/1", True), ("HTTP://example.org", True), ("http://127.0.0.1:8000/a", True),
    ("ftp://example.org/file", False), ("file:///tmp/a.html", False), ("www.example.org", False),
    ("https://", False), ("articles/2025/a.html", False), ("http://[oops", False),
])
def test_is_url(text, expected):
    assert is_url(text) is expected


# --- fetch, from a server on the loopback interface ----------------------------------------------

LATIN = ('<html><head><meta charset="windows-1252"><title>Été</title></head><body>'
         '<p>Un été « brûlant » à Montréal.</p></body></html>')


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def send(self, status: int, ctype: str | None, body: bytes, length: int | None = None, **headers):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        route = self.path
        try:
            if route == "/fr.html":
                self.send(200, "text/html; charset=utf-8", (HTML / "courrier_fr.html").read_bytes())
            elif route == "/moved":
                self.send(301, "text/html", b"", Location="/fr.html")
            elif route == "/to-ftp":
                self.send(302, "text/html", b"", Location="ftp://127.0.0.1/file.html")
            elif route == "/latin":  # no HTTP charset: the <meta charset> decides
                self.send(200, "text/html", LATIN.encode("cp1252"))
            elif route == "/http-charset":  # the HTTP charset wins over the (wrong) meta charset
                self.send(200, "text/html; charset=iso-8859-1", LATIN.replace("windows-1252", "utf-8").encode("latin-1"))
            elif route == "/untyped":
                self.send(200, None, (HTML / "plain_en.html").read_bytes())
            elif route == "/untyped-binary":
                self.send(200, "application/octet-stream", b"\x00\x01\x02binary")
            elif route == "/missing":
                self.send(404, "text/html", b"<html><body><h1>Not here</h1></body></html>")
            elif route == "/broken":
                self.send(500, "text/html", b"oops")
            elif route == "/report.pdf":
                self.send(200, "application/pdf", b"%PDF-1.7\n")
            elif route == "/photo.jpg":
                self.send(200, "image/jpeg", b"\xff\xd8\xff")
            elif route == "/huge":  # says how big it is: refused before reading
                self.send(200, "text/html", b"<html>", length=11 * 1024 * 1024)
            elif route == "/stream":  # says nothing: refused once the cap is passed
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body>" + b"x" * (1536 * 1024))
                self.close_connection = True
            elif route == "/slow":
                time.sleep(1.5)
                self.send(200, "text/html", b"<html></html>")
            elif route == "/stall":  # headers at once, then the body never comes
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"<html>")
                self.wfile.flush()
                time.sleep(1.5)
            else:
                self.send(404, "text/plain", b"no route")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as the timeout tests mean it to


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_and_read_a_page(server):
    final, html = fetch(f"{server}/fr.html")
    assert final == f"{server}/fr.html"
    assert Handler.seen_agents[-1].startswith("newsdigest/")
    result = read_page(html, final)
    assert result.title == "Grève à la SNCF : le trafic fortement perturbé mardi"
    assert result.url == "https://www.courrier-rhone.fr/economie/2025/03/03/greve-sncf-trafic-perturbe_1234.html"


def test_fetch_follows_redirects(server):
    final, html = fetch(f"{server}/moved")
    assert final == f"{server}/fr.html"
    assert "Grève à la SNCF" in html


def test_fetch_refuses_a_redirect_out_of_the_web(server):
    with pytest.raises(FetchError) as info:
        fetch(f"{server}/to-ftp")
    assert str(info.value) == (f"{server}/to-ftp: the page could not be fetched (redirected to "
                               "ftp://127.0.0.1/file.html, which is not a web address); check the address or "
                               "try again.")


@pytest.mark.parametrize("route", ["/latin", "/http-charset"])
def test_fetch_decodes_by_the_declared_charset(server, route):
    _, html = fetch(server + route)
    assert "Un été « brûlant » à Montréal." in html


def test_fetch_sniffs_a_page_served_without_a_type(server):
    _, html = fetch(f"{server}/untyped")
    assert "Council approves new bike lanes" in html


@pytest.mark.parametrize("route, reason", [
    ("/missing", "the server answered 404 Not Found; check the address, or save the page from your browser "
                 "and import the .html file."),
    ("/broken", "the server answered 500 Internal Server Error; check the address, or save the page from "
                "your browser and import the .html file."),
    ("/report.pdf", "is a PDF, not a web page; save the article text into a .txt file and import that."),
    ("/photo.jpg", "is an image (image/jpeg), not a web page; save the article text into a .txt file and "
                   "import that."),
    ("/untyped-binary", "does not look like a web page; save the article text into a .txt file and import "
                        "that."),
    ("/huge", "the page is larger than 10 MB, so it is not an article; check the address, or save the "
              "article text into a .txt file and import that."),
])
def test_fetch_errors(server, route, reason):
    with pytest.raises(FetchError) as info:
        fetch(server + route)
    assert str(info.value) == f"{server}{route}: {reason}"
    assert (info.value.url, info.value.reason) == (server + route, reason)


def test_fetch_stops_reading_past_the_size_cap(server, monkeypatch):
    monkeypatch.setattr(webpage, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(FetchError) as info:
        fetch(f"{server}/stream")
    assert info.value.reason == ("the page is larger than 1 MB, so it is not an article; check the address, "
                                 "or save the article text into a .txt file and import that.")


@pytest.mark.parametrize("route", ["/slow", "/stall"])
def test_fetch_timeout(server, route):
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(server + route, timeout=0.5)
    assert str(info.value) == f"{server}{route}: no answer within 0.5 s; check the address or try again."
    assert time.monotonic() - started < 1.4


def test_fetch_connection_refused():
    with socket.socket() as sock:  # a port that was free a moment ago, and that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetch(f"http://127.0.0.1:{port}/article")
    assert str(info.value) == (f"http://127.0.0.1:{port}/article: the connection was refused; check the "
                               "address (and the port), or try again later.")


def test_fetch_unknown_host(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no DNS query leaves the machine
    with pytest.raises(FetchError) as info:
        fetch("https://news.invalid/a")
    assert str(info.value) == ("https://news.invalid/a: the host news.invalid was not found; check the address "
                               "and your internet connection.")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.html", "127.0.0.1/a.html"])
def test_fetch_accepts_only_web_addresses(url):
    with pytest.raises(FetchError) as info:
        fetch(url)
    assert str(info.value) == (f"{url}: only http:// and https:// addresses can be imported; for a saved page, "
                               "give the path of the .html file.")
