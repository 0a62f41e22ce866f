"""Eligibility as a pure function of the screening answers (no ORM, no request).

A mother is eligible iff every inclusion criterion is answered yes and every
exclusion criterion is answered no. An unanswered criterion makes her not
eligible, with that criterion as the reason.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

INCLUSION = "inclusion"
EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str  # INCLUSION or EXCLUSION


@dataclass(frozen=True)
class Reason:
    code: str
    kind: str
    unanswered: bool


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]

    @property
    def failed_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.reasons)


def _fails(rule: Rule, answer: bool | None) -> bool:
    if answer is None:
        return True
    return answer is not (rule.kind == INCLUSION)


def assess(rules: Sequence[Rule], answers: Mapping[str, bool | None]) -> Eligibility:
    """The eligibility verdict and its reasons (the criteria that failed, in the rules' order)."""
    if not rules:
        raise ValueError("A study needs at least one eligibility criterion before screening.")
    for rule in rules:
        if rule.kind not in (INCLUSION, EXCLUSION):
            raise ValueError(f"Unknown criterion kind {rule.kind!r}")
    reasons = tuple(
        Reason(rule.code, rule.kind, answers.get(rule.code) is None)
        for rule in rules
        if _fails(rule, answers.get(rule.code))
    )
    return Eligibility(eligible=not reasons, reasons=reasons)
