"""Every generated page is valid HTML (W3C Nu checker) and accessible (axe-core), in both languages."""
from __future__ import annotations

import pytest

from conftest import axe_violations, vnu_messages

pytestmark = pytest.mark.validator


def test_every_generated_page_passes_the_nu_html_checker(served_site):
    site, _ = served_site
    pages = list(site.out.rglob("*.html"))
    assert len(pages) > 30
    messages = vnu_messages(site.out)
    assert messages == [], "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m['message']}" for m in messages)


AXE_PAGES = [
    "",  # the bilingual home
    "404.html",
    "en/", "fr/",
    "en/page/2/", "fr/2026/02/11/",
    "en/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/",
    "fr/2026/02/11/coree-du-nord-le-japon-appele-a-ne-pas-nouer-d-alliances-militaires/",
    "en/2026/01/15/ottawa-tables-a-cautious-budget/",
    "en/archive/", "fr/tags/", "fr/tags/japon/", "en/tags/defence/", "en/2026/02/", "fr/2026/01/27/",
    "en/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/",  # with a photo
    "fr/2026/01/27/le-canada-et-le-japon-signent-un-accord-de-transfert-d-equipements-de-defense/",
    "side-by-side/2026/01/27/canada-and-japan-sign-a-defence-equipment-transfer-agreement/",
    "side-by-side/2026/02/11/north-korea-warns-japan-against-forging-military-alliances/",
    "en/search/", "fr/search/?q=japon",
]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_reports_no_violation(served_site, page, color_scheme):
    _, url = served_site
    page.emulate_media(color_scheme=color_scheme)
    found = {}
    for path in AXE_PAGES:
        response = page.goto(url + path)
        assert response.status == 200, path
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}
