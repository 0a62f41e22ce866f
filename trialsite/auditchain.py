"""Tamper evidence for the audit trail: a hash chain over every event and its context.

When a transaction that wrote audit events commits, the database appends one
link per event to ``trialsite_auditseal`` (``trialsite/privileges.py``):
SHA-256 over the previous link, the event row and its context (who, URL, why)
as committed. :func:`verify_chain` recomputes every link and names the first
event that no longer matches — an event edited or deleted, a context edited,
a link removed, an event that was never sealed (written with the triggers
switched off), or a chain cut short after the last verification.

What it cannot catch: someone with the owner's or a superuser's rights who
rewrites the chain from the altered event onwards *and* every verification
record. Keep the printed head digest somewhere else (the trial master file)
to catch that too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from trialsite.models import AuditSeal, AuditVerification
from trialsite.privileges import CONTEXT_TABLE, SEAL_TABLE, event_tables

FIRST_BROKEN_LINK_SQL = f"""
WITH chain AS (
  SELECT s.*,
         coalesce(lag(s.digest) OVER (ORDER BY s.id), '') AS expected_previous,
         last_value(s.context) OVER (PARTITION BY s.context_id ORDER BY s.id
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS latest_context,
         trialsite_audit_digest(s.event_table, s.event_id, s.columns, s.context, s.previous) AS recomputed
  FROM {SEAL_TABLE} s
), checked AS (
  SELECT chain.id, chain.event_table, chain.event_id,
    CASE
      WHEN chain.previous <> chain.expected_previous THEN 'link'
      WHEN chain.recomputed IS NULL THEN 'missing'
      WHEN chain.recomputed <> chain.digest THEN 'changed'
      WHEN chain.context_id IS NOT NULL AND NOT coalesce(
        (SELECT c.metadata = chain.latest_context AND c.metadata @> chain.context
         FROM {CONTEXT_TABLE} c WHERE c.id = chain.context_id), false) THEN 'context'
    END AS problem
  FROM chain
)
SELECT event_table, event_id, problem FROM checked WHERE problem IS NOT NULL ORDER BY id LIMIT 1
"""

UNSEALED_SQL = """
SELECT min(e.pgh_id) FROM "{table}" e
WHERE NOT EXISTS (SELECT 1 FROM {seals} s WHERE s.event_table = %s AND s.event_id = e.pgh_id)
"""


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events_checked: int
    head: str
    first_broken: str = ""
    problem: str = ""  # a code: see describe()


def describe(problem: str) -> str:
    """What a problem code means, in the reader's language."""
    return _problems().get(problem, problem)


def _problems() -> dict[str, str]:
    return {
        "link": _("a link of the chain was removed or reordered"),
        "missing": _("the event was deleted"),
        "changed": _("the event or its sealed context was changed"),
        "context": _("its context (who, where, why) was changed"),
        "unsealed": _("the event was written with the audit triggers switched off"),
        "cut": _("the chain no longer reaches the last digest verified"),
    }


def _first_broken_link(cursor) -> tuple[str, str] | None:
    cursor.execute(FIRST_BROKEN_LINK_SQL)
    row = cursor.fetchone()
    return (f"{row[0]} #{row[1]}", row[2]) if row else None


def _first_unsealed_event(cursor) -> tuple[str, str] | None:
    for table in event_tables():
        cursor.execute(UNSEALED_SQL.format(table=table, seals=SEAL_TABLE), [table])
        event_id = cursor.fetchone()[0]
        if event_id is not None:
            return f"{table} #{event_id}", "unsealed"
    return None


def _chain_cut(head: str) -> tuple[str, str] | None:
    last = AuditVerification.objects.filter(intact=True).exclude(head="").first()
    if last and not AuditSeal.objects.filter(digest=last.head).exists():
        return "", "cut"
    return None


def verify_chain() -> ChainReport:
    """Walk the whole chain (one consistent snapshot); report the first event that does not match."""
    with connection.cursor() as cursor:
        last = AuditSeal.objects.order_by("-id").values_list("digest", flat=True).first() or ""
        count = AuditSeal.objects.count()
        broken = _first_broken_link(cursor) or _first_unsealed_event(cursor) or _chain_cut(last)
    if broken is None:
        return ChainReport(True, count, last)
    return ChainReport(False, count, last, broken[0], broken[1])


def record_verification(report: ChainReport) -> AuditVerification:
    """Store the outcome for the coordinator's audit page."""
    return AuditVerification.objects.create(
        intact=report.intact,
        events_checked=report.events_checked,
        head=report.head,
        first_broken=report.first_broken,
        problem=report.problem,
    )


def last_verification() -> AuditVerification | None:
    return AuditVerification.objects.first()
