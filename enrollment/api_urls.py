from rest_framework.routers import SimpleRouter

from enrollment import api

router = SimpleRouter()
router.register("studies", api.StudyViewSet, basename="study")
router.register("sites", api.SiteViewSet, basename="site")
urlpatterns = router.urls
