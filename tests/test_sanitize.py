"""Story bodies pass an allow-list: no script reaches a published page or feed, however the
Markdown carries it, and what news copy needs (tables, figures, quotes, footnotes) survives."""
from __future__ import annotations

import shutil

import pytest

from newsdigest.errors import ConfigError
from newsdigest.sanitize import Policy, Sanitizer

from conftest import FIXTURES, make_fixture_site, vnu_messages

HOSTILE = FIXTURES / "hostile" / "script-in-markdown"
# The hostile story's payloads: none may reach any published file.
PAYLOADS = ("alert(", "owned", "javascript:", "vbscript:", "data:text/html", "data:image/svg", "onerror", "onclick",
            "onmouseover", "evil.example", "x.swf", "display: none", "position:fixed", "xlink:href", "<iframe")


def _published(out):
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            yield path, path.read_text(encoding="utf-8")


def test_no_script_in_any_published_file(tmp_path):
    site = make_fixture_site(tmp_path / "project", None)
    shutil.copytree(HOSTILE, site.root / "content", dirs_exist_ok=True)
    site.build()
    story = site.page("en/2026/02/11/a-story-that-carries-script-in-every-way-markdown-allows/")
    feed = (site.out / "en" / "feed.xml").read_text(encoding="utf-8")
    hits = [(p.relative_to(site.out).as_posix(), payload) for p, text in _published(site.out)
            for payload in PAYLOADS if payload.lower() in text.lower()]
    assert hits == []
    for kept in ("<strong>bold</strong>", '<a href="https://example.org/story">safe link</a>', "<table>",
                 "<figcaption>A kept caption</figcaption>", '<abbr title="Organisation">ORG</abbr>',
                 'class="footnote"', '<img alt="A picture" src="picture.png">'):
        assert kept in story, kept
    assert "A paragraph with handlers." in story and "A javascript link" in story
    assert "&lt;script" not in feed and "onerror" not in feed and "A plain paragraph that must survive" in feed


@pytest.mark.parametrize("html, clean", [
    ('<p onclick="x()">a</p>', "<p>a</p>"),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href=" JAVASCRIPT:alert(1)">x</a>', "<a>x</a>"),
    ('<img src="data:image/png;base64,AA" alt="a">', ""),
    ("<script>alert(1)</script>kept", "kept"),
    ('<iframe src="https://player.example/1"></iframe>', ""),
    ('<a href="mailto:desk@example.org">desk</a>', '<a href="mailto:desk@example.org">desk</a>'),
    ('<a href="../other/">rel</a>', '<a href="../other/">rel</a>'),
    ('<blockquote cite="javascript:alert(1)">q</blockquote>', "<blockquote>q</blockquote>"),
    # a story's ids cannot take the page's own, and its fragment links follow them
    ('<p id="main">x</p><a href="#main">to x</a> <a href="/en/#top">out</a>',
     '<p id="story-main">x</p><a href="#story-main">to x</a> <a href="/en/#top">out</a>'),
])
def test_the_default_allow_list(html, clean):
    assert Sanitizer().clean(html) == clean


def test_a_site_can_allow_more(tmp_path):
    site = make_fixture_site(tmp_path / "project", None, extra=(
        '[sanitize]\ntags = ["iframe"]\nattributes = { iframe = ["src", "title"] }\nurl_schemes = ["tel"]\n'))
    policy = site.config().sanitize
    assert policy == Policy(frozenset({"iframe"}), (("iframe", frozenset({"src", "title"})),), frozenset({"tel"}))
    cleaner = Sanitizer(policy)
    assert cleaner.clean('<iframe src="https://player.example/1" title="Video" onload="x()"></iframe>') == (
        '<iframe src="https://player.example/1" title="Video"></iframe>')
    assert cleaner.clean('<a href="tel:+41221234567">call</a>') == '<a href="tel:+41221234567">call</a>'
    assert cleaner.clean('<iframe src="javascript:alert(1)"></iframe>') == "<iframe></iframe>"


def test_a_site_cannot_allow_script(tmp_path):
    site = make_fixture_site(tmp_path / "project", None, extra=(
        '[sanitize]\ntags = ["script", "meta"]\nattributes = { img = ["onerror", "srcset"] }\nurl_schemes = ["javascript"]\n'
        'colour = 1\n'))
    with pytest.raises(ConfigError) as caught:
        site.config()
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "unknown key 'sanitize.colour'. Known keys: attributes, tags, url_schemes.",
        "sanitize.tags cannot allow <meta>: it would run code, load a page or restyle the site in readers' browsers.",
        "sanitize.tags cannot allow <script>: it would run code, load a page or restyle the site in readers' "
        "browsers.",
        "sanitize.attributes.img cannot allow 'onerror': it would run code, hold an unchecked address or restyle "
        "the page.",
        "sanitize.attributes.img cannot allow 'srcset': it would run code, hold an unchecked address or restyle "
        "the page.",
        "sanitize.url_schemes cannot allow 'javascript:' URLs: they run code.",
    ]


@pytest.mark.validator
def test_a_sanitized_body_is_valid_html(tmp_path):
    site = make_fixture_site(tmp_path / "project", None)
    shutil.copytree(HOSTILE, site.root / "content", dirs_exist_ok=True)
    site.build()
    story = site.out / "en/2026/02/11/a-story-that-carries-script-in-every-way-markdown-allows"
    messages = vnu_messages(story)
    assert messages == [], "\n".join(f"{m.get('lastLine')}: {m['message']}" for m in messages)
