from rest_framework.routers import SimpleRouter

from observations.safety import api

router = SimpleRouter()
router.register("adverse-events", api.AdverseEventViewSet, basename="adverse-event")
router.register("data-queries", api.DataQueryViewSet, basename="data-query")
router.register("deviations", api.DeviationViewSet, basename="deviation")
urlpatterns = router.urls
