from django.urls import path

from sessions_app import views

app_name = "sessions"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
