"""Throwaway PostgreSQL clusters for the operations tests (backup/restore, replica): made with
the standard tools (initdb, pg_ctl, pg_basebackup) as the postgres user, on free ports of
127.0.0.1, removed afterwards; and the platform run against them in its own processes."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))


def tools_available() -> bool:
    return (BINDIR / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser") is not None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(*cmd: str | Path | int, env: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL tool as the service user (initdb refuses root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    keep = {"PATH": f"{BINDIR}:{os.environ['PATH']}", "PG_BINDIR": str(BINDIR), **(env or {})}
    argv = [*prefix, "env", *(f"{k}={v}" for k, v in keep.items()), *map(str, cmd)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, f"{cmd[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def sql(port: int, query: str, database: str = "yiwang") -> str:
    return as_postgres(BINDIR / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-Atc", query)


@contextlib.contextmanager
def workspace(prefix: str) -> Iterator[Path]:
    """A directory the postgres user owns; every cluster started in it is stopped at the end."""
    where = Path(tempfile.mkdtemp(prefix=prefix))
    where.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(where, "postgres", "postgres")
    try:
        yield where
    finally:
        for version_file in sorted(where.glob("*/PG_VERSION")):
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                as_postgres(BINDIR / "pg_ctl", "-D", version_file.parent, "-m", "immediate", "-w", "stop")
        shutil.rmtree(where, ignore_errors=True)


def _configure(pgdata: Path, port: int, extra: str) -> None:
    conf = f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{pgdata}'\nfsync = off\n"
    as_postgres("sh", "-c", f'printf %s "$0" >> {pgdata}/postgresql.auto.conf', conf + extra)


def start_primary(ws: Path, *, extra: str = "") -> int:
    """initdb + start a primary with a `yiwang` database; returns its port."""
    pgdata, port = ws / "primary", free_port()
    as_postgres(BINDIR / "initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    _configure(pgdata, port, "wal_level = replica\n" + extra)
    as_postgres(BINDIR / "pg_ctl", "-D", pgdata, "-l", ws / "primary.log", "-w", "start")
    as_postgres(BINDIR / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "yiwang")
    return port


def start_replica(ws: Path, primary_port: int) -> int:
    """A streaming replica of the primary (pg_basebackup -R); returns its port."""
    pgdata, port = ws / "replica", free_port()
    as_postgres(
        BINDIR / "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        primary_port,
        "-U",
        "postgres",
        "-D",
        pgdata,
        "-R",
        "-X",
        "stream",
    )
    as_postgres("sed", "-i", "/^port = /d;/^unix_socket_directories/d", pgdata / "postgresql.auto.conf")
    _configure(pgdata, port, "hot_standby = on\n")
    as_postgres(BINDIR / "pg_ctl", "-D", pgdata, "-l", ws / "replica.log", "-w", "start")
    return port


def platform(script: str | list[str], env: dict[str, str], *args: str) -> str:
    """Run a Python snippet (or a `yiwang` command given as a list) as the platform, in its own
    process with `env` on top of a test environment; returns its standard output."""
    full = {
        **os.environ,
        "YIWANG_ENV": "test",
        "YIWANG_TASKS_BACKEND": "immediate",
        "DJANGO_SETTINGS_MODULE": "yiwang.config.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")]),
        **env,
    }
    argv = (
        [sys.executable, "-m", "yiwang.manage", *script] if isinstance(script, list) else [sys.executable, "-c", script]
    )
    done = subprocess.run([*argv, *args], env=full, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{argv[-1][:40]!r} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def last_json(output: str) -> dict[str, object]:
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]
