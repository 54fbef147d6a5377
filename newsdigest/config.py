"""site.toml: a typed, frozen Config. Unknown keys are rejected and every problem is reported at once."""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from . import theme
from .errors import ConfigError, Problem
from .sanitize import Policy
from .slugs import slugify

LANG_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    code: str  # the file name stem (en.md) and the URL prefix (/en/)
    title: str
    description: str
    locale: str  # Babel locale used for dates, numbers and language names


TOPIC_KINDS = ("place", "person", "theme")


@dataclass(frozen=True)
class TopicLink:
    """One [[topics]] entry: the tag a subject goes by in some languages, and optionally its kind.

    A name is matched to a tag by slug ("Cybersécurité" is the tag cybersecurite). A language named
    with `false` has no counterpart of this topic (never inferred); a language not named is left to
    inference (topics.py)."""
    names: tuple[tuple[str, str | None], ...]  # (language code, name as tagged or None for false), configured order
    kind: str | None = None  # one of TOPIC_KINDS
    line: int | None = field(default=None, compare=False, repr=False)  # of its [[topics]] line, for messages

    def slugs(self) -> dict[str, str | None]:
        """language code -> tag slug (None: no counterpart in that language)."""
        return {lang: slugify(name) if name is not None else None for lang, name in self.names}


@dataclass(frozen=True)
class Config:
    path: Path  # site.toml itself
    base_url: str  # absolute, ends with "/"
    timezone: str
    page_size: int
    feed_size: int
    languages: tuple[Language, ...]
    content_dir: Path
    output_dir: Path
    templates_dir: Path
    locales_dir: Path
    cname: str | None = None
    sanitize: Policy = Policy()  # what story bodies may hold beyond the default allow-list
    topics: tuple[TopicLink, ...] = ()  # [[topics]]: cross-language topic links and kinds, in file order

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up: the site's own folder, then the default theme's."""
        return _search_path(self.templates_dir, theme.TEMPLATES)

    @property
    def locale_dirs(self) -> tuple[Path, ...]:
        return _search_path(self.locales_dir, theme.LOCALES)

    def template_file(self, name: str) -> Path:
        """The file a template name resolves to (the site's, else the theme's)."""
        return next((d / name for d in self.template_dirs if (d / name).is_file()), self.template_dirs[0] / name)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def base_path(self) -> str:
        """The URL path the site is mounted at: "/" at a domain root, "/repo/" for a project page."""
        return urlsplit(self.base_url).path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)


TOP_KEYS = {"base_url", "timezone", "page_size", "feed_size", "languages", "content", "output", "templates", "locales",
            "cname", "sanitize", "topics"}
SANITIZE_KEYS = {"tags", "attributes", "url_schemes"}
# What [sanitize] can never allow: elements that run code, load or redirect the page, or restyle the
# site, and attributes that do so or hold a URL the sanitizer does not check (only href and src are).
FORBIDDEN_TAGS = frozenset({"script", "style", "meta", "base", "link", "object", "embed", "applet", "frame",
                            "frameset", "template", "noscript", "svg", "math"})
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "srcset", "action", "formaction", "data", "poster",
                                  "background", "ping", "codebase", "xlink:href", "http-equiv", "cite", "content"})
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
LANGUAGE_KEYS = {"title", "description", "locale"}
DEFAULTS = {"timezone": "UTC", "page_size": 10, "feed_size": 20, "content": "content", "output": "site",
            "templates": "templates", "locales": "locales"}


def _search_path(own: Path, default: Path) -> tuple[Path, ...]:
    own_exists = own.is_dir()
    if own_exists and own.resolve() == default.resolve():
        return (own,)  # this repository: its templates/ are the theme
    return (own, default) if own_exists else (default,)


def _unknown(key: str, known: set[str], where: str) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else f" Known keys: {', '.join(sorted(known))}."
    return f"unknown key '{where}{key}'.{hint}"


def normalize_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def check_base_url(url: Any) -> str | None:
    """Returns a problem message, or None when the URL is usable."""
    if not isinstance(url, str):
        return "base_url must be a string such as \"https://user.github.io/repo/\"."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"base_url '{url}' must be an absolute http(s) URL such as \"https://user.github.io/repo/\"."
    if parts.query or parts.fragment:
        return f"base_url '{url}' must not have a query or a fragment."
    return None


def load_config(path: Path, *, content: Path | None = None, output: Path | None = None,
                base_url: str | None = None) -> Config:
    """Reads and checks site.toml; command-line overrides win over the file."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(Problem(path, "config file not found. Create site.toml or pass --config FILE.")) from None
    except UnicodeDecodeError:
        raise ConfigError(Problem(path, "config file is not valid UTF-8; re-save it as UTF-8.")) from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError(Problem(path, f"invalid TOML: {exc}. Fix the syntax.",
                                  int(line.group(1)) if line else None)) from None

    problems: list[str | Problem] = []  # a Problem where it knows its line
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(_unknown(key, TOP_KEYS, ""))
    values = {**DEFAULTS, **{k: v for k, v in raw.items() if k in TOP_KEYS}}

    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" not in values:
        problems.append("missing 'base_url', e.g. base_url = \"https://user.github.io/repo/\".")
    elif (msg := check_base_url(values["base_url"])):
        problems.append(msg)

    tz = values["timezone"]
    try:
        ZoneInfo(tz) if isinstance(tz, str) else None
        if not isinstance(tz, str):
            problems.append("timezone must be a string such as \"Europe/Paris\".")
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown timezone '{tz}'; use an IANA name such as \"Europe/Paris\" or \"UTC\".")

    for key in ("page_size", "feed_size"):
        size = values[key]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            problems.append(f"{key} must be a whole number of at least 1, not {size!r}.")

    languages = _languages(raw.get("languages"), problems)
    sanitize = _sanitize(raw.get("sanitize", {}), problems)
    topics = _topics(raw.get("topics", []), tuple(lang.code for lang in languages), text, path, problems)

    dirs = {}
    for key in ("content", "output", "templates", "locales"):
        if not isinstance(values[key], str):
            problems.append(f"'{key}' must be a folder path (a string).")
        else:
            dirs[key] = (path.parent / values[key]).resolve()
            if key in ("templates", "locales") and key in raw and not dirs[key].is_dir():
                # Without the key, a missing folder means "the default theme's"; with it, a typo.
                problems.append(f"{key} folder '{values[key]}' not found; create it, fix the path, or remove "
                                f"the '{key}' line to use the default theme's.")
    cname = values.get("cname")
    if cname is not None and (not isinstance(cname, str) or "/" in cname or not cname):
        problems.append("cname must be a bare domain name such as \"news.example.org\".")

    if problems:
        raise ConfigError([p if isinstance(p, Problem) else Problem(path, p) for p in problems])
    return Config(
        path=path,
        base_url=normalize_base_url(values["base_url"]),
        timezone=tz,
        page_size=values["page_size"],
        feed_size=values["feed_size"],
        languages=languages,
        content_dir=Path(content).resolve() if content else dirs["content"],
        output_dir=Path(output).resolve() if output else dirs["output"],
        templates_dir=dirs["templates"],
        locales_dir=dirs["locales"],
        cname=cname,
        sanitize=sanitize,
        topics=topics,
    )


def _names(value: Any, where: str, problems: list[str]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
        problems.append(f"{where} must be a list of lowercase names, e.g. [\"iframe\"].")
        return frozenset()
    return frozenset(value)


def _sanitize(table: Any, problems: list[str]) -> Policy:
    """[sanitize]: tags, attributes and URL schemes allowed in story bodies besides the defaults."""
    if not isinstance(table, dict):
        problems.append("[sanitize] must be a table, e.g.\n[sanitize]\ntags = [\"iframe\"]")
        return Policy()
    for key in table:
        if key not in SANITIZE_KEYS:
            problems.append(_unknown(key, SANITIZE_KEYS, "sanitize."))
    tags = _names(table.get("tags", []), "sanitize.tags", problems)
    for tag in sorted(tags & FORBIDDEN_TAGS):
        problems.append(f"sanitize.tags cannot allow <{tag}>: it would run code, load a page or restyle the site "
                        "in readers' browsers.")
    attributes = table.get("attributes", {})
    pairs = []
    if not isinstance(attributes, dict):
        problems.append("sanitize.attributes must be a table of tag = [attribute, ...], e.g. iframe = [\"src\"].")
    else:
        for tag, names in attributes.items():
            allowed = _names(names, f"sanitize.attributes.{tag}", problems)
            for name in sorted(n for n in allowed if n.startswith("on") or n in FORBIDDEN_ATTRIBUTES):
                problems.append(f"sanitize.attributes.{tag} cannot allow '{name}': it would run code, hold an "
                                "unchecked address or restyle the page.")
            pairs.append((tag, allowed))
    schemes = _names(table.get("url_schemes", []), "sanitize.url_schemes", problems)
    for scheme in sorted(schemes & {"javascript", "data", "vbscript"}):
        problems.append(f"sanitize.url_schemes cannot allow '{scheme}:' URLs: they run code.")
    return Policy(tags=tags, attributes=tuple(sorted(pairs)), url_schemes=schemes)


def _languages(table: Any, problems: list[str]) -> tuple[Language, ...]:
    example = '[languages.en]\ntitle = "News Digest"'
    if table is None:
        problems.append(f"missing [languages] tables; add one per language, e.g.\n{example}")
        return ()
    if not isinstance(table, dict) or not table:
        problems.append(f"'languages' must hold one table per language, e.g.\n{example}")
        return ()
    result = []
    for code, spec in table.items():
        if not LANG_CODE.match(code):
            problems.append(f"language code '{code}' must be two or three lowercase letters (ISO 639), e.g. 'en'.")
            continue
        if not isinstance(spec, dict):
            problems.append(f"[languages.{code}] must be a table with at least a title.")
            continue
        for key in spec:
            if key not in LANGUAGE_KEYS:
                problems.append(_unknown(key, LANGUAGE_KEYS, f"languages.{code}."))
        locale = spec.get("locale", code)
        try:
            Locale.parse(locale)
        except (UnknownLocaleError, ValueError, TypeError):
            problems.append(f"languages.{code}.locale '{locale}' is not a locale Babel knows; use e.g. 'fr' or 'fr_CA'.")
        title = spec.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.append(f"languages.{code}.title is missing; every language needs a site title.")
            title = ""
        description = spec.get("description", title)  # every page needs one for link previews
        if not isinstance(description, str):
            problems.append(f"languages.{code}.description must be a string.")
            description = ""
        elif not description.strip():
            description = title
        result.append(Language(code=code, title=title, description=description, locale=str(locale)))
    return tuple(result)


TOPIC_EXAMPLE = '[[topics]]\nen = "Cybersecurity"\nfr = "Cybersécurité"'
_TOPICS_HEADER = re.compile(r"^\s*\[\[\s*topics\s*\]\]\s*(?:#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _topic_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """For each [[topics]] header in file order: its line, and the line of each key below it."""
    entries: list[tuple[int, dict[str, int]]] = []
    keys: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if _TOPICS_HEADER.match(line):
            keys = {}
            entries.append((number, keys))
        elif _TABLE_HEADER.match(line):
            keys = None
        elif keys is not None and (key := _KEY_LINE.match(line)):
            keys.setdefault(next(g for g in key.groups() if g is not None), number)
    return entries


def _is_language(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _topics(value: Any, codes: tuple[str, ...], text: str, path: Path,
            problems: list[str | Problem]) -> tuple[TopicLink, ...]:
    """[[topics]]: the same subject's tag in several languages, and its kind. Keys are configured
    language codes and `kind`; a problem names the line of its entry (or of its key)."""
    located = _topic_lines(text)
    fallback = next((n for n, line in enumerate(text.splitlines(), start=1)
                     if re.match(r"^\s*(?:\[\s*)?topics\s*(?:=|\])", line)), None)
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        problems.append(Problem(path, f"'topics' must be [[topics]] tables, e.g.\n{TOPIC_EXAMPLE}",
                                located[0][0] if located else fallback))
        return ()
    if len(located) != len(value):  # written inline, topics = [{...}]: the key's line for all
        located = [(fallback, {})] * len(value)
    known = set(codes) | {"kind"}
    links: list[TopicLink] = []
    named: dict[tuple[str, str], str] = {}  # (language, slug) -> the entry naming it, for messages
    for number, (entry, (line, key_lines)) in enumerate(zip(value, located), start=1):
        def bad(message: str, key: str | None = None) -> None:
            problems.append(Problem(path, message, key_lines.get(key, line) if key else line))

        names: dict[str, str | None] = {}
        before = len(problems)
        for key, item in entry.items():
            if key == "kind":
                if not isinstance(item, str) or item not in TOPIC_KINDS:
                    bad(f"topics.kind {item!r} must be one of {', '.join(TOPIC_KINDS)}.", key)
                continue
            if codes and key not in codes:
                if LANG_CODE.match(key) and _is_language(key) and not difflib.get_close_matches(key, sorted(known), n=1):
                    bad(f"topics: '{key}' is not one of this site's languages ({', '.join(codes)}); name the "
                        f"topic in those, or add a [languages.{key}] table.", key)
                else:
                    bad(_unknown(key, known, "topics."), key)
                continue
            if item is False:
                names[key] = None
            elif not isinstance(item, str) or not item.strip():
                bad(f"topics.{key} must be the topic's name as tagged, e.g. {key} = \"Cybersecurity\", or false "
                    "when it has no counterpart in that language.", key)
            elif not slugify(item):
                bad(f"topics.{key} '{item}' needs at least one letter or digit.", key)
            else:
                names[key] = item.strip()
        real = [(lang, name) for lang, name in names.items() if name is not None]
        if not real:
            if len(problems) == before:  # its keys' own problems say enough
                bad(f"a [[topics]] entry must name a topic in at least one language, e.g.\n{TOPIC_EXAMPLE}")
            continue
        if len(names) == 1 and "kind" not in entry and len(problems) == before:
            lang, name = real[0]
            bad(f"this [[topics]] entry only names '{name}' ({lang}): add its name in another language (or "
                f"e.g. {next((c for c in codes if c != lang), 'fr')} = false for none), or its kind.")
        here = f"the [[topics]] entry at line {line}" if line else f"[[topics]] entry {number}"
        for lang, name in real:
            first = named.setdefault((lang, slugify(name)), here)
            if first != here:
                bad(f"topics: '{name}' ({lang}) is also named by {first}; a topic belongs to one entry, "
                    "merge the two.", lang)
        order = codes or tuple(names)
        links.append(TopicLink(names=tuple((c, names[c]) for c in order if c in names),
                               kind=entry.get("kind") if entry.get("kind") in TOPIC_KINDS else None, line=line))
    return tuple(links)
