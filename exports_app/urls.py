from django.urls import path

from exports_app import views
from exports_app.summary import views as summary_views

app_name = "exports"

urlpatterns = [
    path("<str:client_id>/<str:session_id>/markdown/", views.markdown, name="markdown"),
    path("<str:client_id>/<str:session_id>/pdf/", views.pdf, name="pdf"),
    path("<str:client_id>/<str:session_id>/json/", views.json, name="json"),
    path("<str:client_id>/zip/", views.zip_bundle, name="zip"),
]
urlpatterns += [path("<str:client_id>/summary.pdf", summary_views.client_summary, name="client_summary")]
