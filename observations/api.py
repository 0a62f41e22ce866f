"""``/api/v1/observations/``: scoped like the pages; writes go through the services."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment.access import get_participant_for_user, get_study_for_user
from enrollment.models import Participant
from observations import services
from observations.access import get_observation_for_user
from observations.completeness import DEFINITION, completeness_by_site_and_day
from observations.models import Observation
from observations.serializers import ObservationInputSerializer, ObservationSerializer
from observations.validation import DATA_FIELDS
from trialsite.api_permissions import HasCapability
from trialsite.roles import Capability, can


class ObservationWritePermission(permissions.IsAuthenticated):
    """Anyone signed in reads (scoped by site: a user without a site sees none); writing needs
    RECORD_OBSERVATIONS."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or can(request.user, Capability.RECORD_OBSERVATIONS)


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise serializers.ValidationError({name: [_("Enter a whole number.")]})
    return int(raw)


class ObservationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """List (filters ``participant``, ``day``), retrieve, create, update (with ``reason`` and ``version``)."""

    serializer_class = ObservationSerializer
    permission_classes = [ObservationWritePermission]

    def get_queryset(self):
        queryset = Observation.objects.for_user(self.request.user).select_related("participant").order_by("id")
        for name, lookup in (("participant", "participant_id"), ("day", "day")):
            value = _int_param(self.request, name)
            if value is not None:
                queryset = queryset.filter(**{lookup: value})
        return queryset

    def get_object(self):
        write = self.request.method not in permissions.SAFE_METHODS
        return get_observation_for_user(self.request.user, self.kwargs["pk"], write=write)

    @extend_schema(
        request=ObservationInputSerializer,
        responses={
            201: ObservationSerializer,
            200: ObservationSerializer,
            409: OpenApiResponse(description="The idempotency_key was already used for another participant or day"),
        },
        description="Record a day. A resend with the same idempotency_key returns the stored row (200).",
    )
    def create(self, request, *args, **kwargs):
        data = ObservationInputSerializer(data=request.data)
        if not data.is_valid():
            raise serializers.ValidationError(self._every_error(request, data))
        participant = get_participant_for_user(request.user, data.validated_data["participant"], write=True)
        observation, created = services.record_observation_once(
            participant=participant, day=data.validated_data["day"], values=data.values(),
            by=request.user, idempotency_key=data.validated_data.get("idempotency_key"),
        )  # fmt: skip
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ObservationSerializer(observation, context={"request": request}).data, status=code)

    @extend_schema(
        request=ObservationInputSerializer,
        responses={
            200: ObservationSerializer,
            409: OpenApiResponse(description="Stale version: current and submitted"),
        },
        description=(
            "Correct a day: send the version you loaded and a reason. A stale version gets 409, unless this "
            "correction (the same idempotency_key, from the same user) was already made: then 200 with the row."
        ),
    )
    def update(self, request, *args, **kwargs):
        observation = self.get_object()
        data = ObservationInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "version" not in data.validated_data:
            raise serializers.ValidationError({"version": [_("The version you are changing is required.")]})
        values = {name: getattr(observation, name) for name in DATA_FIELDS} | data.values()
        try:
            saved = services.correct_observation(
                observation=observation, values=values, by=request.user,
                reason=data.validated_data.get("reason", ""), expected_version=data.validated_data["version"],
                key=data.validated_data.get("idempotency_key"),
            )  # fmt: skip
        except services.ObservationConflict as conflict:
            return self._conflict(conflict)
        return Response(ObservationSerializer(saved, context={"request": request}).data)

    def _every_error(self, request, data: ObservationInputSerializer) -> dict:
        """The serializer's type errors and, where the participant and day are readable, the service's rules."""
        errors = dict(data.errors)
        raw = request.data if isinstance(request.data, dict) else {}
        pid, day = raw.get("participant"), raw.get("day")
        if not (isinstance(pid, int) and isinstance(day, int)) or {"participant", "day"} & set(errors):
            return errors
        participant = get_participant_for_user(request.user, pid, write=True)
        readable = {name: raw.get(name) for name in DATA_FIELDS if name not in errors}
        problems = services.observation_problems(participant=participant, day=day, values=readable)
        return {**{f: m for f, m in problems.items() if f not in errors}, **errors}

    def _conflict(self, conflict: services.ObservationConflict) -> Response:
        current = conflict.current
        mine = Observation(
            participant=current.participant, day=current.day, version=current.version, **conflict.submitted
        )
        return Response(
            {
                "detail": _("This observation was changed by someone else since you loaded it."),
                "current": ObservationSerializer(current, context={"request": self.request}).data,
                "submitted": ObservationSerializer(mine, context={"request": self.request}).data,
            },
            status=status.HTTP_409_CONFLICT,
        )


class CompletenessView(APIView):
    """``GET /api/v1/completeness/?study=SLUG``: the numbers of the completeness page and the dashboard."""

    permission_classes = [HasCapability]
    capability = Capability.READ_RESULTS  # the dashboard's completeness table, as JSON

    @extend_schema(
        parameters=[OpenApiParameter("study", str, description="study slug (default: the first study you can see)")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        study = get_study_for_user(request.user, request.query_params.get("study") or None)
        today = services.local_today()
        sites = completeness_by_site_and_day(study, Participant.objects.for_user(request.user), today=today)
        return Response({
            "study": study.slug, "today": today.isoformat(), "definition": DEFINITION,
            "sites": [site.as_dict() for site in sites],
        })  # fmt: skip
