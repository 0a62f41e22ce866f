"""Every user-visible string has an Indonesian translation.

The catalogs in the repository are compared with what ``makemessages`` extracts
from the current code, so a new string without a translation fails here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
# catalog folder -> the source folders whose strings it holds
CATALOGS = {
    ROOT / "locale": ["trialsite", "templates"],
    **{ROOT / app / "locale": [app] for app in ("enrollment", "observations", "observations/safety", "analysis")},
}
# An app folder inside another app's folder keeps its own catalog: its strings are not the outer app's.
NESTED_APPS = {"observations": ["observations/safety"]}
EXISTING = {catalog: sources for catalog, sources in CATALOGS.items() if catalog.exists()}


def _extract(sources: list[str], tmp_path: Path) -> set[str]:
    """Run makemessages on a copy of ``sources`` and return the msgids it finds."""
    if not shutil.which("xgettext"):
        pytest.fail("makemessages needs GNU gettext: apt-get install -y gettext")
    for source in sources:
        shutil.copytree(ROOT / source, tmp_path / source, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "trialsite.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "--no-obsolete"]
        + [f"--ignore={nested}" for source in sources for nested in NESTED_APPS.get(source, [])],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {e.msgid for e in polib.pofile(str(tmp_path / "locale/id/LC_MESSAGES/django.po"))}


@pytest.mark.parametrize("catalog", list(EXISTING), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete_and_has_no_fuzzy_entries(catalog):
    po = polib.pofile(str(catalog / "id/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("catalog", list(EXISTING), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_in_the_code_is_in_the_catalog(catalog, tmp_path):
    found = _extract(EXISTING[catalog], tmp_path)
    translated = {e.msgid for e in polib.pofile(str(catalog / "id/LC_MESSAGES/django.po")) if e.translated()}
    assert sorted(found - translated) == []


def test_the_project_catalog_exists():
    assert (ROOT / "locale/id/LC_MESSAGES/django.po").exists()
