"""A build writes each page as it renders (Renderer.stream): the same bytes as render(), the same
error naming the template line, and a page of many megabytes is never held whole."""
from __future__ import annotations

import tracemalloc

import pytest

from newsdigest import builder, render
from newsdigest.errors import BuildError
from newsdigest.pages import plan
from newsdigest.render import Renderer
from conftest import make_fixture_site


def renderer_of(site):
    config = site.config()
    gathered, translators = builder.gather(config)
    pages, copies = plan(gathered)
    assets = builder._versioned(builder._static_files(config), gathered)
    return Renderer(gathered, translators, assets), pages


def with_404(tmp_path, template: str):
    """A fixture site whose own templates folder has this 404.html (the theme gives the rest)."""
    own = tmp_path / "theme"
    own.mkdir()
    (own / "404.html").write_text(template, encoding="utf-8")
    return make_fixture_site(tmp_path / "p", templates=own)


def test_every_page_streams_what_it_renders(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "STREAM_PIECES", 3)  # many parts even for a small page
    renderer, pages = renderer_of(make_fixture_site(tmp_path / "p"))
    for page in pages:
        parts = list(renderer.stream(page))
        assert "".join(parts) == renderer.render(page), page.path
    assert any(len(list(renderer.stream(page))) > 100 for page in pages)


def test_an_error_midway_names_the_template_line_as_render_does(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "STREAM_PIECES", 3)
    site = with_404(tmp_path, "{% for n in range(50) %}<p>{{ n }}</p>\n{% endfor %}\n{{ 1 // 0 }}\n")
    renderer, pages = renderer_of(site)
    page = next(p for p in pages if p.template == "404.html")
    with pytest.raises(BuildError) as rendered:
        renderer.render(page)
    parts = []
    with pytest.raises(BuildError) as streamed:
        for part in renderer.stream(page):
            parts.append(part)
    assert parts  # it failed midway
    assert [str(p) for p in streamed.value.problems] == [str(p) for p in rendered.value.problems]
    assert str(streamed.value.problems[0]).endswith(
        "404.html:3: rendering 404 page failed: ZeroDivisionError: integer division or modulo by zero. "
        "Fix the template (a misspelt variable is an error, not an empty value).")


def test_a_large_page_is_written_without_being_held_whole(tmp_path):
    site = with_404(tmp_path, "{% for n in range(200000) %}<p>{{ n }}</p>\n{% endfor %}")
    renderer, pages = renderer_of(site)
    page = next(p for p in pages if p.template == "404.html")
    renderer.render(page)  # templates compiled before measuring

    def peak(write) -> int:
        tracemalloc.start()
        try:
            write()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    whole = peak(lambda: renderer.render(page).encode())
    streamed = peak(lambda: builder._write(str(tmp_path / "out"), page.path, renderer.stream(page), set()))
    assert (tmp_path / "out" / "404.html").read_text() == renderer.render(page)
    assert whole > 10 * 2**20 and streamed < whole / 10


def test_a_build_writes_its_pages_as_they_render(tmp_path):
    site = with_404(tmp_path, "{% for n in range(400000) %}<p>{{ n }}</p>\n{% endfor %}")
    builder.build(site.config(), workers=1, search_index=False)  # imports and compiled templates
    renderer, pages = renderer_of(site)
    page = next(p for p in pages if p.template == "404.html")
    tracemalloc.start()
    try:
        renderer.render(page).encode()
        whole = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        builder.build(site.config(), workers=1, search_index=False, clean=True)
        built = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (site.out / "404.html").read_text() == renderer.render(page)
    assert built < whole / 2, (built, whole)
