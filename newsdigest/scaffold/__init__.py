"""`newsdigest new DIR` and `newsdigest add "Title" --lang fr`: a ready site, and a story file with
its front matter filled. The files written are this package's data files (site.toml, gitignore,
pages.yml, story-*.md), filled with string.Template; nothing here overwrites anything.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from string import Template

import yaml

from .. import __version__
from ..arguments import iso_date
from ..config import Config
from ..errors import NewsdigestError, Problem
from ..slugs import slugify

EXAMPLE_STORY = "welcome"


def _data(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def new_site(folder: Path, today: date) -> list[Path]:
    """Writes a site into `folder` (which must be empty or absent); returns the files written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is a file" if not folder.is_dir() else "is not empty"
        raise NewsdigestError(Problem(folder, f"{what}; 'newsdigest new' only writes into a new or empty "
                                              "folder. Pick another name, e.g. 'newsdigest new my-digest'."))
    story = f"{today:%Y}/{today:%m}/{EXAMPLE_STORY}"
    values = {"date": today.isoformat(), "story": story, "version": __version__,
              "title_en": "My News Digest", "title_fr": "Ma revue de presse"}
    files = {
        "site.toml": "site.toml",
        ".gitignore": "gitignore",
        ".github/workflows/pages.yml": "pages.yml",
        "requirements.txt": "requirements.txt",
        f"content/{story}/en.md": "story-en.md",
        f"content/{story}/fr.md": "story-fr.md",
    }
    written = []
    for target, source in files.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(_data(source)).substitute(values), encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class NewStory:
    path: Path
    created_folder: bool


def add_story(config: Config, title: str, lang: str, when: date, story: Path | None = None) -> NewStory:
    """A language file for a new story (content/YYYY/MM/<slug>/) or for an existing story folder."""
    if lang not in config.codes:
        raise NewsdigestError(Problem(config.path, f"'{lang}' is not a language of this site "
                                                   f"({', '.join(config.codes)}); add [languages.{lang}] first."))
    slug = slugify(title)
    if not slug:
        raise NewsdigestError(Problem(None, "the title has no letter or digit to make a URL from; write a real "
                                            "headline, e.g. newsdigest add \"Storm hits the coast\" --lang en."))
    root = config.content_dir
    if story is None:
        folder, n = root / f"{when:%Y}" / f"{when:%m}" / slug, 1
        while folder.exists():
            n += 1
            folder = folder.with_name(f"{slug}-{n}")
        created = True
    else:
        given = Path(story)
        # As typed: relative to content/ ("2026/02/x"), or a path from here ("content/2026/02/x").
        folder = given if given.is_absolute() or (Path.cwd() / given).resolve().is_relative_to(root) \
            and given.is_dir() else root / given
        folder = folder.resolve()
        if not folder.is_dir() or not folder.is_relative_to(root):
            raise NewsdigestError(Problem(folder, "no such story folder; give a folder below content/, e.g. "
                                                  "--story 2026/02/north-korea-warns-japan."))
        created = False
    path = folder / f"{lang}.md"
    if path.exists() or path.is_symlink():
        raise NewsdigestError(Problem(path, "already exists; edit it, or give another --story or --lang."))
    front = yaml.safe_dump({"title": title, "date": when.isoformat(), "summary": ""}, allow_unicode=True,
                           sort_keys=False, width=10**6).replace("summary: ''", "summary:  # optional")
    body = "Write the story here, in Markdown.\n" if lang != "fr" else "Écrivez l’article ici, en Markdown.\n"
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
        handle.write(f"---\n{front}---\n{body}")
    return NewStory(path, created)


# Command line (wired in cli.py)

def add_new_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Start a site of your own: site.toml, an example story in both languages, the Pages workflow."
    parser.add_argument("folder", type=Path, metavar="DIR", help="the new site's folder (new or empty)")


def run_new(args: argparse.Namespace, today: date | None = None) -> int:
    written = new_site(args.folder, today or date.today())
    shown = os.path.relpath(args.folder)
    print(f"Created {len(written)} files in {shown}/: site.toml, an example story in English and French, "
          ".gitignore, and the GitHub Pages workflow with its requirements.txt.")
    print(f"Next:\n  cd {shown}\n  newsdigest serve      # preview the site while you edit (it prints the address)\n"
          "  newsdigest build      # the site, in site/\n"
          "Set base_url in site.toml, then publish with GitHub Pages (README: 'Publishing').")
    return 0


def add_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Write a story file with its front matter filled in."
    parser.add_argument("title", help="the headline")
    parser.add_argument("--lang", required=True, help="the language of the file (en, fr, ...)")
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="the story's date (default: today)")
    parser.add_argument("--story", type=Path, metavar="PATH",
                        help="an existing story folder to add this language to (default: a new one)")


def run_add(args: argparse.Namespace, config: Config) -> int:
    made = add_story(config, args.title, args.lang, args.date or date.today(), args.story)
    where = os.path.relpath(made.path)
    print(f"Wrote {where}{' (a new story)' if made.created_folder else ''}; write the story below its front matter.")
    return 0
