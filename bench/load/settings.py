"""Settings of the load test only: the product's production settings, served over plain HTTP on
loopback (so no Secure/__Host- cookies and no HTTPS redirect), without two-factor for the simulated
therapists, and with a rate limit above what 50 writers send."""

from ifemotion.settings import *  # noqa: F403 - the product's settings, unchanged otherwise

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
MFA_REQUIRED_ROLES = []
API_RATE_LIMIT_PER_MINUTE = 1_000_000
AXES_ENABLED = False
