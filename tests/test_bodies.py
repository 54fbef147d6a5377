"""Article bodies live in a temporary file while a build holds the site, not in memory: parsed or
from the cache, each article keeps a small reference; pages rendered in forked workers read them
through the descriptor they inherit, and the site is the same as when bodies stayed in memory."""
from __future__ import annotations

import dataclasses
import shutil

from newsdigest import bodies, builder, parallel
from newsdigest.bodies import BodyFile, StoredBody
from newsdigest.cache import Cache
from conftest import make_fixture_site
from test_incremental import tree


def gathered(site, cache: Cache):
    config = site.config()
    found, _ = builder.gather(config, cache=cache)
    return [a for story in found.stories for a in story.articles.values()]


def test_parsed_and_cached_articles_keep_their_bodies_in_a_file(tmp_path):
    site = make_fixture_site(tmp_path / "p")
    first = Cache(site.config(), workers=1)
    parsed = gathered(site, first)
    assert first.hits == 0 and parsed and all(type(a.body) is StoredBody for a in parsed)
    second = Cache(site.config(), workers=1)
    cached = gathered(site, second)
    assert second.hits >= len(parsed)  # (a draft's file is read too)
    assert all(type(a.body) is StoredBody for a in cached)
    by_path = {a.path: a for a in parsed}
    for article in cached:
        assert article.body_html == by_path[article.path].body_html and "<p>" in article.body_html
        assert article == by_path[article.path]  # the same bytes, wherever kept


def test_a_body_file_gives_back_what_was_put_and_compares_by_bytes(tmp_path):
    file = BodyFile(tmp_path)
    first, second = file.put(b"one"), file.put(b"\x00two\xff")
    assert bytes(first) == b"one" and bytes(second) == b"\x00two\xff" and len(second) == 5
    assert first == b"one" and b"one" == first and first != second
    assert BodyFile(tmp_path).put(b"one") == first and hash(first) == hash(BodyFile(None).put(b"one"))
    assert list(tmp_path.iterdir()) == []  # unnamed: nothing is left behind


def test_without_a_place_for_the_file_bodies_stay_in_memory(tmp_path, monkeypatch):
    site = make_fixture_site(tmp_path / "p")
    expected = site.build() and tree(site.out)

    class Full(BodyFile):
        def __init__(self, folder=None):
            raise OSError("no space left on device")
    monkeypatch.setattr(bodies, "BodyFile", Full)
    assert bodies.open_body_file(tmp_path) is None
    articles = gathered(site, Cache(site.config(), workers=1, trust=False))
    assert articles and all(type(a.body) is bytes for a in articles)
    shutil.rmtree(site.out)
    shutil.rmtree(site.root / ".newsdigest-cache")
    site.build()
    assert tree(site.out) == expected


def test_pages_rendered_in_forked_workers_read_the_bodies(tmp_path, monkeypatch):
    site = make_fixture_site(tmp_path / "p")
    builder.build(dataclasses.replace(site.config(), output_dir=tmp_path / "one"), workers=1, use_cache=False)
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    forked = []
    real = parallel.fork_map

    def counting(fn, items, workers=None, *args, **kwargs):
        forked.append(min(workers or parallel.cores(), len(items)))
        return real(fn, items, workers, *args, **kwargs)
    monkeypatch.setattr(builder, "fork_map", counting)
    builder.build(dataclasses.replace(site.config(), output_dir=tmp_path / "two"), workers=2, use_cache=False)
    assert max(forked) == 2  # the pages were rendered by two processes
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
