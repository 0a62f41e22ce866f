from rest_framework import serializers

from enrollment.serializers import ShownSerializer
from enrollment.visibility import Fields
from observations.models import Observation
from observations.validation import DATA_FIELDS, TEXT_FIELDS

NUMBERS = ("feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "expressed_volume_ml", "infant_weight_g",
           "massage_minutes")  # fmt: skip
# Ranges and lengths are the service's rules (with the same words on the form and the import): not checked here.
RULES_IN_THE_SERVICE = {
    **{name: {"min_value": None, "max_value": None} for name in NUMBERS},
    **{name: {"max_length": None} for name in TEXT_FIELDS if name in ("notes", "deviation_reason")},
}

OBSERVATION_FIELDS = Fields(
    dates=("observed_on", "verified_at", "created_at", "updated_at"), texts=("notes", "deviation_reason")
)
"""What an observation's fields are to ``enrollment.visibility`` (the API and the timeline's history)."""

READ_ONLY = ("id", "score", "out_of_window", "version", "verified_at", "created_at", "updated_at")


class ObservationSerializer(ShownSerializer):
    """An observation as the API shows it to the viewer (score and window flag are computed, never written)."""

    shown = OBSERVATION_FIELDS

    participant_id = serializers.CharField(source="participant.participant_id", read_only=True)

    class Meta:
        model = Observation
        fields = ["id", "participant", "participant_id", "day", *DATA_FIELDS, *READ_ONLY[1:]]
        read_only_fields = fields


class ObservationInputSerializer(serializers.ModelSerializer):
    """What a client may send. Types and ranges here; every clinical rule is checked by the service."""

    participant = serializers.IntegerField(min_value=1)
    idempotency_key = serializers.UUIDField(required=False)
    version = serializers.IntegerField(required=False, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Observation
        fields = ["participant", "day", *DATA_FIELDS, "idempotency_key", "version", "reason"]
        validators = []  # uniqueness is a service rule (with its own message) and a database constraint
        extra_kwargs = {"day": {"min_value": 1}, **RULES_IN_THE_SERVICE}

    def values(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in DATA_FIELDS}
