"""`make bench`: every benchmark of the project, one after the other, on PostgreSQL.

Each benchmark starts the platform its own way with the production server (granian, WSGI,
one worker per core), generates its data, drives load from a separate process on
127.0.0.1 for a bounded time and writes its table to bench/results/. This runner only
sequences them and prints where the results are; docs/performance.md explains the method
and discusses the latest figures.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/postgres"

BENCHES = [
    ("ledger (1,000,000 entries)", ["bench/ledger_bench.py", "--db", "postgres", "--entries", "1000000"]),
    ("catalog guide (10,000 items × 3 regions)", ["bench/catalog_bench.py", "--db", "postgres"]),
    ("cases (submission, lives, lists at 1,000,000 cases)", ["bench/cases_bench.py"]),
]


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    failed = []
    for title, args in BENCHES:
        print(f"\n=== {title} ===", flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env={**os.environ, "DATABASE_URL": PG}, check=False)
        print(f"--- {title}: {'ok' if done.returncode == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
        if done.returncode:
            failed.append(title)
    print(f"\nresults: {ROOT / 'bench' / 'results'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
