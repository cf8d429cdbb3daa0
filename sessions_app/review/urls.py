from django.urls import path

from sessions_app.dashboard.urls import RecordIdConverter  # noqa: F401 - registers the "rid" converter used below
from sessions_app.review import views

app_name = "review"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/live", views.inbox_live, name="inbox_live"),
    path("review/digest/", views.digest, name="digest"),
    path("clients/<rid:client_id>/review/mark", views.mark_reviewed, name="mark"),
    path("clients/<rid:client_id>/review/unread", views.mark_unread, name="unread"),
    path("clients/<rid:client_id>/sessions/<rid:session_id>/hold", views.hold, name="hold"),
]
