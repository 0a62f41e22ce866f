from rest_framework import viewsets

from enrollment.models import Site, Study
from enrollment.serializers import SiteSerializer, StudySerializer


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
