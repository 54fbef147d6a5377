"""Slugs and typography: the small text rules every page depends on."""
from __future__ import annotations

import pytest

from newsdigest.markup import MarkdownRenderer
from newsdigest.slugs import slugify
from newsdigest.typography import french


@pytest.mark.parametrize("title, slug", [
    ("Corée du Nord", "coree-du-nord"),
    ("L'OTAN et l'Union européenne : « accord » !", "l-otan-et-l-union-europeenne-accord"),
    ("Œuvres d'art à Łódź — 2026", "oeuvres-d-art-a-lodz-2026"),
    ("Straße & Ærø", "strasse-aero"),
    ("  --  ", ""),
])
def test_slugify_transliterates_to_ascii(title, slug):
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word_boundary():
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word") and "--" not in slug


def test_french_typography_uses_narrow_no_break_spaces():
    assert french("Quoi ? Il a dit : « oui » ; enfin !") == \
        "Quoi\u202f? Il a dit\u202f: «\u202foui\u202f»\u202f; enfin\u202f!"
    assert french("«collé»") == "«\u202fcollé\u202f»"
    assert french("à 10:32, voir http://x.org") == "à 10:32, voir http://x.org"
    assert french("l'OTAN") == "l\u2019OTAN"


def test_markdown_typography_skips_code():
    html = MarkdownRenderer().render('Il dit : "oui" et `a : b`', "fr")
    assert html == "<p>Il dit\u202f: «\u202foui\u202f» et <code>a : b</code></p>"
    assert MarkdownRenderer().render('He said: "yes" -- it\'s "*big*"...', "en") == \
        "<p>He said: \u201cyes\u201d \u2013 it\u2019s \u201c<em>big</em>\u201d\u2026</p>"
    assert MarkdownRenderer().render('Il a dit : "*Fort*" !', "fr") == \
        "<p>Il a dit\u202f: «\u202f<em>Fort</em>\u202f»\u202f!</p>"


class _WithoutShortcut(MarkdownRenderer):
    def _instance(self, locale):
        md = super()._instance(locale)
        if "skip-plain-text" in md.treeprocessors:
            md.treeprocessors.deregister("skip-plain-text")
        return md


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MARKUP = st.lists(st.sampled_from(["word", "mot", " ", "\n", "\n\n", "*", "_", "`", "[a](b)", "![i](p.png)", "<b>",
                                   "&amp;", "&", "\\", "  \n", "{: .x}", "[^1]", "\n\n[^1]: note", "- item\n",
                                   '"', "'", "--", "...", " :", "«", "http://x.org", "<http://x.org>",
                                   "\n\n*[HTML]: Hyper Text", "HTML", "    code\n", "# Title\n"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(MARKUP, st.sampled_from(["en", "fr"]))
def test_skipping_plain_text_never_changes_the_html(parts, lang):
    text = "".join(parts)
    assert MarkdownRenderer().render(text, lang) == _WithoutShortcut().render(text, lang)
