"""Story files: Markdown that renders as the text it came from, and the checksum that tells an
importer-written file from one an editor has changed."""
from __future__ import annotations

from datetime import date

from newsdigest.importer.write import apply, decide, markdown_paragraph, render, untouched
from newsdigest.markup import MarkdownRenderer, plain_text


def test_markdown_escaping_renders_the_original_text():
    markdown = MarkdownRenderer()
    for text in ("*Not emphasis* and [not a link](x) and <b>not html</b>",
                 "# not a heading", "1. not a list", "- not a bullet either", "> not a quote",
                 "snake_case_name and _underscored_ word", "a \\ backslash and `ticks`",
                 "« Guillemets » et “quotes” — kept"):
        html = markdown.render(markdown_paragraph(text), "en")
        assert html.startswith("<p>") and html.count("<p>") == 1, html
        assert plain_text(html) == text


def test_checksum_detects_any_edit():
    text = render({"title": "T", "date": date(2026, 2, 11), "import": {"source_sha256": "ab"}}, ("Body.",))
    assert untouched(text)
    assert "  checksum: sha256:" in text
    assert not untouched(text.replace("Body.", "Body!"))
    assert not untouched(text.replace("title: T", "title: U"))
    assert not untouched("---\ntitle: T\ndate: 2026-02-11\n---\n\nAn editor's own file.\n")


def test_decide(tmp_path):
    path = tmp_path / "en.md"
    new = render({"title": "T", "date": date(2026, 2, 11)}, ("New body.",))
    assert decide(path, new, force=False, same_source=False).kind == "create"
    apply(decide(path, new, False, False))
    assert path.read_text(encoding="utf-8") == new
    assert decide(path, new, False, True).kind == "unchanged"
    newer = render({"title": "T", "date": date(2026, 2, 11)}, ("Newer body.",))
    assert decide(path, newer, False, True).kind == "update"  # ours and untouched
    assert decide(path, newer, False, False).kind == "keep"  # ours, but another raw file's
    path.write_text(new.replace("New body.", "Edited by hand."), encoding="utf-8")
    kept = decide(path, newer, False, True)
    assert (kept.kind, kept.why) == ("keep", "it was changed by hand since it was imported; left as it is "
                                             "(use --force to overwrite it)")
    assert decide(path, newer, True, True).kind == "overwrite"
    assert not list(tmp_path.glob(".import-*"))  # no temporary file left behind
