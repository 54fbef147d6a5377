"""A site of one's own, as a new user makes it: the wheel installed in a fresh virtual environment,
used from an empty folder with no file of this repository in sight; and a site that overrides one
template of the packaged theme."""
from __future__ import annotations

import os
import subprocess
import sys
import venv

import pytest

from conftest import ROOT, make_fixture_site


def _run(cmd, cwd, env):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this repository, installed in a fresh venv. The venv sees this machine's
    site-packages for the dependencies only: its own newsdigest, from the wheel, comes first."""
    work = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
         work, os.environ.copy())
    [wheel] = work.glob("newsdigest-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], work, env)
    where = _run([python, "-c", "import newsdigest; print(newsdigest.__file__)"], tmp_path_factory.mktemp("empty"), env)
    assert where.strip().startswith(str(env_dir)), where  # not the repository's copy
    return env_dir / "bin" / "newsdigest", env


def test_a_new_user_starts_builds_and_checks_a_site(installed, tmp_path):
    newsdigest, env = installed
    version = _run([newsdigest, "--version"], tmp_path, env)
    assert version.startswith("newsdigest ")
    said = _run([newsdigest, "new", "mysite"], tmp_path, env)
    assert "cd mysite" in said and "newsdigest serve" in said
    site = tmp_path / "mysite"
    assert not (site / "templates").exists() and not (site / "locales").exists()  # the theme is the package's
    built = _run([newsdigest, "build"], site, env)
    assert built.startswith("Built ")
    assert (site / "site" / "en" / "index.html").is_file() and (site / "site" / "assets" / "style.css").is_file()
    welcome = next((site / "site" / "fr").glob("*/*/*/bienvenue-dans-votre-revue-de-presse/index.html"))
    assert "Bienvenue dans votre revue de presse" in welcome.read_text()
    checked = _run([newsdigest, "check"], site, env)
    assert "no problems" in checked


def test_one_overridden_template_takes_effect_and_the_rest_comes_from_the_theme(tmp_path):
    site = make_fixture_site(tmp_path / "project", "basic", templates=tmp_path / "project" / "templates")
    own = site.write("templates/article.html", (ROOT / "templates" / "article.html").read_text().replace(
        "{% block main %}", "{% block main %}<p class=\"own-theme\">Our own article template</p>", 1))
    site.write("templates/static/style.css", "body { color: #111; }\n")
    site.build()
    article = next(site.out.glob("en/2026/*/*/*/index.html")).read_text()
    front = site.page("en/")
    assert "Our own article template" in article and "Our own article template" not in front
    assert "<nav" in front  # list.html and base.html still come from the theme
    assert (site.out / "assets" / "style.css").read_text() == "body { color: #111; }\n"
    assert (site.out / "assets" / "favicon.svg").is_file()
    assert own.is_file()
