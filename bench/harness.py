"""Benchmark harness: start yiwang under the production server, drive load, report ratios.

- `Platform` prepares a database (PostgreSQL `yiwang_bench` by default), migrates, loads the
  demo world and starts granian in WSGI mode with one worker per core (ADR 0002), with the
  bench-only endpoints mounted (`BENCH_SETTINGS`: bench/benchapp, never part of the platform).
- `drive` sends requests from a separate process (the load generator must not share the
  server's interpreter) using keep-alive connections in threads, for a bounded time, to
  127.0.0.1 only, and returns throughput and latency percentiles.
- Every scenario is reported next to the minimal endpoint measured in the same run on the
  same server, so the figures survive a slower or busier machine.
"""

import http.client
import json
import multiprocessing as mp
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/yiwang_bench"
# The platform's settings plus the bench app (bench/benchapp): its table and baseline endpoints.
BENCH_SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "benchapp.settings",
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
}

# A request maker returns (method, path, body, headers) for the i-th request of a worker.
RequestMaker = Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]]]


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Platform:
    """yiwang on granian (WSGI), ready for load, with a fresh bench database."""

    def __init__(self, *, db: str = "postgres", workers: int | None = None) -> None:
        self.db = db
        self.workers = workers or os.cpu_count() or 1
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="yiwang-bench-")
        self.env = {
            **os.environ,
            "YIWANG_ENV": "development",
            **BENCH_SETTINGS,
            "YIWANG_DATA_DIR": self.data_dir,
            "DATABASE_URL": PG_BENCH if db == "postgres" else f"sqlite:///{self.data_dir}/bench.sqlite3",
            "LOGIN_MAX_FAILURES": "1000000",
            "LOG_LEVEL": "WARNING",
        }
        self.server: subprocess.Popen[bytes] | None = None
        self.helpers: list[subprocess.Popen[bytes]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def yiwang(self, *args: str) -> None:
        subprocess.run([str(VENV_BIN / "yiwang"), *args], env=self.env, check=True, cwd=self.data_dir)

    def prepare(self) -> None:
        if self.db == "postgres":
            subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True, capture_output=True)
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS yiwang_bench WITH (FORCE)")
                conn.execute("CREATE DATABASE yiwang_bench")
        self.yiwang("migrate", "-v0")
        self.yiwang("createcachetable")
        self.yiwang("load_demo")

    def python(self, code: str) -> str:
        """Run Django code in the bench database (data generation); returns its stdout."""
        script = f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','yiwang.config.settings'); django.setup()\n{code}"
        done = subprocess.run([sys.executable, "-c", script], env=self.env, check=True, capture_output=True, text=True)
        return done.stdout

    def start(self) -> None:
        # The stand-in 市场监管 register and 户籍 system (免提交 materials are fetched from it, as in
        # the demo): without it a submission that needs a 户口簿 is refused (422).
        from yiwang.demo.run import local_registry

        for command in local_registry(self.env, Path(self.data_dir))[0]:
            self.helpers.append(subprocess.Popen(command, env=self.env, cwd=self.data_dir, start_new_session=True))
        self.server = subprocess.Popen(
            [
                str(VENV_BIN / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-ws",
                "--blocking-threads",  # a few threads per worker: more only queue on the GIL (docs/operations.md)
                os.environ.get("GRANIAN_BLOCKING_THREADS", "2"),
                "--log-level",
                "warning",
                "yiwang.config.wsgi:application",
            ],
            env=self.env,
            cwd=self.data_dir,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the server did not answer /api/v1/health within 60 s")

    def stop(self) -> None:
        for helper in self.helpers:
            if helper.poll() is None:
                os.killpg(helper.pid, signal.SIGTERM)
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)


def _worker(
    port: int, maker: RequestMaker, wid: int, stop_at: float, max_requests: int, out: Any, pace: tuple | None = None
) -> None:
    """Requests back to back, or with `pace` = (first start, interval) each on its schedule (open loop:
    a late request's latency counts from when it should have started, so queueing is not hidden)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    i = 0
    while time.monotonic() < stop_at and i < max_requests:
        method, path, body, headers = maker(wid, i)
        started = time.perf_counter()
        if pace is not None:
            due = pace[0] + i * pace[1]
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            started = time.perf_counter() - max(0.0, time.monotonic() - due)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                errors += 1
        except OSError:
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
        i += 1
    out.put((latencies, errors))


def _load_process(
    port: int, maker: RequestMaker, concurrency: int, seconds: float, max_requests: int, out: Any, rate: float | None
) -> None:
    now = time.monotonic()
    stop_at, interval = now + seconds, concurrency / rate if rate else 0.0
    queue: Any = __import__("queue").Queue()
    threads = [
        threading.Thread(
            target=_worker,
            args=(
                port,
                maker,
                w,
                stop_at,
                max_requests,
                queue,
                (now + w * interval / concurrency, interval) if rate else None,
            ),
        )
        for w in range(concurrency)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies: list[float] = []
    errors = 0
    while not queue.empty():
        lat, err = queue.get()
        latencies += lat
        errors += err
    out.put((latencies, errors, elapsed))


def drive(
    name: str,
    port: int,
    maker: RequestMaker,
    *,
    concurrency: int = 8,
    seconds: float = 10,
    max_requests: int = 10**9,
    rate: float | None = None,
) -> Result:
    """Load the server from a separate process for at most `seconds`; returns the figures. With `rate`,
    requests are offered at that many per second spread over the connections (open loop)."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=_load_process, args=(port, maker, concurrency, seconds, max_requests, out, rate))
    proc.start()
    latencies, errors, elapsed = out.get(timeout=seconds + 120)
    proc.join(timeout=30)
    return Result(name, len(latencies), errors, elapsed, latencies)


def report(title: str, baseline: Result, results: list[Result], notes: list[str]) -> str:
    import django

    lines = [
        title,
        f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; machine {platform.machine()}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}, Django {django.get_version()}",
        "",
        f"{'scenario':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs baseline':>13}",
    ]
    for r in [baseline, *results]:
        ratio = r.throughput / baseline.throughput if baseline.throughput else float("nan")
        lines.append(
            f"{r.name:<44}{r.throughput:>9.1f}{r.percentile(50):>9.1f}{r.percentile(99):>9.1f}{r.errors:>8}{ratio:>13.2f}"
        )
    lines += ["", *notes]
    return "\n".join(lines)


def login_cookie(port: int, username: str, password: str) -> str:
    """Log in through the real login form; returns the Cookie header for later requests."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    response.read()
    cookies = _cookies(response.getheaders())
    body = f"username={username}&password={password}&csrfmiddlewaretoken={cookies['csrftoken']}".encode()
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(cookies)},
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response.getheaders()))
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} failed (HTTP {response.status})")
    return _header(cookies)


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    found = {}
    for key, value in headers:
        if key.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name] = rest.split(";", 1)[0]
    return found


def _header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def json_body(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def backend_cpu(connection: Any) -> Callable[[], float]:
    """A reader of the CPU seconds so far of `connection`'s PostgreSQL backend (Django's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return read
