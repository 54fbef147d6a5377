"""Importer speed: one raw file of copied news text of growing size (the time must grow linearly,
and 350 KB must import in well under 10 s), and a day's batch of articles, each timed as the editor
runs it (`python build.py import --dry-run`, a fresh process), medians of the runs.

    python benchmarks/import_speed.py                  # 50, 350 and 2,000 KB; a batch of 200 files
    python benchmarks/import_speed.py --write          # also rewrites the table in benchmarks/README.md
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import EN_WORDS, FR_WORDS, PLACES, SOURCES  # noqa: E402
from run import WORK, machine, write_section  # noqa: E402

ROOT = HERE.parent
MARKER_START = "<!-- import:start -->"
MARKER_END = "<!-- import:end -->"
SITE = ('base_url = "https://example.org/"\ntimezone = "Europe/Paris"\n'
        '[languages.en]\ntitle = "The Digest"\n[languages.fr]\ntitle = "Le Digest"\n')


def raw_article(rng: random.Random, french: bool, words: int) -> str:
    """Copy as an editor pastes it: menu lines, headline, byline, date, caption, paragraphs, closing lines."""
    vocabulary = FR_WORDS if french else EN_WORDS
    place = rng.choice(PLACES)[1 if french else 0]
    lines = ["Menu", "search", "Accueil | Monde | Économie" if french else "Home | World | Business"]
    lines.append(" ".join(rng.choice(vocabulary) for _ in range(9)).capitalize() + f" {place}")
    lines.append(f"Par Marie Dubois | {rng.choice(SOURCES)}" if french else f"By Jane Doe, {rng.choice(SOURCES)}")
    lines.append("Publié le 3 mars 2025 à 14 h 05" if french else "Published March 3, 2025 at 2:05 p.m.")
    lines.append("Photo : AFP / Jean Dupont" if french else "Photo: AFP/Jean Doe")
    written = 0
    while written < words:
        sentence = [rng.choice(vocabulary) for _ in range(rng.randint(12, 30))]
        sentence[rng.randrange(len(sentence))] = place
        sentence.insert(rng.randrange(len(sentence)), f"{rng.randint(2, 9999):,}".replace(",", " " if french else ","))
        lines.append(" ".join(sentence).capitalize() + ".")
        written += len(sentence)
    lines += ["Plus de détails à venir" if french else "More to come", "3 commentaires" if french else "3 comments"]
    return "\n".join(lines) + "\n"


def project(work: Path) -> Path:
    folder = work / "import-project"
    (folder / "content").mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(SITE, encoding="utf-8")
    return folder


def timed_import(site: Path, inputs: list[Path]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "import", "--dry-run", "--config", str(site / "site.toml"),
                    *map(str, inputs)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure_file(kb: int, runs: int, work: Path) -> list[float]:
    rng = random.Random(kb)
    raw = work / f"raw-{kb}kb.txt"
    raw.write_text(raw_article(rng, True, kb * 1024 // 7), encoding="utf-8")  # ~7 bytes a word
    site = project(work)
    return [timed_import(site, [raw]) for _ in range(runs)]


def measure_batch(files: int, runs: int, work: Path) -> list[float]:
    rng = random.Random(files)
    folder = work / f"batch-{files}"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        (folder / f"{n:04d}.txt").write_text(raw_article(rng, n % 2 == 1, rng.randint(250, 700)), encoding="utf-8")
    site = project(work)
    return [timed_import(site, [folder]) for _ in range(runs)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 350, 2000], help="raw file sizes in KB")
    parser.add_argument("--batch", type=int, default=200, help="files in the batch")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    lines = [f"Measured {date.today().isoformat()} on {machine()}; medians of {args.runs} runs of "
             "`import --dry-run` in a fresh process (start-up included).", "",
             "| input | time | per KB |", "|---|---:|---:|"]
    for kb in args.sizes:
        seconds = statistics.median(measure_file(kb, args.runs, args.work))
        lines.append(f"| one raw file of {kb:,} KB | {seconds:.2f} s | {seconds / kb * 1000:.1f} ms |")
    seconds = statistics.median(measure_batch(args.batch, args.runs, args.work))
    lines.append(f"| a batch of {args.batch} articles (250–700 words each) | {seconds:.2f} s | – |")
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section(HERE / "README.md", MARKER_START, MARKER_END, report)


if __name__ == "__main__":
    main()
