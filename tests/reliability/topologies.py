"""Real Redis topologies on loopback for tests: a 3-master Cluster and a Sentinel-managed pair."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.redis_server import RedisServer, free_port

REDIS_CLI = shutil.which("redis-cli")


def cluster_port() -> int:
    """A free port whose cluster-bus twin (port + 10000) is a valid, free port too."""
    for _ in range(100):
        port = random.randint(20_000, 50_000)
        if all(_free(p) for p in (port, port + 10_000)):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait(predicate: object, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():  # type: ignore[operator]
                return
        except redis.RedisError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


@dataclass
class LocalCluster:
    directory: Path
    size: int = 3
    nodes: list[RedisServer] = field(default_factory=list)

    def start(self) -> LocalCluster:
        if REDIS_CLI is None:
            raise RuntimeError("redis-cli is not installed")
        for index in range(self.size):
            node = RedisServer(
                self.directory / f"node{index}",
                port=cluster_port(),
                extra_args=[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "2000",
                ],
            )
            self.nodes.append(node.start())
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run(
            [REDIS_CLI, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        for node in self.nodes:
            client = node.client()
            _wait(lambda c=client: c.cluster("info")["cluster_state"] == "ok", timeout=20, what="cluster ok")
        return self

    @property
    def seeds(self) -> list[str]:
        return [f"127.0.0.1:{node.port}" for node in self.nodes]

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@dataclass
class LocalSentinel:
    directory: Path
    master: str = "mymaster"
    primary: RedisServer | None = None
    replica: RedisServer | None = None
    sentinels: list[subprocess.Popen[bytes]] = field(default_factory=list)
    sentinel_ports: list[int] = field(default_factory=list)

    def start(self) -> LocalSentinel:
        self.primary = RedisServer(self.directory / "primary").start()
        self.replica = RedisServer(
            self.directory / "replica", extra_args=["--replicaof", "127.0.0.1", str(self.primary.port)]
        ).start()
        replica_client = self.replica.client()
        _wait(
            lambda: replica_client.info("replication")["master_link_status"] == "up",
            timeout=20,
            what="replica",
        )
        for index in range(3):
            port = free_port()
            conf = self.directory / f"sentinel{index}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {self.master} 127.0.0.1 {self.primary.port} 2\n"
                f"sentinel down-after-milliseconds {self.master} 1000\n"
                f"sentinel failover-timeout {self.master} 4000\n"
                f"sentinel parallel-syncs {self.master} 1\n"
            )
            self.sentinels.append(
                subprocess.Popen(
                    [
                        shutil.which("redis-server") or "redis-server",
                        str(conf),
                        "--sentinel",
                        "--logfile",
                        str(self.directory / f"sentinel{index}.log"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            self.sentinel_ports.append(port)
        for port in self.sentinel_ports:
            client = redis.Redis(port=port, decode_responses=True)
            _wait(
                lambda c=client: (
                    int(c.sentinel_master(self.master)["num-other-sentinels"]) == 2
                    and int(c.sentinel_master(self.master)["num-slaves"]) == 1
                ),
                timeout=30,
                what="sentinels to discover each other and the replica",
            )
        return self

    @property
    def addresses(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.sentinel_ports]

    def current_primary_port(self) -> int:
        client = redis.Redis(port=self.sentinel_ports[0], decode_responses=True)
        address = client.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME", self.master)  # type: ignore[no-untyped-call]
        return int(address[1])

    def stop(self) -> None:
        for process in self.sentinels:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
        for server in (self.primary, self.replica):
            if server is not None:
                server.stop()
