"""Title, date, time, source, author, caption and body from raw copied text."""
from __future__ import annotations

from datetime import date, time

from .importer_support import SEED_EN, SEED_FR, TODAY
from newsdigest.importer.boilerplate import is_banner, is_chrome
from newsdigest.importer.extract import extract
from newsdigest.importer.lines import caption_parts, parse_byline, source_line


def test_english_seed():
    ex = extract(SEED_EN.read_text(encoding="utf-8"), "en", TODAY)
    assert ex.title == "North Korea warns Japan against forging military alliances with other nations"
    assert not ex.title_inferred
    assert (ex.date, ex.date_inferred, ex.time) == (date(2026, 2, 11), False, time(10, 32))
    assert ex.source == "Yonhap"
    assert ex.caption == ("A copy of the Rodong Sinmun, the official newspaper of North Korea's ruling Workers' "
                          "Party, is displayed at the National Library in Seocho District, southern Seoul, on Jan. 7.")
    assert ex.photo_credit == "Yonhap"
    assert len(ex.paragraphs) == 7
    assert ex.paragraphs[0].startswith("North Korea warned Wednesday")
    # The quote keeps its quotation marks; the trailing non-breaking space is gone.
    assert ex.paragraphs[5].endswith('is a "red line that should not be crossed."')
    assert not any("\u00a0" == p or p == "Yonhap" or p.startswith("North Korea warns") for p in ex.paragraphs)


def test_french_seed_has_no_title_line_and_no_year():
    ex = extract(SEED_FR.read_text(encoding="utf-8"), "fr", TODAY)
    assert ex.title_inferred
    assert ex.title == ("Yonhap a cité Rodong Sinmun appelant le Japon à ne pas établir d'alliances "
                        "militaires avec l'étranger")
    assert (ex.date, ex.date_inferred) == (date(2026, 2, 11), True)
    assert ex.source is None and ex.caption is None and ex.time is None
    assert len(ex.paragraphs) == 10
    assert ex.paragraphs[0].startswith("Le 11 février, Yonhap a cité Rodong Sinmun")


def test_press_release_dateline_and_end_marks():
    text = ("Canada and Japan sign an agreement\n"
            "OTTAWA, Jan. 27, 2026 /CNW/ - Today, the Minister signed an agreement with Japan.\n"
            "More text follows here about the agreement.\n-30-\n"
            "For further information: Media Relations, 613-996-2353\n")
    ex = extract(text, "en", TODAY)
    assert ex.title == "Canada and Japan sign an agreement"
    assert ex.date == date(2026, 1, 27) and not ex.date_inferred
    assert ex.source == "CNW"
    assert ex.paragraphs == ("OTTAWA, Jan. 27, 2026 /CNW/ - Today, the Minister signed an agreement with Japan.",
                             "More text follows here about the agreement.")


def test_french_dateline_with_abbreviated_month():
    text = ("OTTAWA, le 8 déc. 2025 /CNW/ - Le ministre a annoncé aujourd'hui un investissement "
            "de 12 millions de dollars dans la recherche.\nLe programme commencera en janvier.\n")
    ex = extract(text, "fr", TODAY)
    assert (ex.date, ex.source, ex.title_inferred) == (date(2025, 12, 8), "CNW", True)
    assert ex.title == ("Le ministre a annoncé aujourd'hui un investissement de 12 millions de dollars "
                        "dans la recherche")


def test_agency_dateline_without_a_year_and_bylines():
    text = ("Japan, Philippines sign troop pact\nBy John Smith\n"
            "TOKYO, March 3 (Reuters) - Japan and the Philippines signed a pact on Tuesday, a year after "
            "talks began in July 2025.\nMore.\n")
    ex = extract(text, "en", TODAY)
    assert (ex.source, ex.author) == ("Reuters", "John Smith")
    assert (ex.date, ex.date_inferred) == (date(2026, 3, 3), True)


def test_copied_page_boilerplate_is_dropped():
    text = ("Nous utilisons des témoins (cookies) pour améliorer votre expérience.\nTout accepter\n"
            "Accueil | Monde | Politique | Économie\n"
            "Le maire de Québec présente son budget\n"
            "Par Julie Tremblay, La Presse Canadienne\n"
            "QUÉBEC — Le maire a présenté mercredi 11 février 2026 un budget de 2 milliards.\n"
            "Publicité\n"
            "« C'est un budget responsable », a-t-il déclaré.\n"
            "Partager\nÀ lire aussi\n")
    ex = extract(text, "fr", TODAY)
    assert ex.title == "Le maire de Québec présente son budget"
    assert (ex.author, ex.source) == ("Julie Tremblay", "La Presse Canadienne")
    assert ex.date == date(2026, 2, 11)
    assert ex.paragraphs == ("QUÉBEC — Le maire a présenté mercredi 11 février 2026 un budget de 2 milliards.",
                             "« C'est un budget responsable », a-t-il déclaré.")


def test_title_only_at_the_end():
    text = ("The council voted 9 to 4 on Feb. 3, 2026 to close the old bridge for repairs.\n"
            "Work starts in April.\nAFP\nCouncil votes to close the old bridge\n")
    ex = extract(text, "en", TODAY)
    assert (ex.title, ex.title_inferred, ex.source) == ("Council votes to close the old bridge", False, "AFP")
    assert len(ex.paragraphs) == 2


def test_a_body_line_without_final_stop_is_not_taken_for_a_title_when_one_exists():
    text = "A real headline here\nFirst paragraph of the story, Feb. 3, 2026.\nA subheading\nLast paragraph.\n"
    ex = extract(text, "en", TODAY)
    assert ex.title == "A real headline here"
    assert ex.paragraphs == ("First paragraph of the story, Feb. 3, 2026.", "A subheading", "Last paragraph.")


def test_fallback_date_only_when_none_is_found():
    text = "A headline without date\nA paragraph with no date in it at all.\n"
    assert extract(text, "en", TODAY, date(2026, 1, 2)).date == date(2026, 1, 2)
    assert extract(text, "en", TODAY).date is None
    dated = "A dated headline here\nOn Feb. 3, 2026, something happened.\n"
    assert extract(dated, "en", TODAY, date(2026, 1, 2)).date == date(2026, 2, 3)


def test_bylines():
    assert parse_byline("Marie Dubois, Agence France-Presse") == ("Marie Dubois", "Agence France-Presse")
    assert parse_byline("Reuters") == (None, "Reuters")
    assert parse_byline("THE CANADIAN PRESS") == (None, "The Canadian Press")
    assert parse_byline("Jean Roy | Le Devoir") == ("Jean Roy", "Le Devoir")


def test_source_lines():
    assert source_line("Yonhap") == "Yonhap"
    assert source_line("Source : AFP") == "AFP"
    assert source_line("(Reuters)") == "Reuters"
    assert source_line("SOURCE National Defence") == "National Defence"
    assert source_line("With files from The Canadian Press") == "The Canadian Press"
    assert source_line("Work starts in April.") is None  # a sentence
    assert source_line("Le programme commencera en janvier") is None
    assert source_line("La Presse canadienne") == "La Presse canadienne"
    assert source_line("February") is None
    assert source_line("Partager") is None


def test_captions():
    assert caption_parts("Soldiers at a base, on Jan. 7. [YONHAP]") == ("Soldiers at a base, on Jan. 7.", "Yonhap")
    assert caption_parts("Le ministre à Tokyo (Photo : AFP)") == ("Le ministre à Tokyo", "AFP")
    assert caption_parts("Photo: The minister in Ottawa") == ("The minister in Ottawa", None)
    assert caption_parts("He said it (again) twice.") is None


def test_boilerplate_lines():
    for line in ("Partager", "Skip to main content", "Home | World | Asia Pacific | Markets",
                 "Accueil Monde Politique Économie Sports", "3 min read", "Reporting by A B; Editing by C D",
                 "© 2026 Yonhap News Agency. All rights reserved."):
        assert is_chrome(line), line
    assert is_banner("We use cookies to improve your experience.")
    for line in ("Le Japon et le Canada signent un accord", "World leaders met in Tokyo on Monday.",
                 "The share of cookies sold rose."):
        assert not is_chrome(line), line
    assert not is_banner("World leaders met in Tokyo on Monday.")
