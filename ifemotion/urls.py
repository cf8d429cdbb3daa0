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
    path("risk/", include("sessions_app.risk.urls")),
    path("", include("sessions_app.dashboard.urls")),
    path("", include("sessions_app.notes.urls")),
    path("", include("sessions_app.review.urls")),
]

# A stalled or unreachable database answers 503, never a 500 (ifemotion/server_errors.py).
handler500 = "ifemotion.server_errors.server_error"
urlpatterns += [path("preferences/", include("ifemotion.preferences.urls"))]
