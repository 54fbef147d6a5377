"""Random front matter, Markdown and raw copy: the build and the importer either succeed or report
problems that name the file, never a traceback (hypothesis)."""
from __future__ import annotations

import io
import re
import shutil
import argparse

from hypothesis import HealthCheck, given, settings, strategies as st

from newsdigest.builder import build
from newsdigest.config import load_config
from newsdigest.errors import NewsdigestError
from newsdigest.importer.cli import add_arguments, run

from conftest import FixtureSite, site_toml

KEYS = ["title", "date", "updated", "summary", "tags", "image", "caption", "slug", "draft", "source",
        "source_url", "author", "unpaired_from", "titel"]
SCALARS = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False),
                    st.sampled_from(["2026-02-11", "2026-02-30", "2026-02-11T10:32:00+09:00", "2026-02-11T25:00:00",
                                     "'2026-02-11'", "&a x", "*a", "{a: 1}", "[1, [2, [3]]]", ": :", "'", '"',
                                     "javascript:alert(1)", "../x.png", "_p.png", "\\x00", "\t"]))
LINE = st.tuples(st.sampled_from(KEYS), SCALARS).map(lambda kv: f"{kv[0]}: {kv[1]}")
MARKDOWN = st.lists(st.one_of(
    st.text(max_size=80),
    st.sampled_from(["# H", "> q", "- a\n  - b", "*x*", "**", "<script>x</script>", "<img src=x onerror=y>",
                     "[l](javascript:x)", "![p](p.png){: onerror=x }", "| a | b |\n|---|---|\n| 1 | 2 |", "```\ncode",
                     "[^1]\n\n[^1]: n", "<!--", "&#0;", "\r", "---", "\x00", "> " * 300 + "deep"]),
), max_size=8).map("\n\n".join)
FILE = st.one_of(
    st.tuples(st.lists(LINE, max_size=8), MARKDOWN).map(lambda fb: "---\n" + "\n".join(fb[0]) + "\n---\n" + fb[1]),
    st.text(max_size=300),
    st.binary(max_size=200),
)


def _site(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fuzz")
    site = FixtureSite(root)
    site.write("site.toml", site_toml())
    for n, (lang, text) in enumerate(files):
        site.write(f"content/2026/02/story-{n // 2}/{lang}.md", text if isinstance(text, bytes) else text.encode(
            "utf-8", "surrogatepass"))
    return site


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(files=st.lists(st.tuples(st.sampled_from(["en", "fr"]), FILE), min_size=1, max_size=4))
def test_random_story_files_build_or_are_named(tmp_path_factory, files):
    site = _site(tmp_path_factory, files)
    try:
        build(load_config(site.config_path))
    except NewsdigestError as exc:
        content = str(site.root / "content")
        assert exc.problems and all(str(p.path).startswith(content) and p.message for p in exc.problems)
    finally:
        shutil.rmtree(site.root, ignore_errors=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(raw=st.one_of(st.text(max_size=2000), st.binary(max_size=500),
                     st.lists(st.sampled_from(["Menu", "By Jane Doe", "Publié le 3 mars 2025", "12/03/2025",
                                               " date 2025-03", "Photo: AFP", "©2025 Reuters", "GENEVA (Reuters) -",
                                               "Le président a annoncé mardi un plan de 250 millions.",
                                               "The minister said on Tuesday that 2,500 jobs would go.",
                                               "ce mardi 14 octobre", "", "\x00", "---", "<script>"]),
                              max_size=20).map("\n".join)))
def test_random_raw_copy_imports_or_is_named(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("fuzzimport")
    (root / "site.toml").write_text(site_toml(), encoding="utf-8")
    (root / "content").mkdir()
    path = root / "raw.txt"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    code = run(parser.parse_args([str(path)]), load_config(root / "site.toml"), out=out, err=err)
    errors = [line for line in err.getvalue().splitlines() if line.startswith("error:")]
    named = re.compile(rf"error: {re.escape(str(path))}(?::\d+)?: \S")
    assert code == 0 or (errors and all(named.match(line) for line in errors))
    if code == 0:
        build(load_config(root / "site.toml"))  # what was imported builds
    shutil.rmtree(root, ignore_errors=True)
