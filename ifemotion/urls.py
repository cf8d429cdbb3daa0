from django.contrib import admin
from django.urls import include, path
from django.views.generic.base import RedirectView

urlpatterns = [
    # One login page for everyone (lockout, audit and two-factor apply to admins too).
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("sessions_app.api.urls")),
    path("accounts/", include("ifemotion.accounts.urls")),
    path("exports/", include("exports_app.urls")),
    path("", include("sessions_app.urls")),
    path("", include("sessions_app.review.urls")),
]
