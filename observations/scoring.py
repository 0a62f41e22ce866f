"""The milk-production score of instrument.md: pure, no ORM, no request.

``score = 1 + number of indicators met`` (1..5). Thresholds are per-study settings
(``InstrumentSettings``); :class:`Thresholds` carries them as plain values so the
same function serves the form, the API, the import and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Thresholds:
    feeds_min: int = 8
    feeds_max: int = 12
    wet_diapers_min: int = 6
    sleep_hours_min: Decimal = Decimal("2.0")
    breast_met_when: bool = True  # I4 is met when breast_full_then_soft equals this


DEFAULT_THRESHOLDS = Thresholds()


def indicators(
    *,
    feeds_24h: int,
    wet_diapers_24h: int,
    sleep_after_feed_hours: Decimal,
    breast_full_then_soft: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[bool, bool, bool, bool]:
    """Whether each of the four indicators (I1..I4) is met."""
    return (
        thresholds.feeds_min <= feeds_24h <= thresholds.feeds_max,
        wet_diapers_24h >= thresholds.wet_diapers_min,
        Decimal(str(sleep_after_feed_hours)) >= thresholds.sleep_hours_min,
        breast_full_then_soft is thresholds.breast_met_when,
    )


def compute_score(
    *,
    feeds_24h: int,
    wet_diapers_24h: int,
    sleep_after_feed_hours: Decimal,
    breast_full_then_soft: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> int:
    """The score 1..5 for one day's recorded fields."""
    met = indicators(
        feeds_24h=feeds_24h,
        wet_diapers_24h=wet_diapers_24h,
        sleep_after_feed_hours=sleep_after_feed_hours,
        breast_full_then_soft=breast_full_then_soft,
        thresholds=thresholds,
    )
    return 1 + sum(met)
