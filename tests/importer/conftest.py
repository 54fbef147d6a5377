"""Fixtures for the importer tests; the helpers live in importer_support."""
from __future__ import annotations

import pytest

from .importer_support import ACCURACY_LINES, Project, SITE_TOML
from newsdigest.importer.detect import Detector


@pytest.fixture
def project(tmp_path) -> Project:
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    (tmp_path / "content").mkdir()
    return Project(tmp_path)


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()


def pytest_terminal_summary(terminalreporter, config):
    lines = ACCURACY_LINES
    if lines:
        terminalreporter.section("importer accuracy on tests/importer/fixtures")
        for line in lines:
            terminalreporter.write_line(line)
