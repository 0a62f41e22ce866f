from rest_framework import serializers

from enrollment.serializers import ShownSerializer
from enrollment.visibility import Fields
from observations.safety.adverse_events import AE_FIELDS
from observations.safety.deviations import DEVIATION_FIELDS
from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation
from observations.validation import DATA_FIELDS

AE_SHOWN_FIELDS = Fields(
    dates=("onset_date", "resolution_date", "serious_since", "report_due_at", "acknowledged_at", "reported_at",
           "created_at", "updated_at"),
    texts=("term_other", "description", "report_reference"),
)  # fmt: skip
DEVIATION_SHOWN_FIELDS = Fields(
    study="study_id",
    dates=("occurred_on", "identified_on", "resolved_on", "created_at", "updated_at"),
    texts=("description", "corrective_action", "preventive_action"),
)
"""What the fields of events and deviations are to ``enrollment.visibility`` (API and pages)."""

AE_STATE = (
    "id", "participant", "participant_id", "serious", "version", "serious_since", "report_due_at", "acknowledged_at",
    "reported_at", "report_reference", "created_at", "updated_at",
)  # fmt: skip


class AdverseEventSerializer(ShownSerializer):
    shown = AE_SHOWN_FIELDS
    participant_id = serializers.CharField(source="participant.participant_id", read_only=True)
    report_due_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = AdverseEvent
        fields = [*AE_STATE[:3], *AE_FIELDS, *AE_STATE[3:]]
        read_only_fields = fields


class AdverseEventInputSerializer(serializers.ModelSerializer):
    """A new event (``participant``) or a follow-up (``version`` and ``reason``). Rules run in the service."""

    participant = serializers.IntegerField(min_value=1, required=False)
    version = serializers.IntegerField(required=False, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = AdverseEvent
        fields = ["participant", *AE_FIELDS, "version", "reason"]

    def values(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in AE_FIELDS}


class ReportInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class DataQuerySerializer(ShownSerializer):
    shown = Fields(
        dates=("raised_at", "answered_at", "closed_at"),
        texts=("text", "answer"),
        arms=(*Fields.arms, "correction"),  # a correction can carry the day's adherence
    )
    participant_id = serializers.CharField(source="participant.participant_id", read_only=True)

    class Meta:
        model = DataQuery
        fields = [
            "id", "participant", "participant_id", "day", "field_name", "text", "status", "raised_by", "raised_at",
            "answer", "answered_by", "answered_at", "correction", "correction_version", "closed_by", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class DataQueryInputSerializer(serializers.Serializer):
    participant = serializers.IntegerField(min_value=1)
    day = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    field_name = serializers.ChoiceField(choices=list(DATA_FIELDS), required=False, allow_blank=True)
    text = serializers.CharField(max_length=1000)


class AnswerInputSerializer(serializers.Serializer):
    """An explanation; with ``values`` and ``version``, a correction of the queried day (answer = reason)."""

    answer = serializers.CharField(max_length=1000)
    values = serializers.DictField(required=False, help_text="Observation fields to change, as in /observations/.")
    version = serializers.IntegerField(required=False, min_value=0)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DeviationSerializer(ShownSerializer):
    shown = DEVIATION_SHOWN_FIELDS
    site_code = serializers.CharField(source="site.code", read_only=True)
    participant_id = serializers.CharField(source="participant.participant_id", read_only=True, default=None)

    class Meta:
        model = ProtocolDeviation
        fields = [
            "id", "site", "site_code", "participant", "participant_id", *DEVIATION_FIELDS, "reported_by",
            "automatic", "observation", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeviationInputSerializer(serializers.ModelSerializer):
    site = serializers.IntegerField(min_value=1, required=False)
    participant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = ProtocolDeviation
        fields = ["site", "participant", *DEVIATION_FIELDS, "reason"]

    def values(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in DEVIATION_FIELDS}
