"""Accuracy of the importer on every fixture at once (the seeds and the hand-made batch), as one
batch: language, title, date, source, and pairing precision/recall. The figures are printed in the
terminal summary; the thresholds below are what the importer must keep."""
from __future__ import annotations

import json

from .importer_support import ACCURACY_LINES, BATCH, FIXTURES, SEEDS


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} ({hits / total:.0%})" if total else "n/a"


def test_accuracy_on_fixtures(project):
    expected = {k: v for k, v in json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8")).items()
                if not k.startswith("_")}
    result = project.import_(SEEDS, BATCH, "--json")
    assert result.code == 0, result.err
    rows = {str(FIXTURES.joinpath(k)): v for k, v in expected.items()}
    got = {row["file"]: row for row in result.json()}
    assert set(got) == set(rows)

    lang = sum(got[f]["lang"] == e["lang"] for f, e in rows.items())
    titled = [f for f, e in rows.items() if e["title"]]
    title = sum(got[f]["title"] == rows[f]["title"] and not got[f]["title_inferred"] for f in titled)
    untitled = [f for f, e in rows.items() if not e["title"]]
    inferred = sum(bool(got[f]["title"]) and got[f]["title_inferred"] for f in untitled)
    dated = [f for f, e in rows.items() if e["date"]]
    when = sum(got[f]["date"] == rows[f]["date"] and got[f]["date_inferred"] == rows[f]["date_inferred"]
               for f in dated)
    undated_flagged = sum(got[f]["date_inferred"] for f, e in rows.items() if not e["date"])
    source = sum(got[f]["source"] == e["source"] for f, e in rows.items())
    published = [f for f, e in rows.items() if "published" in e]
    times = sum(got[f]["published"] == rows[f]["published"] for f in published)

    truth = {frozenset((f, str(FIXTURES / e["pair"]))) for f, e in rows.items() if e["pair"]}
    made = {frozenset((f, r["paired_with"])) for f, r in got.items() if r["paired_with"]}
    correct = len(truth & made)
    precision = correct / len(made) if made else 1.0
    recall = correct / len(truth)
    stories = {}
    for f, r in got.items():
        stories.setdefault(r["story"], []).append(r["lang"])

    ACCURACY_LINES.clear()
    ACCURACY_LINES.extend([
        f"files: {len(rows)} (2 seeds, {len(rows) - 2} written for the tests)",
        f"language:              {_rate(lang, len(rows))}",
        f"title as written:      {_rate(title, len(titled))}",
        f"title inferred (none written): {_rate(inferred, len(untitled))}",
        f"date (and its flag):   {_rate(when, len(dated))}; undated files flagged: {_rate(undated_flagged, len(rows) - len(dated))}",
        f"publication time:      {_rate(times, len(published))}",
        f"source/outlet:         {_rate(source, len(rows))}",
        f"pairing: {len(made)} pairs made, {len(truth)} true; precision {precision:.0%}, recall {recall:.0%}",
    ])
    print("\n".join(ACCURACY_LINES))

    assert lang == len(rows)
    assert title == len(titled)
    assert inferred == len(untitled)
    assert when == len(dated) and undated_flagged == len(rows) - len(dated)
    assert times == len(published)
    assert source >= len(rows) - 1
    assert precision == 1.0  # a wrong pair is worse than a missing one
    assert recall >= 0.99
    assert all(len(langs) == len(set(langs)) for langs in stories.values()), stories
