"""The project's URLs plus one page that fails, to see how a server error is answered."""

from django.urls import path

from trialsite.urls import handler500  # noqa: F401 (the project's error page)
from trialsite.urls import urlpatterns as project_urls


def failure(request):
    return 1 // 0


urlpatterns = [*project_urls, path("failure/", failure)]
