from django.urls import path

from analysis import views, views_plan

app_name = "analysis"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("live/", views.dashboard_live, name="dashboard_live"),
    path("settings/", views.settings_action, name="settings_action"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("plan/", views_plan.plan_page, name="plan"),
]
