"""Aggregate reports of enrolment: the participant flow (CONSORT/TREND) and the baseline table.

Both aggregate in the database with a fixed number of queries, whatever the study size.
"""

from django.db.models import Avg, Count, Q, StdDev
from django.utils.translation import gettext_lazy as _

from enrollment.models import (
    Criterion,
    DeliveryMode,
    Participant,
    ParticipantStatus,
    Screening,
    ScreeningAnswer,
    Study,
)
from enrollment.schedule import LEFT_STATUSES
from trialsite.numbers import decimal


def _ineligible_reasons(study: Study) -> list[dict]:
    counts = dict(
        ScreeningAnswer.objects.filter(screening__study=study, screening__eligible=False, failed=True)
        .values_list("criterion")
        .annotate(n=Count("id"))
    )
    return [
        {"code": c.code, "kind": c.kind, "text": c.text, "count": counts[c.pk]}
        for c in Criterion.objects.filter(study=study)
        if counts.get(c.pk)
    ]


def _arm_rows(study: Study) -> list[dict]:
    by_status = {
        (row["arm"], row["status"]): row["n"]
        for row in Participant.objects.filter(study=study).values("arm", "status").annotate(n=Count("id"))
    }
    reasons: dict[int, list[dict]] = {}
    for row in (
        Participant.objects.filter(study=study, status__in=LEFT_STATUSES)
        .values("arm", "status", "status_reason")
        .annotate(n=Count("id"))
        .order_by("arm", "status", "-n", "status_reason")
    ):
        reasons.setdefault(row["arm"], []).append(
            {"status": row["status"], "reason": row["status_reason"], "count": row["n"]}
        )
    rows = []
    for arm in study.arms.order_by("order", "code"):
        counts = {s: by_status.get((arm.pk, s), 0) for s in ParticipantStatus.values}
        rows.append(
            {
                "code": arm.code,
                "label": arm.label,
                "allocated": sum(counts.values()),
                "active": counts[ParticipantStatus.ACTIVE],
                "completed": counts[ParticipantStatus.COMPLETED],
                "withdrawn": counts[ParticipantStatus.WITHDRAWN],
                "lost_to_follow_up": counts[ParticipantStatus.LOST_TO_FOLLOW_UP],
                "left_reasons": reasons.get(arm.pk, []),
            }
        )
    return rows


def flow_counts(study: Study) -> dict:
    """Participant flow: screened → ineligible (by reason) → enrolled → per arm → completed / left.

    Every participant is in it: ``enrolled`` = screened − ineligible − eligible not enrolled
    + ``enrolled_without_screening`` (participants imported without a screening record), and per
    arm ``allocated`` = active + completed + withdrawn + lost to follow-up. How many of each arm
    are analysed is the analysis's to say (``analysis.visibility.flow_with_analysis``). An
    ineligible mother may fail several criteria, so reason counts can add up to more than
    ``ineligible``.
    """
    counts = Screening.objects.filter(study=study).aggregate(
        n_screened=Count("id"),
        n_ineligible=Count("id", filter=Q(eligible=False)),
        n_eligible=Count("id", filter=Q(eligible=True)),
        n_eligible_enrolled=Count("id", filter=Q(eligible=True, participant__isnull=False)),
    )
    arms = _arm_rows(study)
    return {
        "screened": counts["n_screened"],
        "ineligible": counts["n_ineligible"],
        "eligible": counts["n_eligible"],
        "eligible_not_enrolled": counts["n_eligible"] - counts["n_eligible_enrolled"],
        "eligible_enrolled": counts["n_eligible_enrolled"],
        "enrolled_without_screening": Participant.objects.filter(study=study, screening__isnull=True).count(),
        "ineligible_reasons": _ineligible_reasons(study),
        "enrolled": sum(a["allocated"] for a in arms),
        "arms": arms,
        "n_days": study.n_days,
    }


def _mean_sd(mean, sd, digits: int = 1) -> str:
    if mean is None:
        return "–"
    return f"{decimal(mean, digits)} ({decimal(sd or 0, digits)})"


def _n_pct(count: int, total: int) -> str:
    return f"{count} ({100 * count / total:.0f}%)" if total else "0"


BASELINE_AGGREGATES = {
    "n": Count("id"),
    "age_mean": Avg("age_years"),
    "age_sd": StdDev("age_years", sample=True),
    "primiparous": Count("id", filter=Q(parity=1)),
    "multiparous": Count("id", filter=Q(parity__gte=2)),
    "vaginal": Count("id", filter=Q(delivery_mode=DeliveryMode.VAGINAL)),
    "caesarean": Count("id", filter=Q(delivery_mode=DeliveryMode.CAESAREAN)),
    "weight_mean": Avg("infant_birth_weight_g"),
    "weight_sd": StdDev("infant_birth_weight_g", sample=True),
    "age_missing": Count("id", filter=Q(age_years__isnull=True)),
    "parity_missing": Count("id", filter=Q(parity__isnull=True)),
    "delivery_missing": Count("id", filter=Q(delivery_mode="")),
    "weight_missing": Count("id", filter=Q(infant_birth_weight_g__isnull=True)),
}
COUNTS = ("n", "primiparous", "multiparous", "vaginal", "caesarean", "age_missing", "parity_missing",
          "delivery_missing", "weight_missing")  # fmt: skip


def _baseline_cells(agg: dict) -> list[str]:
    n = agg["n"]
    return [
        _mean_sd(agg["age_mean"], agg["age_sd"]),
        str(agg["age_missing"]),
        _n_pct(agg["primiparous"], n),
        _n_pct(agg["multiparous"], n),
        str(agg["parity_missing"]),
        _n_pct(agg["vaginal"], n),
        _n_pct(agg["caesarean"], n),
        str(agg["delivery_missing"]),
        _mean_sd(agg["weight_mean"], agg["weight_sd"], 0),
        str(agg["weight_missing"]),
    ]


BASELINE_ROWS = (
    _("Age (years), mean (SD)"),
    _("Age missing, n"),
    _("Primiparous (parity 1), n (%)"),
    _("Multiparous (parity ≥ 2), n (%)"),
    _("Parity missing, n"),
    _("Vaginal delivery, n (%)"),
    _("Caesarean delivery, n (%)"),
    _("Delivery mode missing, n"),
    _("Infant birth weight (g), mean (SD)"),
    _("Infant birth weight missing, n"),
)
"""Every characteristic has its "missing" row: a participant without a value is counted, never dropped."""


def baseline_table(study: Study) -> dict:
    """Baseline characteristics of the enrolled participants per arm and in total.

    Returns ``{"columns": [{"label", "n"}…], "rows": [{"label", "values": [str…]}…]}``,
    one value per column (arms in order, then the total).
    """
    participants = Participant.objects.filter(study=study)
    per_arm = {row["arm"]: row for row in participants.values("arm").annotate(**BASELINE_AGGREGATES)}
    total = participants.aggregate(**BASELINE_AGGREGATES)
    empty = {key: (0 if key in COUNTS else None) for key in BASELINE_AGGREGATES}
    columns, cells = [], []
    for arm in study.arms.order_by("order", "code"):
        agg = per_arm.get(arm.pk, empty)
        columns.append({"label": arm.label, "n": agg["n"]})
        cells.append(_baseline_cells(agg))
    columns.append({"label": _("Total"), "n": total["n"]})
    cells.append(_baseline_cells(total))
    rows = [{"label": label, "values": [col[i] for col in cells]} for i, label in enumerate(BASELINE_ROWS)]
    return {"columns": columns, "rows": rows}
