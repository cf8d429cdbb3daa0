from django.urls import path

from ifemotion.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("emergency-access/<int:grant_id>/end", views.break_glass_end, name="break_glass_end"),
]
