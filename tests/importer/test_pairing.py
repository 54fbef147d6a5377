"""Pairing French and English versions: facts shared across languages, date proximity, the
threshold, and leaving articles unpaired when in doubt."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from .importer_support import BATCH, SEED_EN, SEED_FR, TODAY
from newsdigest.importer.entities import cognate_weight, facts
from newsdigest.importer.extract import extract
from newsdigest.importer.pairing import DATE_FACTOR, THRESHOLD, Candidate, candidate as make_candidate, date_agreement, pair


def from_file(path, lang, key=None, day=None, existing=False):
    ex = extract(path.read_text(encoding="utf-8"), lang, TODAY)
    text = "\n".join(x for x in (ex.title, ex.caption, *ex.paragraphs) if x)
    names = tuple(n for n in (ex.source, ex.photo_credit) if n)
    when = day or ex.date
    return Candidate(key or path.name, lang, when, facts(text, lang, names=names, own_date=when), existing)


def partners(decisions):
    return {d.article.key: d.partner.key if d.partner else None for d in decisions}


def test_countries_and_cities_map_across_languages_through_babel():
    fr = facts("La Corée du Nord a averti le Japon, selon Séoul et Moscou.", "fr")
    en = facts("North Korea warned Japan, according to Seoul and Moscow.", "en")
    assert {"T:KP", "T:JP", "Z:Asia/Seoul", "Z:Europe/Moscow"} <= set(fr) & set(en)


def test_numbers_and_dates_compare_across_typographies():
    fr = facts("Le 27 janvier, 1 500 soldats et 35,2 milliards.", "fr")
    en = facts("On Jan. 27, 1,500 troops and 35.2 billion.", "en")
    assert {"D:01-27", "#:1500", "#:35200000000"} <= set(fr) & set(en)


def test_capitals_that_only_start_a_sentence_are_not_names():
    found = facts("Auparavant, le ministre McGuinty a parlé. Le ministre a ri.", "fr")
    assert "N:mcguin" in found and "N:aupara" not in found


def test_the_seeds_pair_and_the_decision_shows_its_evidence():
    decisions = pair([from_file(SEED_FR, "fr"), from_file(SEED_EN, "en")], [])
    assert partners(decisions) == {SEED_FR.name: SEED_EN.name, SEED_EN.name: SEED_FR.name}
    text = decisions[0].describe()
    assert text.startswith(f"paired {SEED_FR.name} (fr) with {SEED_EN.name} (en): score 0.")
    assert f"(threshold {THRESHOLD:.2f}); 0 days apart; shared (" in text
    for evidence in ("Rodong", "Sinmun", "Yonhap", "Japon/Japan", "Canada"):
        assert evidence in text


def test_same_people_different_event_does_not_pair():
    # The press release on the agreement shares McGuinty, Yamanouchi, ETTA, Japan and Canada with
    # the French seed, but was issued 15 days earlier.
    decisions = pair([from_file(SEED_FR, "fr"), from_file(BATCH / "cnw_en.txt", "en")], [])
    assert partners(decisions) == {SEED_FR.name: None, "cnw_en.txt": None}
    assert "15 days apart" in decisions[0].describe()


def test_same_day_same_countries_different_event_does_not_pair():
    # A North Korean missile launch reported by Yonhap on the same day: Korea, Japan, Seoul, Yonhap.
    decisions = pair([from_file(BATCH / "distractor_fr.txt", "fr"), from_file(SEED_EN, "en")], [])
    assert partners(decisions) == {"distractor_fr.txt": None, SEED_EN.name: None}
    assert "fewer than 3 shared facts besides country names" in decisions[0].describe()


def test_two_articles_of_one_language_never_share_a_story():
    decisions = pair([from_file(SEED_EN, "en", "a.txt"), from_file(SEED_EN, "en", "b.txt")], [])
    assert partners(decisions) == {"a.txt": None, "b.txt": None}
    assert decisions[0].reason == "no article in the other language to compare with"


def test_in_doubt_between_two_near_identical_candidates_leaves_both_unpaired():
    decisions = pair([from_file(SEED_FR, "fr"), from_file(SEED_EN, "en", "en-1.txt"),
                      from_file(SEED_EN, "en", "en-2.txt")], [])
    assert set(partners(decisions).values()) == {None}
    assert "in doubt between it and" in decisions[0].describe()


def test_far_apart_dates_do_not_pair_even_with_the_same_text():
    decisions = pair([from_file(SEED_FR, "fr"), from_file(SEED_EN, "en", day=date(2026, 2, 20))], [])
    assert partners(decisions)[SEED_FR.name] is None


def test_a_story_already_in_content_can_take_the_partner():
    waiting = from_file(SEED_EN, "en", "content/2026/02/x/en.md", existing=True)
    decisions = pair([from_file(SEED_FR, "fr")], [waiting])
    assert len(decisions) == 1 and decisions[0].partner is waiting


def test_all_fixture_pairs_and_no_others():
    files = [(SEED_FR, "fr"), (SEED_EN, "en")] + [(BATCH / n, n.split("_")[1][:2]) for n in (
        "cnw_en.txt", "cnw_fr.txt", "afp_fr.txt", "reuters_en.txt", "onelang_en.txt",
        "distractor_fr.txt", "distractor_en.txt", "nodate_en.txt")]
    made = {frozenset((d.article.key, d.partner.key)) for d in pair([from_file(p, l) for p, l in files], [])
            if d.partner}
    assert made == {frozenset((SEED_FR.name, SEED_EN.name)), frozenset(("cnw_en.txt", "cnw_fr.txt")),
                    frozenset(("afp_fr.txt", "reuters_en.txt"))}


def test_cognates_numbers_scores_and_clock_times_are_shared_evidence():
    fr = facts("Le réacteur nucléaire a été arrêté à 14 h 30 après une avalanche. Le club a gagné 3-1 "
               "et touchera 250 millions de dollars, soit 1,2 milliard en tout.", "fr")
    en = facts("The nuclear reactor was shut down at 2:30 p.m. after an avalanche. The club won 3-1 and "
               "will get $250M, or $1.2bn in all.", "en")
    shared = set(fr) & set(en)
    assert {"C:react", "C:nucle", "C:avala", "H:14:30", "S:1-3", "#:250000000", "#:1200000000"} <= shared


def test_a_cognate_stem_shared_by_chance_weighs_nothing():
    fr, en = facts("Le référendum aura lieu en juin.", "fr"), facts("Please refer to the annex.", "en")
    assert cognate_weight(fr, en, "C:refer") == 0.0
    assert cognate_weight(facts("Un réacteur.", "fr"), facts("A reactor.", "en"), "C:react") > 0.3


def test_surnames_count_at_a_sentence_start_after_a_title_with_accents_and_possessives():
    fr = facts("Okafor a parlé. M. Côté a répondu. Diallo a déclaré qu'il partait.", "fr")
    en = facts("Okafor's company agreed. Mr. Cote said Diallo would leave.", "en")
    assert {"N:okafor", "N:cote", "N:diallo"} <= set(fr) & set(en)
    assert "N:okafor" in fr and "N:m" not in fr


def _undated_pool():
    # The same two clubs a year apart; the undated English report names the day of its match.
    fr_now = "Le Stade Lausanne a battu le FC Sion 3-1 dimanche 16 mars 2025 devant 12 000 spectateurs à la Pontaise."
    fr_then = "Le Stade Lausanne et le FC Sion ont fait match nul 1-1 le 17 mars 2024 à la Pontaise."
    en = ("Stade Lausanne beat FC Sion 3-1 on Sunday, March 16, with 12,000 fans at the Pontaise. "
          "The sides drew 1-1 at the same ground a year ago.")
    return (make_candidate("fr_now", "fr", fr_now, date(2025, 3, 16), today=TODAY),
            make_candidate("fr_then", "fr", fr_then, date(2024, 3, 17), today=TODAY),
            make_candidate("en", "en", en, None, today=TODAY))


def test_an_undated_article_is_placed_by_the_dates_it_mentions():
    fr_now, fr_then, en = _undated_pool()
    assert en.day is None and date(2025, 3, 16) in en.events
    decisions = pair([fr_now, fr_then, en], [])
    assert {d.article.key: d.partner and d.partner.key for d in decisions} == {
        "fr_now": "en", "en": "fr_now", "fr_then": None}
    assert "; runner-up fr_then with en scored 0." in decisions[0].describe()


def test_an_undated_article_is_never_taken_as_dated_today():
    _, _, en = _undated_pool()
    assert en.day is None
    assert date_agreement(en, replace(en, day=TODAY, lang="fr"))[1] < DATE_FACTOR[0]
