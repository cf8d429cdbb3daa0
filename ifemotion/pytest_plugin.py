"""Loaded by pytest (``-p ifemotion.pytest_plugin``) before pytest-django reads the settings.

Tests need a SECRET_KEY and keep their SQLite/Chroma files apart from the demo's under var/.
"""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("IFEMOTION_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
