from django.urls import path

from enrollment import views, views_exclusion
from enrollment.people import views as people
from enrollment.setup import views as setup

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
    path("setup/study/", setup.study, name="setup_study"),
    path("setup/studies/new/", setup.study_new, name="setup_study_new"),
    path("setup/criteria/", setup.criterion_add, name="setup_criterion_add"),
    path("setup/sites/", setup.sites, name="setup_sites"),
    path("setup/sites/<int:pk>/", setup.site_edit, name="setup_site"),
    path("people/", people.people_list, name="people_list"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/reset-code/", people.person_reset_code, name="person_reset_code"),
    path("people/<int:pk>/reset-second-factor/", people.person_reset_second_factor, name="person_reset_second_factor"),
]
