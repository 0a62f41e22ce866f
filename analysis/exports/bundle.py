"""The bundle: a zip of the data files, the codebook, the analysis JSON and manifest.json.

manifest.json lists every other file of the zip with its size and SHA-256, so a recipient
can check the files (``sha256sum``) without trusting the transport.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

MANIFEST = "manifest.json"
BLOCK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def file_entries(files: list[Path]) -> list[dict]:
    return [{"name": f.name, "bytes": f.stat().st_size, "sha256": sha256_of(f)} for f in files]


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def write_bundle(files: list[Path], header: dict, path: Path) -> dict:
    """Zip ``files`` with a manifest (``header`` + the files' hashes) into ``path``; returns the manifest."""
    manifest = {**header, "files": file_entries(files)}
    manifest_path = write_json(manifest, path.parent / MANIFEST)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for f in [*files, manifest_path]:
            bundle.write(f, arcname=f.name)
    return manifest
