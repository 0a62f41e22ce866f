from rest_framework import serializers

from enrollment.models import Arm, Site, Study


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
            "slug", "title_id", "title_en", "n_days", "pre_day", "post_day",
            "window_days", "allocation_method", "alpha", "arms",
        ]
