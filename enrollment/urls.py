from django.urls import path

from enrollment import views, views_exclusion

app_name = "enrollment"
urlpatterns = [
    path("study/", views.study_detail, name="study_detail"),
    path("screening/new/", views.screening_new, name="screening_new"),
    path("screening/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screening/<int:pk>/enrol/", views.enroll, name="enroll"),
    path("screenings/", views.screening_log, name="screening_log"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("participants/<int:pk>/exclusion/", views_exclusion.exclusion, name="exclusion"),
    path("flow/", views.flow, name="flow"),
    path("allocation-list/", views.allocation_list, name="allocation_list"),
]
