"""Throwaway PostgreSQL clusters made with the standard tools (initdb, pg_ctl, pg_basebackup)
as the postgres user, on free ports of 127.0.0.1: the production shape of `yiwang.demo.cluster`
and the operations tests (backup/restore, replica, faults) share them. Standard library only."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))


def tools_available() -> bool:
    return (BINDIR / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser") is not None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_argv(*cmd: str | Path | int, env: dict[str, str] | None = None) -> list[str]:
    """The argv running `cmd` as the postgres service user (initdb and pgbouncer refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    keep = {"PATH": f"{BINDIR}:{os.environ['PATH']}", "PG_BINDIR": str(BINDIR), **(env or {})}
    return [*prefix, "env", *(f"{k}={v}" for k, v in keep.items()), *map(str, cmd)]


def as_postgres(*cmd: str | Path | int, env: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL tool as the service user; returns its standard output."""
    done = subprocess.run(postgres_argv(*cmd, env=env), capture_output=True, text=True, timeout=180, check=False)  # noqa: S603
    if done.returncode != 0:
        raise AssertionError(f"{cmd[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def sql(port: int, query: str, database: str = "yiwang") -> str:
    return as_postgres(BINDIR / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", database, "-Atc", query)


def make_workspace(prefix: str) -> Path:
    """A new directory the postgres user owns."""
    where = Path(tempfile.mkdtemp(prefix=prefix))
    where.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(where, "postgres", "postgres")
    return where


def stop_clusters(where: Path) -> None:
    """Stop every cluster started under `where` (immediately: it is thrown away)."""
    for version_file in sorted(where.glob("*/PG_VERSION")):
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            as_postgres(BINDIR / "pg_ctl", "-D", version_file.parent, "-m", "immediate", "-w", "stop")


@contextlib.contextmanager
def workspace(prefix: str) -> Iterator[Path]:
    """A directory the postgres user owns; every cluster started in it is stopped at the end."""
    where = make_workspace(prefix)
    try:
        yield where
    finally:
        stop_clusters(where)
        shutil.rmtree(where, ignore_errors=True)


def _configure(pgdata: Path, port: int, extra: str) -> None:
    conf = f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{pgdata}'\nfsync = off\n"
    as_postgres("sh", "-c", f'printf %s "$0" >> {pgdata}/postgresql.auto.conf', conf + extra)


def start_primary(ws: Path, *, extra: str = "") -> int:
    """initdb + start a primary with a `yiwang` database; returns its port."""
    pgdata, port = ws / "primary", free_port()
    as_postgres(BINDIR / "initdb", "-D", pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    _configure(pgdata, port, "wal_level = replica\n" + extra)
    pg_ctl(ws, "primary", "start")
    as_postgres(BINDIR / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "yiwang")
    return port


def pg_ctl(ws: Path, name: str, action: str, *options: str) -> None:
    """`pg_ctl start|stop|restart` on the cluster `ws/name` (its log: ws/name.log)."""
    as_postgres(BINDIR / "pg_ctl", "-D", ws / name, "-l", ws / f"{name}.log", *options, "-w", action)


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
        "-c",
        "fast",  # checkpoint now (a spread one takes minutes on an idle primary)
    )
    as_postgres("sed", "-i", "/^port = /d;/^unix_socket_directories/d", pgdata / "postgresql.auto.conf")
    _configure(pgdata, port, "hot_standby = on\n")
    pg_ctl(ws, "replica", "start")
    return port
