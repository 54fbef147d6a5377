"""Language identification with the model shipped in py3langid."""
from __future__ import annotations

from .importer_support import BAD, SEED_EN, SEED_FR
from newsdigest.importer.detect import Detected, check_language


def test_seeds_are_french_and_english(detector):
    assert detector.detect(SEED_FR.read_text(encoding="utf-8")).lang == "fr"
    assert detector.detect(SEED_EN.read_text(encoding="utf-8")).lang == "en"


def test_german_is_refused_by_name(detector):
    found = detector.detect((BAD / "german.txt").read_text(encoding="utf-8"))
    assert found.lang == "de"
    assert check_language(found, ("en", "fr")) == (
        "the text is in German (de), not English (en) or French (fr); only those languages can be imported.")


def test_a_language_the_site_does_not_have_is_refused():
    assert check_language(Detected("fr", 1.0), ("en",)) == (
        "the text is in French (fr), not English (en); only those languages can be imported.")


def test_low_confidence_is_refused():
    assert check_language(Detected("en", 0.3), ("en", "fr")) == (
        "cannot tell its language for sure (best guess English, 30% confident); is there enough "
        "article text in it?")
    assert check_language(Detected("en", 0.9), ("en", "fr")) is None
