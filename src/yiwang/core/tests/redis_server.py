"""A private redis-server for the tests that need real Redis (the `redis_url` and
`redis_server` fixtures of the root conftest.py): 127.0.0.1 only, a free port, a directory of
its own; a test may stop it and start it again on the same port and directory."""

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from yiwang.core.localproc import free_port


class RedisServer:
    def __init__(self, directory: Path, *, appendonly: bool) -> None:
        """`appendonly`: every write is in the AOF before Redis answers (`appendfsync always`), so
        what Redis held comes back when it starts again (production runs `everysec`: ADR 0035
        names the last second it may lose)."""
        self.port, self.directory = free_port(), directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if appendonly else ["--appendonly", "no"]
        self._argv = [
            shutil.which("redis-server") or "redis-server",
            *["--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(directory), "--save", ""],
            *durability,
        ]
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self._proc is None, "already running"
        self._proc = subprocess.Popen(self._argv, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while not self._answers():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM: Redis shuts down as an operator stops it (the AOF written), then the port is closed."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def _answers(self) -> bool:
        """PING answered (not refused, and not `-LOADING` while Redis reads its AOF back)."""
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64) == b"+PONG\r\n"
        return False


def started(directory: Path, *, appendonly: bool = False) -> RedisServer:
    """A running server; the test is skipped where redis-server or redis-py (the [redis] extra)
    is not installed."""
    if shutil.which("redis-server") is None:
        pytest.skip("no redis-server here")
    pytest.importorskip("redis")
    server = RedisServer(directory, appendonly=appendonly)
    server.start()
    return server
