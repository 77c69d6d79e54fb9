"""Throwaway PostgreSQL clusters for the operations tests (backup/restore, replica, faults):
made with the standard tools (yiwang.demo.pgtools, shared with `python -m yiwang.demo.cluster`),
and the platform run against them in its own processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

from yiwang.demo.pgtools import (  # noqa: F401 - re-exported for the tests
    BINDIR,
    as_postgres,
    free_port,
    sql,
    start_primary,
    start_replica,
    tools_available,
    workspace,
)

ROOT = Path(__file__).resolve().parents[1]


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
