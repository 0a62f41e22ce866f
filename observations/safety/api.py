"""``/api/v1/adverse-events/``, ``/api/v1/data-queries/``, ``/api/v1/deviations/``: scoped like the pages.

Reads go through the ``for_user`` querysets and the access helpers (404 outside the user's sites);
writes through the same services as the pages.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from enrollment.access import get_participant_for_user, get_site_for_user
from enrollment.models import Participant
from observations.models import Observation
from observations.safety import adverse_events, deviations, queries
from observations.safety import serializers as s
from observations.safety.access import get_adverse_event_for_user, get_deviation_for_user, get_query_for_user
from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation
from observations.services import ObservationConflict
from observations.validation import DATA_FIELDS
from trialsite.api_errors import Conflict
from trialsite.ids import one_or_none
from trialsite.roles import Capability, can, require


class RolePermission(permissions.IsAuthenticated):
    """``read_roles`` may read; each write checks its own roles in the access helper or service."""

    def has_permission(self, request, view):
        return super().has_permission(request, view) and can(request.user, view.read_capability)


def _api_error(exc: DjangoValidationError) -> DjangoValidationError:
    if isinstance(exc, Conflict):
        return exc  # the API's handler answers 409 (e.g. a locked study)
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class AdverseEventViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Adverse events at the caller's sites. Update = a follow-up (``version`` and ``reason`` required)."""

    serializer_class = s.AdverseEventSerializer
    permission_classes = [RolePermission]
    read_capability = Capability.READ_SAFETY
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        rows = AdverseEvent.objects.for_user(self.request.user).select_related("participant").order_by("id")
        if self.request.query_params.get("serious") in ("1", "true", "yes"):
            rows = rows.filter(serious=True)
        return rows

    def get_object(self):
        write = self.request.method not in permissions.SAFE_METHODS
        return get_adverse_event_for_user(self.request.user, self.kwargs["pk"], write=write)

    @extend_schema(request=s.AdverseEventInputSerializer, responses={201: s.AdverseEventSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, Capability.ENTER_ADVERSE_EVENTS)
        data = _valid(s.AdverseEventInputSerializer, request.data)
        if "participant" not in data.validated_data:
            raise serializers.ValidationError({"participant": ["This field is required."]})
        participant = get_participant_for_user(request.user, data.validated_data["participant"], write=True)
        try:
            event = adverse_events.record_adverse_event(participant=participant, values=data.values(), by=request.user)
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(
            s.AdverseEventSerializer(event, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.AdverseEventInputSerializer, responses={200: s.AdverseEventSerializer})
    def update(self, request, *args, **kwargs):
        event = self.get_object()
        data = _valid(s.AdverseEventInputSerializer, request.data, partial=True)
        if "version" not in data.validated_data:
            raise serializers.ValidationError({"version": ["The version you are following up is required."]})
        values = {name: getattr(event, name) for name in adverse_events.AE_FIELDS} | data.values()
        try:
            saved = adverse_events.follow_up_adverse_event(
                event=event, values=values, by=request.user, reason=data.validated_data.get("reason", ""),
                expected_version=data.validated_data["version"],
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.AdverseEventSerializer(saved, context={"request": request}).data)

    @extend_schema(request=None, responses={200: s.AdverseEventSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """An investigator or coordinator acknowledges a serious event."""
        require(request.user, Capability.REPORT_ADVERSE_EVENTS)
        event = get_adverse_event_for_user(request.user, pk)
        try:
            event = adverse_events.acknowledge_adverse_event(event=event, by=request.user)
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.AdverseEventSerializer(event, context={"request": request}).data)

    @extend_schema(request=s.ReportInputSerializer, responses={200: s.AdverseEventSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Record that a serious event was reported, with the report's reference (stops its clock)."""
        require(request.user, Capability.REPORT_ADVERSE_EVENTS)
        event = get_adverse_event_for_user(request.user, pk)
        data = _valid(s.ReportInputSerializer, request.data)
        try:
            event = adverse_events.report_adverse_event(
                event=event, by=request.user, reference=data.validated_data["reference"]
            )
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.AdverseEventSerializer(event, context={"request": request}).data)


class DataQueryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data queries at the caller's sites (filter ``status``); raise, answer, close, re-open."""

    serializer_class = s.DataQuerySerializer
    permission_classes = [RolePermission]
    read_capability = Capability.READ_QUERIES

    def get_queryset(self):
        rows = DataQuery.objects.for_user(self.request.user).select_related("participant").order_by("id")
        wanted = self.request.query_params.get("status")
        return rows.filter(status=wanted) if wanted else rows

    def get_object(self):
        return get_query_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=s.DataQueryInputSerializer, responses={201: s.DataQuerySerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, Capability.RAISE_QUERIES)
        data = _valid(s.DataQueryInputSerializer, request.data).validated_data
        participant = get_participant_for_user(request.user, data["participant"])
        try:
            query = queries.raise_query(
                participant=participant, by=request.user, text=data["text"], day=data.get("day"),
                field_name=data.get("field_name") or "",
            )  # fmt: skip
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DataQuerySerializer(query, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AnswerInputSerializer, responses={200: s.DataQuerySerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer with an explanation, or (``values`` + ``version``) with a correction of the queried day."""
        query = get_query_for_user(request.user, pk, write_capability=Capability.ANSWER_QUERIES)
        data = _valid(s.AnswerInputSerializer, request.data).validated_data
        try:
            if "values" in data:
                query = self._correct(query, data)
            else:
                query = queries.answer_query(query=query, by=request.user, answer=data["answer"])
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        except ObservationConflict:
            return Response({"detail": "The day was changed since you loaded it."}, status=status.HTTP_409_CONFLICT)
        return Response(s.DataQuerySerializer(query, context={"request": request}).data)

    def _correct(self, query: DataQuery, data: dict) -> DataQuery:
        observation = one_or_none(Observation.objects.filter(participant=query.participant, day=query.day))
        if observation is None:
            raise DjangoValidationError({"values": ["This query is not about a recorded day."]})
        unknown = set(data["values"]) - set(DATA_FIELDS)
        if unknown:
            raise DjangoValidationError({"values": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
        if "version" not in data:
            raise DjangoValidationError({"version": ["The version you are correcting is required."]})
        values = {name: getattr(observation, name) for name in DATA_FIELDS} | data["values"]
        return queries.answer_query_with_correction(
            query=query, by=self.request.user, answer=data["answer"], values=values,
            expected_version=data["version"],
        )  # fmt: skip

    @extend_schema(request=None, responses={200: s.DataQuerySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        query = get_query_for_user(request.user, pk, write_capability=Capability.RAISE_QUERIES)
        try:
            query = queries.close_query(query=query, by=request.user)
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DataQuerySerializer(query, context={"request": request}).data)

    @extend_schema(request=s.ReasonInputSerializer, responses={200: s.DataQuerySerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        query = get_query_for_user(request.user, pk, write_capability=Capability.RAISE_QUERIES)
        data = _valid(s.ReasonInputSerializer, request.data).validated_data
        try:
            query = queries.reopen_query(query=query, by=request.user, reason=data["reason"])
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DataQuerySerializer(query, context={"request": request}).data)


class DeviationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """The deviation register of the caller's sites (filters ``category``, ``grade``); update needs ``reason``."""

    serializer_class = s.DeviationSerializer
    permission_classes = [RolePermission]
    read_capability = Capability.READ_DEVIATION_REGISTER
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        rows = ProtocolDeviation.objects.for_user(self.request.user).select_related("site", "participant")
        for name in ("category", "grade"):
            if self.request.query_params.get(name):
                rows = rows.filter(**{name: self.request.query_params[name]})
        return rows.order_by("id")

    def get_object(self):
        write = self.request.method not in permissions.SAFE_METHODS
        return get_deviation_for_user(self.request.user, self.kwargs["pk"], write=write)

    @extend_schema(request=s.DeviationInputSerializer, responses={201: s.DeviationSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, Capability.RECORD_DEVIATIONS)
        data = _valid(s.DeviationInputSerializer, request.data)
        if "site" not in data.validated_data:
            raise serializers.ValidationError({"site": ["This field is required."]})
        site = get_site_for_user(request.user, data.validated_data["site"])
        participant = self._participant(data.validated_data.get("participant"))
        try:
            row = deviations.record_deviation(site=site, values=data.values(), by=request.user, participant=participant)
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DeviationSerializer(row, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _participant(self, pk: int | None) -> Participant | None:
        if pk is None:
            return None
        try:
            return get_participant_for_user(self.request.user, pk)
        except Http404:
            raise serializers.ValidationError({"participant": ["Unknown participant."]}) from None

    @extend_schema(request=s.DeviationInputSerializer, responses={200: s.DeviationSerializer})
    def update(self, request, *args, **kwargs):
        row = self.get_object()
        data = _valid(s.DeviationInputSerializer, request.data, partial=True)
        values = {name: getattr(row, name) for name in deviations.DEVIATION_FIELDS} | data.values()
        try:
            row = deviations.update_deviation(
                deviation=row, values=values, by=request.user, reason=data.validated_data.get("reason", "")
            )
        except DjangoValidationError as exc:
            raise _api_error(exc) from None
        return Response(s.DeviationSerializer(row, context={"request": request}).data)
