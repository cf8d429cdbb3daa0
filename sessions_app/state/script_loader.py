"""Loads the Lua scripts of the state layer, each with the shared prelude prepended."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import redis
from redis.commands.core import Script

from sessions_app.state.connection import translate_errors

SCRIPT_NAMES = (
    "initialize",
    "append_message",
    "update_emotion",
    "record_milestone",
    "record_breakthrough",
    "update_context",
    "close_session",
    "resume_session",
    "archive_read",
    "archive_trim",
    "read_history",
    "read_session",
    "feed_read",
)
READ_ONLY = frozenset({"read_session", "archive_read", "read_history", "feed_read"})
# The archiver frees memory (it trims what the database holds), so it must run when Redis is full.
ALLOW_OOM = frozenset({"archive_trim"})

# With the shebang, Redis 7 refuses a writing script up front when it is out of memory
# (noeviction), instead of failing at its first write and leaving half a change behind.
SHEBANG = "#!lua\n"
# A no-writes script runs while Redis is out of memory and on replicas, and cannot write by mistake.
READ_ONLY_SHEBANG = "#!lua flags=no-writes\n"
ALLOW_OOM_SHEBANG = "#!lua flags=allow-oom\n"


def _read(name: str) -> str:
    return (resources.files("sessions_app.state") / "lua" / f"{name}.lua").read_text(encoding="utf-8")


@cache
def script_source(name: str, *, shebang: bool) -> str:
    if name not in SCRIPT_NAMES:
        raise KeyError(name)
    body = _read("_prelude") + "\n" + _read(name)
    if not shebang:
        return body
    if name in READ_ONLY:
        return READ_ONLY_SHEBANG + body
    return (ALLOW_OOM_SHEBANG if name in ALLOW_OOM else SHEBANG) + body


class ScriptLoader:
    """The product's scripts registered on one client, each loaded on first use.

    Whether the server understands ``#!lua`` flags (Redis 7 does; in-process fakes do not) is asked
    once, with a harmless read-only script.
    """

    def __init__(self, client: redis.Redis | Any) -> None:
        self._client = client
        self._scripts: dict[str, Script] = {}
        self._shebang: bool | None = None

    def __call__(self, name: str) -> Script:
        script = self._scripts.get(name)
        if script is None:
            if self._shebang is None:
                self._shebang = self._probe_shebang()
            script = self._client.register_script(script_source(name, shebang=self._shebang))
            self._scripts[name] = script
        return script

    def _probe_shebang(self) -> bool:
        with translate_errors("script probe"):
            try:
                self._client.eval("#!lua flags=no-writes\nreturn 1", 0)
            except redis.ResponseError:
                return False
        return True
