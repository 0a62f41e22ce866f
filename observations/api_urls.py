from django.urls import path
from rest_framework.routers import SimpleRouter

from observations import api

router = SimpleRouter()
router.register("observations", api.ObservationViewSet, basename="observation")
urlpatterns = [*router.urls, path("completeness/", api.CompletenessView.as_view(), name="api_completeness")]
