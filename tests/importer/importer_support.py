"""Helpers shared by the importer tests: fixture paths, a throwaway project (site.toml and
content/), and running the import command as a user would. (A module of its own: a conftest
cannot be imported by name, as tests/conftest.py is also a "conftest".)"""
from __future__ import annotations

import argparse
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newsdigest.config import load_config
from newsdigest.content import load_stories
from newsdigest.importer.cli import add_arguments, run

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SEEDS = FIXTURES / "seeds"
BATCH = FIXTURES / "batch"
BAD = FIXTURES / "bad"
SEED_FR = SEEDS / "000_0ac311f8ac50953c.txt"
SEED_EN = SEEDS / "001_a1589a12b97ff90d.txt"
TODAY = date(2026, 3, 10)  # fixed, so that "no date found" and year inference are reproducible

SITE_TOML = """base_url = "https://example.org/"
timezone = "Europe/Paris"
[languages.en]
title = "The Digest"
[languages.fr]
title = "Le Digest"
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@dataclass
class Project:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    def config(self):
        return load_config(self.root / "site.toml")

    def import_(self, *argv: str | Path) -> Result:
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        args = parser.parse_args([str(a) for a in argv])
        out, err = io.StringIO(), io.StringIO()
        code = run(args, self.config(), out=out, err=err, today=TODAY)
        return Result(code, out.getvalue(), err.getvalue())

    def files(self) -> dict[str, str]:
        """Every file under content/, relative path -> text."""
        return {p.relative_to(self.content).as_posix(): p.read_text(encoding="utf-8")
                for p in sorted(self.content.rglob("*")) if p.is_file()}

    def stories(self):
        """The content as the build reads it: raises ContentError if the build would reject it."""
        return load_stories(self.config())



ACCURACY_LINES: list[str] = []  # filled by test_accuracy, printed by conftest's terminal summary
