"""A reader in a real headless Chromium: language switching, no JavaScript needed, phone width."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

EN = "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/"
FR = "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/"


def test_reader_switches_from_english_to_french_and_back(served_site, page):
    _, url = served_site
    page.goto(url + EN)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == "North Korea warns Japan against forging military alliances"

    link = page.locator("a.other-link")
    assert link.get_attribute("lang") == "fr"
    assert link.inner_text() == "Lire en français\u202f: Corée du Nord\u202f: le Japon appelé à ne pas nouer d’alliances militaires"
    link.click()
    page.wait_for_url(url + FR)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.locator("h1").inner_text().startswith("Corée du Nord\u202f: le Japon")
    assert page.locator("time").first.inner_text() == "11 février 2026"

    page.locator("a.other-link").click()
    page.wait_for_url(url + EN)
    assert page.locator("time").first.inner_text() == "February 11, 2026, 10:32\u202fAM"


def test_language_switcher_in_the_header_goes_to_the_same_story(served_site, page):
    _, url = served_site
    page.goto(url + FR)
    page.get_by_role("navigation", name="Langues").get_by_role("link", name="English").click()
    page.wait_for_url(url + EN)


def test_pages_read_fully_without_javascript(served_site, browser):
    _, url = served_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + EN)
    body = page.locator(".story__body").inner_text()
    assert "Japan should not forge military alliances" in body
    page.goto(url + "en/")
    assert page.locator("article.item").count() == 2
    context.close()


def test_article_fits_a_phone_screen(served_site, browser):
    _, url = served_site
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    for path in ("", "en/", EN, FR):
        page.goto(url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    context.close()


def test_missing_page_shows_the_bilingual_404(served_site, page):
    _, url = served_site
    response = page.goto(url + "en/no-such-story/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found · Page introuvable"
    page.get_by_role("link", name="Voir les dernières nouvelles").click()
    page.wait_for_url(url + "fr/")
