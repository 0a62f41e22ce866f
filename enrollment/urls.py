from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("study/", views.study_detail, name="study_detail"),
]
