"""Compile the ``.po`` catalogs to ``.mo`` in pure Python.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a fresh
machine with only Python does not have; polib writes the same ``.mo`` files.
"""

from pathlib import Path

import polib
from django.conf import settings


def catalog_dirs() -> list[Path]:
    """Every ``locale`` folder: the project's and each local app's."""
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    dirs += [
        settings.BASE_DIR / app / "locale"
        for app in ("trialsite", "enrollment", "observations", "observations/safety", "analysis")
    ]
    return [d for d in dirs if d.is_dir()]


def compile_catalogs(*, force: bool = False) -> list[Path]:
    """Write ``django.mo`` beside every ``django.po`` that is newer (or all, with ``force``)."""
    written = []
    for directory in catalog_dirs():
        for po_path in sorted(directory.glob("*/LC_MESSAGES/django.po")):
            mo_path = po_path.with_suffix(".mo")
            if force or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                written.append(mo_path)
    return written
