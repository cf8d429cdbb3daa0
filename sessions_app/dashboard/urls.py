from django.urls import path, register_converter

from ifemotion.ops import views as ops_views
from sessions_app.dashboard import client_views, search, views
from sessions_app.notes import views as notes_views


class RecordIdConverter:
    """Client and session ids: 1-64 of [A-Za-z0-9_-]; anything else is a plain 404."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordIdConverter, "rid")

app_name = "sessions"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("sessions/", views.session_list, name="list"),
    path("clients/<rid:client_id>/sessions/<rid:session_id>/", views.session_detail, name="detail"),
    path("clients/<rid:client_id>/sessions/<rid:session_id>/live", views.session_live, name="live"),
    path("clients/<rid:client_id>/sessions/<rid:session_id>/notes", notes_views.save_note, name="notes"),
    path("search/", search.search_page, name="search"),
    path("clients/<rid:client_id>/sessions/<rid:session_id>/jump", views.session_jump, name="jump"),
    path(
        "clients/<rid:client_id>/sessions/<rid:session_id>/provenance",
        views.session_provenance,
        name="provenance",
    ),
    path("clients/<rid:client_id>/", client_views.client_page_view, name="client"),
]
