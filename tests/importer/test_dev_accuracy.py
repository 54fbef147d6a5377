"""The importer's figures on the development set: raw copy written for these tests by authors who
never saw the importer (tests/importer/fixtures/dev/<author>/, each with an expected.json of what a
careful editor would take from each file). All of it is imported as one batch, as an editor
imports a day's copy, and the figures are those the importer is held to:

| language | date, where the text states one | headline, where the text has one |
| texts without a headline given a non-headline without `title_inferred` | pairing P / R / F1 |
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .importer_support import ACCURACY_LINES, FIXTURES

DEV = FIXTURES / "dev"

REQUIRED = {"language": 1.0, "date": 0.95, "headline": 0.90, "precision": 0.95, "f1": 0.90}
MAX_UNFLAGGED_NON_HEADLINES = 0.10


def _expected() -> dict[str, dict]:
    rows = {}
    for table in sorted(DEV.glob("*/expected.json")):
        for name, row in json.loads(table.read_text(encoding="utf-8")).items():
            if not name.startswith("_"):
                row = dict(row)
                if row.get("pair"):
                    row["pair"] = str(table.parent / row["pair"])
                rows[str(table.parent / name)] = row
    return rows


def _same(a: str | None, b: str | None) -> bool:
    norm = lambda s: re.sub(r"\s+", " ", (s or "").replace("’", "'")).strip()
    return norm(a) == norm(b)


@dataclass
class Figures:
    files: int
    language: float
    date: float
    wrong_dates_as_found: list[str]
    headline: float
    unflagged_non_headlines: float
    precision: float
    recall: float
    f1: float
    misses: list[str]

    def lines(self) -> list[str]:
        return [
            f"development set: {self.files} files",
            f"language:                         {self.language:.0%}",
            f"date, where the text states one:  {self.date:.0%}; wrong dates presented as found: "
            f"{len(self.wrong_dates_as_found)}",
            f"headline, where the text has one: {self.headline:.0%}",
            f"no headline, but not flagged title_inferred: {self.unflagged_non_headlines:.0%}",
            f"pairing precision / recall / F1:  {self.precision:.2f} / {self.recall:.2f} / {self.f1:.2f}",
        ]


def measure(got: dict[str, dict], rows: dict[str, dict]) -> Figures:
    misses = []
    lang = sum(got[f]["lang"] == e["lang"] for f, e in rows.items())

    dated = [f for f, e in rows.items() if e["date"]]
    date_hits = 0
    for f in dated:
        if got[f]["date"] == rows[f]["date"]:
            date_hits += 1
        else:
            misses.append(f"date {Path(f).name}: got {got[f]['date']} (inferred {got[f]['date_inferred']}), "
                          f"expected {rows[f]['date']}")
    wrong = [f for f, e in rows.items() if got[f]["date_inferred"] is False and got[f]["date"] != e["date"]]

    titled = [f for f, e in rows.items() if e["title"]]
    title_hits = 0
    for f in titled:
        if _same(got[f]["title"], rows[f]["title"]) and not got[f]["title_inferred"]:
            title_hits += 1
        else:
            misses.append(f"title {Path(f).name}: got {got[f]['title']!r} (inferred {got[f]['title_inferred']})")
    untitled = [f for f, e in rows.items() if not e["title"]]
    unflagged = [f for f in untitled if got[f]["title"] and not got[f]["title_inferred"]]
    misses.extend(f"unflagged non-headline {Path(f).name}: {got[f]['title']!r}" for f in unflagged)

    truth = {frozenset((f, e["pair"])) for f, e in rows.items() if e["pair"]}
    made = {frozenset((f, r["paired_with"])) for f, r in got.items() if r["paired_with"]}
    correct = len(truth & made)
    precision = correct / len(made) if made else 1.0
    recall = correct / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    misses.extend(f"missed pair {' + '.join(sorted(Path(x).name for x in p))}" for p in truth - made)
    misses.extend(f"wrong pair {' + '.join(sorted(Path(x).name for x in p))}" for p in made - truth)
    return Figures(len(rows), lang / len(rows), date_hits / len(dated), wrong, title_hits / len(titled),
                   len(unflagged) / len(untitled) if untitled else 0.0, precision, recall, f1, misses)


def test_development_set_meets_the_required_levels(project):
    rows = _expected()
    kinds = [r["kind"] for r in rows.values()]
    assert kinds.count("pair") >= 30 and kinds.count("distractor") >= 8 and len(rows) >= 40  # the set's shape
    result = project.import_(*sorted(DEV.glob("*/*.txt")), "--json")
    assert result.code == 0, result.err
    got = {row["file"]: row for row in result.json()}
    assert set(got) == set(rows)
    figures = measure(got, rows)
    ACCURACY_LINES.extend(["", *figures.lines()])
    print("\n".join(figures.lines() + figures.misses))

    assert figures.language >= REQUIRED["language"]
    assert figures.date >= REQUIRED["date"], figures.misses
    assert not figures.wrong_dates_as_found, figures.wrong_dates_as_found
    assert figures.headline >= REQUIRED["headline"], figures.misses
    assert figures.unflagged_non_headlines <= MAX_UNFLAGGED_NON_HEADLINES, figures.misses
    assert figures.precision >= REQUIRED["precision"], figures.misses
    assert figures.f1 >= REQUIRED["f1"], figures.misses
