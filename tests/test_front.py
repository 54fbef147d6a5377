"""A digest, not a blog archive: fronts with a lead story and days, day and month navigation,
articles with a standfirst, related and next stories, and the bilingual home. Asserted on files."""
from __future__ import annotations

import re

import lxml.html
import pytest

from conftest import make_fixture_site


def write_story(site, key: str, lang: str, title: str, when: str, *, tags=(), summary: str | None = None,
                body: str = "The story's first paragraph.", extra: str = "") -> None:
    front = [f"title: {title}", f"date: {when}"]
    if tags:
        front.append(f"tags: [{', '.join(tags)}]")
    if summary:
        front.append(f"summary: {summary}")
    if extra:
        front.append(extra)
    site.write(f"content/{key}/{lang}.md", "---\n" + "\n".join(front) + f"\n---\n{body}\n")


def html(site, path: str):
    return lxml.html.fromstring(site.page(path))


def text(node) -> str:
    return re.sub(r"[ \t\r\n]+", " ", node.text_content()).strip()  # keeps no-break spaces


@pytest.fixture
def digest(tmp_path):
    """Six stories over three days; all but one in both languages."""
    site = make_fixture_site(tmp_path / "p", None, page_size=10)
    days = {"a": "2026-02-09 08:00", "b": "2026-02-10 09:00", "c": "2026-02-10 15:00",
            "d": "2026-02-11 07:00", "e": "2026-02-11 10:00", "f": "2026-02-11 12:00"}
    topics = {"a": ("Cybersecurity",), "b": ("Cybersecurity", "Europe"), "c": ("Skiing",),
              "d": ("Cybersecurity",), "e": ("Skiing",), "f": ("Europe",)}
    fr_topics = {"Cybersecurity": "Cybersécurité", "Europe": "Europe", "Skiing": "Ski"}
    for key, when in days.items():
        write_story(site, f"2026/02/{key}", "en", f"Story {key.upper()} in English", when, tags=topics[key],
                    summary=f"What happened in story {key}." if key != "e" else None)
        if key != "c":
            write_story(site, f"2026/02/{key}", "fr", f"Article {key.upper()} en français", when,
                        tags=[fr_topics[t] for t in topics[key]])
    return site


def test_a_front_opens_on_its_lead_story_then_the_days(digest):
    digest.build()
    page = html(digest, "fr/")
    lead = page.cssselect(".lead")[0]
    assert text(lead.cssselect(".lead__title")[0]) == "Article F en français"
    assert lead.cssselect(".versions a")[0].get("lang") == "en"
    headings = [(h.get("datetime"), text(h)) for h in page.cssselect(".day__title time")]
    assert headings == [("2026-02-11", "Mercredi 11 février 2026"), ("2026-02-10", "Mardi 10 février 2026"),
                        ("2026-02-09", "Lundi 9 février 2026")]
    first_day = page.cssselect("section.day")[0]
    assert [text(t) for t in first_day.cssselect(".item__title")] == ["Article E en français", "Article D en français"]
    assert not page.cssselect("p.count"), "a front opens on stories, not on a count"
    english = html(digest, "en/")
    assert text(english.cssselect(".day__title time")[0]) == "Wednesday, February 11, 2026"


def test_a_front_has_a_sidebar_of_days_and_topics(digest):
    digest.build()
    aside = html(digest, "en/").cssselect("aside.front__aside")[0]
    days = [a.get("href") for a in aside.cssselect(".aside__list a")]
    assert days == ["/en/2026/02/11/", "/en/2026/02/10/", "/en/2026/02/09/"]
    topics = [text(a) for a in aside.cssselect(".aside__topics a")]
    assert topics[0] == "Cybersecurity" and set(topics) == {"Cybersecurity", "Europe", "Skiing"}


def test_day_pages_link_the_previous_and_next_day_and_their_month(digest):
    digest.build()
    middle = html(digest, "en/2026/02/10/").cssselect("nav.daynav a")
    assert [(a.get("rel"), a.get("href")) for a in middle] == [
        ("prev", "/en/2026/02/09/"), (None, "/en/2026/02/"), ("next", "/en/2026/02/11/")]
    first = html(digest, "fr/2026/02/09/").cssselect("nav.daynav a")
    assert [a.get("rel") for a in first] == [None, "next"]
    assert text(first[1]) == "Jour suivant\u202f: 10 février 2026"


def test_month_pages_link_each_of_their_days_with_counts(digest):
    digest.build()
    days = html(digest, "en/2026/02/").cssselect("nav.month-days li")
    assert [(li.cssselect("a")[0].get("href"), text(li.cssselect(".count")[0])) for li in days] == [
        ("/en/2026/02/09/", "1 story"), ("/en/2026/02/10/", "2 stories"), ("/en/2026/02/11/", "3 stories")]


def test_an_article_shows_its_written_summary_as_standfirst_and_never_one_taken_from_the_body(digest):
    digest.build()
    with_summary = html(digest, "en/2026/02/11/story-f-in-english/")
    assert text(with_summary.cssselect("header .standfirst")[0]) == "What happened in story f."
    assert not html(digest, "en/2026/02/11/story-e-in-english/").cssselect(".standfirst")


def test_an_article_lists_related_stories_and_its_neighbours(digest):
    digest.build()
    page = html(digest, "en/2026/02/10/story-b-in-english/")
    related = [a.get("href") for a in page.cssselect(".related a")]
    # b shares Cybersecurity with a and d, Europe with f; never c or e (Skiing).
    assert set(related) == {"/en/2026/02/09/story-a-in-english/", "/en/2026/02/11/story-d-in-english/",
                            "/en/2026/02/11/story-f-in-english/"}
    nav = page.cssselect("nav.storynav a")
    assert [(a.get("rel"), a.get("href")) for a in nav] == [
        ("prev", "/en/2026/02/09/story-a-in-english/"), ("next", "/en/2026/02/10/story-c-in-english/")]
    newest = html(digest, "en/2026/02/11/story-f-in-english/").cssselect("nav.storynav a")
    assert [a.get("rel") for a in newest] == ["prev"]


def test_an_article_without_a_shared_topic_lists_no_related_story(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    write_story(site, "2026/02/a", "en", "Budget passes in Ottawa", "2026-02-09", tags=["Budget"])
    write_story(site, "2026/02/b", "en", "Avalanche closes a pass", "2026-02-10", tags=["Weather"])
    site.build()
    assert not html(site, "en/2026/02/10/avalanche-closes-a-pass/").cssselect(".related")


def test_times_carry_their_zone(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    write_story(site, "2026/02/a", "en", "Seoul talks", "2026-02-11 10:32:00+09:00")
    write_story(site, "2026/02/a", "fr", "Pourparlers à Séoul", "2026-02-11 10:32:00")
    site.build()
    assert text(html(site, "en/2026/02/11/seoul-talks/").cssselect(".story__header time")[0]) == \
        "February 11, 2026, 10:32\u202fAM UTC+9"
    assert text(html(site, "fr/2026/02/11/pourparlers-a-seoul/").cssselect(".story__header time")[0]) == \
        "11 février 2026, 10:32 UTC+1"


def test_a_caption_without_a_picture_has_no_photo_label(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    write_story(site, "2026/02/a", "en", "Rally in Rennes", "2026-02-11",
                extra="caption: Marchers cross the square.\ncredit: Jane Roe")
    site.build()
    page = html(site, "en/2026/02/11/rally-in-rennes/")
    assert [text(p) for p in page.cssselect("p.caption")] == ["Marchers cross the square."]
    assert "Photo" not in text(page.cssselect("main")[0])
    assert not page.cssselect("figure")


def test_the_root_home_shows_both_titles_by_day_and_links_both_archives(digest):
    digest.build()
    page = html(digest, "")
    first = page.cssselect("section.day")[0]
    assert first.cssselect("time")[0].get("datetime") == "2026-02-11"
    item = first.cssselect("article.pair")[0]
    assert text(item.cssselect(".item__title")[0]) == "Story F in English"
    assert text(item.cssselect(".pair__other")[0]) == "Article F en français"
    single = [a for a in page.cssselect("article.pair") if "Story C" in text(a)][0]
    assert text(single.cssselect(".missing")[0]) == "Pas disponible en français"
    archives = {a.get("hreflang"): a.get("href") for a in page.cssselect("header nav.sections a")}
    assert archives == {"en": "/en/archive/", "fr": "/fr/archive/"}
    choose = [(a.get("hreflang"), text(a)) for a in page.cssselect("ul.choose a")]
    assert choose == [("en", "Read in English"), ("fr", "Lire en français")]


def test_every_root_home_page_has_its_own_title(tmp_path):
    site = make_fixture_site(tmp_path / "p", None, page_size=1)
    for n in range(1, 4):
        write_story(site, f"2026/02/s{n}", "en", f"Story {n}", f"2026-02-0{n}")
    site.build()
    titles = [html(site, path).findtext(".//title") for path in ("", "page/2/", "page/3/")]
    assert len(set(titles)) == 3
    assert titles[1] == "The Digest · Le Digest (Page 2 of 3 · Page 2 sur 3)"


def test_topic_pages_link_their_other_language_and_keep_the_readers_place(digest):
    digest.build()
    page = html(digest, "en/tags/cybersecurity/")
    alternates = {link.get("hreflang"): link.get("href") for link in page.cssselect("link[rel=alternate][hreflang]")}
    assert alternates["fr"].endswith("/fr/tags/cybersecurite/") and alternates["en"].endswith("/en/tags/cybersecurity/")
    switch = {a.get("lang"): a.get("href") for a in page.cssselect("nav.languages a")}
    assert switch == {"en": "/en/tags/cybersecurity/", "fr": "/fr/tags/cybersecurite/"}
    skiing = {a.get("lang"): a.get("href") for a in html(digest, "fr/tags/ski/").cssselect("nav.languages a")}
    assert skiing["en"] == "/en/tags/skiing/"


def test_a_topic_without_a_counterpart_switches_to_the_other_front(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    write_story(site, "2026/02/a", "en", "Budget day", "2026-02-01", tags=["Budget"])
    write_story(site, "2026/02/b", "fr", "Jour de neige", "2026-02-02", tags=["Neige"])
    site.build()
    page = html(site, "en/tags/budget/")
    assert not page.cssselect("link[hreflang=fr]")
    assert {a.get("lang"): a.get("href") for a in page.cssselect("nav.languages a")}["fr"] == "/fr/"


def test_the_topic_index_groups_places_and_themes_under_first_use_names(tmp_path):
    site = make_fixture_site(tmp_path / "p", None)
    write_story(site, "2026/02/a", "en", "Storm over Rennes", "2026-02-01", tags=["Rennes", "weather"])
    write_story(site, "2026/02/b", "en", "Trade talks in Europe", "2026-02-02", tags=["Europe", "trade"])
    write_story(site, "2026/02/c", "en", "Rain again", "2026-02-03", tags=["rennes", "Weather", "France"])
    site.build()
    page = html(site, "en/tags/")
    groups = {text(s.cssselect("h2")[0]): [text(a) for a in s.cssselect("a")] for s in page.cssselect("section.topic-kind")}
    assert groups == {"Places": ["Europe", "France"], "Themes": ["Rennes", "trade", "weather"]}
    assert text(html(site, "en/tags/rennes/").cssselect("h1")[0]) == "Topic: Rennes"
    chips = [text(a) for a in html(site, "en/2026/02/03/rain-again/").cssselect(".tags a")]
    assert chips == ["Rennes", "weather", "France"]
