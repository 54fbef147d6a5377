"""Every UI string of the default theme is in the catalogs, and translated into French: a string
added to a template without its translation would show in English on French pages."""
from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from conftest import ROOT

# tr(lang, message) and the in_every_language(message) macro: as babel.cfg's command extracts them.
KEYWORDS = {**DEFAULT_KEYWORDS, "tr": (2,), "in_every_language": (1,)}


def template_messages() -> set[str]:
    found = extract_from_dir(ROOT / "templates", method_map=[("**.html", "jinja2")],  # as babel.cfg
                             options_map={"**": {"extensions": "jinja2.ext.i18n"}}, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def catalog(lang: str):
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_template_string_is_translated_into_french():
    used = template_messages()
    assert len(used) > 40
    french = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog("fr") if m.id}
    missing = sorted(used - set(french))
    untranslated = sorted(key for key in used & set(french)
                          if french[key].fuzzy or not all(french[key].string if isinstance(french[key].string, tuple)
                                                          else [french[key].string]))
    assert (missing, untranslated) == ([], [])


def test_the_english_catalog_and_the_template_know_every_string():
    used = template_messages()
    for name in ("en", None):
        path = ROOT / "locales" / (f"{name}/LC_MESSAGES/messages.po" if name else "messages.pot")
        with path.open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        assert sorted(used - ids) == [], path
