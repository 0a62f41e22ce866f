from rest_framework.routers import SimpleRouter

from enrollment import api

router = SimpleRouter()
router.register("studies", api.StudyViewSet, basename="study")
router.register("sites", api.SiteViewSet, basename="site")
router.register("screenings", api.ScreeningViewSet, basename="screening")
router.register("participants", api.ParticipantViewSet, basename="participant")
urlpatterns = router.urls
