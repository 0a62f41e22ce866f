"""The demo study's locked analysis plan (``seed_demo``): the design's default, locked by the investigator."""

from django.contrib.auth import get_user_model

from analysis import plans
from analysis.models import AnalysisPlan
from enrollment.models import Study

DEMO_PLAN_LOCKED_BY = "investigator"
DEMO_PLAN_REASON = "Rencana analisis ditetapkan sebelum hasil per kelompok dilihat"


def seed_locked_plan(study: Study) -> AnalysisPlan:
    """Lock the design's default plan of ``study`` as the demo investigator. Idempotent."""
    plan = plans.current_plan(study)
    if plan.is_locked:
        return plan
    user = get_user_model().objects.get(username=DEMO_PLAN_LOCKED_BY)
    return plans.lock_plan(study=study, by=user, reason=DEMO_PLAN_REASON)
