"""site.toml is typed and strict: unknown keys are rejected with a suggestion, every problem at once."""
from __future__ import annotations

import pytest

from conftest import site_toml
from newsdigest.config import load_config
from newsdigest.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_valid_config(tmp_path):
    config = load_config(write(tmp_path, site_toml(base_url="https://user.github.io/repo")))
    assert config.base_url == "https://user.github.io/repo/"
    assert config.base_path == "/repo/"
    assert config.codes == ("en", "fr")
    assert config.content_dir == tmp_path / "content"
    with pytest.raises(Exception):
        config.page_size = 3  # frozen


def test_every_problem_is_reported_at_once_with_suggestions(tmp_path):
    path = write(tmp_path, 'base_url = "ftp://x"\ntimezone = "Mars/Olympus"\npage_sise = 3\n'
                           '[languages.en]\ntitel = "x"\n[languages.EN]\ntitle = "y"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [p.message for p in caught.value.problems] == [
        "unknown key 'page_sise'. Did you mean 'page_size'?",
        "base_url 'ftp://x' must be an absolute http(s) URL such as \"https://user.github.io/repo/\".",
        "unknown timezone 'Mars/Olympus'; use an IANA name such as \"Europe/Paris\" or \"UTC\".",
        "unknown key 'languages.en.titel'. Did you mean 'title'?",
        "languages.en.title is missing; every language needs a site title.",
        "language code 'EN' must be two or three lowercase letters (ISO 639), e.g. 'en'.",
    ]
    assert all(p.path == path for p in caught.value.problems)


def test_command_line_base_url_overrides_the_file(tmp_path):
    config = load_config(write(tmp_path, site_toml()), base_url="http://127.0.0.1:9000/preview")
    assert config.base_url == "http://127.0.0.1:9000/preview/"


def test_toml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, 'base_url = "https://x.org/"\npage_size = = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == (path, 2)
    assert problem.message.startswith("invalid TOML: ")


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert str(caught.value) == f"{tmp_path / 'nope.toml'}: config file not found. Create site.toml or pass --config FILE."


def test_a_language_without_a_description_describes_itself_by_its_title(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('base_url = "https://example.org/"\n[languages.en]\ntitle = "The Digest"\n', encoding="utf-8")
    assert load_config(path).language("en").description == "The Digest"
