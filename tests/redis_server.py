"""Tests start private Redis servers with the same class `make run` uses."""

from ifemotion.embedded_redis import REDIS_SERVER, RedisServer, free_port

__all__ = ["REDIS_SERVER", "RedisServer", "free_port"]
