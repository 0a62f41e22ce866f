"""Adverse events summarised by arm: mothers with any event, by term and severity.

The caller says whether outcomes are masked for the viewer (``analysis.masking`` decides that);
masked, every figure is pooled over the arms, so the summary cannot reveal an arm difference.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from enrollment.models import Study
from observations.safety import queries
from observations.safety.models import AdverseEvent, AETerm, Severity

POOLED = "all"


def _groups(study: Study, masked: bool) -> list[dict]:
    arms = list(study.arms.annotate(n=Count("participants")).order_by("order", "code"))
    if masked:
        label = _("All participants (pooled: outcomes are masked)")
        return [{"code": POOLED, "label": label, "n": sum(a.n for a in arms)}]
    return [{"code": a.code, "label": a.label, "n": a.n} for a in arms]


def ae_summary(study: Study, *, masked: bool) -> dict:
    """Participants with at least one adverse event, per group; and per term, by severity."""
    groups = _groups(study, masked)
    events = AdverseEvent.objects.filter(participant__study=study)
    group_of = (lambda code: POOLED) if masked else (lambda code: code)
    anyone, serious = defaultdict(set), defaultdict(set)
    cells: dict = defaultdict(lambda: defaultdict(set))
    for arm, pk, term, severity, is_serious in events.values_list(
        "participant__arm__code", "participant_id", "term", "severity", "serious"
    ):
        group = group_of(arm)
        anyone[group].add(pk)
        if is_serious:
            serious[group].add(pk)
        cells[(term, group)][severity].add(pk)
        cells[(term, group)]["any"].add(pk)
    for g in groups:
        g["any"], g["serious"] = len(anyone[g["code"]]), len(serious[g["code"]])
    terms = [
        {
            "term": label,
            "cells": [{s: len(cells[(value, g["code"])][s]) for s in ("any", *Severity.values)} for g in groups],
        }
        for value, label in AETerm.choices
        if any(cells[(value, g["code"])]["any"] for g in groups)
    ]
    return {"masked": masked, "groups": groups, "terms": terms, "severities": Severity.choices}


def dashboard_context(user, study: Study, *, masked: bool) -> dict:
    """What the results dashboard shows of safety and data management for ``user``."""
    return {
        "ae_summary": ae_summary(study, masked=masked),
        "query_counts": queries.open_counts_by_site_and_age(user),
        "query_bands": [label for _low, _high, label in queries.AGE_BANDS],
    }
