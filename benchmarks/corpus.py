"""A deterministic synthetic bilingual corpus: N stories, each an English and a French article of
400-900 words with realistic front matter, tags, links, emphasis, quotes, lists and French punctuation.

    python benchmarks/corpus.py 5000 /tmp/corpus        # writes /tmp/corpus/content/...
"""
from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

EN_WORDS = ("government minister agreement defence trade council budget election parliament report "
            "economy market growth security energy climate summit talks region city officials police "
            "court ruling company workers union strike schools health hospital weather storm river "
            "border army treaty cooperation research university study data prices inflation bank").split()
FR_WORDS = ("gouvernement ministre accord défense commerce conseil budget élection parlement rapport "
            "économie marché croissance sécurité énergie climat sommet négociations région ville "
            "responsables police tribunal décision entreprise salariés syndicat grève écoles santé "
            "hôpital météo tempête fleuve frontière armée traité coopération recherche université "
            "étude données prix inflation banque").split()
PLACES = [("Japan", "Japon"), ("Canada", "Canada"), ("North Korea", "Corée du Nord"), ("France", "France"),
          ("Germany", "Allemagne"), ("Brazil", "Brésil"), ("Senegal", "Sénégal"), ("Quebec", "Québec")]
SOURCES = ["Yonhap", "AFP", "Reuters", "The Canadian Press", "Kyodo"]


def _sentence(rng: random.Random, words: list[str], lo: int = 8, hi: int = 22) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(lo, hi))]
    return chosen[0].capitalize() + " " + " ".join(chosen[1:])


def _body(rng: random.Random, words: list[str], place: str, french: bool, target: int) -> str:
    paragraphs, count = [], 0
    while count < target:
        kind = rng.random()
        if kind < 0.1:
            items = [_sentence(rng, words, 4, 9) for _ in range(rng.randint(2, 4))]
            text = "\n".join(f"- {item}" for item in items)
        elif kind < 0.25:
            quote = _sentence(rng, words)
            text = (f'Le ministre a déclaré : "{quote}" !' if french else f'The minister said: "{quote}."')
        else:
            sentences = [_sentence(rng, words) for _ in range(rng.randint(2, 5))]
            sentences[0] = f"{place} " + sentences[0][0].lower() + sentences[0][1:]
            if rng.random() < 0.3:
                sentences[-1] += f" [{rng.choice(words)}](https://example.org/{rng.randint(1, 999)})"
            if rng.random() < 0.3:
                sentences[1 % len(sentences)] = f"*{sentences[1 % len(sentences)]}*"
            text = (". " if not french else " ; ").join(sentences) + (" ?" if french and rng.random() < 0.2 else ".")
        paragraphs.append(text)
        count += len(text.split())
    return "\n\n".join(paragraphs) + "\n"


def generate(n: int, root: Path, seed: int = 7) -> Path:
    """Writes root/content/YYYY/MM/story-NNNNN/{en,fr}.md and returns the content folder."""
    rng = random.Random(seed)
    content = root / "content"
    start = datetime(2023, 1, 1, 6, 0, tzinfo=timezone(timedelta(hours=1)))
    for i in range(n):
        when = start + timedelta(minutes=int(i * (3 * 365 * 24 * 60) / max(n, 1)))
        en_place, fr_place = rng.choice(PLACES)
        folder = content / f"{when:%Y/%m}" / f"story-{i:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        tags = rng.sample(range(len(PLACES)), 2)
        words = rng.randint(400, 900)
        source = rng.choice(SOURCES)
        en_title = f"{en_place}: {_sentence(rng, EN_WORDS, 4, 9)} ({i})"
        fr_title = f"{fr_place} : {_sentence(rng, FR_WORDS, 4, 9)} ({i})"
        en_tags = ", ".join(PLACES[t][0] for t in tags)
        fr_tags = ", ".join(PLACES[t][1] for t in tags)
        stamp = when.isoformat()
        (folder / "en.md").write_text(
            f'---\ntitle: "{en_title}"\ndate: {stamp}\nsource: {source}\ntags: [{en_tags}]\n---\n'
            + _body(rng, EN_WORDS, en_place, False, words), encoding="utf-8")
        (folder / "fr.md").write_text(
            f'---\ntitle: "{fr_title}"\ndate: {stamp}\nsource: {source}\ntags: [{fr_tags}]\n---\n'
            + _body(rng, FR_WORDS, fr_place, True, words), encoding="utf-8")
    return content


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
