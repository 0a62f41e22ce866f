from django.urls import path

from observations import views, views_import, views_setup

app_name = "observations"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("participant/<int:pk>/day/<int:day>/", views.observation_form, name="form"),
    path("participant/<int:pk>/", views.timeline, name="timeline"),
    path("participant/<int:pk>/verify/", views.verify_participant, name="verify_participant"),
    path("<int:pk>/verify/", views.verify_observation, name="verify"),
    path("<int:pk>/unlock/", views.unlock_observation, name="unlock"),
    path("deviations/", views.deviations, name="deviations"),
    path("completeness/", views.completeness, name="completeness"),
    path("import/", views_import.import_data, name="import"),
    path("import/template/<str:name>.csv", views_import.import_template, name="import_template"),
    path("import/format/", views_import.import_format, name="import_format"),
    path("setup/instrument/", views_setup.instrument, name="setup_instrument"),
]
