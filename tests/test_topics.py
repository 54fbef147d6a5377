"""Topics across languages: pairing inferred from paired stories, same slugs, the [[topics]] table of
site.toml (and its errors), display names of first use, and place/person/theme kinds."""
from __future__ import annotations

import random
from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import make_fixture_site, site_toml
from newsdigest.builder import gather
from newsdigest.config import TopicLink, load_config
from newsdigest.content import Article, Story
from newsdigest.errors import ConfigError
from newsdigest.site import Site
from newsdigest.topics import Topic, Topics, collation_key, gather_topics

START = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)


def config_with(tmp_path: Path, extra: str = ""):
    path = tmp_path / "site.toml"
    path.write_text(site_toml(extra=extra), encoding="utf-8")
    return load_config(path)


def article(story: str, lang: str, tags, day: int = 0, title: str = "A story", summary: str = "") -> Article:
    return Article(story=story, lang=lang, path=Path(story) / f"{lang}.md", title=title,
                   date=START + timedelta(days=day), has_time=True, updated=None, summary=summary, body=b"",
                   words=10, slug=story.rpartition("/")[2], tags=tuple(tags))


def story(key: str, day: int = 0, **langs) -> Story:
    """story("s1", en=["Japan"], fr=["Japon"]): one story with an article per language given."""
    return Story(key=key, folder=Path(key),
                 articles={lang: article(key, lang, tags, day) for lang, tags in langs.items()})


def topics_of(config, stories) -> Topics:
    site = Site.gather(config, list(stories))
    return gather_topics(config, site.by_lang, site.stories)


@pytest.fixture
def config(tmp_path):
    return config_with(tmp_path)


def test_topics_are_inferred_across_languages_from_paired_stories(config):
    topics = topics_of(config, [
        story("s1", en=["Cybersecurity", "Banks"], fr=["cybersécurité", "Banques"]),
        story("s2", en=["Cybersecurity", "Elections"], fr=["cybersécurité", "Scrutin"]),
    ])
    assert topics.counterparts("en", "cybersecurity") == {"fr": "cybersecurite"}
    assert topics.counterparts("fr", "cybersecurite") == {"en": "cybersecurity"}
    # One story each, unrelated names: still a strict majority on both sides, so linked.
    assert topics.counterparts("en", "elections") == {"fr": "scrutin"}
    assert topics.counterparts("en", "banks") == {"fr": "banques"}
    cyber = topics.get("fr", "cybersecurite")
    assert (cyber.lang, cyber.name, [a.story for a in cyber.articles]) == ("fr", "cybersécurité", ["s2", "s1"])
    assert topics.get("fr", "nope") is None and topics.counterparts("fr", "nope") == {}


def test_a_tag_riding_along_in_a_minority_of_stories_is_not_a_counterpart(config):
    topics = topics_of(config, [
        story("s1", en=["Cybersecurity"], fr=["cybersécurité", "Technologie"]),
        story("s2", en=["Cybersecurity"], fr=["cybersécurité"]),
        story("s3", en=["Cybersecurity"], fr=["cybersécurité"]),
        story("s4", en=["Technology"], fr=["Technologie"]),
        story("s5", en=["Technology"], fr=["Technologie"]),
    ])
    assert topics.counterparts("en", "cybersecurity") == {"fr": "cybersecurite"}
    assert topics.counterparts("en", "technology") == {"fr": "technologie"}


def test_ties_stay_unpaired_unless_the_names_resemble(config):
    topics = topics_of(config, [story("s1", en=["Economy", "Elections"], fr=["Budget"])])
    assert topics.counterparts("fr", "budget") == {}
    assert topics.counterparts("en", "economy") == {} and topics.counterparts("en", "elections") == {}
    # The same tie, where one name resembles the other: Japan/Japon, Defence/Défense.
    topics = topics_of(config, [story("s1", en=["Japan", "Defence"], fr=["Défense", "Japon"])])
    assert topics.counterparts("en", "japan") == {"fr": "japon"}
    assert topics.counterparts("en", "defence") == {"fr": "defense"}


def test_topics_of_single_language_stories_stay_unpaired(config):
    topics = topics_of(config, [story("s1", en=["Cybersecurity"]), story("s2", fr=["Cybersécurité"]),
                                story("s3", en=["Elections"], fr=["Scrutin"])])
    assert topics.counterparts("en", "cybersecurity") == {}
    assert topics.counterparts("fr", "cybersecurite") == {}
    assert topics.counterparts("en", "elections") == {"fr": "scrutin"}


def test_identical_slugs_pair_unless_the_evidence_pairs_them_elsewhere(config):
    topics = topics_of(config, [
        story("s1", en=["Canada"]), story("s2", fr=["Canada"]),  # never in one story: the name decides
        # Europe is tagged "Union européenne" in French in two paired stories: the evidence wins.
        story("s3", en=["Europe"], fr=["Union européenne"]), story("s4", en=["Europe"], fr=["Union européenne"]),
        story("s5", fr=["Europe"]),
        # One story linking Ottawa to Japan is not worth more than Japan's same-named twin.
        story("s6", en=["Japan"], fr=["Ottawa"]), story("s7", fr=["Japan"]),
    ])
    assert topics.counterparts("en", "canada") == {"fr": "canada"}
    assert topics.counterparts("fr", "canada") == {"en": "canada"}
    assert topics.counterparts("en", "europe") == {"fr": "union-europeenne"}
    assert topics.counterparts("fr", "europe") == {}
    assert topics.counterparts("en", "japan") == {"fr": "japan"}
    assert topics.counterparts("fr", "ottawa") == {}


MAPPING = '''
[[topics]]
en = "Cybersecurity"
fr = "Cybersécurité"
kind = "theme"

[[topics]]
en = "Elections"
fr = false
'''


def test_the_mapping_overrides_inference(tmp_path):
    stories = [story("s1", en=["Cybersecurity"], fr=["Informatique"]),
               story("s2", en=["Cybersecurity"], fr=["Informatique"]),
               story("s3", fr=["Cybersécurité"]),
               story("s4", en=["Elections"], fr=["Scrutin"])]
    inferred = topics_of(config_with(tmp_path), stories)
    assert inferred.counterparts("en", "cybersecurity") == {"fr": "informatique"}
    assert inferred.counterparts("en", "elections") == {"fr": "scrutin"}
    config = config_with(tmp_path, MAPPING)
    assert config.topics == (TopicLink(names=(("en", "Cybersecurity"), ("fr", "Cybersécurité")), kind="theme"),
                             TopicLink(names=(("en", "Elections"), ("fr", None))))
    assert [link.line for link in config.topics] == [7, 12]
    mapped = topics_of(config, stories)
    assert mapped.counterparts("en", "cybersecurity") == {"fr": "cybersecurite"}
    assert mapped.counterparts("fr", "cybersecurite") == {"en": "cybersecurity"}
    assert mapped.counterparts("fr", "informatique") == {}
    assert mapped.counterparts("en", "elections") == {}  # fr = false: no counterpart, never inferred
    assert mapped.counterparts("fr", "scrutin") == {}


def test_a_mapped_topic_missing_from_the_site_has_no_counterpart(tmp_path):
    config = config_with(tmp_path, MAPPING)
    topics = topics_of(config, [story("s1", en=["Cybersecurity"], fr=["Informatique"])])
    assert topics.counterparts("en", "cybersecurity") == {}  # its French topic does not exist yet
    assert topics.counterparts("fr", "informatique") == {}


def problems_of(tmp_path, extra: str):
    with pytest.raises(ConfigError) as caught:
        config_with(tmp_path, extra)
    return [p.display() for p in caught.value.problems]


def test_mapping_errors_name_the_file_and_line_all_at_once(tmp_path):
    path = tmp_path / "site.toml"
    found = problems_of(tmp_path, '[[topics]]\nen = "Cybersecurity"\nde = "Cybersicherheit"\n'
                                  'knd = "theme"\n\n[[topics]]\nen = "Elections"\nkind = "plac"\n'
                                  '\n[[topics]]\nfr = 3\n\n[[topics]]\nen = "Brexit"\n')
    assert found == [
        f"{path}:8: topics: 'de' is not one of this site's languages (en, fr); name the topic in those, or add "
        "a [languages.de] table.",
        f"{path}:9: unknown key 'topics.knd'. Did you mean 'kind'?",
        f"{path}:13: topics.kind 'plac' must be one of place, person, theme.",
        f"{path}:16: topics.fr must be the topic's name as tagged, e.g. fr = \"Cybersecurity\", or false when it "
        "has no counterpart in that language.",
        f"{path}:18: this [[topics]] entry only names 'Brexit' (en): add its name in another language (or e.g. "
        "fr = false for none), or its kind.",
    ]


def test_a_topic_in_two_mapping_entries_is_an_error_naming_both(tmp_path):
    path = tmp_path / "site.toml"
    found = problems_of(tmp_path, '[[topics]]\nen = "Cybersecurity"\nfr = "Cybersécurité"\n\n'
                                  '[[topics]]\nen = "CYBERSECURITY"\nfr = "Sécurité informatique"\n')
    assert found == [f"{path}:11: topics: 'CYBERSECURITY' (en) is also named by the [[topics]] entry at line 6; "
                     "a topic belongs to one entry, merge the two."]


def test_topics_must_be_tables(tmp_path):
    path = tmp_path / "site.toml"
    assert problems_of(tmp_path, '[topics]\nen = "Cybersecurity"\n') == [
        f"{path}:6: 'topics' must be [[topics]] tables, e.g.\n[[topics]]\nen = \"Cybersecurity\"\n"
        "fr = \"Cybersécurité\""]
    assert problems_of(tmp_path, '[[topics]]\nkind = "place"\n') == [
        f"{path}:6: a [[topics]] entry must name a topic in at least one language, e.g.\n[[topics]]\n"
        "en = \"Cybersecurity\"\nfr = \"Cybersécurité\""]
    # Written inline, an entry's problem names the line of `topics`.
    assert problems_of(tmp_path, 'topics = [{ en = "Cybersecurity", es = "Ciberseguridad" }]\n') == [
        f"{path}:6: topics: 'es' is not one of this site's languages (en, fr); name the topic in those, or add "
        "a [languages.es] table."]


def test_an_entry_may_name_one_language_and_a_kind(tmp_path):
    config = config_with(tmp_path, '[[topics]]\nen = "Rennes"\nkind = "place"\n')
    assert config.topics == (TopicLink(names=(("en", "Rennes"),), kind="place"),)
    topics = topics_of(config, [story("s1", en=["Rennes"], fr=["Rennes"])])
    assert topics.get("en", "rennes").kind == "place"
    assert topics.get("fr", "rennes").kind == "place"  # propagated to its counterpart
    assert topics.counterparts("en", "rennes") == {"fr": "rennes"}  # fr not named: inferred


def test_display_name_is_the_spelling_of_first_use(config):
    topics = topics_of(config, [
        story("b-late", day=5, en=["EUROPE", "Rennes"]),
        story("b-first", day=1, en=["europe"]),
        story("a-first", day=1, en=["Europe!"]),  # the same day: the story key decides
        story("c", day=3, en=["rennes"]),
        story("d", day=4, en=["Brexit"]), story("e", day=2, en=["brexit"]),
    ])
    assert topics.get("en", "europe").name == "Europe!"
    assert topics.get("en", "rennes").name == "rennes"
    assert topics.get("en", "brexit").name == "brexit"  # a lowercase first use stays lowercase
    assert [a.story for a in topics.get("en", "europe").articles] == ["b-late", "b-first", "a-first"]


def test_topics_are_listed_by_name_ignoring_accents_and_case(config):
    topics = topics_of(config, [story("s1", fr=["zèbre", "Europe", "Économie", "défense", "Œuvres", "Asie"])])
    assert [t.name for t in topics.of("fr")] == ["Asie", "défense", "Économie", "Europe", "Œuvres", "zèbre"]
    assert topics.of("en") == []
    assert collation_key("Économie") == "economie"
    with pytest.raises(KeyError):
        topics.of("de")


def kinds(topics: Topics, lang: str) -> dict[str, str]:
    return {t.name: t.kind for t in topics.of(lang)}


def test_kinds_place_person_and_theme(config):
    topics = topics_of(config, [
        story("s1", en=["North Korea", "Kim Jong Un", "Cybersecurity", "Europe", "Jordan", "World", "United Nations"]),
        story("s2", en=["Emmanuel Macron", "Charles de Gaulle", "Supreme Court", "Michael Jordan", "NATO Summit",
                        "Bashar al-Assad", "John F. Kennedy", "Hong Kong", "Myanmar", "G7 Leaders"]),
        story("s3", fr=["Corée du Nord", "Côte d’Ivoire", "Union européenne", "Maison-Blanche", "cybersécurité",
                        "Assemblée nationale", "Jean-Luc Mélenchon"]),
    ])
    assert kinds(topics, "en") == {
        "Bashar al-Assad": "person", "Charles de Gaulle": "person", "Cybersecurity": "theme",
        "Emmanuel Macron": "person", "Europe": "place", "G7 Leaders": "theme", "Hong Kong": "place",
        "John F. Kennedy": "person", "Jordan": "place", "Kim Jong Un": "person", "Michael Jordan": "theme",
        "Myanmar": "place", "NATO Summit": "theme", "North Korea": "place", "Supreme Court": "theme",
        "United Nations": "theme", "World": "theme"}  # CLDR names them, but they are no places
    assert kinds(topics, "fr") == {
        "Assemblée nationale": "theme", "Corée du Nord": "place", "Côte d’Ivoire": "place", "cybersécurité": "theme",
        "Jean-Luc Mélenchon": "person", "Maison-Blanche": "theme", "Union européenne": "place"}


def test_a_title_cased_theme_is_not_a_person(config):
    climate = Story(key="s1", folder=Path("s1"), articles={
        "en": article("s1", "en", ["Climate Change", "Foreign Policy"], title="Leaders meet",
                      summary="Talks on climate change open in Bonn.")})
    topics = topics_of(config, [climate])
    assert kinds(topics, "en") == {"Climate Change": "theme", "Foreign Policy": "person"}  # no text says otherwise
    # Paired with a French topic that does not look like a name, "Foreign Policy" is no person either.
    topics = topics_of(config, [climate, story("s2", en=["Foreign Policy"], fr=["Politique étrangère"])])
    assert kinds(topics, "en")["Foreign Policy"] == "theme"


def test_kinds_propagate_across_a_pair(tmp_path):
    stories = [story("s1", en=["North Korea"], fr=["Régime nord-coréen"]),
               story("s2", en=["Emmanuel Macron"], fr=["Macron"]),
               story("s3", en=["Angela Merkel"], fr=["Angela Merkel"])]
    topics = topics_of(config_with(tmp_path), stories)
    assert kinds(topics, "fr") == {"Angela Merkel": "person", "Macron": "theme", "Régime nord-coréen": "place"}
    assert kinds(topics, "en") == {"Angela Merkel": "person", "Emmanuel Macron": "theme", "North Korea": "place"}
    config = config_with(tmp_path, '[[topics]]\nen = "Emmanuel Macron"\nkind = "person"\n'
                                   '[[topics]]\nfr = "Régime nord-coréen"\nkind = "theme"\n')
    topics = topics_of(config, stories)
    assert kinds(topics, "fr") == {"Angela Merkel": "person", "Macron": "person", "Régime nord-coréen": "theme"}
    assert kinds(topics, "en") == {"Angela Merkel": "person", "Emmanuel Macron": "person", "North Korea": "theme"}


def test_the_result_is_deterministic_and_read_only(config):
    stories = [story(f"s{i}", day=i % 7, en=tags_en, fr=tags_fr) for i, (tags_en, tags_fr) in enumerate([
        (["Japan", "Defence"], ["Japon", "Défense"]), (["Japan", "Trade"], ["Japon", "Commerce"]),
        (["Economy", "Elections"], ["Budget"]), (["Canada"], ["Canada", "Commerce"]),
        (["Trade", "Canada"], ["Commerce"]), (["Europe"], ["Europe", "Défense"])] * 3)]

    def summary(topics):
        return {(t.lang, t.slug): (t.name, t.kind, topics.counterparts(t.lang, t.slug), [a.story for a in t.articles])
                for lang in ("en", "fr") for t in topics.of(lang)}

    first = summary(topics_of(config, stories))
    for seed in range(5):
        shuffled = stories[:]
        random.Random(seed).shuffle(shuffled)
        site = Site.gather(config, shuffled)
        assert summary(gather_topics(config, site.by_lang, shuffled)) == first
    assert first[("en", "japan")][2] == {"fr": "japon"} and first[("en", "canada")][2] == {"fr": "canada"}
    assert first[("fr", "commerce")][2] == {}  # Trade and Canada tie for it
    topics = topics_of(config, stories)
    with pytest.raises(FrozenInstanceError):
        topics._links = {}
    with pytest.raises(TypeError):
        topics._index[("en", "x")] = None
    with pytest.raises(FrozenInstanceError):
        topics.of("en")[0].name = "x"
    topics.counterparts("en", "japan")["fr"] = "x"  # a copy: the topics are unchanged
    assert topics.counterparts("en", "japan") == {"fr": "japon"}


def test_topics_of_a_real_gathered_site(tmp_path):
    site = make_fixture_site(tmp_path / "project", None)
    for n, day in enumerate(("05", "06")):
        site.write(f"content/2026/01/story-{n}/en.md",
                   f"---\ntitle: Hackers strike {n}\ndate: 2026-01-{day}\ntags: [Cybersecurity, Canada]\n---\nBody.\n")
        site.write(f"content/2026/01/story-{n}/fr.md",
                   f"---\ntitle: Des pirates frappent {n}\ndate: 2026-01-{day}\ntags: [Cybersécurité, Canada]\n---\nCorps.\n")
    site.write("content/2026/01/only-fr/fr.md", "---\ntitle: Seul\ndate: 2026-01-07\ntags: [Québec]\n---\nCorps.\n")
    config = site.config()
    gathered, _ = gather(config)
    topics = gather_topics(config, gathered.by_lang, gathered.stories)
    assert [(t.name, t.kind, len(t.articles)) for t in topics.of("fr")] == [
        ("Canada", "place", 2), ("Cybersécurité", "theme", 2), ("Québec", "theme", 1)]
    assert topics.counterparts("en", "cybersecurity") == {"fr": "cybersecurite"}
    assert topics.counterparts("fr", "canada") == {"en": "canada"}
    assert topics.counterparts("fr", "quebec") == {}
    assert isinstance(topics.get("en", "canada"), Topic)


def test_many_paired_stories_link_every_subject(config):
    """10,000 articles (5,000 paired stories) over 70 tags (its speed is measured in benchmarks/)."""
    rng = random.Random(7)
    subjects = [(f"Subject {n} en", f"Sujet {n} fr") for n in range(70)]
    stories = []
    for i in range(5000):
        chosen = rng.sample(subjects, 3)
        stories.append(story(f"s{i:05d}", day=i % 365, en=[e for e, _ in chosen], fr=[f for _, f in chosen]))
    site = Site.gather(config, stories)
    topics = gather_topics(config, site.by_lang, site.stories)
    assert len(topics.of("en")) == len(topics.of("fr")) == 70
    assert all(topics.counterparts("en", t.slug) == {"fr": t.slug.replace("subject", "sujet").replace("-en", "-fr")}
               for t in topics.of("en"))
