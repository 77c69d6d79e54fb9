"""The local processes the tests and the demo talk to (SMTP, SMS gateway, another
department's system, a webhook receiver): started as real processes of this checkout's code
on a free port of 127.0.0.1."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import yiwang


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(module: str, *args: str, port: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """Start `python -m <module> --port <port or a free one> …` and wait until it accepts
    connections (a given port: a process started again where a stopped one listened)."""
    port = port or free_port()
    src = str(Path(yiwang.__file__).resolve().parents[1])  # this checkout's code, not an installed copy
    env = {**os.environ, "PYTHONPATH": src}
    proc = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args], env=env)  # noqa: S603
    deadline = time.monotonic() + 20
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return proc, port
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{module} did not start (exit {proc.returncode})")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
