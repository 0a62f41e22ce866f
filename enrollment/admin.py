"""Admin: eligibility criteria are records a coordinator's staff can edit.

The allocation list (AllocationList, AllocationListEntry) is deliberately not registered:
unused entries must not be visible to anyone.
"""

from django.contrib import admin

from enrollment.models import Criterion


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "study", "kind", "order", "text_id", "text_en")
    list_filter = ("study", "kind")
    ordering = ("study", "kind", "order")

    def has_delete_permission(self, request, obj=None):
        return False  # criteria are referenced by screening answers; a database trigger refuses deletion too
