"""Re-derivation benchmark on PostgreSQL: the calendar job over 1,000,000 open tasks.

    .venv/bin/python bench/calendar_rederive.py [--tasks 1000000] [--timeout 1500]

Method. A database of its own (`yiwang_calendar_bench`), migrated, demo world loaded (the
official 2025–2026; 2027–2028 projected). N in-review cases of 济南's 公共场所卫生许可 (20/15
working days) accepted between 2026-11-16 and 2026-12-24, each with one open review task
(10 working days from acceptance) and the clock ledger of both (one start each), written by
bulk SQL (INSERT … SELECT generate_series, one transaction, VACUUM ANALYZE) with no dates.

1. settle: the job derives every stored date (all rows change, from no date to one: each
   applicant and the task's post holders are told the date).
2. official 2027: an official 2027 that differs from the projection (元旦 1/1–1/4, 春节
   2/5–2/11 with two 调休 Saturdays) is entered and published through the calendar services, and
   the job (what the publish enqueues) runs: dates that cross 元旦 or 春节 move, and the
   applicant and the task's post holders get a notice for each that moved.
3. again: the same job once more — idempotent, nothing to write.

Each step is timed (wall, the job process's CPU, the PostgreSQL backend's CPU from
/proc/<pid>/stat) and reported as rows/s over the cases + tasks it walked. The whole run is
bounded by --timeout: a step still running then is stopped and reported as such. Written to
bench/results/calendar-<date>.txt. Not part of the test run.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DB = "yiwang_calendar_bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

SETUP = r"""
import json
from django.db import connection, transaction
from yiwang.accounts.models import User
from yiwang.catalog.models import ImplementationVersion
iv = ImplementationVersion.objects.select_related("implementation").get(
    item_version__name="公共场所卫生许可", status="published", implementation__region__code="370100000000")
P = {"n": N, "iv": iv.pk, "dept": iv.implementation.department_id, "region": iv.implementation.region_id,
     "applicant": User.objects.get(username="zhangsan").pk, "stat": iv.statutory_limit_days, "comm": iv.committed_limit_days}
SQL = '''
CREATE TEMP TABLE g AS SELECT g AS n, DATE '2026-11-16' + (g %% 39) AS acc FROM generate_series(1, %(n)s) g;
INSERT INTO cases_case (ref, number, status, form_data, idempotency_key, idempotency_fingerprint, delivery_method, delivery_address,
    commitment_text, created_at, updated_at, submitted_at, received_on, accepted_on, deemed_accepted, refusal_reason,
    refusal_basis, decision, decision_opinion, decision_basis, decision_remedies, decided_at, decided_by_rule,
    concluded_at, delivery_reference, withdrawn_at, due_date, committed_due_date, warning_date,
    applicant_id, department_id, enterprise_id, implementation_version_id, region_id)
  SELECT gen_random_uuid(), 'CALBENCH-' || lpad(n::text, 9, '0'), 'in_review', '{}', 'calbench-' || n, '', 'electronic',
    '', '', acc, acc, acc, acc, acc, false, '', '', '', '', '', '[]', NULL, '', NULL, '', NULL, NULL, NULL, NULL,
    %(applicant)s, %(dept)s, NULL, %(iv)s, %(region)s FROM g ORDER BY n;
INSERT INTO cases_task (key, name, kind, role, status, limit_days, created_at, opinion, case_id, department_id)
  SELECT 'review', '审查', 'review', 'reviewer', 'open', 10, accepted_on, '', id, department_id
  FROM cases_case WHERE number LIKE 'CALBENCH-%%' ORDER BY id;
INSERT INTO cases_clockevent (kind, "on", days, cause, note, at, case_id, task_id)
  SELECT 'start', accepted_on, %(stat)s, 'acceptance', '', accepted_on, id, NULL FROM cases_case WHERE number LIKE 'CALBENCH-%%'
  UNION ALL SELECT 'start', t.created_at::date, 10, 'activation', '', t.created_at, t.case_id, t.id
    FROM cases_task t JOIN cases_case c ON c.id = t.case_id WHERE c.number LIKE 'CALBENCH-%%'
'''
with transaction.atomic(), connection.cursor() as cur:
    for statement in SQL.split(";\n"):
        cur.execute(statement, P)
with connection.cursor() as cur:
    cur.execute("VACUUM ANALYZE cases_case, cases_task, cases_clockevent")
    cur.execute("SELECT (SELECT count(*) FROM cases_case WHERE status = 'in_review'), "
                "(SELECT count(*) FROM cases_task WHERE status IN ('open', 'claimed'))")
    print(json.dumps(cur.fetchone()))
"""

STEP = r"""
import json, os, resource, time
from django.db import connection
from yiwang.core import clock
from yiwang.notifications.models import Message
if OFFICIAL:
    import datetime as dt
    from yiwang.workcalendar import services as cal
    D = dt.date
    cal.calendar_year_add(actor=None, year=2027, source="基准测试：假定的 2027 年节假日安排")
    for day, working, name in [(D(2027, 1, d), False, "元旦") for d in (1, 4)] + [
            (D(2027, 2, d), False, "春节") for d in (5, 8, 9, 10, 11)] + [
            (D(2027, 1, 30), True, "春节调休上班"), (D(2027, 2, 20), True, "春节调休上班")]:
        cal.calendar_day_set(actor=None, day=day, is_working_day=working, name=name)
    cal.calendar_year_publish(actor=None, year=2027)
from yiwang.cases.rederive import due_dates_rederive
with connection.cursor() as cur:
    cur.execute("SELECT pg_backend_pid()")
    backend = cur.fetchone()[0]
def pg_cpu():
    fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
messages = Message.objects.count()
r0, p0, w0 = resource.getrusage(resource.RUSAGE_SELF), pg_cpu(), time.perf_counter()
with clock.frozen(TODAY):
    result = due_dates_rederive(was_provisional=frozenset([2027, 2028]) if OFFICIAL else frozenset())
r1, p1, w1 = resource.getrusage(resource.RUSAGE_SELF), pg_cpu(), time.perf_counter()
print(json.dumps({**result.as_dict(), "wall": w1 - w0, "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
                  "pg_cpu": p1 - p0, "messages": Message.objects.count() - messages}))
"""


def django(code: str, env: dict[str, str], timeout: float) -> str:
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yiwang.config.settings'); django.setup()\n"
        + code
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True, timeout=timeout
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=1500, help="seconds for the whole run")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "YIWANG_ENV": "development",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "YIWANG_TASKS_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
    }
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    manage = [sys.executable, "-m", "yiwang.manage"]
    for command in (["migrate", "-v0"], ["createcachetable"], ["load_demo"]):
        subprocess.run([*manage, *command], env=env, check=True, capture_output=True, timeout=600)
    started = time.perf_counter()
    counts = json.loads(django(f"N = {args.tasks}\n" + SETUP, env, max(60.0, deadline - time.monotonic())))
    lines = [
        f"calendar re-derivation, {args.tasks:,} open tasks + their cases; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
        f"{platform.machine()}, {os.cpu_count()} cores shared; Python {platform.python_version()}",
        f"generated {counts[0]:,} running cases, {counts[1]:,} open tasks in {time.perf_counter() - started:.0f} s",
        "",
        f"{'step':<16}{'rows':>11}{'changed':>11}{'notices':>10}{'wall s':>9}{'rows/s':>9}{'job cpu s':>11}{'pg cpu s':>10}",
    ]
    print("\n".join(lines), flush=True)
    for step, official in (("settle", False), ("official 2027", True), ("again", False)):
        left = deadline - time.monotonic()
        code = f"OFFICIAL = {official}\nimport datetime\nTODAY = datetime.date(2026, 12, 28)\n" + STEP
        try:
            r = json.loads(django(code, env, max(1.0, left)))
        except subprocess.TimeoutExpired:
            done = ""
            if step == "settle":  # what got its dates before the stop: a partial rate
                with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
                    n = sum(
                        conn.execute(f"SELECT count(*) FROM {t} WHERE due_date IS NOT NULL").fetchone()[0]  # type: ignore[index]
                        for t in ("cases_case", "cases_task")
                    )
                done = f"; {n:,} rows derived in {left:.0f} s = {n / left:,.0f} rows/s (wall, incl. start-up)"
            lines.append(f"{step:<16} stopped: the --timeout of {args.timeout:.0f} s ran out{done}")
            print(lines[-1], flush=True)
            break
        rows = r["cases_seen"] + r["tasks_seen"]
        changed = r["cases_changed"] + r["tasks_changed"]
        lines.append(
            f"{step:<16}{rows:>11,}{changed:>11,}{r['messages']:>10,}{r['wall']:>9.1f}{rows / r['wall']:>9,.0f}"
            f"{r['cpu']:>11.1f}{r['pg_cpu']:>10.1f}"
        )
        print(lines[-1], flush=True)
    out = ROOT / "bench" / "results" / f"calendar-{dt.date.today():%Y-%m-%d}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
