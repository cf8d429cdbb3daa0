from django.urls import path

from ifemotion.accounts import password_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("emergency-access/<int:grant_id>/end", views.break_glass_end, name="break_glass_end"),
    # Passwords: set from an emailed link (admins never set them), or changed by their owner.
    path("password/set/<uidb64>/<token>/", password_views.password_set, name="password_set"),
    path("password/set/done/", password_views.password_set_done, name="password_set_done"),
    path("password/", password_views.password_change, name="password_change"),
    path("password/done/", password_views.password_change_done, name="password_change_done"),
]
