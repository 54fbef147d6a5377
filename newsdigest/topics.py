"""Topics across languages: each language's tags as topics, the same subject's topics linked across
languages (/en/tags/cybersecurity/ <-> /fr/tags/cybersecurite/), and each topic's display name and
kind. Plain functions over the gathered articles; the result is read-only.

Topics. A language's topic is every spelling of a tag that slugifies alike (as Site.tags groups
them); its articles are those of the language that carry it, in the order given (site.by_lang:
newest first). Its display name is the spelling of its first use: the earliest-dated article that
carries it (ties by story key), its case kept ("Europe", "Rennes", and "brexit" if first written
so). Topics are listed in an accent- and case-insensitive order (collation_key: NFKD without
combining marks, casefolded, œ/æ spelled out), "Économie" between "Défense" and "Europe".

Counterparts, for each two languages A and B (in configured order), decided in this order:
1. [[topics]] in site.toml. An entry naming a topic in A and in B links them, whatever the stories
   say; `B = false` says the A topic has no B counterpart; a language the entry does not name is
   left to inference. A topic an entry names in A (or marks false) is never inferred in B, nor
   is a topic it names in B. A link is reported only when both topics exist on the site.
2. Evidence, from the paired stories (those with an article in both A and B). For an A topic E and
   a B topic F, shared(E, F) counts the paired stories whose A article has E and whose B article
   has F. F is a candidate for E when it holds a strict majority on both sides: 2·shared(E, F)
   exceeds both E's and F's number of paired stories (at least MIN_SHARED story, then, and a
   tag that rides along with E only now and then, or a broad tag such as "World", never
   qualifies). E's best match is its candidate with the most shared stories; a tie is broken
   only by the names' resemblance (RESEMBLANCE of difflib's ratio on the slugs, so Japan/Japon,
   Defence/Défense), and a tie that remains leaves E with no best match. E and F are linked when
   each is the other's best match (mutual best), so a link is never one-sided or contested.
3. Same slug. A and B topics with the same slug (Canada/Canada, Europe/Europe) are linked unless
   the evidence links one of them elsewhere with at least OVERRIDE_SHARED shared stories; a
   weaker inferred link of either gives way (one story is not worth more than the same name).
With three or more languages each two are linked on their own, so links need not be transitive.
Every step is independent of input order, so the result is deterministic. The cost is the
paired stories' tag products (a few tags each) plus one pass over the distinct pairs seen: linear
in the number of tags in practice, never a comparison of every topic with every other.

Kinds: "place", "person" or "theme", decided per topic from itself and its counterparts:
1. A kind site.toml gives (its entry's `kind`) wins; a topic without one takes a counterpart's
   (the first, in configured order, that has one).
2. "place" when the topic or any counterpart is a territory Babel knows in that topic's language
   (Locale.territories: countries and regions, e.g. "North Korea", "Corée du Nord", "Europe"),
   compared by slug (so accents, case and hyphens do not matter). Also accepted: each part of a
   name with a parenthesis ("Myanmar", "Burma" of "Myanmar (Burma)"), the part before " - "
   ("Congo" of "Congo - Kinshasa") and the first two or more words of a longer name ("Hong
   Kong" of "Hong Kong SAR China"). Not places: CLDR's world, United Nations, Eurozone and unknown region codes.
3. "person" when the topic and every counterpart look like a person's name: two to four
   capitalised words (each a capital followed by lowercase letters, hyphen or apostrophe parts
   allowed; initials such as "F." allowed), optionally joined by lowercase name particles (de,
   van, von, bin, al, ...); no word a one-word territory ("Jordan", "France"), an institution or
   geographic word (Bank, Court, Party, Ministère, Street, Valley, ...) or a digit; and the name
   never written in lowercase in one of its first articles' titles and summaries (a title-cased
   theme such as "Climate Change" is written "climate change" in running text). Names are
   written alike across languages, so a counterpart that does not look like one ("Changement
   climatique") vetoes it. "Emmanuel Macron", "Kim Jong Un", "Charles de Gaulle" are people.
4. Anything else is a "theme".
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from babel import Locale

from .config import TOPIC_KINDS, Config
from .content import Article, Story
from .slugs import slugify

KINDS = TOPIC_KINDS  # ("place", "person", "theme")
MIN_SHARED = 1  # paired stories an inferred link needs at the least (the majority rule asks more)
OVERRIDE_SHARED = 2  # shared stories that let evidence link a topic away from its same-slug twin
RESEMBLANCE = 0.6  # difflib ratio of two slugs below which names do not resemble (no tie-break)
NAME_TEXT_ARTICLES = 20  # articles whose title and summary are searched for a lowercase name
# CLDR territory codes that name no place: the world, the United Nations, the eurozone, unknown.
NOT_PLACES = frozenset({"001", "UN", "EZ", "ZZ"})
# Lowercase words that join the parts of a person's name (Charles de Gaulle, Ursula von der Leyen).
NAME_PARTICLES = frozenset({"de", "du", "da", "di", "del", "della", "der", "den", "van", "von", "bin", "ibn",
                            "al", "el", "y", "d"})
# Words that make a capitalised phrase an institution, an event or a geographic feature rather than
# a person's name, in English and French (folded: lowercase, no accents).
INSTITUTION_WORDS = frozenset("""
    agency agence army armee assembly assemblee association authority autorite bank banque board bureau
    cabinet church eglise city ville club college committee comite commission company compagnie conseil
    council court cour cup coupe department departement district east est festival force forces
    foundation fondation fund fonds games jeux government gouvernement group groupe house maison institute
    institut island islands ile iles lake lac league ligue minister ministre ministry ministere mount
    mont museum musee nation nations national nationale north nord office organisation organization parliament parlement
    party parti police prize prix republic republique river riviere school ecole sea mer senate senat south
    sud state etat street rue summit sommet tribunal union university universite valley vallee west ouest
""".split())

_ALNUM_RUN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Topic:
    lang: str
    slug: str
    name: str  # the spelling of its first use
    kind: str  # one of KINDS
    articles: tuple[Article, ...]  # of its language, newest first (as site.by_lang)


@dataclass(frozen=True)
class Topics:
    """Every language's topics and their counterparts; read-only. Build it with gather_topics()."""
    _by_lang: Mapping[str, tuple[Topic, ...]]  # lang -> topics in collation order
    _index: Mapping[tuple[str, str], Topic]
    _links: Mapping[tuple[str, str], Mapping[str, str]]  # (lang, slug) -> other lang -> slug

    def of(self, lang: str) -> list[Topic]:
        """A configured language's topics, sorted by display name (accent- and case-insensitive)."""
        return list(self._by_lang[lang])

    def get(self, lang: str, slug: str) -> Topic | None:
        return self._index.get((lang, slug))

    def counterparts(self, lang: str, slug: str) -> dict[str, str]:
        """Other language code -> slug of the same subject's topic there, in configured order; only
        languages where that topic exists."""
        return dict(self._links.get((lang, slug), {}))


def collation_key(name: str) -> str:
    """A sort key that ignores accents and case: "Économie" sorts as "economie"."""
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return folded.replace("œ", "oe").replace("æ", "ae")


def gather_topics(config: Config, by_lang: Mapping[str, Sequence[Article]], stories: Iterable[Story]) -> Topics:
    """The site's topics in every configured language, linked across languages (see the module's
    docstring for the rules). `by_lang` is site.by_lang, `stories` site.stories."""
    codes = config.codes
    slug_of: dict[str, str] = {}  # tag spelling -> slug: a site has few distinct tags
    seen: dict[int, dict[str, str]] = {}  # id(article) -> its slugs (the articles outlive this call)

    def slugs(article: Article) -> dict[str, str]:
        """slug -> the article's first spelling of it."""
        found = seen.get(id(article))
        if found is None:
            found = seen[id(article)] = {}
            for tag in article.tags:
                slug = slug_of.get(tag)
                if slug is None:
                    slug = slug_of[tag] = slugify(tag)
                found.setdefault(slug, tag)
        return found

    groups: dict[str, dict[str, list[Article]]] = {code: {} for code in codes}
    first: dict[tuple[str, str], tuple[tuple, str]] = {}  # (lang, slug) -> ((date, story), spelling)
    for code in codes:
        for article in by_lang.get(code, ()):
            when = (article.date, article.story)
            for slug, tag in slugs(article).items():
                groups[code].setdefault(slug, []).append(article)
                key = (code, slug)
                if key not in first or when < first[key][0]:
                    first[key] = (when, tag)
    exists = {(code, slug) for code in codes for slug in groups[code]}

    # Counterparts: the mapping first, then evidence and same slugs for the topics it leaves free.
    links: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    fixed: dict[tuple[str, str], set[str]] = defaultdict(set)  # (lang, slug) -> languages decided
    declared: dict[tuple[str, str], str] = {}
    for entry in config.topics:
        named = {lang: slug for lang, slug in entry.slugs().items() if lang in groups}
        for lang, slug in named.items():
            if slug is None:
                continue
            if entry.kind:
                declared[(lang, slug)] = entry.kind
            for other, other_slug in named.items():
                if other == lang:
                    continue
                fixed[(lang, slug)].add(other)
                if other_slug is not None:
                    fixed[(other, other_slug)].add(lang)
                    if (lang, slug) in exists and (other, other_slug) in exists:
                        links[(lang, slug)][other] = other_slug
    story_list = [s for s in stories if sum(code in s.articles for code in codes) >= 2]
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            free_a = {s for s in groups[a] if b not in fixed.get((a, s), ())}
            free_b = {s for s in groups[b] if a not in fixed.get((b, s), ())}
            pairs = _infer(a, b, story_list, slugs, free_a, free_b)
            for sa, sb in pairs.items():
                links[(a, sa)][b] = sb
                links[(b, sb)][a] = sa

    ordered_links = {key: MappingProxyType({c: found[c] for c in codes if c in found})
                     for key, found in links.items() if key in exists}

    # Kinds, from each topic and its counterparts.
    places = {code: _place_slugs(config.language(code).locale) for code in codes}
    one_word_places = {code: frozenset(s for s in places[code] if "-" not in s) for code in codes}
    person_like: dict[tuple[str, str], bool] = {}

    def looks_person(key: tuple[str, str]) -> bool:
        if key not in person_like:
            code, slug = key
            person_like[key] = _looks_like_person(first[key][1], one_word_places[code], groups[code][slug])
        return person_like[key]

    def kind_of(key: tuple[str, str]) -> str:
        others = [(c, s) for c, s in ordered_links.get(key, {}).items()]
        if key in declared:
            return declared[key]
        inherited = next((declared[o] for o in others if o in declared), None)
        if inherited:
            return inherited
        cluster = [key, *others]
        if any(slug in places[code] for code, slug in cluster):
            return "place"
        if all(looks_person(k) for k in cluster):
            return "person"
        return "theme"

    by_code: dict[str, tuple[Topic, ...]] = {}
    index: dict[tuple[str, str], Topic] = {}
    for code in codes:
        topics = []
        for slug, articles in groups[code].items():
            key = (code, slug)
            topic = Topic(lang=code, slug=slug, name=first[key][1], kind=kind_of(key), articles=tuple(articles))
            topics.append(topic)
            index[key] = topic
        topics.sort(key=lambda t: (collation_key(t.name), t.name, t.slug))
        by_code[code] = tuple(topics)
    return Topics(_by_lang=MappingProxyType(by_code), _index=MappingProxyType(index),
                  _links=MappingProxyType(ordered_links))


def _infer(a: str, b: str, stories: list[Story], slugs, free_a: set[str], free_b: set[str]) -> dict[str, str]:
    """Links (A slug -> B slug) between free topics: mutual best matches by shared paired stories,
    then same slugs (see the module's docstring)."""
    shared: Counter[tuple[str, str]] = Counter()
    paired_a: Counter[str] = Counter()
    paired_b: Counter[str] = Counter()
    for story in stories:
        article_a, article_b = story.articles.get(a), story.articles.get(b)
        if article_a is None or article_b is None:
            continue
        tags_a = [s for s in slugs(article_a) if s in free_a]
        tags_b = [s for s in slugs(article_b) if s in free_b]
        paired_a.update(tags_a)
        paired_b.update(tags_b)
        for sa in tags_a:
            for sb in tags_b:
                shared[(sa, sb)] += 1

    candidates_a: dict[str, list[tuple[str, int]]] = defaultdict(list)
    candidates_b: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (sa, sb), count in shared.items():
        if count >= MIN_SHARED and 2 * count > paired_a[sa] and 2 * count > paired_b[sb]:
            candidates_a[sa].append((sb, count))
            candidates_b[sb].append((sa, count))
    best_a = {sa: _best(sa, found) for sa, found in candidates_a.items()}
    best_b = {sb: _best(sb, found) for sb, found in candidates_b.items()}
    pairs = {sa: sb for sa, sb in best_a.items() if sb is not None and best_b.get(sb) == sa}

    reverse = {sb: sa for sa, sb in pairs.items()}
    for slug in sorted(free_a & free_b):
        if pairs.get(slug) == slug:
            continue
        elsewhere_a, elsewhere_b = pairs.get(slug), reverse.get(slug)
        if ((elsewhere_a is not None and shared[(slug, elsewhere_a)] >= OVERRIDE_SHARED)
                or (elsewhere_b is not None and shared[(elsewhere_b, slug)] >= OVERRIDE_SHARED)):
            continue  # the evidence says these same-named topics are different subjects
        if elsewhere_a is not None:
            del pairs[slug], reverse[elsewhere_a]
        if elsewhere_b is not None:
            del pairs[elsewhere_b], reverse[slug]
        pairs[slug] = reverse[slug] = slug
    return pairs


def _best(slug: str, candidates: list[tuple[str, int]]) -> str | None:
    """The candidate with the most shared stories; a tie goes to the one whose slug alone resembles
    `slug`, else to none."""
    top = max(count for _, count in candidates)
    tied = [other for other, count in candidates if count == top]
    if len(tied) == 1:
        return tied[0]
    scores = [(difflib.SequenceMatcher(None, slug, other).ratio(), other) for other in tied]
    scores = sorted((score, other) for score, other in scores if score >= RESEMBLANCE)
    if not scores or (len(scores) > 1 and scores[-1][0] == scores[-2][0]):
        return None
    return scores[-1][1]


def _place_slugs(locale: str) -> frozenset[str]:
    """Slugs of the territory names Babel knows in `locale`, with their short forms (see the
    module's docstring)."""
    found: set[str] = set()
    for code, name in Locale.parse(locale).territories.items():
        if code in NOT_PLACES:
            continue
        forms = {name}
        if "(" in name:
            outer, _, inner = name.partition("(")
            forms |= {outer, inner.rstrip(")")}
        if " - " in name:
            forms.add(name.split(" - ")[0])
        for form in forms:
            slug = slugify(form)
            if slug:
                found.add(slug)
                words = slug.split("-")
                found.update("-".join(words[:n]) for n in range(2, len(words)))
    return frozenset(found)


def _name_word(word: str) -> bool:
    """A capitalised word of a name: "Macron", "Jean-Luc", "O'Brien", "al-Assad", "Jong-un", "F."."""
    if len(word) == 2 and word[0].isupper() and word[1] == ".":
        return True  # an initial
    parts = re.split(r"[-'’]", word)
    if len(parts) > 1 and parts[0] in NAME_PARTICLES:
        parts = parts[1:]  # al-Assad, d'Estaing
    main = parts[0]
    return (all(p.isalpha() for p in parts) and main[:1].isupper() and any(c.islower() for c in main)
            and all(p[:1].isupper() or p.islower() for p in parts))


def _looks_like_person(name: str, one_word_places: frozenset[str], articles: Sequence[Article]) -> bool:
    words = name.split()
    if not words or words[0] in NAME_PARTICLES or words[-1] in NAME_PARTICLES:
        return False
    name_words = [w for w in words if w not in NAME_PARTICLES]
    if not 2 <= len(name_words) <= 4 or not all(_name_word(w) for w in name_words):
        return False
    for word in name_words:
        if slugify(word) in one_word_places or any(collation_key(part) in INSTITUTION_WORDS
                                                    for part in _ALNUM_RUN.findall(word)):
            return False
    lowered = re.compile(r"(?<![\w-])" + re.escape(name.lower()) + r"(?![\w-])")
    return not any(lowered.search(a.title) or lowered.search(a.summary) for a in articles[:NAME_TEXT_ARTICLES])
