"""What the gathered site holds: one copy of each value many articles share, whether an article
was parsed here or in a worker process (whose results come back as copies of their own)."""
from __future__ import annotations

import pytest

from conftest import make_fixture_site
from newsdigest.cache import Cache
from newsdigest.content import load_stories

STORY = """---
title: Story {n}
date: 2026-02-{day:02d}T10:00:00+09:00
updated: 2026-02-{day:02d}T12:00:00+09:00
tags: [Japan, Defence]
source: The Outlet
author: A. Writer
---
Body of story {n}, long enough to be a body.
"""


def _read(config, how):
    """The articles as load_stories gives them, their results parsed or cached as `how` says."""
    if how == "parsed here, no cache":
        return load_stories(config)
    if how in ("parsed here", "parsed in a worker"):
        return load_stories(config, parse=Cache(config, enabled=False, workers=1 if how == "parsed here" else 2).parse)
    if how == "decoded from the cache":
        load_stories(config, parse=Cache(config, workers=1).parse)
        return load_stories(config, parse=Cache(config, workers=1).parse)
    cache = Cache(config, workers=1, long_lived=True)  # remembered from its last parse, another walk
    load_stories(config, parse=cache.parse)
    return load_stories(config, parse=cache.parse)


@pytest.mark.parametrize("how", ["parsed here, no cache", "parsed here", "parsed in a worker",
                                 "decoded from the cache", "remembered by the dev server's cache"])
def test_articles_share_repeated_values(tmp_path, how):
    site = make_fixture_site(tmp_path / "project", None)
    for n in range(1, 9):
        site.write(f"content/2026/02/story-{n}/en.md", STORY.format(n=n, day=n))
    config = site.config()
    stories = _read(config, how)
    articles = [a for story in stories for a in story.articles.values()]
    assert len(articles) == 8
    first = articles[0]
    for story in stories:
        assert all(article.story is story.key for article in story.articles.values())
    for article in articles[1:]:
        assert article.tags == ("Japan", "Defence")
        assert all(a is b for a, b in zip(article.tags, first.tags))
        assert article.source is first.source and article.author is first.author
        assert article.lang is first.lang
        assert article.date.tzinfo is first.date.tzinfo and article.updated.tzinfo is first.date.tzinfo
    assert first.date.isoformat() == "2026-02-01T10:00:00+09:00"
    assert first.title == "Story 1" and first.tags == ("Japan", "Defence")


def test_a_command_line_cache_keeps_no_table_in_memory(tmp_path):
    config = make_fixture_site(tmp_path / "project", None).config()
    cache = Cache(config)
    cache.save_table("t", {"a": 1})
    assert cache.load_table("t") == {"a": 1}  # read back from its file
    assert cache._tables == {}
    long_lived = Cache(config, long_lived=True)
    long_lived.save_table("t", {"a": 2})
    for stored in config.root.rglob("*.pickle"):
        stored.unlink()
    assert long_lived.load_table("t") == {"a": 2}  # the dev server's, from memory
    assert Cache(config).load_table("t") == {}
