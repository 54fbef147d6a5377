"""Command line: `newsdigest [COMMAND] [options]`, build being the default command.

Parses arguments, loads the config, calls one plain function, and turns NewsdigestError into
a readable list of problems and exit status 1. Nothing else lives here.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .config import load_config
from .errors import NewsdigestError, format_problems

# Each command and what it does, in one line: what `newsdigest --help` lists.
COMMANDS = {
    "new": "start a site of your own in a new folder",
    "build": "build the site into site/ (the default command)",
    "serve": "preview the site with live reload while you edit",
    "add": "write a story file with its front matter filled in",
    "import": "turn news copy (text, saved pages, URLs) into stories, pairing French and English",
    "pair": "join two single-language stories into one",
    "unpair": "split one language of a story into a story of its own",
    "status": "list stories missing a language, outdated translations, and imported details to check",
    "check": "check a built site offline: links, hreflang, sitemap, feeds, metadata",
    "deploy": "build and commit the site to the gh-pages branch",
}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("site.toml"), metavar="FILE",
                        help="site configuration (default: site.toml)")
    parser.add_argument("--content", type=Path, metavar="DIR", help="content folder (default: from config)")


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: site)")
    parser.add_argument("--base-url", metavar="URL",
                        help="absolute URL the site is published at, e.g. https://user.github.io/repo/")
    parser.add_argument("--drafts", action="store_true", help="include stories marked 'draft: true'")


def make_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"newsdigest {command}")
    if command == "new":
        from .scaffold import add_new_arguments
        add_new_arguments(parser)
        return parser
    _common(parser)
    if command == "add":
        from .scaffold import add_add_arguments
        add_add_arguments(parser)
    elif command == "build":
        parser.description = "Build the static site from content/ into site/."
        _site_options(parser)
        parser.add_argument("--clean", action="store_true",
                            help="ignore the cache and the last build: rebuild everything")
        noise = parser.add_mutually_exclusive_group()
        noise.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
        noise.add_argument("-v", "--verbose", action="store_true", help="print what each phase did")
    elif command == "serve":
        from .serve import add_arguments
        parser.description = ("Preview the site at http://127.0.0.1:8000/ (under the base path of base_url), "
                               "rebuilding it and reloading the browser on every change.")
        add_arguments(parser)
    elif command == "check":
        from .check import add_arguments
        add_arguments(parser)
    elif command == "deploy":
        from .deploy import add_arguments
        add_arguments(parser)
    elif command == "import":
        from .importer.cli import add_arguments
        parser.description = "Import raw news text files into content/, pairing French and English versions."
        add_arguments(parser)
    elif command in ("pair", "unpair"):
        from .regroup import add_arguments
        add_arguments(parser, command)
    elif command == "status":
        from .status import add_arguments
        add_arguments(parser)
    return parser


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: newsdigest [COMMAND] [options]   (newsdigest {__version__}; build is the default command)",
             "", "commands:"]
    lines += [f"  {name:<{width}}  {what}" for name, what in COMMANDS.items()]
    lines += ["", "Run 'newsdigest COMMAND --help' for a command's options; 'newsdigest --version' for the version."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    if argv and argv[0] in ("-V", "--version"):
        print(f"newsdigest {__version__}")
        return 0
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS:
        print(f"newsdigest: unknown command '{argv[0]}'.\n\n{usage()}", file=sys.stderr)
        return 2
    command = argv.pop(0) if argv and argv[0] in COMMANDS else "build"
    args = make_parser(command).parse_args(argv)
    try:
        if command == "new":
            from .scaffold import run_new
            return run_new(args)
        config = load_config(args.config, content=args.content, output=getattr(args, "out", None),
                             base_url=getattr(args, "base_url", None))
        if command == "add":
            from .scaffold import run_add
            return run_add(args, config)
        if command == "build":
            from .builder import build
            from .progress import Progress
            progress = Progress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
            log = (lambda line: print(line, file=sys.stderr)) if args.verbose else None
            try:
                report = build(config, include_drafts=args.drafts, clean=args.clean, progress=progress, log=log)
            finally:
                if progress:
                    progress.close()
            if not args.quiet:
                for warning in report.warnings:
                    print(f"warning: {warning}", file=sys.stderr)
                print(report.summary())
            return 0
        if command == "serve":
            from .serve import run
            return run(args, config)
        if command == "import":
            from .importer.cli import run
            return run(args, config)
        if command == "check":
            from .check import run
            return run(args, config)
        if command == "deploy":
            from .deploy import run
            return run(args, config)
        if command in ("pair", "unpair"):
            from .regroup import run
            return run(args, config, command)
        if command == "status":
            from .status import run
            return run(args, config)
    except NewsdigestError as exc:
        for line in format_problems(exc.problems, Path.cwd()):
            print(line, file=sys.stderr)
        if command == "build":
            print("The build stopped; the previous output folder was left as it was.", file=sys.stderr)
        if command in ("pair", "unpair"):
            print("Nothing was moved.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2
