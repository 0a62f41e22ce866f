"""Static files: hashed, compressed names in every mode, collected on demand.

Pages link to ``bootstrap.min.<hash>.css``, never to a bare name, so WhiteNoise can
serve every file with a ten-year ``immutable`` cache header and a phone never
revalidates it; WhiteNoise also serves the gzip and brotli copies made here.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Django's manifest storage links bare names under DEBUG; this one links hashed names always.

    Each name's URL is worked out once per storage: the manifest is read when the storage is made and
    never changes under it, and every page links the same half-dozen files (a dozen microseconds each)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name, force=True)
            return url


def _newest_source() -> float:
    newest = 0.0
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            newest = max(newest, Path(storage.path(path)).stat().st_mtime)
    return newest


def collect_if_stale(*, verbosity: int = 0) -> bool:
    """Run ``collectstatic`` when ``STATIC_ROOT`` has no manifest or a source file is newer; True if it ran.

    Must run before WhiteNoise starts (it lists ``STATIC_ROOT`` once) and before any page is rendered.
    """
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source():
        return False
    call_command("collectstatic", interactive=False, clear=True, verbosity=verbosity)
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # reload the manifest if the storage was already in use
    return True
