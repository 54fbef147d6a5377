"""`newsdigest status [--json]`: the translation status report, what the stories still need from an editor.

* missing: a story folder without a version in some configured language;
* outdated: a version whose partner is newer: the partner's `updated` (or `date` when it has none)
  is later than its own `updated` (or `date`); the newest such partner is named. A bare date
  (`2026-02-11`) stands for its whole day: against it, only a later day is later;
* review: a version whose title or date the importer only inferred (`title_inferred: true`,
  `date_inferred: true` in its front matter): an editor checks it, then removes the line.

Stories are read as the build reads them (content.load_stories, through the build cache), so a
broken file stops the report with the build's own list of problems, all at once. Drafts are left
out, as in the build, unless include_drafts; either way the text report and the page say which
drafts there are. Every list is ordered by story folder, then language in configured order.

The same report is the dev server's `_status/` page (serve.py), rendered from status_page.html
(Jinja2, autoescaped). The page is made on request, in memory: never part of a built site.
"""
from __future__ import annotations

import argparse
import functools
import importlib.resources
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from . import frontmatter_yaml
from .builder import count
from .cache import Cache
from .config import Config
from .content import Article, load_stories
from .site import Site

# What the importer may have guessed, and the front matter key that says it did.
INFERRED = (("title", "title_inferred"), ("date", "date_inferred"))
PAGE_TEMPLATE = "status_page.html"  # a file of this package: an editor's tool, not the site's theme


@dataclass(frozen=True)
class Stamp:
    """When a version last changed: its `updated`, or its `date` when it has none."""
    value: datetime  # aware
    precise: bool  # False for a bare date (midnight in the site's time zone): it names a day, not a moment

    @classmethod
    def of(cls, article: Article) -> Stamp:
        if article.updated is None:
            return cls(article.date, article.has_time)
        # Article keeps no has_time for `updated`: a bare date is read as midnight, so midnight is
        # taken as a day (an explicit 00:00 is the same moment, so nothing is lost).
        return cls(article.updated, article.updated.time() != time(0))

    def is_later_than(self, other: Stamp) -> bool:
        if self.precise and other.precise:
            return self.value > other.value
        tz = (other if self.precise else self).value.tzinfo  # a bare date's day, in its time zone
        return self.value.astimezone(tz).date() > other.value.astimezone(tz).date()

    @property
    def shown(self) -> str:
        """"2026-02-11", or "2026-02-11 10:32+09:00"."""
        if not self.precise:
            return f"{self.value:%Y-%m-%d}"
        offset = self.value.strftime("%z")
        return f"{self.value:%Y-%m-%d %H:%M}{offset[:3]}:{offset[3:]}"


@dataclass(frozen=True)
class Missing:
    story: str  # the story folder below content/, POSIX style
    has: tuple[str, ...]
    missing: tuple[str, ...]

    def as_json(self) -> dict:
        return {"story": self.story, "has": list(self.has), "missing": list(self.missing)}


@dataclass(frozen=True)
class Outdated:
    story: str
    lang: str  # the outdated version
    behind: str  # the newer one
    own: Stamp  # the outdated version's updated (or date)
    newer: Stamp  # the newer version's

    def as_json(self) -> dict:
        return {"story": self.story, "lang": self.lang, "behind": self.behind}


@dataclass(frozen=True)
class Review:
    story: str
    lang: str
    inferred: tuple[str, ...]  # "title", "date"

    def as_json(self) -> dict:
        return {"story": self.story, "lang": self.lang, "inferred": list(self.inferred)}


@dataclass(frozen=True)
class StatusReport:
    site: Site  # the stories read, as the build would publish them (drafts only with include_drafts)
    missing: tuple[Missing, ...]
    outdated: tuple[Outdated, ...]
    review: tuple[Review, ...]
    include_drafts: bool = False
    drafts_left_out: tuple[tuple[str, str], ...] = ()  # (story, lang) of each draft file not read

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.site.config.codes)

    def as_json(self) -> dict:
        return {"missing": [m.as_json() for m in self.missing],
                "outdated": [o.as_json() for o in self.outdated],
                "review": [r.as_json() for r in self.review]}

    @functools.cached_property
    def stories(self) -> dict:
        """Story key -> Story."""
        return {story.key: story for story in self.site.stories}

    def article(self, story: str, lang: str) -> Article | None:
        found = self.stories.get(story)
        return found.articles.get(lang) if found else None

    def is_draft(self, story: str, lang: str) -> bool:
        """Whether the version read is a draft (only ever true with include_drafts)."""
        article = self.article(story, lang)
        return bool(article and article.draft)

    def lines(self) -> list[str]:
        """One line per item: what is missing, then what is outdated, then what to review."""
        left_out = set(self.drafts_left_out)
        lines = []
        for item in self.missing:
            notes = self._draft_notes(item.story, item.has)
            unread = [lang for lang in item.missing if (item.story, lang) in left_out]
            if unread:
                notes += f"; the {_and(unread)} {'draft is' if len(unread) == 1 else 'drafts are'} left out"
            lines.append(f"missing {', '.join(item.missing)}: {item.story} (has {', '.join(item.has)}{notes})")
        for item in self.outdated:
            notes = self._draft_notes(item.story, (item.lang, item.behind))
            lines.append(f"outdated {item.lang}: {item.story} ({item.behind} is newer: {item.newer.shown}, "
                         f"{item.lang} {item.own.shown}{notes})")
        for item in self.review:
            notes = self._draft_notes(item.story, (item.lang,))
            lines.append(f"review {item.lang}: {item.story} ({_and(item.inferred)} inferred by the importer{notes})")
        return lines

    def _draft_notes(self, story: str, langs: Sequence[str]) -> str:
        drafts = [lang for lang in langs if self.is_draft(story, lang)]
        if not drafts:
            return ""
        return f"; {_and(drafts)} {'is a draft' if len(drafts) == 1 else 'are drafts'}"

    def drafts_note(self) -> str:
        """"; 1 draft left out (--drafts includes it)", the build's own words, or what was included."""
        if self.include_drafts:
            included = sum(a.draft for s in self.site.stories for a in s.articles.values())
            return f"; {count(included, 'draft')} included" if included else ""
        n = len(self.drafts_left_out)
        return f"; {count(n, 'draft')} left out (--drafts includes {'it' if n == 1 else 'them'})" if n else ""

    def summary(self) -> str:
        return (f"Translation status of {count(len(self.site.stories), 'story', 'stories')} "
                f"({', '.join(self.languages)}): {count(len(self.missing), 'story', 'stories')} missing a "
                f"language, {count(len(self.outdated), 'outdated version')}, "
                f"{count(len(self.review), 'version')} to review{self.drafts_note()}.")


def _and(words: Sequence[str]) -> str:
    """"title", "title and date", "en, fr and de"."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def inferred(path: Path) -> tuple[str, ...]:
    """What the importer inferred in a version ("title", "date"), from its front matter read again
    with the build's strict reader. Cheap: a file that never says '_inferred' is not parsed."""
    try:
        data = path.read_bytes()
    except OSError:
        return ()
    if b"_inferred" not in data:
        return ()
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        parts = frontmatter_yaml.split(text)
        meta = frontmatter_yaml.load(parts.front) if parts else None
    except (UnicodeDecodeError, frontmatter_yaml.FrontMatterError):
        return ()  # changed since the build's reader accepted it: the next report reads it again
    if not isinstance(meta, dict):
        return ()
    return tuple(what for what, key in INFERRED if meta.get(key) is True)


def status_of(site: Site, include_drafts: bool = False,
              drafts_left_out: Sequence[tuple[str, str]] = ()) -> StatusReport:
    """The report on a gathered site. Its stories are in story-key order, and each story's versions
    in configured language order, so every list is too."""
    codes = site.config.codes
    missing, outdated, review = [], [], []
    for story in site.stories:
        absent = tuple(code for code in codes if code not in story.articles)
        if absent:
            missing.append(Missing(story.key, tuple(story.articles), absent))
        for lang, article in story.articles.items():
            own = Stamp.of(article)
            newer = [(Stamp.of(other), other) for other in story.articles.values()
                     if Stamp.of(other).is_later_than(own)]
            if newer:
                newest = newer[0]  # the latest; the first in configured order among equals
                for stamp, other in newer[1:]:
                    if stamp.is_later_than(newest[0]):
                        newest = (stamp, other)
                outdated.append(Outdated(story.key, lang, newest[1].lang, own, newest[0]))
        for lang, article in story.articles.items():
            guessed = inferred(article.path)
            if guessed:
                review.append(Review(story.key, lang, guessed))
    return StatusReport(site, tuple(missing), tuple(outdated), tuple(review), include_drafts,
                        tuple(sorted(drafts_left_out, key=lambda d: (d[0], codes.index(d[1])))))


def read_status(config: Config, include_drafts: bool = False, cache: Cache | None = None) -> StatusReport:
    """Reads every story as the build does (raising ContentError with every problem at once) and
    reports on them. `cache` defaults to the project's build cache (the dev server passes its own)."""
    cache = cache if cache is not None else Cache(config)
    drafts: list[Path] = []
    stories = load_stories(config, include_drafts=include_drafts, parse=cache.parse, drafts=drafts)
    left_out = [(path.parent.relative_to(config.content_dir).as_posix(), path.stem) for path in drafts]
    return status_of(Site.gather(config, stories), include_drafts, left_out)


# The dev server's page

def _time(stamp: Stamp) -> dict:
    """A <time> element's machine-readable value and its text."""
    return {"iso": stamp.value.isoformat() if stamp.precise else f"{stamp.value:%Y-%m-%d}", "shown": stamp.shown}


@functools.cache
def _template():
    source = importlib.resources.files(__package__).joinpath(PAGE_TEMPLATE).read_text(encoding="utf-8")
    environment = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    return environment.from_string(source)


def _version(report: StatusReport, story: str, lang: str) -> dict:
    """A version as the page links it: its title and its page in the preview."""
    article = report.article(story, lang)
    return {"lang": lang, "title": article.title, "href": report.site.href(article), "draft": article.draft}


def render_page(report: StatusReport | None = None, problems: Sequence[str] = ()) -> str:
    """The `_status/` page: the report, or the problems that stopped it (`file:line: message`)."""
    context = {"problems": list(problems), "report": None}
    if report is not None:
        left_out = set(report.drafts_left_out)
        missing = [{"story": m.story, "has": [_version(report, m.story, lang) for lang in m.has],
                    "missing": [{"lang": lang, "draft": (m.story, lang) in left_out} for lang in m.missing]}
                   for m in report.missing]
        outdated = []
        for o in report.outdated:
            outdated.append({"story": o.story, "version": _version(report, o.story, o.lang),
                             "behind": _version(report, o.story, o.behind),
                             "own": _time(o.own), "newer": _time(o.newer)})
        review = [{"story": r.story, "version": _version(report, r.story, r.lang), "inferred": _and(r.inferred)}
                  for r in report.review]
        context["report"] = {"summary": report.summary(), "languages": report.languages, "missing": missing,
                             "outdated": outdated, "review": review,
                             "drafts_left_out": [{"story": s, "lang": lang} for s, lang in report.drafts_left_out],
                             "include_drafts": report.include_drafts}
    return _template().render(context)


# The command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Report what the stories still need: stories missing a language; outdated versions (a partner's "
        "'updated', or 'date' when it has none, is later than the version's own; a bare date such as "
        "2026-02-11 stands for its whole day); and versions whose title or date the importer only inferred "
        "('title_inferred: true', 'date_inferred: true'): check them, then remove the line. A report, not a "
        "check: it exits 0 (1 only when the content cannot be read). Drafts ('draft: true') are left out, "
        "as in the build, and the report says how many; --drafts includes them, marked as drafts. While "
        "'newsdigest serve' runs, the same report is the preview's page _status/.")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object: {"missing": [{"story", "has", "missing"}], '
                             '"outdated": [{"story", "lang", "behind"}], "review": [{"story", "lang", "inferred"}]}')
    parser.add_argument("--drafts", action="store_true",
                        help="include stories marked 'draft: true' (left out by default, as in the build)")


def run(args: argparse.Namespace, config: Config) -> int:
    report = read_status(config, include_drafts=args.drafts)
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for line in report.lines():
        print(line)
    print(report.summary())
    return 0
