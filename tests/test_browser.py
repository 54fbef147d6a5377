"""A reader in a real headless Chromium: language switching, no JavaScript needed, phone width."""
from __future__ import annotations

import pytest

from conftest import free_port, make_fixture_site, serve

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
    assert page.locator("time").first.inner_text() == "February 11, 2026, 10:32\u202fAM UTC+9"


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
    assert page.locator("article.lead, article.item").count() == 2
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


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
LONG_TITLE = ("Ministers from twelve countries agree on a joint plan to protect undersea cables "
              "after a winter of unexplained outages")
LONG_SUMMARY = ("The accord, reached after two days of talks, pools patrol ships and sensors, and sets up a "
                "shared register of every cable landing on the members' coasts.")


@pytest.fixture
def phone_site(tmp_path):
    """A story with a long headline and standfirst, with a large landscape photo and without."""
    from PIL import Image
    site = make_fixture_site(tmp_path / "p", None, base_url="http://127.0.0.1:1/")
    body = "\n\n".join(["The first paragraph of the story says what happened, where and when."] + ["More text."] * 8)
    for key, photo in (("with-photo", True), ("without-photo", False)):
        extra = "image: photo.jpg\ncaption: Patrol ships leave the harbour at dawn on the first day.\ncredit: Jane Roe\n" \
            if photo else ""
        for lang, title in (("en", LONG_TITLE), ("fr", "Douze pays s’accordent sur un plan commun pour protéger "
                                                     "les câbles sous-marins après un hiver de pannes inexpliquées")):
            site.write(f"content/2026/02/{key}/{lang}.md", f"---\ntitle: \"{title}\"\nslug: {key}\ndate: 2026-02-11 10:32\n"
                       f"summary: \"{LONG_SUMMARY}\"\nsource: Example Wire\nauthor: Jane Doe\n{extra}---\n{body}\n")
        if photo:
            Image.new("RGB", (3000, 2000), (90, 120, 160)).save(site.root / f"content/2026/02/{key}/photo.jpg")
    return site


def test_the_first_paragraph_is_on_a_phones_first_screen(phone_site, browser):
    port = free_port()
    phone_site.write("site.toml", phone_site.config_path.read_text().replace("http://127.0.0.1:1/",
                                                                            f"http://127.0.0.1:{port}/"))
    phone_site.build()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    tops = {}
    with serve(phone_site.out, port, "/") as url:
        for lang in ("en", "fr"):
            for link in [a.get_attribute("href") for a in page_links(page, url + f"{lang}/")]:
                page.goto(url.rstrip("/") + link)
                page.wait_for_load_state("load")
                top = page.evaluate("document.querySelector('.story__body p').getBoundingClientRect().top")
                photo = page.locator(".story__figure img").count() == 1
                tops[(lang, photo)] = top
    context.close()
    assert set(tops) == {("en", True), ("en", False), ("fr", True), ("fr", False)}
    assert all(top < 844 for top in tops.values()), tops


def page_links(page, front: str):
    page.goto(front)
    return page.locator(".lead__title a, .item__title a").all()


def test_the_masthead_is_one_row_on_a_phone(served_site, browser):
    _, url = served_site
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("en/", "fr/", EN, FR):
        page.goto(url + path)
        height = page.evaluate("document.querySelector('.masthead').getBoundingClientRect().height")
        assert height < 64, (path, height)
    context.close()


def test_the_pager_keeps_newer_and_older_on_one_row_on_a_phone(tmp_path, browser):
    port = free_port()
    site = make_fixture_site(tmp_path / "p", None, base_url=f"http://127.0.0.1:{port}/", page_size=1)
    for n in range(1, 4):
        site.write(f"content/2026/02/s{n}/fr.md", f"---\ntitle: Article {n}\ndate: 2026-02-0{n}\n---\nTexte.\n")
    site.build()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    with serve(site.out, port, "/") as url:
        page.goto(url + "fr/page/2/")
        newer = page.locator(".pager a[rel=prev]").bounding_box()
        older = page.locator(".pager a[rel=next]").bounding_box()
    context.close()
    assert abs(newer["y"] - older["y"]) < 1 and newer["x"] < older["x"], (newer, older)


def test_printing_is_black_on_white_with_link_addresses_and_no_chrome(served_site, browser):
    _, url = served_site
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(url + "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/")
    assert page.evaluate("getComputedStyle(document.body).color") != "rgb(0, 0, 0)"  # dark on screen
    page.emulate_media(media="print", color_scheme="dark")
    style = page.evaluate("""() => {
        const css = (selector, prop, pseudo) => getComputedStyle(document.querySelector(selector), pseudo || null)[prop];
        return {text: css('body', 'color'), background: css('body', 'backgroundColor'),
                link: css('.story__body a, .meta a', 'color'),
                nav: css('.masthead nav', 'display'), versions: css('.other-versions', 'display'),
                footer: css('.footer', 'display'),
                after: css('main a[href^="http"]', 'content', '::after')};
    }""")
    context.close()
    assert style["text"] == "rgb(0, 0, 0)" and style["background"] == "rgb(255, 255, 255)"
    assert style["link"] == "rgb(0, 0, 0)"
    assert style["nav"] == style["versions"] == style["footer"] == "none"
    assert "https://example.org/news/etta" in style["after"]


@pytest.mark.parametrize("lang, word, found", [
    ("fr", "souligné", FR),  # French stemming: "souligner" would find it too
    ("en", "forge", EN),
])
def test_a_search_lists_the_article_in_the_readers_language_only(served_site, page, lang, word, found):
    _, url = served_site
    page.goto(url + f"{lang}/search/?q={word}")
    page.wait_for_selector(".search-list li a")
    hrefs = page.eval_on_selector_all(".search-list li a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["/repo/" + found]
    assert page.locator("#q").input_value() == word
    assert page.locator(".search-status").inner_text().startswith("1 ")


def test_a_search_from_the_form_lands_on_results_and_marks_the_words(served_site, page):
    _, url = served_site
    page.goto(url + "en/search/")
    page.fill("#q", "budget")
    page.press("#q", "Enter")
    page.wait_for_url("**/en/search/?q=budget")
    page.wait_for_selector(".search-list li")
    assert page.locator(".search-list li a").first.get_attribute("href") == \
        "/repo/en/2026/01/15/ottawa-tables-a-cautious-budget/"
    assert page.locator(".search-list mark").first.inner_text().lower().startswith("budget")


def test_the_search_page_says_what_to_do_without_javascript(served_site, browser):
    _, url = served_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "fr/search/?q=japon")
    note = page.locator(".search-note")
    assert note.is_visible() and "La recherche a besoin de JavaScript" in note.inner_text()
    assert note.get_by_role("link", name="Sujets").get_attribute("href") == "/repo/fr/tags/"
    context.close()


def test_the_masthead_box_searches_from_any_page_on_a_desktop(served_site, browser):
    _, url = served_site
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(url + EN)
    box = page.get_by_role("search", name="Search the stories").get_by_role("searchbox")
    box.fill("forge")
    box.press("Enter")
    page.wait_for_url("**/en/search/?q=forge")
    page.wait_for_selector(".search-list li a")
    assert page.locator(".search-list li a").first.get_attribute("href") == "/repo/" + EN
    context.close()
