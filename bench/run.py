"""`make bench`: every benchmark of the project, one after the other, on PostgreSQL.

Each benchmark starts the platform its own way with the production server (granian, WSGI,
one worker per core), generates its data, drives load from a separate process on
127.0.0.1 for a bounded time and writes its table to bench/results/. This runner only
sequences them and prints where the results are; docs/performance.md explains the method
and discusses the latest figures. `--only licenses` (or `make bench ONLY=licenses`) runs
some of them: ledger, catalog, cases, licenses, exchange, ratings, supervision,
comma-separated.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/postgres"

BENCHES = {
    "ledger": ("ledger (1,000,000 entries)", ["bench/ledger_bench.py", "--db", "postgres", "--entries", "1000000"]),
    "catalog": ("catalog guide (10,000 items × 3 regions)", ["bench/catalog_bench.py", "--db", "postgres"]),
    "cases": ("cases (submission, lives, lists at 1,000,000 cases)", ["bench/cases_bench.py"]),
    "licenses": (
        "e-licenses (issuance in the decision, verification at 1,000,000 licenses)",
        ["bench/licenses_bench.py"],
    ),
    "exchange": (
        "data sharing (a shared material's cost in a submission; a failing provider system)",
        ["bench/exchange_bench.py"],
    ),
    "ratings": ("好差评 figures at 1,000,000 ratings", ["bench/ratings_bench.py"]),
    "supervision": (
        "supervision dashboard and 考评 at 10,000,000 cases; the roll-up observer; rebuild",
        ["bench/supervision_bench.py"],
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(BENCHES), help=f"comma-separated, of: {', '.join(BENCHES)}")
    chosen = [name.strip() for name in parser.parse_args().only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    failed = []
    for title, args in (BENCHES[name] for name in chosen):
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
