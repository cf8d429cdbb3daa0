"""Routes of the notes app (namespace ``notes``); saving a note keeps its route ``sessions:notes``."""

from django.urls import path

import sessions_app.dashboard.urls  # noqa: F401 - registers the "rid" converter (client, session and item ids)
from sessions_app.notes import guidance_views, inference_views, views

app_name = "notes"

SESSION = "clients/<rid:client_id>/sessions/<rid:session_id>/"

urlpatterns = [
    path(SESSION + "notes/sign", views.sign_note, name="sign"),
    path(SESSION + "notes/addenda", views.add_addendum, name="addendum"),
    path(SESSION + "notes/live-copy", views.resend_note, name="resend"),
    path(SESSION + "notes/history", views.note_history, name="history"),
    path(SESSION + "inferences/", inference_views.inference_review, name="inferences"),
    path(SESSION + "inferences/<str:kind>/<rid:item_id>", inference_views.adjudicate, name="adjudicate"),
    path("clients/<rid:client_id>/guidance/", guidance_views.client_guidance, name="guidance"),
    path(
        "clients/<rid:client_id>/guidance/live-copy", guidance_views.resend_guidance, name="guidance_resend"
    ),
    path("inferences/agreement", inference_views.agreement_view, name="agreement"),
]
