"""Ledger benchmark: integrator throughput, proof and verification times, integrator memory.

    .venv/bin/python bench/ledger_bench.py --db sqlite --entries 1000000
    .venv/bin/python bench/ledger_bench.py --db postgres --entries 1000000

Each run builds a fresh database (a temporary SQLite file, or the PostgreSQL database
`yiwang_bench`), fills it with N pending entries by bulk insert, integrates them with the
real integrator, then samples inclusion proofs and their verification. Every figure is
also given as a ratio to a baseline measured in the same run on the same database:
- integration vs. the bulk insert of the same entries (raw write speed of this database);
- a served proof vs. a primary-key fetch of one entry.
The integrator's memory is sampled per batch (tracemalloc peak) to show it stays flat.
Results are printed and written to bench/results/ledger-<db>-<date>.txt.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(db: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="yiwang-bench-")
    os.environ["YIWANG_DATA_DIR"] = data_dir
    os.environ["YIWANG_ENV"] = "test"
    if db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS yiwang_bench")
            conn.execute("CREATE DATABASE yiwang_bench")
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/yiwang_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _fill(n: int) -> float:
    """Insert n pending entries the way ledger_append shapes them; returns seconds."""
    from yiwang.core import clock
    from yiwang.ledger.canonical import canonical_json
    from yiwang.ledger.config import log_hash_suite
    from yiwang.ledger.models import Entry

    suite = log_hash_suite()
    at = clock.now()
    started = time.perf_counter()
    chunk = 5000
    for start in range(0, n, chunk):
        rows = []
        for i in range(start, min(n, start + chunk)):
            leaf = canonical_json(
                {"at": at.isoformat(), "kind": "bench.event", "subject": f"case:{i}", "payload": {"i": i}}
            )
            rows.append(
                Entry(
                    kind="bench.event",
                    subject=f"case:{i}",
                    leaf=leaf.decode(),
                    leaf_hash=suite.leaf_hash(leaf),
                    created_at=at,
                )
            )
        Entry.objects.bulk_create(rows, batch_size=chunk)
    return time.perf_counter() - started


def _integrate(batch: int) -> tuple[float, int, list[int]]:
    from yiwang.ledger.integrator import ledger_integrate_batch

    peaks: list[int] = []
    total = 0
    started = time.perf_counter()
    while True:
        tracemalloc.start()
        done = ledger_integrate_batch(batch_size=batch)
        if done == batch:  # full batches only: the last, partial one is smaller by nature
            peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        total += done
        if done < batch:
            break
    return time.perf_counter() - started, total, peaks


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _proofs(n: int, samples: int) -> dict[str, list[float]]:
    from yiwang.ledger.config import log_hash_suite
    from yiwang.ledger.merkle import verify_inclusion
    from yiwang.ledger.models import Checkpoint, Entry
    from yiwang.ledger.selectors import entry_get, inclusion_proof_for

    suite = log_hash_suite()
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    assert checkpoint is not None
    root = bytes(checkpoint.root_hash)
    ids = list(Entry.objects.order_by("id").values_list("id", flat=True)[:: max(1, n // 5000)])
    rng = random.Random(7)
    times: dict[str, list[float]] = {"pk_fetch": [], "proof": [], "verify": []}
    import base64

    for _ in range(samples):
        entry_id = rng.choice(ids)
        t0 = time.perf_counter()
        Entry.objects.get(pk=entry_id)
        times["pk_fetch"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        proof = inclusion_proof_for(entry_get(entry_id))
        times["proof"].append(time.perf_counter() - t0)
        hashes = [base64.b64decode(h) for h in proof["proof"]]
        t0 = time.perf_counter()
        verify_inclusion(
            suite, proof["leaf_index"], proof["tree_size"], base64.b64decode(proof["leaf_hash"]), hashes, root
        )
        times["verify"].append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    _setup(args.db)
    from django.db import connection

    fill_s = _fill(args.entries)
    integrate_s, total, peaks = _integrate(args.batch)
    assert total == args.entries, (total, args.entries)
    times = _proofs(args.entries, args.samples)
    ms = {k: [v * 1000 for v in vals] for k, vals in times.items()}
    proof50, fetch50 = statistics.median(ms["proof"]), statistics.median(ms["pk_fetch"])
    first_peaks, last_peaks = peaks[: max(1, len(peaks) // 10)], peaks[-max(1, len(peaks) // 10) :]
    lines = [
        f"yiwang ledger benchmark — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"database {connection.vendor} {getattr(connection, 'pg_version', '')}".rstrip(),
        f"entries: {args.entries:,}, integrator batch: {args.batch:,}",
        "",
        f"{'measure':<38}{'value':>16}{'baseline':>16}{'ratio':>10}",
        f"{'integration (entries/s)':<38}{total / integrate_s:>16,.0f}{args.entries / fill_s:>16,.0f}"
        f"{(total / integrate_s) / (args.entries / fill_s):>10.2f}   baseline: bulk insert of the entries",
        f"{'inclusion proof p50 (ms)':<38}{proof50:>16.3f}{fetch50:>16.3f}{proof50 / fetch50:>10.2f}"
        "   baseline: primary-key fetch of one entry",
        f"{'inclusion proof p99 (ms)':<38}{_percentile(ms['proof'], 99):>16.3f}{_percentile(ms['pk_fetch'], 99):>16.3f}"
        f"{_percentile(ms['proof'], 99) / _percentile(ms['pk_fetch'], 99):>10.2f}",
        f"{'verification p50 (ms, pure Python)':<38}{statistics.median(ms['verify']):>16.3f}",
        f"{'integrator peak memory, first 10% of batches (KiB)':<54}{max(first_peaks) / 1024:>10,.0f}",
        f"{'integrator peak memory, last 10% of batches (KiB)':<54}{max(last_peaks) / 1024:>10,.0f}",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / f"ledger-{args.db}-{dt.date.today():%Y%m%d}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")


if __name__ == "__main__":
    main()
