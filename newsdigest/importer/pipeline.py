"""One import run, as plain functions: read and understand each file, pair them, place each story
in content/, decide per file whether to write, then write (unless asked not to).

Nothing here prints; `run_import` returns a Report that the command line shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..slugs import slugify
from . import existing, write
from .detect import Detector, check_language
from .extract import Extracted, extract
from .pairing import Candidate, Decision, pair
from .pairing import candidate as make_candidate
from .reading import Source, UnreadableInput, expand, read_source, read_url
from .webpage import extracted as page_extracted, read_page

SUPPORTED = ("en", "fr")  # the languages the extractors know
MIN_LETTERS = 40  # fewer letters than a headline: nothing to read a language from


@dataclass(frozen=True)
class Options:
    force: bool = False
    write: bool = True  # False for --dry-run and --json
    fallback_date: date | None = None  # --date: the date of articles that give none
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class Article:
    """One input file, read and understood."""
    source: Source
    lang: str
    confidence: float
    extracted: Extracted
    day: date
    date_inferred: bool
    published: datetime | None
    candidate: Candidate
    image_url: str | None = None  # a web page's lead image, for the editor to fetch

    @property
    def title(self) -> str:
        return self.extracted.title or ""


@dataclass
class Outcome:
    """What happened to one input file."""
    file: Path
    article: Article | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    decision: Decision | None = None
    story: str | None = None  # the story folder, relative to content/
    action: write.Action | None = None

    def as_json(self) -> dict[str, Any]:
        a = self.article
        partner = self.decision.partner if self.decision else None
        match = self.decision.match if self.decision and partner else None
        return {
            "file": str(self.file),
            "lang": a.lang if a else None,
            "title": a.title if a else None,
            "title_inferred": a.extracted.title_inferred if a else None,
            "date": a.day.isoformat() if a else None,
            "date_inferred": a.date_inferred if a else None,
            "published": a.published.isoformat() if a and a.published else None,
            "source": a.extracted.source if a else None,
            "author": a.extracted.author if a else None,
            "summary": a.extracted.standfirst if a else None,
            "caption": a.extracted.caption if a else None,
            "photo_credit": a.extracted.photo_credit if a else None,
            "story": self.story,
            "paired_with": partner.key if partner else None,
            "pair_score": match.score if match else None,
            "error": "; ".join(p.message for p in self.errors) or None,
        }


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]
    decisions: tuple[Decision, ...]
    problems: tuple[Problem, ...]  # about the run rather than one file (a missing path)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(o.errors for o in self.outcomes)


def understand(source: Source, detector: Detector, langs: tuple[str, ...], options: Options,
               warnings: list[Problem]) -> Article:
    """Language, metadata and body of one decoded file. Raises UnreadableInput when it cannot be
    imported; adds to `warnings` what the editor should check."""
    path = source.path
    page = read_page(source.text, source.url) if source.page else None
    if page is not None and not page.paragraphs:
        raise UnreadableInput(Problem(path, "no article text found in this web page (only navigation, or "
                                            "nothing at all); save the article's own page, or copy its text."))
    if not page and sum(c.isalpha() for c in source.text) < MIN_LETTERS:
        raise UnreadableInput(Problem(path, "no article text found: it holds hardly any letters (only "
                                            "punctuation, numbers or symbols); copy the article's text into it."))
    found = detector.detect("\n".join((page.title or "", *page.paragraphs)) if page else source.text)
    reason = check_language(found, langs)
    if reason:
        raise UnreadableInput(Problem(path, reason))
    ex = page_extracted(page, found.lang) if page else extract(source.text, found.lang, options.today,
                                                               options.fallback_date)
    if page and ex.date is None and options.fallback_date:
        ex = replace(ex, date=options.fallback_date)
    if not ex.paragraphs:
        raise UnreadableInput(Problem(path, "no article text found (only a title, dates or page "
                                            "furniture); copy the article's paragraphs into the file."))
    if not ex.title:
        raise UnreadableInput(Problem(path, "no title found and none could be made from the lead; "
                                            "put the headline on the first line."))
    day, inferred = ex.date, ex.date_inferred
    if day is None:
        day, inferred = options.today, True
        warnings.append(Problem(path, f"no date found; dated it {day.isoformat()} (today) and flagged "
                                      "date_inferred: true. Pass --date YYYY-MM-DD, or edit the date."))
    elif inferred:
        warnings.append(Problem(path, f"the date has no year; took {day.isoformat()} from the other "
                                      "dates in the text (flagged date_inferred: true)."))
    published = datetime.combine(day, ex.time) if ex.time else None
    names = tuple(n for n in (ex.source, ex.photo_credit) if n)
    text = "\n".join(x for x in (ex.title, ex.standfirst, ex.caption, *ex.paragraphs) if x)
    # An article without a date is not dated today for pairing: the dates it mentions place it.
    candidate = make_candidate(str(path), found.lang, text, ex.date or options.fallback_date,
                               today=options.today, names=names)
    return Article(source, found.lang, found.confidence, ex, day, inferred, published, candidate,
                   page.image if page else None)


def base_slug(article: Article) -> str:
    return slugify(article.extracted.title) or slugify(_stem(article.source)) or "article"


def front_matter(article: Article, partner: Candidate | None, score: float | None,
                 slug: str | None = None) -> dict[str, Any]:
    ex = article.extracted
    meta: dict[str, Any] = {"title": ex.title, "date": article.published or article.day,
                            "slug": slug or base_slug(article)}
    for key, value in (("summary", ex.standfirst), ("source", ex.source), ("author", ex.author),
                       ("caption", ex.caption), ("credit", ex.photo_credit)):
        if value:
            meta[key] = value
    if ex.title_inferred:
        meta["title_inferred"] = True
    if article.date_inferred:
        meta["date_inferred"] = True
    meta["original_file"] = article.source.name
    info: dict[str, Any] = {"source_sha256": article.source.sha256, "language": article.lang,
                            "language_confidence": article.confidence}
    if ex.photo_credit:  # also the top-level credit: above; kept here for what reads older imports
        info["photo_credit"] = ex.photo_credit
    if article.source.url:
        info["url"] = article.source.url
    if article.image_url:
        info["image_url"] = article.image_url
    if article.candidate.day is None:
        info["undated"] = True  # the date above is the import's; pairing must not trust it
    if partner:
        info["paired_with"] = Path(partner.key).name
        info["pair_score"] = score
    info["importer"] = write.IMPORTER_VERSION
    meta["import"] = info
    return meta


def run_import(paths: list[Path | str], content_dir: Path, site_langs: tuple[str, ...], options: Options,
               detector: Detector) -> Report:
    files, problems = expand(paths)
    langs = tuple(code for code in SUPPORTED if code in site_langs)
    outcomes: list[Outcome] = []
    seen: dict[str, Path] = {}
    for path in files:
        outcome = Outcome(path)
        outcomes.append(outcome)
        try:
            source = read_url(path) if isinstance(path, str) else read_source(path)
            outcome.warnings.extend(source.warnings)
            if source.sha256 in seen:
                raise UnreadableInput(Problem(path, f"same bytes as {seen[source.sha256]}; imported once."))
            seen[source.sha256] = path
            outcome.article = understand(source, detector, langs, options, outcome.warnings)
        except UnreadableInput as exc:
            outcome.errors.append(exc.problem)

    index = existing.scan(content_dir, langs)
    batch_shas = {o.article.source.sha256 for o in outcomes if o.article}
    waiting = [(f, c) for f, c in index.waiting(langs, options.today) if f.source_sha256 not in batch_shas]
    good = [o for o in outcomes if o.article]
    decisions = pair([o.article.candidate for o in good], [c for _, c in waiting])
    for o, d in zip(good, decisions):
        o.decision = d
    _place(good, index, dict((id(c), f) for f, c in waiting), options)
    if options.write:
        for o in good:
            if o.action and o.action.writes:
                write.apply(o.action)
    return Report(tuple(outcomes), tuple(decisions), tuple(problems))


def _place(good: list[Outcome], index: existing.ContentIndex, waiting: dict[int, existing.StoryFile],
           options: Options) -> None:
    """Chooses each story's folder and what to do with each file in it."""
    by_key = {o.article.candidate.key: o for o in good}
    claimed: dict[Path, set[str]] = {}  # folder -> source checksums placed there in this run
    urls = _urls_taken(index)
    done: set[str] = set()
    for o in good:
        if o.article.candidate.key in done:
            continue
        partner = o.decision.partner if o.decision else None
        members = [o] + ([by_key[partner.key]] if partner and partner.key in by_key else [])
        done.update(m.article.candidate.key for m in members)
        before = {index.imported(m.article.source.sha256).path.parent for m in members
                  if index.imported(m.article.source.sha256)}
        if len(before) > 1:
            # Imported earlier into two stories: joining them means moving a file, which an
            # editor may have linked to; say so instead.
            folders = {id(m): index.imported(m.article.source.sha256).path.parent for m in members}
            for m in members:
                m.warnings.append(Problem(m.file, f"pairs with {partner.key if m is o else o.file}, but "
                                          f"they were imported earlier into separate stories ({', '.join(sorted(map(str, before)))}); "
                                          "move one file into the other folder by hand to join them."))
        else:
            folder = _folder(members, partner, index, waiting, claimed)
            folders = {id(m): folder for m in members}
        for f in folders.values():
            claimed.setdefault(f, set()).update(m.article.source.sha256 for m in members)
        score = o.decision.match.score if partner and o.decision.match else None
        for m in members:
            folder = folders[id(m)]
            other = partner if m is o else o.article.candidate
            target = folder / f"{m.article.lang}.md"
            slug = _free_slug(m.article, target, urls)
            text = write.render(front_matter(m.article, other if partner else None, score, slug),
                                m.article.extracted.paragraphs)
            here = next((f for f in index.in_folder(folder) if f.lang == m.article.lang), None)
            same = here is not None and here.source_sha256 == m.article.source.sha256
            m.action = write.decide(target, text, options.force, same)
            m.story = folder.relative_to(index.root).as_posix()


def _urls_taken(index: existing.ContentIndex) -> dict[tuple[str, date | None, str], Path]:
    """(language, day, slug) of every story file in content/: what an article URL is made of."""
    taken = {}
    for f in index.files:
        slug = f.meta.get("slug") if isinstance(f.meta.get("slug"), str) else slugify(str(f.meta.get("title") or ""))
        taken[(f.lang, existing.as_date(f.meta.get("date")), slug)] = f.path
    return taken


def _free_slug(article: Article, target: Path, taken: dict[tuple[str, date | None, str], Path]) -> str:
    """The article's slug, made unique (-2, -3...) against content/ and this batch: two stories of
    one day with the same headline would otherwise write one URL, and the build would refuse both."""
    base = base_slug(article)
    slug, n = base, 1
    while taken.get((article.lang, article.day, slug), target) != target:
        n += 1
        slug = f"{base}-{n}"
    taken[(article.lang, article.day, slug)] = target
    return slug


def _folder(members: list[Outcome], partner: Candidate | None, index: existing.ContentIndex,
            waiting: dict[int, existing.StoryFile], claimed: dict[Path, set[str]]) -> Path:
    if partner is not None and id(partner) in waiting:
        return waiting[id(partner)].path.parent  # joining a story already in content/
    ordered = sorted(members, key=lambda m: m.article.lang != "en")  # the English title names it
    for m in ordered:
        before = index.imported(m.article.source.sha256)
        if before:
            return before.path.parent  # imported before: stay where it is, even if moved by hand
    lead = ordered[0].article
    base = index.root / f"{lead.day:%Y}" / f"{lead.day:%m}" / (
        slugify(lead.title) or slugify(_stem(lead.source)) or "article")
    shas = {m.article.source.sha256 for m in members}
    folder, n = base, 1
    while not _free(folder, shas, index, claimed):
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


def _free(folder: Path, shas: set[str], index: existing.ContentIndex, claimed: dict[Path, set[str]]) -> bool:
    """A folder can take these articles when nothing else lives there."""
    if folder in claimed and not claimed[folder] <= shas:
        return False
    others = [f for f in index.in_folder(folder) if f.source_sha256 not in shas]
    stray = folder.is_dir() and any(p.suffix == ".md" and p.name[:-3] not in ("en", "fr") for p in folder.iterdir())
    return not others and not stray


def _stem(source: Source) -> str:
    return source.path.stem if isinstance(source.path, Path) else source.path.rstrip("/").rsplit("/", 1)[-1]
