"""De-identification: what a viewer without the identifiers capability sees instead of a
participant's ID, her dates and free text — on every page, API response and export.

- **Pseudonym** instead of the participant ID:
  pseudonym = "P-" + the first 16 hex digits of HMAC-SHA256(key, participant_id), where
key = HMAC-SHA256(SECRET_KEY, "trialsite-export-pseudonym:" + study slug). The same
participant gets the same pseudonym in every export of the study for as long as
SECRET_KEY stays the same; without the key the pseudonym cannot be traced back to the
participant ID (whose site prefix and number could otherwise reveal who she is).
- **Study days** instead of calendar dates: :func:`offset_days`, days relative to the
  intervention start (day 1 is 0), as the export's ``*_offset_days`` columns.
- **No free text** (notes, reasons, narratives) and no name, phone or date of birth: they can
  name a person. Which fields those are is each serializer's and page's declaration; what
  replaces them is :mod:`enrollment.visibility`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from django.conf import settings

PREFIX = "P-"
DIGITS = 16
BLOCK_SIZE = 64  # SHA-256 block size in bytes


def study_key(slug: str) -> bytes:
    """The per-study pseudonym key, derived from SECRET_KEY and the study slug (never stored)."""
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), f"trialsite-export-pseudonym:{slug}".encode(), hashlib.sha256
    ).digest()


def pseudonym(key: bytes, participant_id: str) -> str:
    """The participant's pseudonym under ``key`` (see the module docstring)."""
    return PREFIX + hmac.new(key, participant_id.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGITS]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(key XOR ipad, key XOR opad) of RFC 2104 for SHA-256, so the database can compute the same HMAC:
    HMAC(key, m) = SHA256(outer || SHA256(inner || m)). See ``PSEUDONYM_SQL``.
    """
    block = key.ljust(BLOCK_SIZE, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


PSEUDONYM_SQL = (
    f"'{PREFIX}' || left(encode(sha256(%(outer)s::bytea || sha256(%(inner)s::bytea"
    f" || convert_to({{column}}, 'UTF8'))), 'hex'), {DIGITS})"
)
"""The pseudonym computed by PostgreSQL (built-in sha256, no extension): equal to :func:`pseudonym`."""


def pseudonym_sql(column: str, slug: str) -> tuple[str, list]:
    """(SQL expression, params) giving the pseudonym of the participant ID in ``column``."""
    inner, outer = hmac_pads(study_key(slug))
    sql = PSEUDONYM_SQL.replace("%(outer)s", "%s").replace("%(inner)s", "%s").format(column=column)
    return sql, [outer, inner]


def pseudonyms(slug: str, participant_ids) -> dict[str, str]:
    """participant_id -> pseudonym for every ID given."""
    key = study_key(slug)
    return {pid: pseudonym(key, pid) for pid in participant_ids}


def offset_days(start: date, value: date | datetime | None) -> int | None:
    """``value`` as days relative to the intervention start ``start`` (the export's offsets)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return (value - start).days
