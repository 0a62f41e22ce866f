from django.urls import path

from analysis.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_page, name="export"),
    path("download/", views.export_download, name="export_download"),
]
