from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from enrollment import services
from enrollment.access import get_participant_for_user, get_screening_for_user, get_site_for_user
from enrollment.models import Arm, Participant, Screening, Site, Study
from enrollment.serializers import (
    EnrollSerializer,
    ParticipantSerializer,
    ScreeningCreateSerializer,
    ScreeningSerializer,
    SiteSerializer,
    StudySerializer,
)
from trialsite.api_permissions import HasCapability
from trialsite.roles import Capability


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """Sites the caller may see (midwives: their own; coordinators and investigators: all)."""

    serializer_class = SiteSerializer

    def get_queryset(self):
        return Site.objects.for_user(self.request.user).select_related("study")


class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    """Studies with at least one site the caller may see."""

    serializer_class = StudySerializer
    lookup_field = "slug"

    def get_queryset(self):
        visible = Site.objects.for_user(self.request.user)
        return Study.objects.filter(sites__in=visible).distinct().prefetch_related("arms").order_by("id")


class ParticipantViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Participants at the caller's sites; create = enrol from an eligible, consented screening."""

    serializer_class = ParticipantSerializer
    permission_classes = [HasCapability]
    capability = Capability.READ_PARTICIPANTS
    write_capability = Capability.SCREEN_AND_ENROL

    def get_queryset(self):
        return Participant.objects.for_user(self.request.user).select_related("site", "arm", "allocation")

    def get_object(self):
        return get_participant_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return EnrollSerializer if self.action == "create" else ParticipantSerializer

    def create(self, request, *args, **kwargs):
        data = EnrollSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        screening = get_screening_for_user(request.user, fields["screening"], write=True)
        arm = None
        if fields.get("arm"):
            arm = Arm.objects.filter(study=screening.study, code=fields["arm"]).first()
            if arm is None:
                raise serializers.ValidationError({"arm": ["Unknown arm code."]})
        consent = None
        if "consented_on" in fields:
            consent = services.ConsentDetails(fields["consented_on"], fields.get("consent_form_version", ""))
        participant = services.enroll_participant(
            screening=screening,
            by=request.user,
            consent=consent,
            enrolled_on=fields.get("enrolled_on"),
            intervention_start=fields.get("intervention_start"),
            arm=arm,
            rationale=fields["rationale"],
        )
        body = ParticipantSerializer(participant, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class ScreeningViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The screening log of the caller's sites (midwives and coordinators)."""

    serializer_class = ScreeningSerializer
    permission_classes = [HasCapability]
    capability = Capability.SCREEN_AND_ENROL  # screenings carry identifiers: the working list

    def get_queryset(self):
        return (
            Screening.objects.for_user(self.request.user)
            .select_related("site", "participant")
            .prefetch_related("answers__criterion")
        )

    def get_object(self):
        return get_screening_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return ScreeningCreateSerializer if self.action == "create" else ScreeningSerializer

    def create(self, request, *args, **kwargs):
        data = ScreeningCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        site = get_site_for_user(request.user, fields.pop("site"), write=True)
        answers, screened_on = fields.pop("answers"), fields.pop("screened_on")
        screening = services.screen_mother(
            site=site,
            by=request.user,
            screened_on=screened_on,
            mother=services.MotherDetails(**fields),
            answers=answers,
        )
        return Response(
            ScreeningSerializer(self.get_queryset().get(pk=screening.pk)).data, status=status.HTTP_201_CREATED
        )
