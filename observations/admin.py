from django.contrib import admin

from observations.models import InstrumentSettings, Observation


@admin.register(InstrumentSettings)
class InstrumentSettingsAdmin(admin.ModelAdmin):
    """Editable until the study's first observation; the model's clean() and a trigger refuse later changes."""

    list_display = ("study", "feeds_min", "feeds_max", "wet_diapers_min", "sleep_hours_min", "breast_met_when")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Read-only in the admin: observations change only through the audited services."""

    list_display = ("participant", "day", "observed_on", "score", "missing_reason", "verified_at")
    list_filter = ("participant__site", "day")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
