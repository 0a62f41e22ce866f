from rest_framework.routers import SimpleRouter

from analysis import api

router = SimpleRouter()
router.register("analysis", api.AnalysisViewSet, basename="analysis")
urlpatterns = router.urls
