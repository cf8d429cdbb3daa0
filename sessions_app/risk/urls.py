from django.urls import path

from sessions_app.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag"),
    path("flags/<int:flag_id>/change", views.flag_change, name="change"),
]
