"""`newsdigest import FILE_OR_DIR...`: the options, and how a run is reported.

Pairing decisions, warnings and errors go to stderr when --json is given, so that stdout holds
only the JSON array.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from ..arguments import iso_date
from .detect import Detector
from .pipeline import Options, Report, run_import

VERBS = {"create": ("created", "would create"), "update": ("updated", "would update"),
         "overwrite": ("overwrote", "would overwrite"), "unchanged": ("unchanged", "unchanged"),
         "keep": ("kept", "would keep")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="FILE_DIR_OR_URL",
                        help="raw article text files, saved web pages (.html), folders of them, or http(s) URLs")
    parser.add_argument("--dry-run", action="store_true", help="show what would be written; write nothing")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object per input file (language, title, date, story, pair); write nothing")
    parser.add_argument("--force", action="store_true",
                        help="overwrite story files even when an editor has changed them since import")
    parser.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                        help="the date of articles in which no date is found")


def run(args: argparse.Namespace, config, *, out: TextIO | None = None, err: TextIO | None = None,
        today: date | None = None) -> int:
    """Runs an import as the command line asked; returns the exit status (1 if any file failed)."""
    out = out or sys.stdout
    err = err or sys.stderr
    options = Options(force=args.force, write=not (args.dry_run or args.json), fallback_date=args.date,
                      **({"today": today} if today else {}))
    report = run_import(list(args.paths), config.content_dir, config.codes, options, Detector())
    log = err if args.json else out
    show(report, log, err, dry=args.dry_run or args.json, content_dir=config.content_dir)
    if args.json:
        json.dump([o.as_json() for o in report.outcomes], out, ensure_ascii=False, indent=2)
        out.write("\n")
    return 1 if report.failed else 0


def show(report: Report, log: TextIO, err: TextIO, dry: bool, content_dir: Path) -> None:
    for problem in report.problems:
        print(f"error: {problem}", file=err)
    for outcome in report.outcomes:
        for problem in outcome.errors:
            print(f"error: {problem}", file=err)
        for problem in outcome.warnings:
            print(f"warning: {problem}", file=err)
    shown: set[str] = set()
    for decision in report.decisions:
        if decision.partner and decision.partner.key in shown:
            continue  # a pair is one decision, reported once
        shown.add(decision.article.key)
        print(f"pairing: {decision.describe()}", file=log)
    counts: dict[str, int] = {}
    for outcome in report.outcomes:
        action, article = outcome.action, outcome.article
        if not action or not article:
            continue
        counts[action.kind] = counts.get(action.kind, 0) + 1
        verb = VERBS[action.kind][1 if dry else 0]
        flags = [f for f, on in (("title inferred", article.extracted.title_inferred),
                                 ("date inferred", article.date_inferred)) if on]
        print(f"{verb} {_shown(action.path, content_dir)} from {outcome.file} [{article.lang}, "
              f"{article.day.isoformat()}{', ' + ', '.join(flags) if flags else ''}]: {article.title}", file=log)
        if dry:
            for note in article.extracted.notes:  # a preview says how each field was found
                print(f"    {note}", file=log)
        if action.kind == "keep":
            print(f"warning: {action.path}: {action.why}", file=err)
    failed = sum(1 for o in report.outcomes if o.errors) + len(report.problems)
    summary = ", ".join(f"{n} {VERBS[k][1 if dry else 0]}" for k, n in sorted(counts.items())) or "nothing written"
    print(f"{'dry run: ' if dry else ''}{len(report.outcomes)} file(s): {summary}; {failed} failed", file=log)


def _shown(path: Path, content_dir: Path) -> str:
    try:
        return (content_dir.name / path.relative_to(content_dir)).as_posix()
    except ValueError:
        return str(path)
