from rest_framework import serializers

from enrollment.models import Arm, DeliveryMode, Participant, Screening, ScreeningAnswer, Site, Study
from enrollment.visibility import LEAST, Fields, shown_row, view_for


def _follow(instance, path: str):
    for name in filter(None, path.split(".")):
        instance = getattr(instance, name, None) if instance is not None else None
    return instance


class ShownSerializer(serializers.ModelSerializer):
    """A participant-level record as the requesting viewer may see it: every response goes through
    ``enrollment.visibility.shown_row``. Without a request in the context, the least is shown."""

    shown = Fields()

    def to_representation(self, instance):
        row = super().to_representation(instance)
        request = self.context.get("request")
        study = _follow(instance, self.shown.study)
        if request is None or study is None:
            return shown_row(LEAST, None, row, self.shown)
        return shown_row(view_for(request.user, study), _follow(instance, self.shown.participant), row, self.shown)


class SiteSerializer(serializers.ModelSerializer):
    study = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Site
        fields = ["id", "study", "code", "name"]


class ArmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arm
        fields = ["code", "label_id", "label_en"]


class StudySerializer(serializers.ModelSerializer):
    arms = ArmSerializer(many=True, read_only=True)

    class Meta:
        model = Study
        fields = [
            "slug",
            "title_id",
            "title_en",
            "n_days",
            "pre_day",
            "post_day",
            "window_days",
            "allocation_method",
            "alpha",
            "arms",
        ]


class ParticipantSerializer(ShownSerializer):
    """A participant, as the viewer may see her (``enrollment.visibility``)."""

    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    arm = serializers.SlugRelatedField(slug_field="code", read_only=True)
    allocation_method = serializers.CharField(source="allocation.method", read_only=True, default=None)
    allocation_rationale = serializers.CharField(source="allocation.rationale", read_only=True, default=None)

    shown = Fields(
        participant="",
        study="study_id",
        dates=("enrolled_on", "intervention_start", "status_date", "delivery_date"),
        texts=("status_reason", "allocation_rationale"),
        identifiers=("full_name", "phone", "date_of_birth", "screening"),
    )

    class Meta:
        model = Participant
        fields = [
            "id",
            "participant_id",
            "site",
            "arm",
            "allocation_method",
            "allocation_rationale",
            "screening",
            "enrolled_on",
            "intervention_start",
            "status",
            "status_date",
            "status_reason",
            "age_years",
            "parity",
            "delivery_mode",
            "delivery_date",
            "infant_birth_weight_g",
            "full_name",
            "phone",
            "date_of_birth",
        ]
        read_only_fields = fields


class EnrollSerializer(serializers.Serializer):
    """``POST /api/v1/participants/``: enrol the mother of an eligible screening.

    Types here; lengths and every date rule are the service's (the same words as the pages).
    """

    screening = serializers.IntegerField()
    consented_on = serializers.DateField(required=False)
    consent_form_version = serializers.CharField(
        required=False, allow_blank=True, help_text="blank or left out: the study's current consent form"
    )
    enrolled_on = serializers.DateField(required=False)
    intervention_start = serializers.DateField(required=False)
    arm = serializers.CharField(required=False, help_text="arm code; only when the study assigns arms")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("consent_form_version", "").strip() and "consented_on" not in attrs:
            raise serializers.ValidationError({"consented_on": ["Give the consent date with the form version."]})
        return attrs


class ScreeningAnswerSerializer(serializers.ModelSerializer):
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ScreeningAnswer
        fields = ["criterion", "answer", "failed"]


class ScreeningSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    answers = ScreeningAnswerSerializer(many=True, read_only=True)
    participant = serializers.SlugRelatedField(slug_field="participant_id", read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "site",
            "screened_on",
            "full_name",
            "phone",
            "date_of_birth",
            "delivery_date",
            "delivery_mode",
            "parity",
            "infant_birth_weight_g",
            "eligible",
            "answers",
            "participant",
        ]


class ScreeningCreateSerializer(serializers.Serializer):
    """``POST /api/v1/screenings/``: answers maps criterion code to true/false (null = unanswered).

    Types here; lengths, dates and the age rule are the service's (the same words as the pages).
    """

    site = serializers.IntegerField()
    screened_on = serializers.DateField()
    full_name = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField()
    delivery_date = serializers.DateField()
    delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices)
    parity = serializers.IntegerField(min_value=1, max_value=20)
    infant_birth_weight_g = serializers.IntegerField(min_value=500, max_value=6000)
    answers = serializers.DictField(child=serializers.BooleanField(allow_null=True))
