"""Settings of bench/api_bench.py only: the product's settings plus a bare endpoint to compare with.

Selected with DJANGO_SETTINGS_MODULE=bench.bench_settings, which only the benchmark sets.
``API_BENCH_SQLITE_WAL=1`` (``--database sqlite-wal``) measures SQLite in WAL mode with
``synchronous=NORMAL`` and immediate transactions, a configuration the product does not (yet) use.
"""

import os

from ifemotion.settings import *  # noqa: F403 - the product's settings, unchanged
from ifemotion.settings import DATABASES

ROOT_URLCONF = "bench.bench_urls"

if os.environ.get("API_BENCH_SQLITE_WAL") == "1" and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
