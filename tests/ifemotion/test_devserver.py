"""`make run`'s embedded Redis: a private redis-server with AOF, else a loud in-process fake."""

from __future__ import annotations

import logging

import pytest
import redis

from ifemotion import devserver
from tests.redis_server import REDIS_SERVER


def test_without_redis_server_it_serves_a_fake_redis_and_says_nothing_persists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(devserver, "REDIS_SERVER", None)

    url, server = devserver.start_redis()

    assert server is None
    client = redis.Redis.from_url(url)
    assert client.ping()
    assert client.eval("return 1", 0) == 1  # the state layer's Lua scripts need scripting
    assert "NOTHING PERSISTS" in capsys.readouterr().out


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_with_redis_server_it_starts_a_private_one_with_aof(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(devserver, "VAR", Path(str(tmp_path)))
    monkeypatch.setattr(devserver, "port_is_free", lambda port: False)  # never the user's own 6390
    with caplog.at_level(logging.INFO):
        url, server = devserver.start_redis()
    try:
        assert server is not None
        # 6390 was taken: the console says so loudly, with the port actually used.
        out = capsys.readouterr().out
        assert f"WARNING: 127.0.0.1:{devserver.DEFAULT_PORT} is taken" in out
        assert f"runs on 127.0.0.1:{server.port} instead" in out
        assert "=" * 78 in out
        config = redis.Redis.from_url(url, decode_responses=True).config_get("*")
        assert config["appendonly"] == "yes"
        assert config["maxmemory-policy"] == "noeviction"
        assert config["dir"] == str(Path(str(tmp_path)) / "redis")
    finally:
        if server is not None:
            server.stop()


def test_an_explicit_redis_url_is_used_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6399/3")
    assert devserver.start_redis() == ("redis://127.0.0.1:6399/3", None)


def test_while_it_runs_it_announces_its_redis_for_manage_py_and_withdraws_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import json
    from pathlib import Path

    from ifemotion import runtime

    var = Path(str(tmp_path))
    seen: list[dict[str, object]] = []
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setattr(devserver, "VAR", var)
    monkeypatch.setattr(devserver, "start_redis", lambda: ("redis://127.0.0.1:6391/0", None))
    monkeypatch.setattr(
        devserver, "manage", lambda *args, env: seen.append(json.loads(runtime.runtime_file(var).read_text()))
    )

    class NoArchiver:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def poll(self) -> int:
            return 0

    monkeypatch.setattr("ifemotion.devserver.subprocess.Popen", NoArchiver)

    devserver.main()

    assert seen, "manage.py ran while the file was there"
    announced = seen[-1]
    assert announced["redis_url"] == "redis://127.0.0.1:6391/0"
    assert announced["secret_key_file"] == str(var / "secret_key")
    assert announced["debug"] is True
    assert not runtime.runtime_file(var).exists()
