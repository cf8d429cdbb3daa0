"""Runs the Lua scripts of the state layer, each with the shared prelude prepended.

Every script takes named arguments (``_prelude.lua``): ARGV[1] is one JSON object of parameters, and
binary members follow, named in order by its ``members`` list. A script runs by its SHA1
(``EVALSHA``, loaded on first use and again after a server restart or failover) through
``execute_command``, without redis-py's ``Script`` wrapper in between.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import orjson
import redis
from redis.connection import Connection

from sessions_app.state.connection import translate_errors
from sessions_app.state.lane import shared_lane
from sessions_app.state.wire import replies

SCRIPT_NAMES = (
    "initialize",
    "append_message",
    "update_emotion",
    "record_milestone",
    "record_breakthrough",
    "update_context",
    "close_session",
    "resume_record",
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

Params = Mapping[str, object]
Members = Mapping[str, bytes | str]


def _read(name: str) -> str:
    return (resources.files("sessions_app.state") / "lua" / f"{name}.lua").read_text(encoding="utf-8")


@cache
def _prelude_blocks() -> tuple[str, list[tuple[str, str]]]:
    """The prelude's head (always included) and its ``-- @block NAME`` blocks, in file order."""
    head, *rest = re.split(r"^-- @block (\w+)\n", _read("_prelude"), flags=re.MULTILINE)
    return head, list(zip(rest[0::2], rest[1::2], strict=True))


def _prelude_for(body: str) -> str:
    """The head and the blocks ``body`` uses, directly or through other blocks: a Lua script creates
    all its functions again on every run, so each script carries only the helpers it calls."""
    head, blocks = _prelude_blocks()
    used: set[str] = set()
    text = body
    while True:
        more = {name for name, _ in blocks if name not in used and re.search(rf"\b{name}\b", text)}
        if not more:
            break
        used |= more
        text = "\n".join(block for name, block in blocks if name in more)
    return head + "".join(block for name, block in blocks if name in used)


@cache
def script_source(name: str, *, shebang: bool) -> str:
    if name not in SCRIPT_NAMES:
        raise KeyError(name)
    script = _read(name)
    body = _prelude_for(script) + "\n" + script
    if not shebang:
        return body
    if name in READ_ONLY:
        return READ_ONLY_SHEBANG + body
    return (ALLOW_OOM_SHEBANG if name in ALLOW_OOM else SHEBANG) + body


def script_args(params: Params, members: Members | None = None) -> list[bytes | str]:
    """ARGV of a script: the named parameters as JSON, then the members they name."""
    if not members:
        return [orjson.dumps(params)]
    return [orjson.dumps({**params, "members": list(members)}), *members.values()]


def _read_transaction(connection: Connection, count: int) -> list[Any]:
    """The replies of a MULTI/EXEC around ``count`` commands: every reply is read before an error is
    raised (the connection stays in step); a command refused when queued (e.g. OOM) says why EXEC
    was aborted."""
    *queued, executed = replies(connection, count + 2)  # +OK for MULTI, +QUEUED each, EXEC
    if isinstance(executed, redis.ResponseError):  # EXECABORT: say why
        refused = next((reply for reply in queued if isinstance(reply, redis.ResponseError)), None)
        raise refused or executed
    return list(executed)


class ScriptLoader:
    """The product's scripts on one client, each loaded into the server on first use.

    Whether the server understands ``#!lua`` flags (Redis 7 does; in-process fakes do not) is asked
    once, with a harmless read-only script.
    """

    def __init__(self, client: redis.Redis | Any) -> None:
        self._client = client
        self._sources: dict[str, tuple[str, str]] = {}  # name -> (sha1, source)
        self._shebang: bool | None = None
        self._lane = shared_lane(client)

    def _source(self, name: str) -> tuple[str, str]:
        found = self._sources.get(name)
        if found is None:
            if self._shebang is None:
                self._shebang = self._probe_shebang()
            source = script_source(name, shebang=self._shebang)
            found = (hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest(), source)
            self._sources[name] = found
        return found

    def run(self, name: str, keys: Sequence[str], params: Params, members: Members | None = None) -> Any:
        """Run script ``name``; redis-py errors pass through (callers translate them)."""
        sha, source = self._source(name)
        command = ("EVALSHA", sha, len(keys), *keys, *script_args(params, members))
        try:
            return self._execute(command)
        except redis.exceptions.NoScriptError:
            self._client.script_load(source)
            return self._execute(command)

    def transaction(
        self,
        name: str,
        keys: Sequence[str],
        params: Params,
        members: Members | None,
        reads: Sequence[tuple[Any, ...]],
    ) -> tuple[Any, list[Any]]:
        """Script ``name``, then the plain commands ``reads``, in one MULTI/EXEC: one atomic step and
        one round trip. Returns (the script's reply, the reads' replies). An error reply of the script
        is raised; a read's error comes back in its place as a ``ResponseError``."""
        sha, source = self._source(name)
        script = ("EVALSHA", sha, len(keys), *keys, *script_args(params, members))
        replies = self._transact([script, *reads])
        if isinstance(replies[0], redis.exceptions.NoScriptError):  # the reads ran; nothing was written
            self._client.script_load(source)
            replies = self._transact([script, *reads])
        if isinstance(replies[0], redis.ResponseError):
            raise replies[0]
        return replies[0], list(replies[1:])

    def _transact(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        lane = self._lane
        if lane is None:
            pipe = self._client.pipeline(transaction=True)
            for command in commands:
                pipe.execute_command(*command)
            return list(pipe.execute(raise_on_error=False))
        framed = [("MULTI",), *commands, ("EXEC",)]
        return lane.exchange(framed, lambda connection: _read_transaction(connection, len(commands)))

    def _execute(self, command: tuple[Any, ...]) -> Any:
        """One command on a connection of the lane, without redis-py's per-call machinery (metrics,
        retry wrapper, reply callbacks, pool checkout: most of a round trip's client time in redis-py
        8). Clients without a lane (Redis Cluster, Sentinel) take the ordinary path."""
        lane = self._lane
        if lane is None:
            return self._client.execute_command(*command)
        return lane.call(command)

    def _probe_shebang(self) -> bool:
        with translate_errors("script probe"):
            try:
                self._client.eval("#!lua flags=no-writes\nreturn 1", 0)
            except redis.ResponseError:
                return False
        return True
