"""One fixture per pattern of copied pages that misled the importer: where the headline, the date
and the source really are. Each text is made up, in the shape real copy takes."""
from __future__ import annotations

from datetime import date, time

import pytest

from .importer_support import TODAY
from newsdigest.importer.extract import extract

LEAD_EN = ("GENEVA (Reuters) - Swiss voters on Sunday approved a plan to build three new rail tunnels "
           "under the Alps, the federal chancellery said, with 58.3% in favour.")
LEAD_FR = ("Les électeurs genevois ont approuvé dimanche la construction de trois nouveaux tunnels "
           "ferroviaires sous les Alpes, avec 58,3 % de oui, a annoncé la chancellerie.")
MORE_EN = "Turnout was 47%, slightly above the average for federal votes this year."
MORE_FR = "La participation a atteint 47 %, un peu au-dessus de la moyenne des scrutins de l'année."


def ex(text, lang="en"):
    return extract(text, lang, TODAY)


@pytest.mark.parametrize("text, lang, title", [
    # icon ligatures, menus and a section label above the headline
    ("Skip to content\nMenu\nsearch\naccount_circle\nWorld News\n"
     "Swiss voters back Alpine rail tunnels\nBy Anna Weber\n" + LEAD_EN + "\n" + MORE_EN, "en",
     "Swiss voters back Alpine rail tunnels"),
    # the outlet's name and tagline, then a menu row with wide gaps
    ("The Alpine Ledger\nIndependent news from the mountains\nNews   Sport   Travel   Weather\n"
     "Swiss voters back Alpine rail tunnels\n" + LEAD_EN + "\n" + MORE_EN, "en",
     "Swiss voters back Alpine rail tunnels"),
    # a radio programme line and a section in capitals
    ("Radio Léman 98,2\nLe 6 à 9 avec Julie Rochat\nSPORTS\n"
     "Trois tunnels sous les Alpes approuvés par les Genevois\nPar Marc Favre | Radio Léman\n"
     + LEAD_FR + "\n" + MORE_FR, "fr", "Trois tunnels sous les Alpes approuvés par les Genevois"),
    # a headline followed by a standfirst without a final stop
    ("Swiss voters back Alpine rail tunnels\nThe chancellery said 58.3% of voters approved the three "
     "tunnels, the largest rail project since the Gotthard base tunnel opened\nBy Anna Weber\n"
     + LEAD_EN + "\n" + MORE_EN, "en", "Swiss voters back Alpine rail tunnels"),
    # a kicker with a separator is not the headline
    ("Federal vote | Transport\nSwiss voters back Alpine rail tunnels\nBy Anna Weber\n" + LEAD_EN + "\n"
     + MORE_EN, "en", "Swiss voters back Alpine rail tunnels"),
])
def test_the_headline_is_found_under_page_furniture(text, lang, title):
    got = ex(text, lang)
    assert (got.title, got.title_inferred) == (title, False)


@pytest.mark.parametrize("text, lang", [
    # a photo credit and a caption sentence are not headlines
    ("Photo: Keystone / Anna Meier\nA train leaves the Gotthard tunnel, Tuesday, Feb. 4, 2025. "
     "(Keystone/Jean Dupont)\n" + LEAD_EN + "\n" + MORE_EN, "en"),
    # a dateline is the article, not its title
    ("MONTRÉAL, QC, le 3 mars 2025 /CNW/ - La société Rail Alpin annonce la construction de trois "
     "tunnels ferroviaires sous les Alpes\n" + MORE_FR, "fr"),
    # the outlet's tagline right above the article, and closing lines at the end
    ("Le Léman Quotidien\nL'actualité de Genève et du Léman\nAccueil | Genève | Suisse | Monde\n"
     + LEAD_FR + "\n" + MORE_FR + "\nPlus de détails à venir\n3 commentaires\nRépondre au commentaire", "fr"),
    # related links after the article
    (LEAD_EN + "\n" + MORE_EN + "\nRelated stories\nZermatt cut off after heavy snowfall\n"
     "Swiss tunnels: what the vote means for commuters", "en"),
    # a breadcrumb of two parts
    ("Régions > Genève\n" + LEAD_FR + "\n" + MORE_FR, "fr"),
    # a tagline that says nothing the article says
    ("Skip to main content\nExclusive news, data and analytics for financial market professionals\nEurope\n"
     + LEAD_EN + "\n" + MORE_EN, "en"),
])
def test_a_text_without_a_headline_gets_an_inferred_one(text, lang):
    got = ex(text, lang)
    assert got.title_inferred, got.title
    for furniture in ("Photo", "Keystone", "MONTRÉAL", "Quotidien", "actualité", "Zermatt", "what the vote", "Régions",
                      "Exclusive"):
        assert furniture not in (got.title or ""), got.title


def test_a_month_marker_never_leaks_into_an_inferred_title():
    got = ex(" date 2025-03\n" + LEAD_FR + "\n" + MORE_FR, "fr")
    assert got.title_inferred and not got.title.lower().startswith("date")
    assert got.month == (2025, 3)


@pytest.mark.parametrize("text, lang, day, inferred", [
    ("Swiss voters back Alpine rail tunnels\nThe Alpine Ledger Mar 3, 2025 14:05\n" + LEAD_EN, "en",
     date(2025, 3, 3), False),  # the outlet's name, then the date
    ("Trois tunnels sous les Alpes approuvés\n12/03/2025 à 09:41\n" + LEAD_FR, "fr", date(2025, 3, 12), False),
    ("Swiss voters back Alpine rail tunnels\n03/12/2025 9:41 AM EST\n" + LEAD_EN, "en", date(2025, 3, 12), False),
    ("Swiss voters back Alpine rail tunnels\n25/03/2025 9:41\n" + LEAD_EN, "en", date(2025, 3, 25), False),  # 25 > 12
    ("Trois tunnels sous les Alpes approuvés\n03.04.2025, 09:15\n" + LEAD_FR, "fr", date(2025, 4, 3), False),
    ("Trois tunnels sous les Alpes approuvés\nLes résultats sont tombés ce mardi 14 octobre, vers midi, "
     "à la chancellerie de Genève.\n" + MORE_FR, "fr", date(2025, 10, 14), True),  # the weekday fixes 2025
    ("Swiss voters back Alpine rail tunnels\nBERN, Feb 10 (Reuters) - Swiss voters on Monday approved the "
     "tunnels, after a first vote on Sept. 8, 2023 had failed.\n" + MORE_EN, "en", date(2025, 2, 10), True),
    (" date 2025-03\nTrois tunnels sous les Alpes approuvés\nGENÈVE, 4 mars (ATS) - " + LEAD_FR, "fr",
     date(2025, 3, 4), False),  # the month marker states the year
    ("Swiss voters back Alpine rail tunnels\nBy Anna Weber\n" + LEAD_EN + "\n" + MORE_EN +
     "\nThis report by The Canadian Press was first published Nov. 5, 2025.", "en", date(2025, 11, 5), False),
])
def test_dates_as_news_pages_write_them(text, lang, day, inferred):
    got = ex(text, lang)
    assert (got.date, got.date_inferred) == (day, inferred)


def test_a_relative_update_line_is_no_date():
    got = ex("Swiss voters back Alpine rail tunnels\nUpdated 2 hours ago\n"
             "Swiss voters on Sunday approved a plan to build three new rail tunnels.\n" + MORE_EN, "en")
    assert got.date is None


def test_the_date_line_gives_the_time():
    got = ex("Swiss voters back Alpine rail tunnels\nThe Alpine Ledger Mar 3, 2025 14:05\n" + LEAD_EN, "en")
    assert got.time == time(14, 5)


@pytest.mark.parametrize("text, lang, source", [
    # a photo credit is not the source
    ("Swiss voters back Alpine rail tunnels\nPhoto: AFP/Jane Doe\nSwiss voters on Sunday approved a plan.\n"
     + MORE_EN, "en", None),
    # nor is a comment widget at the end
    ("Trois tunnels sous les Alpes approuvés\n" + LEAD_FR + "\n" + MORE_FR + "\nRépondre au commentaire", "fr", None),
    ("Trois tunnels sous les Alpes approuvés\n" + LEAD_FR + "\n" + MORE_FR + "\n© 2025 Le Temps. Tous droits réservés.",
     "fr", "Le Temps"),
    ("Swiss voters back Alpine rail tunnels\n" + LEAD_EN + "\n" + MORE_EN, "en", "Reuters"),
])
def test_sources(text, lang, source):
    got = ex(text, lang)
    assert got.source == source
    if "Photo:" in text:
        assert got.photo_credit == "AFP"


def test_no_article_sentence_is_dropped_above_a_date_line():
    got = ex(LEAD_EN + "\nPublished March 3, 2025\n" + MORE_EN, "en")
    assert got.paragraphs == (LEAD_EN, MORE_EN)
    assert got.date == date(2025, 3, 3) and got.title_inferred


def test_a_title_case_headline_is_not_taken_for_an_outlet_name():
    got = ex("Skip to content\nNational Health Service Chief Quits Over Waiting Lists\nBy Anna Weber\n"
             "The chief of the National Health Service quit on Monday over record waiting lists, the health "
             "ministry said.\nHer deputy will lead the service until a successor is named.", "en")
    assert (got.title, got.title_inferred) == ("National Health Service Chief Quits Over Waiting Lists", False)


@pytest.mark.parametrize("byline, author, source", [
    ("Jane Doe, Reuters", "Jane Doe", "Reuters"),
    ("Awa Ndiaye | Le Soleil", "Awa Ndiaye", "Le Soleil"),
])
def test_a_byline_without_by_is_no_standfirst(byline, author, source):
    got = ex(f"Swiss voters back Alpine rail tunnels\n{byline}\nSwiss voters on Sunday approved a plan to build "
             "three new rail tunnels under the Alps.\n" + MORE_EN, "en")
    assert (got.title, got.author, got.source, got.standfirst) == ("Swiss voters back Alpine rail tunnels", author,
                                                                  source, None)


def test_a_headline_shown_twice_above_the_article_is_still_the_headline():
    got = ex("Swiss voters back Alpine rail tunnels\nMenu\nSwiss voters back Alpine rail tunnels\nBy Anna Weber\n"
             + LEAD_EN + "\n" + MORE_EN, "en")
    assert (got.title, got.title_inferred) == ("Swiss voters back Alpine rail tunnels", False)


def test_numeric_dates_with_two_digit_years():
    got = ex("Swiss voters back Alpine rail tunnels\nPosted 3/4/25 9:41 AM ET\n" + LEAD_EN, "en")
    assert (got.date, got.date_inferred) == (date(2025, 3, 4), False)


@pytest.mark.parametrize("text, day", [
    # an earlier event in the lead is no publication date presented as found
    ("Factory reopens with new owners\nThe glass factory, which closed on 3 March 2019 after a long strike, "
     "reopened this week under new owners.\nSome 200 workers are back.", date(2019, 3, 3)),
    # nor is a date with its weekday in the third paragraph
    ("Council adopts budget\nThe council adopted its budget.\nIt is the largest ever.\nThe previous budget, "
     "adopted on Tuesday, 14 October 2014, was half as large.", date(2014, 10, 14)),
])
def test_a_date_the_article_mentions_is_flagged_inferred(text, day):
    got = ex(text, "en")
    assert (got.date, got.date_inferred) == (day, True)


def test_a_lead_whose_weekday_agrees_states_the_date():
    got = ex("Jobless rate edges down\nOTTAWA — The jobless rate edged down, Statistics Canada said Wednesday, "
             "Feb. 11, 2026.\nEconomists expected no change.", "en")
    assert (got.date, got.date_inferred) == (date(2026, 2, 11), False)


def test_a_headline_holding_a_date_is_a_headline_not_a_date_line():
    got = ex("Factory that closed on 3 March 2019 reopens with new owners\nBy Anna Weber\nThe glass factory "
             "reopened this week under new owners, the company said.\nSome 200 workers are back.", "en")
    assert (got.title, got.title_inferred) == ("Factory that closed on 3 March 2019 reopens with new owners", False)


def test_a_version_number_is_no_date():
    got = ex("Firmware update fixes routers\nUsers should install version 1.2.25 of the firmware, the maker said.\n"
             "The update is free.", "en")
    assert got.date is None


def test_a_year_is_never_inferred_after_the_import():
    got = ex("Le plan pour juillet 2026 est adopté\nLe 11 février, le conseil a adopté son plan pour juillet 2026.\n"
             "Il entre en vigueur cet été.", "fr")
    assert got.date <= TODAY and got.date_inferred


def test_a_menu_row_with_two_spaces_between_links_is_furniture():
    got = ex("Hong Kong Free Press\nHong Kong  Politics  Law & Crime  Opinion\n\nSwiss voters back Alpine rail "
             "tunnels, judge rejects appeal\n\nBy Anna Weber\n" + LEAD_EN + "\n" + MORE_EN, "en")
    assert (got.title, got.title_inferred) == ("Swiss voters back Alpine rail tunnels, judge rejects appeal", False)
    prose = ex("Swiss voters back Alpine rail tunnels\n" + LEAD_EN.replace("said, with", "said.  With") + "\n" + MORE_EN)
    assert prose.paragraphs[0].startswith("GENEVA (Reuters)")  # two spaces after a full stop are prose
