"""Loads the Lua scripts of the state layer, each with the shared prelude prepended."""

from __future__ import annotations

from functools import cache
from importlib import resources

SCRIPT_NAMES = (
    "initialize",
    "append_message",
    "update_emotion",
    "record_milestone",
    "record_breakthrough",
    "update_context",
    "close_session",
    "resume_session",
    "read_session",
)
READ_ONLY = frozenset({"read_session"})

# With the shebang, Redis 7 refuses a writing script up front when it is out of memory
# (noeviction), instead of failing at its first write and leaving half a change behind.
SHEBANG = "#!lua\n"
# A no-writes script runs while Redis is out of memory and on replicas, and cannot write by mistake.
READ_ONLY_SHEBANG = "#!lua flags=no-writes\n"


def _read(name: str) -> str:
    return (resources.files("sessions_app") / "scripts" / f"{name}.lua").read_text(encoding="utf-8")


@cache
def script_source(name: str, *, shebang: bool) -> str:
    if name not in SCRIPT_NAMES:
        raise KeyError(name)
    body = _read("_prelude") + "\n" + _read(name)
    if not shebang:
        return body
    return (READ_ONLY_SHEBANG if name in READ_ONLY else SHEBANG) + body
