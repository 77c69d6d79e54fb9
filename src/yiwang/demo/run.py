"""Start the platform the way `make demo` does: the WSGI server and the worker, together.

The web tier is granian in WSGI mode (ADR 0002); the worker is `yiwang worker`. Both are
child processes; Ctrl-C or SIGTERM stops both, and if either dies the other is stopped.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run yiwang: web (granian, WSGI) + worker")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="web worker processes (about one per core)")
    args = parser.parse_args(argv)
    bin_dir = os.path.dirname(sys.executable)
    web = [
        os.path.join(bin_dir, "granian"),
        "--interface",
        "wsgi",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        str(args.workers),
        "--no-ws",
        # Sync Django holds a thread per request; a few per worker keep the CPU busy without
        # hundreds of idle threads (granian's default) competing for the GIL.
        "--blocking-threads",
        "8",
        "yiwang.config.wsgi:application",
    ]
    worker = [os.path.join(bin_dir, "yiwang"), "worker"]
    # Each child leads its own process group, so stopping it also stops granian's workers.
    procs = [subprocess.Popen(cmd, start_new_session=True) for cmd in (web, worker)]  # noqa: S603 - our own executables
    print(
        f"yiwang 已启动：http://{args.host}:{args.port}/  （工作台 /workbench/，后台 /admin/，接口文档 /api/v1/docs）",
        flush=True,
    )

    def signal_all(sig: int) -> None:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)

    def stop(*_: object) -> None:
        signal_all(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
    finally:
        stop()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                signal_all(signal.SIGKILL)
    return max(proc.returncode or 0 for proc in procs)


if __name__ == "__main__":
    sys.exit(main())
