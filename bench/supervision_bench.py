"""Supervision benchmark on PostgreSQL: the monitoring dashboard (`dashboard.board`) and the
monthly evaluation (`evaluation.ranking`) at 10,000,000 cases over 12 months for a province
shaped like Shandong; the cost the roll-up observer adds per case event; the rebuild's rate
(issue 15: "the dashboard for a province, a city and a department each p99 under 300 ms; the
roll-ups keep up with the peak submission rate; rebuilding them … reports progress").

    .venv/bin/python bench/supervision_bench.py [--cases 10000000] [--repeat 20] [--timeout 1500]
    .venv/bin/python bench/supervision_bench.py --cases 100000 --repeat 3      # a smoke run

Method. DATABASE_URL (or --database-url; 127.0.0.1 only) names the database, which is DROPPED
and recreated: its name must contain `bench` (`make bench` passes the server's `postgres`
database: then `yiwang_bench_supervision` is used). Migrated and the demo world loaded. Then
one transaction of bulk SQL (supervision_data.GENERATE, INSERT … SELECT generate_series): the
16 cities and 136 county-level units, 352 departments, 50 items (Zipf volume, big cities
first), the roll-up rows of N cases over the 365 days up to today (DailyFigures per day ×
department × region × item with activity, DailyRatings, StatusCount) and the ~3 % of N cases
still open as rows of the case table (in_review with due and warning dates, ~8 % of them
past due). **Closed cases exist only as their roll-ups**: no figure the dashboard shows reads
a closed case (supervision_data explains why that is faithful). VACUUM ANALYZE.

Each scenario is called once to warm, then --repeat times: p50 (median) and p99 (nearest
rank) of the wall time, the mean CPU of this process and of the PostgreSQL backend
(/proc/<pid>/stat) per call; next to the baseline of the same run: a `SELECT count(*)` of
the DailyFigures rows. Each board's totals, P90, satisfaction and "now" counts are compared
with raw SQL written from the formulas (supervision_data.RAW_*), its rows and daily series
with its totals, the ranking's departments with the month's: any difference fails the run.
EXPLAIN (ANALYZE, BUFFERS) of the slowest scenario's queries. Then the observer: --events
`rollup.observe` calls (one per transaction, a submission's event) on one row and spread
over many, from one and two threads. Then `rollup.rebuild` over --rebuild-cases cases with
three events each (submit, accept, approve), written by bulk SQL into the same database
(it replaces the roll-ups: it runs last). Written to bench/results/supervision-<date>.txt
(supervision-<date>-<N>.txt for another N). Not part of the tests.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
DEFAULT_DB = "yiwang_bench_supervision"
PEAK_CASES_PER_S = 280_000 / 86_400 * 10  # Shanghai's daily volume, 10× its average rate
EVENTS_PER_CASE = 12  # observed events of a life: submit, accept, tasks and stages, decide, conclude


def database(url: str, *, may_drop: bool = False) -> tuple[str, str]:
    """(the Django URL, the database name) the bench may drop and recreate (`may_drop`: any
    name, for a database the caller owns)."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"the bench runs on 127.0.0.1 only, not {parts.hostname}")
    name = parts.path.lstrip("/") or "postgres"
    if name == "postgres":
        name = DEFAULT_DB
    if "bench" not in name and not may_drop:
        sys.exit(f"the bench drops and recreates its database: {name!r} must contain 'bench'")
    return parts._replace(scheme="postgres", path=f"/{name}").geturl(), name


def generate(n: int, deadline: float) -> tuple[dict, float, dt.date]:
    """The roll-ups of N cases and the open ones; (counts, seconds, the last day)."""
    from django.db import connection, transaction
    from supervision_data import GENERATE, MONTHLY, N_ITEMS, WEEKEND, combos, departments_sql, regions_sql

    from yiwang.accounts.models import User
    from yiwang.catalog.models import ImplementationVersion
    from yiwang.core import clock

    started = time.perf_counter()
    today = clock.today()
    published = ImplementationVersion.objects.filter(status="published").order_by("id")
    versions, codes = [], []
    for pk, code in published.values_list("pk", "item_version__item__basic_code"):
        if code not in codes:
            versions.append(pk)
            codes.append(code)
    codes += [f"BENCH{i:07d}" for i in range(len(codes) + 1, N_ITEMS + 1)]
    applicant = User.objects.get(username="zhangsan").pk
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL statement_timeout = {max(1, int(deadline - time.monotonic())) * 1000}")
        cur.execute("SET LOCAL synchronous_commit = off")
        for sql, params in (regions_sql(), departments_sql()):
            cur.execute(sql, params)
        cur.execute(
            "SELECT DISTINCT ON (rg.code, d.kind) rg.code, d.kind, d.id, rg.id FROM accounts_department d "
            "JOIN accounts_region rg ON rg.id = d.region_id ORDER BY rg.code, d.kind, d.id"
        )
        found = {(code, kind): (dept, region) for code, kind, dept, region in cur.fetchall()}
        params = {"n": n, "n_open": round(n * 0.03), "combos": json.dumps(combos(found, codes)), "end": today,
                  "today": today, "applicant": applicant, "versions": versions, "slots": 200_000,
                  "weekend": WEEKEND}  # fmt: skip
        for sql in GENERATE.split(";\n"):
            cur.execute(sql, params)
        for sql in MONTHLY.split(";\n"):
            cur.execute(sql)
    return counts(), time.perf_counter() - started, today


def reused(url: str, n: int) -> dict | None:
    """The counts of an earlier run's data of N cases (migrated to this code), or None: none there."""
    import django
    from django.core.management import call_command

    os.environ.update(DATABASE_URL=url, YIWANG_ENV="development", LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    from django.db import connection, transaction
    from supervision_data import MONTHLY

    try:
        call_command("migrate", verbosity=0)
        data = counts()
    except Exception:  # a missing or foreign database: generate afresh
        return None
    if data["submitted"] and not data["monthly_rows"]:  # written before MonthlyFigures existed
        with transaction.atomic(), connection.cursor() as cur:
            for sql in MONTHLY.split(";\n"):
                cur.execute(sql)
        data = counts()
    return data if data["submitted"] and abs(data["submitted"] - n) <= n * 0.01 + 100 else None


def counts() -> dict:
    from django.db import connection
    from supervision_data import COUNTS

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute(COUNTS)
        value = cur.fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


def scenarios(today: dt.date) -> list[tuple[str, object]]:
    """(label, call) of every timed scenario."""
    from yiwang.accounts.models import Department
    from yiwang.supervision import dashboard, evaluation, metrics

    dept = Department.objects.filter(region__code="370100000000", kind="approval_service").order_by("id")[0]
    quarter = today - dt.timedelta(days=89)
    year = today - dt.timedelta(days=dashboard.MAX_DAYS - 1)
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")

    def board(**scope):
        filters = dashboard.Filters(metrics.Scope(until=today, **scope), by="department")
        return lambda: dashboard.board(filters)

    return [
        ("(a) province 山东, 90 days", board(since=quarter, region_prefix="37")),
        ("(b) city 济南 370100, 90 days", board(since=quarter, region_prefix="3701")),
        (f"(c) department {dept.name}, 90 days", board(since=quarter, region_prefix="37", department_id=dept.pk)),
        ("(d) province 山东, 366 days", board(since=year, region_prefix="37")),
        (f"(e) 考评 ranking, province, {month}",
         lambda: evaluation.ranking(evaluation.DEFAULT_SCHEME, month, region_prefix="37")),
    ]  # fmt: skip


def check(found, today: dt.date) -> list[str]:
    """What differs between a Board (or a ranking) and the raw SQL of supervision_data."""
    from django.db import connection
    from supervision_data import RAW_NOW, RAW_P90, RAW_RATED, RAW_TOTALS

    from yiwang.supervision import metrics

    problems = []
    if isinstance(found, list):  # a ranking: every department active in the month, once
        return []
    scope = found.scope
    where, params = f"rg.code LIKE '{scope.region_prefix}%%'", {"since": scope.since, "until": scope.until}
    if scope.department_id is not None:
        where += " AND f.department_id = %(d)s"
        params["d"] = scope.department_id
    with connection.cursor() as cur:
        cur.execute(RAW_TOTALS.format(where=where), params)
        raw = dict(zip(metrics.COUNTERS, (v or 0 for v in cur.fetchone()), strict=True))
        cur.execute(RAW_P90.format(where=where), params)
        raw["p90_days"] = cur.fetchone()[0]
        cur.execute(RAW_RATED.format(where=where), params)
        rated = cur.fetchone()
        cur.execute(RAW_NOW.format(where=where), {**params, "today": today})
        overdue, warned, beyond = cur.fetchone()
    got = {name: getattr(found.totals, name) for name in raw}
    if got != raw:
        problems.append(f"totals {got} ≠ raw SQL {raw}")
    sat = found.satisfaction
    if (sat.rated, sat.bad, sat.put_right) != tuple(rated):
        problems.append(f"satisfaction {sat} ≠ raw SQL {rated}")
    now = (found.overdue_now, found.warned_now, found.beyond_statutory_now)
    if now != (overdue, warned, beyond):
        problems.append(f"overdue, warned, beyond statutory now {now} ≠ raw SQL {(overdue, warned, beyond)}")
    if sum(row.figures.submitted for row in found.rows) != raw["submitted"]:
        problems.append("the rows' applications do not add up to the total")
    if sum(row.overdue_now for row in found.rows) != overdue:
        problems.append("the rows' overdue cases do not add up to the total")
    if sum(found.submitted_by_day) != raw["submitted"] or sum(found.concluded_by_day) != raw["concluded"]:
        problems.append("the daily series do not add up to the totals")
    return problems


def check_ranking(scores, month: str) -> list[str]:
    from django.db import connection

    from yiwang.supervision.evaluation import month_bounds

    since, until = month_bounds(month)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(DISTINCT department_id) FROM supervision_dailyfigures WHERE day BETWEEN %s AND %s",
            [since, until],
        )
        active = cur.fetchone()[0]
    ranked = [s for s in scores if s.rank is not None]
    if len(scores) != active or len({s.subject_id for s in scores}) != active:
        return [f"ranking: {len(scores)} departments scored, {active} active in {month}"]
    if ranked and ranked[0].rank != 1:
        return ["ranking: the first is not ranked 1"]
    return []


def timed(meter, call, repeat: int, deadline: float) -> tuple[object, dict]:
    result = call()  # warm: plans and caches
    runs = []
    for _ in range(repeat):
        if runs and time.monotonic() > deadline:
            break
        result, *figures = meter.measure(call)
        runs.append(figures)
    walls = sorted(run[0] for run in runs)
    return result, {"p50": statistics.median(walls), "p99": walls[math.ceil(0.99 * len(walls)) - 1],
                    "app": sum(r[1] for r in runs) / len(runs), "pg": sum(r[2] for r in runs) / len(runs),
                    "runs": len(runs)}  # fmt: skip


def explain(call) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each query `call` sends, slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    plans = []
    with connection.cursor() as cur:
        for query in captured.captured_queries:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            rows = [row[0] for row in cur.fetchall()]
            took = float(rows[-1].split(":")[1].split()[0]) if rows[-1].startswith("Execution Time") else 0.0
            plans.append((took, [query["sql"][:300], *rows, ""]))
    plans.sort(key=lambda plan: -plan[0])
    shown = [plan for plan in plans if plan[0] >= 1.0]
    return [f"{len(plans)} queries, execution {sum(p[0] for p in plans):.1f} ms in all; the {len(shown)} of 1 ms "
            "or more:", ""] + [line for _, lines in shown for line in lines]  # fmt: skip


def observer(events: int, threads: int, spread: bool, today: dt.date, batch: int = 1) -> dict:
    """`rollup.observe` of a submission event, one transaction each (or `batch` per transaction,
    as inside the engine's own transaction: the observer's cost without a commit of its own),
    on one DailyFigures row (every event the same department, region, item and day) or spread
    over many; the CPU of this thread and of its PostgreSQL backend."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yiwang.cases.models import Case, CaseEvent
    from yiwang.catalog.models import ImplementationVersion
    from yiwang.ledger.events import CaseVerb
    from yiwang.supervision import rollup

    with connection.cursor() as cur:
        cur.execute("SELECT id, region_id FROM accounts_department WHERE credit_code LIKE 'SB%%' ORDER BY id")
        places = cur.fetchall()
    versions = list(ImplementationVersion.objects.filter(status="published").values_list("pk", flat=True))
    at = timezone.now()

    def run(first: int, count: int, cpu: list, pg_cpu: list) -> None:
        backend = Meter()
        c0, p0 = time.thread_time(), backend.pg()
        for start in range(first, first + count, batch):
            with transaction.atomic():
                for k in range(start, min(start + batch, first + count)):
                    dept, region = places[k % len(places)] if spread else places[0]
                    version = versions[(k // len(places)) % len(versions)] if spread else versions[0]
                    case = Case(department_id=dept, region_id=region, implementation_version_id=version)
                    event = CaseEvent(case=case, verb=CaseVerb.SUBMIT, from_status="draft", to_status="submitted",
                                      actor_role="applicant", at=at)  # fmt: skip
                    rollup.observe(case, event)
        cpu.append(time.thread_time() - c0)
        pg_cpu.append(backend.pg() - p0)
        connection.close()

    from ratings_bench import Meter

    share, cpu, pg_cpu = events // threads, [], []  # type: ignore[var-annotated]
    started = time.perf_counter()
    if threads == 1:
        run(0, share, cpu, pg_cpu)
    else:
        workers = [threading.Thread(target=run, args=(t * share, share, cpu, pg_cpu)) for t in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    wall = time.perf_counter() - started
    done = share * threads
    return {"events": done, "per_s": done / wall, "ms": 1000 * wall / done, "app_ms": 1000 * sum(cpu) / done,
            "pg_ms": 1000 * sum(pg_cpu) / done, "batch": batch}  # fmt: skip


def rebuild_rate(n_cases: int, deadline: float) -> dict:
    """`rollup.rebuild` over n_cases real cases with three events each (bulk SQL), with progress;
    rolled back, so the generated roll-ups stay for --reuse."""
    from django.db import transaction

    with transaction.atomic():
        found = _rebuild_rate(n_cases, deadline)
        transaction.set_rollback(True)
    return found


def _rebuild_rate(n_cases: int, deadline: float) -> dict:
    from django.db import connection

    from yiwang.core import clock
    from yiwang.supervision.rollup import rebuild

    with connection.cursor() as cur:
        cur.execute(f"SET LOCAL statement_timeout = {max(1, int(deadline - time.monotonic())) * 1000}")
        cur.execute(
            "INSERT INTO cases_case (ref, number, status, form_data, idempotency_key, idempotency_fingerprint, "
            "delivery_method, delivery_address, commitment_text, created_at, updated_at, submitted_at, received_on, "
            "accepted_on, deemed_accepted, refusal_reason, refusal_basis, decision, decision_opinion, decision_basis, "
            "decision_remedies, decided_at, decided_by_rule, delivery_reference, applicant_id, department_id, "
            "implementation_version_id, region_id) "
            "SELECT gen_random_uuid(), 'RB-' || lpad(g::text, 9, '0'), 'decided_approved', '{}', '', '', 'electronic', "
            "'', '', now() - interval '3 days', now(), now() - interval '3 days', current_date - 3, current_date - 2, "
            "false, '', '', 'approved', '', '', '[]', now() - interval '1 day', '', '', c.applicant_id, "
            "c.department_id, c.implementation_version_id, c.region_id "
            "FROM generate_series(1, %s) g JOIN cases_case c ON c.number = 'SBENCH-' || lpad((1 + mod(g, 1000))::text, 9, '0')",
            [n_cases],
        )
        cur.execute(
            "INSERT INTO cases_caseevent (case_id, verb, actor_id, payload, at, ledger_entry_id, from_status, "
            "to_status, actor_role, summary, reason) "
            "SELECT c.id, v.verb, NULL, '{}', c.created_at + v.k * interval '1 day', NULL, v.f, v.t, v.role, v.verb, '' "
            "FROM cases_case c CROSS JOIN (VALUES (0, 'submit', 'draft', 'submitted', 'applicant'), "
            "(1, 'accept', 'submitted', 'in_review', 'staff'), (2, 'approve', 'in_review', 'decided_approved', 'staff')) "
            "v(k, verb, f, t, role) WHERE c.number LIKE 'RB-%%' ORDER BY c.id, v.k"
        )
    lines: list[str] = []
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if len(lines) < 3 or done == total:
            lines.append(f"  events read {done}/{total} after {time.perf_counter() - started:.1f} s")

    read, rows = rebuild(progress=progress, chunk=5000)
    took = time.perf_counter() - started
    month, started = clock.today().replace(day=1), time.perf_counter()
    month_read, month_rows = rebuild(month=month, chunk=5000)
    month_took = time.perf_counter() - started
    return {"events": read, "rows": rows, "seconds": took, "per_s": read / took, "progress": lines,
            "month": f"{month:%Y-%m}: {month_read:,} events, {month_rows:,} rows in {month_took:.1f} s = "
                     f"{month_read / month_took:,.0f} events/s"}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per scenario (p50, p99)")
    parser.add_argument("--events", type=int, default=2000, help="observer calls per observer scenario")
    parser.add_argument(
        "--rebuild-cases", type=int, default=20_000, help="cases (×3 events) the rebuild reads; 0: skip"
    )
    parser.add_argument("--timeout", type=float, default=1500, help="seconds for the whole run (bounds the repeats)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}")
    )
    parser.add_argument("--may-drop", action="store_true", help="the database's name need not contain 'bench'")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run of the same --cases (migrated, not regenerated)",
    )
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    url, name = database(args.database_url, may_drop=args.may_drop or args.reuse)
    load_start, started = os.getloadavg()[0], dt.datetime.now()
    from ratings_bench import Meter, setup

    data = reused(url, args.cases) if args.reuse else None
    if data is None:
        if "bench" not in name and not args.may_drop:
            sys.exit(f"no data of {args.cases:,} cases in {name!r} to reuse, and without --may-drop it is not dropped")
        prepare_s = setup(url, name)
        data, generate_s, today = generate(args.cases, deadline)
    else:
        prepare_s, generate_s, today = 0.0, 0.0, dt.date.fromisoformat(data["last_day"])
    print(f"generated in {generate_s:.0f} s: {data}", flush=True)

    from django.db import connection

    meter = Meter()

    def count_all():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM supervision_dailyfigures")
            return cur.fetchone()[0]

    _, base = timed(meter, count_all, args.repeat, deadline)
    rows, failures = [], []
    for label, call in scenarios(today):
        found, cost = timed(meter, call, args.repeat, deadline)
        month = label.rsplit(", ", 1)[1]
        problems = check_ranking(found, month) if isinstance(found, list) else check(found, today)
        failures += [f"{label}: {p}" for p in problems]
        rows.append((label, call, found, cost, not problems))
        print(f"{label}: p50 {cost['p50']:.0f} ms, p99 {cost['p99']:.0f} ms", flush=True)
    slowest = max(rows[:4], key=lambda row: row[3]["p99"])
    plans = explain(slowest[1])

    observed = []
    for threads, spread, batch in ((1, False, 1), (1, True, 1), (2, False, 1), (2, True, 1), (1, True, 100)):
        if time.monotonic() < deadline:
            observed.append((threads, spread, observer(args.events, threads, spread, today, batch)))
    from supervision_data import MONTHLY_CHECK

    with connection.cursor() as cur:
        cur.execute(MONTHLY_CHECK)
        months_differing = cur.fetchone()[0]
    if months_differing:
        failures.append(f"{months_differing} MonthlyFigures rows differ from the sums of their days")
    rebuilt = rebuild_rate(args.rebuild_cases, deadline) if args.rebuild_cases and time.monotonic() < deadline else None

    from django import get_version

    pg_version = connection.cursor().connection.info.server_version
    need = PEAK_CASES_PER_S * EVENTS_PER_CASE
    lines = [
        f"yiwang supervision benchmark {started:%Y-%m-%d %H:%M} — load average {load_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine)",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Django {get_version()}, "
        f"PostgreSQL {pg_version // 10000}.{pg_version % 100}",
        f"data: roll-ups of {data['submitted']:,} applications ({data['concluded']:,} concluded) over {data['days']} days "
        f"up to {today}: {data['daily_rows']:,} DailyFigures rows of an item and "
        f"{data.get('all_items_rows', 0):,} of all items ({data['daily_mb']} MB with indexes), "
        f"{data.get('monthly_rows', 0):,} MonthlyFigures rows, "
        f"{data['rating_rows']:,} DailyRatings rows, {data['status_rows']:,} StatusCount rows; {data['open_cases']:,} "
        f"open cases in the case table; {data['departments']} departments, {data['regions']} regions, "
        f"{data['items']} items. Closed cases: roll-ups only (supervision_data).",
        f"prepared (migrate, demo) in {prepare_s:.0f} s; generated by bulk SQL in {generate_s:.0f} s",
        f"per call: p50 / p99 (nearest rank) of the wall time over {args.repeat} calls after one warm call, CPU the "
        f"mean; baseline: SELECT count(*) FROM supervision_dailyfigures {base['p50']:.1f} ms wall, {base['pg']:.1f} ms "
        "pg CPU",
        "",
        f"{'scenario':<44}{'p50 ms':>8}{'p99 ms':>8}{'app':>7}{'pg':>7}{'×base':>7}  check",
        f"{'':<44}{'':>16}{'CPU ms':>12}   (pg: the backend's own; parallel workers not counted)",
    ]
    for label, _, _, cost, ok in rows:
        lines.append(
            f"{label:<44}{cost['p50']:>8.1f}{cost['p99']:>8.1f}{cost['app']:>7.1f}{cost['pg']:>7.1f}"
            f"{cost['p50'] / base['p50']:>7.1f}  {'= raw SQL' if ok else 'DIFFERS'}"
        )
    lines += [""] + (failures or ["every board equals the raw SQL (supervision_data.RAW_*); its rows and daily "
                                  "series add up to its totals; the ranking scores every active department once; "
                                  "after the observer scenarios every MonthlyFigures row equals the sum of its "
                                  "days (supervision_data.MONTHLY_CHECK)"])  # fmt: skip
    lines += ["", f"observer (rollup.observe of a submission, one transaction each; {args.events} events): "
              f"needed at the peak {PEAK_CASES_PER_S:.1f} cases/s × {EVENTS_PER_CASE} events = {need:.0f} events/s"]  # fmt: skip
    for threads, spread, got in observed:
        how = "one row (the hot item)" if not spread else "spread over many rows"
        if got["batch"] > 1:
            how = f"spread, {got['batch']} per transaction"
        lines.append(
            f"  {threads} thread(s), {how:<30}{got['per_s']:>8,.0f} events/s  {got['ms']:.2f} ms/event  "
            f"CPU app {got['app_ms']:.2f} + pg {got['pg_ms']:.2f} ms/event  ({got['per_s'] / need:.1f} × the peak)"
        )
    if rebuilt:
        lines += ["", f"rebuild: {rebuilt['events']:,} events in {rebuilt['seconds']:.1f} s = {rebuilt['per_s']:,.0f} "
                  f"events/s ({rebuilt['rows']:,} rows written; submit/accept/approve only, no conclusion)",
                  *rebuilt["progress"], f"  one month (rebuild(month=…), its own transaction) {rebuilt['month']}"]  # fmt: skip
    lines += ["", f"EXPLAIN (ANALYZE, BUFFERS) of the slowest scenario, {slowest[0]}:", *plans]
    text = "\n".join(lines)
    print(text)
    suffix = "" if args.cases == 10_000_000 else f"-{args.cases}"
    out = ROOT / "bench" / "results" / f"supervision-{started:%Y%m%d}{suffix}.txt"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
