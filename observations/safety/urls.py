from django.urls import path

from observations.safety import views, views_deviations, views_queries

app_name = "safety"
urlpatterns = [
    path("adverse-events/", views.ae_list, name="ae_list"),
    path("adverse-events/<int:pk>/", views.ae_detail, name="ae_detail"),
    path("adverse-events/<int:pk>/follow-up/", views.ae_follow_up, name="ae_follow_up"),
    path("adverse-events/<int:pk>/acknowledge/", views.ae_acknowledge, name="ae_acknowledge"),
    path("adverse-events/<int:pk>/report/", views.ae_report, name="ae_report"),
    path("participant/<int:pk>/adverse-event/", views.ae_new, name="ae_new"),
    path("queries/", views_queries.query_list, name="query_list"),
    path("queries/<int:pk>/", views_queries.query_detail, name="query_detail"),
    path("queries/<int:pk>/answer/", views_queries.query_answer, name="query_answer"),
    path("queries/<int:pk>/correct/", views_queries.query_correct, name="query_correct"),
    path("queries/<int:pk>/close/", views_queries.query_close, name="query_close"),
    path("queries/<int:pk>/reopen/", views_queries.query_reopen, name="query_reopen"),
    path("participant/<int:pk>/query/", views_queries.query_new, name="query_new"),
    path("observation/<int:pk>/source-verify/", views_queries.source_verify, name="source_verify"),
    path("deviations/", views_deviations.deviation_list, name="deviation_list"),
    path("deviations/export/", views_deviations.deviation_export, name="deviation_export"),
    path("deviations/new/", views_deviations.deviation_new, name="deviation_new"),
    path("deviations/<int:pk>/", views_deviations.deviation_detail, name="deviation_detail"),
    path("deviations/<int:pk>/change/", views_deviations.deviation_edit, name="deviation_edit"),
]
