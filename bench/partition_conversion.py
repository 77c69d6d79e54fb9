"""How long the partition migrations hold a table: `partition_table` on a filled ledger_entry.

    .venv/bin/python bench/partition_conversion.py [--db yiwang_conv] [--rows 2000000] [--months 24]

The migrations that partition the append-only tables (ADR 0034) copy every row inside the
migration's transaction, with the table locked: on an installation that already holds years of
data, that is the upgrade's maintenance window. This makes a fresh database (`migrate`),
turns `ledger_entry` back into a plain table (`unpartition_table`), fills it with --rows
entries spread over --months months (leaf text of a real entry's size, every index in place)
and times `partition_table` on it: wall seconds, rows/s, and the PostgreSQL backend's CPU.
Not run by `make bench` (it drops and remakes --db).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import backend_cpu

ROOT = Path(__file__).resolve().parent.parent

FILL = """
INSERT INTO ledger_entry (kind, subject, leaf, leaf_hash, leaf_index, created_at, integrated_at)
SELECT 'case.accept', 'case:' || g, repeat('x', 420), sha256(g::text::bytea), g - 1,
       now() - make_interval(secs => ({months} * 30 * 86400.0) * (1 - g::float8 / {rows})),
       now()
FROM generate_series(1, {rows}) AS g
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yiwang_conv")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    env = {**os.environ, "YIWANG_ENV": "development", "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "yiwang.config.settings"}  # fmt: skip
    for cmd in (["dropdb", "--if-exists", args.db], ["createdb", args.db]):
        subprocess.run([*cmd, "-h", "127.0.0.1", "-U", "postgres"], check=True)
    subprocess.run([str(ROOT / ".venv/bin/yiwang"), "migrate", "-v0"], env=env, check=True)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection, transaction

    from yiwang.ledger.partitions import partition_table, partitions_of, unpartition_table

    with transaction.atomic():
        unpartition_table(connection, "ledger_entry")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL.format(rows=args.rows, months=args.months))
        cursor.execute("VACUUM ANALYZE ledger_entry")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('ledger_entry'))")
        size = cursor.fetchone()[0]
    print(f"filled {args.rows:,} entries over {args.months} months in {time.perf_counter() - started:.1f} s ({size})")
    read_cpu = backend_cpu(connection)
    cpu_before = read_cpu()
    started = time.perf_counter()
    with transaction.atomic():
        partition_table(connection, "ledger_entry", "created_at")
    wall = time.perf_counter() - started
    cpu = read_cpu() - cpu_before
    parts = [p for p in partitions_of("ledger_entry") if p.rows]
    print(
        f"partition_table(ledger_entry): {wall:.1f} s wall, {args.rows / wall:,.0f} rows/s, "
        f"PostgreSQL CPU {cpu:.1f} s; {len(parts)} months with rows"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
