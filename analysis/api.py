"""``GET /api/v1/analysis/?study=SLUG&population=...&arms=a,b``: the dict of ``compute_results``.

Coordinators and investigators only (midwives 403, anonymous 401). The study is loaded through
``enrollment.access.get_study_for_user`` (404 when the caller cannot see it). While outcomes are
masked for the caller the answer is the pooled figures (no group, no comparison), as on the
dashboard: ``analysis.visibility.visible_results`` decides, for every channel.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from analysis.results import POPULATIONS
from analysis.visibility import visible_results
from enrollment.access import get_study_for_user
from trialsite.api_permissions import HasCapability
from trialsite.numbers import machine_numbers
from trialsite.roles import Capability


def _population(request) -> str:
    population = request.query_params.get("population") or POPULATIONS[0]
    if population not in POPULATIONS:
        message = _("Unknown population “%(population)s”: use one of %(choices)s.")
        raise serializers.ValidationError(
            {"population": [message % {"population": population, "choices": ", ".join(POPULATIONS)}]}
        )
    return population


def _arms(request) -> list[str] | None:
    raw = request.query_params.get("arms")
    return [code.strip() for code in raw.split(",") if code.strip()] if raw else None


class AnalysisViewSet(viewsets.ViewSet):
    """The full analysis of one study, the same numbers as the dashboard and ``manage.py analyze --json``."""

    permission_classes = [HasCapability]
    capability = Capability.READ_RESULTS

    @extend_schema(
        parameters=[
            OpenApiParameter("study", str, description="study slug (default: the first study you can see)"),
            OpenApiParameter("population", str, enum=list(POPULATIONS), description="default complete_cases"),
            OpenApiParameter("arms", str, description="comma-separated arm codes, in comparison order"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        population = _population(request)
        study = get_study_for_user(request.user, request.query_params.get("study") or None)
        try:
            with machine_numbers():  # the warnings' numbers as the JSON's: with a decimal point
                visible = visible_results(request.user, study, population=population, arms=_arms(request))
        except ValueError as error:
            raise serializers.ValidationError({"arms": [str(error)]}) from error
        return Response(visible.result)
