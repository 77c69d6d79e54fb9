"""The production shape on one machine (ADR 0032, docs/operations.md §5a):

    python -m yiwang.demo.cluster [--web 2] [--workers 2] [--dir DIR] [--demo]

starts, on free ports of 127.0.0.1 under a temporary directory (or DIR):

- a PostgreSQL primary and a synchronous streaming replica (initdb, pg_basebackup -R;
  yiwang.demo.pgtools);
- PgBouncer in transaction pooling in front of the primary, with two database entries: `yiwang`
  (worker, commands) and `yiwang_web` (web: its connect_query sets the request budget);
- a private Redis (cache and the RQ task queue);
- the local SMS gateway (yiwang.notifications.devsms, recording every message);
- `--web` granian processes behind HAProxy (health check /api/v1/health/ready, retries of
  idempotent requests and of POSTs that carry an Idempotency-Key);
- `--workers` `yiwang worker` processes on the RQ queue.

The database is migrated directly on the primary (never through the transaction pooler). It
prints one JSON line naming every address, then runs until SIGTERM or Ctrl-C and stops
everything. A web or worker process that dies is started again within a second (systemd's
Restart=always on real hosts). The fault tests (tests/test_faults.py) drive `Cluster`.
"""

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yiwang
from yiwang.demo.pgtools import (
    BINDIR,
    make_workspace,
    pg_ctl,
    postgres_argv,
    sql,
    start_primary,
    start_replica,
    stop_clusters,
)
from yiwang.demo.pgtools import free_port as _free_port

# The web pool's session settings (the request budget of core.middleware, which a transaction
# pooler cannot keep per client): set once on each server connection PgBouncer opens.
WEB_CONNECT_QUERY = "SET statement_timeout = 5000; SET idle_in_transaction_session_timeout = 10000"


# A fresh database has no working-day calendar: seed the published years (as load_demo does).
SEED_CALENDAR = """
import django
django.setup()
from django.conf import settings
from yiwang.core.calendar import calendar_seed
calendar_seed(years=settings.CALENDAR_SEED_YEARS)
"""


def pgbouncer_ini(ws: Path, *, port: int, primary: int) -> str:
    server = f"host=127.0.0.1 port={primary} dbname=yiwang"
    return f"""[databases]
yiwang = {server}
yiwang_web = {server} connect_query='{WEB_CONNECT_QUERY}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {ws}/pgbouncer.users
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
reserve_pool_size = 5
server_lifetime = 600
server_login_retry = 1
query_wait_timeout = 30
ignore_startup_parameters = extra_float_digits
logfile = {ws}/pgbouncer.log
pidfile = {ws}/pgbouncer.pid
"""


def haproxy_cfg(*, port: int, webs: list[int]) -> str:
    servers = "\n".join(f"    server web{i + 1} 127.0.0.1:{p} check" for i, p in enumerate(webs))
    return f"""global
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 30s
    timeout http-request 10s
    timeout check 2s
    retries 3
    option redispatch 1
    # L7 retries (another web process) when a process dies under a request: only for requests
    # that may be repeated — safe methods, and POSTs that carry an Idempotency-Key.
    retry-on conn-failure empty-response response-timeout 502 503 504

frontend www
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend granian

backend granian
    balance roundrobin
    acl idempotent method GET HEAD OPTIONS PUT DELETE
    acl keyed req.hdr(Idempotency-Key) -m found
    http-request disable-l7-retry if !idempotent !keyed
    option httpchk
    http-check send meth GET uri /api/v1/health/ready ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 500ms fastinter 250ms fall 2 rise 1
{servers}
"""


def _wait_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")
        time.sleep(0.1)


class Cluster:
    """Every process of the production shape, started, watched and stopped together."""

    def __init__(self, *, web: int = 2, workers: int = 2, where: Path | None = None, env: dict[str, str] | None = None):
        self.n_web, self.n_workers = web, workers
        self.ws = where or make_workspace("yiwang-cluster-")
        self.base_env = {**os.environ, **(env or {})}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.held: set[str] = set()  # stopped on purpose: not started again by the watcher
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ports: dict[str, int] = {}
        self.bin = Path(sys.executable).parent
        self.logs = self.ws / "logs"

    # --- start ---------------------------------------------------------------------------

    def start(self) -> "Cluster":
        self.logs.mkdir(exist_ok=True)
        self.ports["primary"] = start_primary(self.ws, extra="max_wal_senders = 4\nmax_connections = 100\n")
        self.ports["replica"] = start_replica(self.ws, self.ports["primary"])
        self._synchronous_replica()
        self._start_redis()
        self._start_pgbouncer()
        self._start_devsms()
        self.platform_command(["migrate", "--no-input"], direct=True)
        self.platform_command([], script=SEED_CALENDAR)
        webs = [_free_port() for _ in range(self.n_web)]
        for i, port in enumerate(webs):
            self.ports[f"web{i + 1}"] = port
            self._spawn(f"web{i + 1}", self._granian(port), self.web_env())
        for i in range(self.n_workers):
            self._spawn(f"worker{i + 1}", [str(self.bin / "yiwang"), "worker"], self.worker_env())
        for port in webs:
            _wait_port(port)
        self.ports["proxy"] = _free_port()
        (self.ws / "haproxy.cfg").write_text(haproxy_cfg(port=self.ports["proxy"], webs=webs))
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self._spawn("haproxy", [haproxy, "-f", str(self.ws / "haproxy.cfg"), "-db"], self.base_env)
        _wait_port(self.ports["proxy"], self.procs["haproxy"])
        threading.Thread(target=self._watch, name="cluster-watch", daemon=True).start()
        return self

    def _synchronous_replica(self) -> None:
        """A commit returns once the replica has it too: promoting the replica then loses no
        case a client was told about. (Set after the base backup: with no standby connected a
        synchronous primary would wait forever.)"""
        sql(self.ports["primary"], "ALTER SYSTEM SET synchronous_standby_names = '*'")
        sql(self.ports["primary"], "SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while (
            sql(self.ports["primary"], "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'").strip()
            != "1"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not become synchronous within 30 s")
            time.sleep(0.2)

    def _start_redis(self) -> None:
        self.ports.setdefault("redis", _free_port())
        (self.ws / "redis").mkdir(exist_ok=True)
        argv = [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.ports["redis"]),
            "--dir",
            str(self.ws / "redis"),
            "--appendonly",
            "yes",
            "--save",
            "",
        ]
        self._spawn("redis", argv, self.base_env)
        _wait_port(self.ports["redis"], self.procs["redis"])

    def _start_pgbouncer(self) -> None:
        self.ports["pgbouncer"] = port = _free_port()
        (self.ws / "pgbouncer.users").write_text('"postgres" ""\n')
        (self.ws / "pgbouncer.ini").write_text(pgbouncer_ini(self.ws, port=port, primary=self.ports["primary"]))
        pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self._spawn("pgbouncer", postgres_argv(pgbouncer, self.ws / "pgbouncer.ini"), self.base_env)
        _wait_port(port, self.procs["pgbouncer"])

    def _start_devsms(self) -> None:
        self.ports["sms"] = port = _free_port()
        argv = [
            sys.executable,
            "-m",
            "yiwang.notifications.devsms",
            "--port",
            str(port),
            "--record",
            str(self.sms_record),
        ]
        self._spawn("sms", argv, self.python_env())
        _wait_port(port, self.procs["sms"])

    @property
    def sms_record(self) -> Path:
        return self.ws / "sms.jsonl"

    def _granian(self, port: int) -> list[str]:
        return [
            str(self.bin / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--blocking-threads",
            "4",
            "--no-ws",
            "yiwang.config.wsgi:application",
        ]

    # --- environments --------------------------------------------------------------------

    def python_env(self) -> dict[str, str]:
        src = str(Path(yiwang.__file__).resolve().parents[1])  # this checkout's code
        return {**self.base_env, "PYTHONPATH": os.pathsep.join(filter(None, [src, self.base_env.get("PYTHONPATH")]))}

    def _platform_env(self, database: str) -> dict[str, str]:
        return {
            **self.python_env(),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports['pgbouncer']}/{database}",
            "DATABASE_POOL_MODE": "transaction",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "YIWANG_TASKS_BACKEND": "rq",
            "YIWANG_DATA_DIR": str(self.ws / "data"),
            "NOTIFICATION_SMS_CHANNEL": "yiwang.notifications.channels.HttpSmsChannel",
            "SMS_GATEWAY_URL": f"http://127.0.0.1:{self.ports['sms']}/send",
            "YIWANG_TRUSTED_PROXIES": "127.0.0.1",
        }

    def web_env(self) -> dict[str, str]:
        return {
            **self._platform_env("yiwang_web"),
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{self.ports['replica']}/yiwang",
        }

    def worker_env(self) -> dict[str, str]:
        return self._platform_env("yiwang")

    def direct_env(self) -> dict[str, str]:
        """Commands that need a session (migrate): straight to the primary, not the pooler."""
        return {
            **self._platform_env("yiwang"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.ports['primary']}/yiwang",
            "DATABASE_POOL_MODE": "session",
        }

    def platform_command(self, args: list[str], *, direct: bool = False, script: str | None = None) -> str:
        """Run `yiwang <args>` (or a Python snippet) as the platform; returns its output."""
        env = self.direct_env() if direct else self.worker_env()
        argv = [sys.executable, "-c", script] if script is not None else [str(self.bin / "yiwang"), *args]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"{args or 'script'} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    # --- processes -----------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.commands[name] = (argv, env)
        log = (self.logs / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=log, start_new_session=True)  # noqa: S603
        log.close()

    def _watch(self) -> None:
        """Start again every web and worker process that died (not the ones held)."""
        while not self.stopping.wait(0.3):
            with self.lock:
                for name, proc in list(self.procs.items()):
                    if name.startswith(("web", "worker")) and name not in self.held and proc.poll() is not None:
                        self._spawn(name, *self.commands[name])

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the whole process group of `name` (granian's workers included)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, sig)
        self.procs[name].wait(timeout=30)

    def stop_redis(self) -> None:
        with self.lock:
            self.held.add("redis")
        self.kill("redis", signal.SIGTERM)

    def start_redis(self) -> None:
        self._start_redis()
        with self.lock:
            self.held.discard("redis")

    def restart_postgres(self) -> None:
        pg_ctl(self.ws, "primary", "restart", "-m", "fast")

    def fail_over(self) -> None:
        """The primary is lost (an immediate shutdown: no checkpoint, like a crash); the replica
        is promoted and PgBouncer pointed at it (a reload: new server connections go there).
        Afterwards `ports["primary"]` is the promoted server, which has no replica."""
        pg_ctl(self.ws, "primary", "stop", "-m", "immediate")
        pg_ctl(self.ws, "replica", "promote")
        self.ports["lost_primary"], self.ports["primary"] = self.ports["primary"], self.ports["replica"]
        ini = pgbouncer_ini(self.ws, port=self.ports["pgbouncer"], primary=self.ports["primary"])
        (self.ws / "pgbouncer.ini").write_text(ini)
        os.kill(int((self.ws / "pgbouncer.pid").read_text()), signal.SIGHUP)  # pgbouncer itself, not runuser

    def info(self) -> dict[str, Any]:
        return {
            "url": f"http://127.0.0.1:{self.ports['proxy']}/",
            "dir": str(self.ws),
            "ports": self.ports,
            "sms_record": str(self.sms_record),
            "web_env": {k: v for k, v in self.web_env().items() if k not in os.environ or k == "PYTHONPATH"},
        }

    # --- stop ----------------------------------------------------------------------------

    def stop(self, *, remove: bool = True) -> None:
        self.stopping.set()
        order = ["haproxy", *(n for n in self.procs if n.startswith(("web", "worker"))), "sms", "pgbouncer", "redis"]
        for name in order:
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        stop_clusters(self.ws)
        if remove:
            shutil.rmtree(self.ws, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run yiwang's production shape on this machine (127.0.0.1)")
    parser.add_argument("--web", type=int, default=2, help="granian processes behind HAProxy")
    parser.add_argument("--workers", type=int, default=2, help="`yiwang worker` processes on the RQ queue")
    parser.add_argument("--dir", type=Path, default=None, help="where the clusters and logs live (kept at the end)")
    parser.add_argument("--demo", action="store_true", help="load the demo world (yiwang load_demo) before serving")
    args = parser.parse_args(argv)
    if not (BINDIR / "initdb").exists() or not shutil.which("pgbouncer") or not shutil.which("haproxy"):
        print("needs PostgreSQL 15, pgbouncer and haproxy: scripts/ensure-pgbouncer", file=sys.stderr)
        return 2
    where = None
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(args.dir, "postgres", "postgres")  # initdb runs as postgres
        where = args.dir.resolve()
    cluster = Cluster(web=args.web, workers=args.workers, where=where)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        cluster.start()
        if args.demo:
            cluster.platform_command(["load_demo"], direct=True)
        print(json.dumps(cluster.info(), ensure_ascii=False), flush=True)
        done.wait()
    finally:
        cluster.stop(remove=args.dir is None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
