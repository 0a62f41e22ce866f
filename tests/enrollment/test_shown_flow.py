"""The participant flow as a viewer sees it: per arm while arms are shown; while they are hidden, only
each arm's allocated count, and what followed allocation counted for all arms together."""

from django.utils import translation

from enrollment.visibility import shown_flow


def arm_row(code: str, allocated: int, withdrawn: int, reasons: list[dict]) -> dict:
    not_analysed = [{"reason": "withdrawn", "label": "Withdrawn", "count": withdrawn}] if withdrawn else []
    return {"code": code, "label": code.title(), "allocated": allocated, "active": 0,
            "completed": allocated - withdrawn, "withdrawn": withdrawn, "lost_to_follow_up": 0,
            "left_reasons": reasons, "analysed": allocated - withdrawn, "not_analysed": withdrawn,
            "not_analysed_reasons": not_analysed}  # fmt: skip


FLOW = {
    "enrolled": 5,
    "arms": [
        arm_row("moringa", 3, 1, [{"status": "withdrawn", "reason": "moved away", "count": 1}]),
        arm_row("massage", 2, 0, []),
    ],
}


def test_shown_arms_keep_every_count_per_arm():
    shown = shown_flow(FLOW, arms_hidden=False)
    assert shown["pooled"] is None
    assert shown["arms"] == FLOW["arms"]


def test_hidden_arms_keep_only_their_allocated_count():
    shown = shown_flow(FLOW, arms_hidden=True)
    assert shown["arms"] == [
        {"code": "moringa", "label": "Moringa", "allocated": 3},
        {"code": "massage", "label": "Massage", "allocated": 2},
    ]
    assert FLOW["arms"][0]["withdrawn"] == 1  # the flow it was given is left as it was


def test_hidden_arms_count_what_followed_allocation_together():
    with translation.override("en"):
        pooled = shown_flow(FLOW, arms_hidden=True)["pooled"]
    assert pooled["label"] == "All arms"
    assert (pooled["allocated"], pooled["completed"], pooled["withdrawn"], pooled["analysed"]) == (5, 4, 1, 4)
    assert pooled["left_reasons"] == [{"status": "withdrawn", "reason": "moved away", "count": 1}]
    assert pooled["not_analysed_reasons"] == [{"reason": "withdrawn", "label": "Withdrawn", "count": 1}]


def test_equal_reasons_of_several_arms_are_summed():
    reason = {"status": "lost_to_follow_up", "reason": "", "count": 2}
    flow = {"arms": [arm_row("a", 4, 0, [reason]), arm_row("b", 4, 0, [reason | {"count": 3}])]}
    assert shown_flow(flow, arms_hidden=True)["pooled"]["left_reasons"] == [reason | {"count": 5}]
