"""Settings of bench/dashboard_bench.py only: the product's settings plus the bare comparison view.

SQLite runs in WAL mode with IMMEDIATE transactions here: with the default DEFERRED mode, two gunicorn
workers appending audit rows at once get "database is locked" (SQLite refuses a read lock's upgrade
to a write lock instead of waiting), i.e. HTTP 500s under load. See the report to the lead.
"""

from ifemotion.settings import *  # noqa: F403 - the product's settings, unchanged
from ifemotion.settings import DATABASES

ROOT_URLCONF = "bench.dashboard_bench_urls"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
