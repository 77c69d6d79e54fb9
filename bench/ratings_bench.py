"""Ratings figures benchmark on PostgreSQL: ratings.selectors.figures at 1,000,000 ratings
(issue 14: 好评率, 差评整改率, 回访率, 主动评价率 correct and fast at scale).

    .venv/bin/python bench/ratings_bench.py [--ratings 1000000] [--repeat 5] [--timeout 900]
    .venv/bin/python bench/ratings_bench.py --ratings 20000 --repeat 2      # a smoke run

Method. DATABASE_URL (or --database-url; 127.0.0.1 only) names the database, which is DROPPED
and recreated: its name must contain `bench` (`make bench` passes the server's `postgres`
database: then `yiwang_bench_ratings` is used). Migrated, the demo world loaded, and 济南's
published versions copied onto an approval department of eight more regions (ratings_data).
Then one transaction of bulk SQL (INSERT … SELECT generate_series): ~N / 1.1 results (85 %
concluded, 10 % decided, 5 % 不予受理) over 12 months, plus 5 % cases still in review, and N
ratings of them, once per case and way (online for 3 of 4 cases, the hall tablet for 1 of 4,
the hotline, recorded by staff, for 1 of 10), rated within 3 days of the result; ~3 % bad
reviews in every handling state with their rectification rows, revisits (70 %, some twice),
appeals (8 % of bad reviews upheld: excluded, plus dismissed ones). The ledger entries are not
written (ledger_entry_id = 0): the figures do not read them. VACUUM ANALYZE.

For each scope (everything, one department, one region prefix, one item, one implementation
version, one month) `figures(Scope(...))` is called once to warm, then --repeat times: the
median wall time and the mean CPU of this process and of the PostgreSQL backend
(/proc/<pid>/stat) per call; next to the baseline of the same run: a `SELECT count(*)` of all ratings. Each result is
compared with raw SQL written from the formulas (ratings_data.RAW_*): any difference fails the
run. EXPLAIN (ANALYZE, BUFFERS) of the slowest scope's queries closes the report. Written to
bench/results/ratings-<date>.txt (ratings-<date>-<N>.txt for another N). Not part of the tests.
"""

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
DEFAULT_DB = "yiwang_bench_ratings"
MONTH = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def database(url: str) -> tuple[str, str]:
    """(the Django URL, the database name) the bench may drop and recreate."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"the bench runs on 127.0.0.1 only, not {parts.hostname}")
    name = parts.path.lstrip("/") or "postgres"
    if name == "postgres":
        name = DEFAULT_DB
    if "bench" not in name:
        sys.exit(f"the bench drops and recreates its database: {name!r} must contain 'bench'")
    return parts._replace(scheme="postgres", path=f"/{name}").geturl(), name


def setup(url: str, name: str) -> float:
    import psycopg

    os.environ.update(DATABASE_URL=url, YIWANG_ENV="development", LOG_LEVEL="WARNING",
                      YIWANG_DATA_DIR=tempfile.mkdtemp(prefix="yiwang-rbench-"))  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    admin = urlsplit(url)._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - started


def generate(n: int, deadline: float) -> tuple[dict, float, int]:
    """N ratings and their cases; (counts, seconds, number of places)."""
    from django.conf import settings
    from django.db import connection, transaction
    from ratings_data import COUNTS, GENERATE, SECONDS, START, places

    from yiwang.accounts.models import User

    started = time.perf_counter()
    found = places()
    slots = [[k, iv, dept, region] for iv, dept, region, weight in found for k in range(weight)]
    slots = [[k, *row[1:]] for k, row in enumerate(slots)]
    users = dict(
        User.objects.filter(username__in=["zhangsan", "lisi", "jn_supervisor", "jn_head"]).values_list("username", "pk")
    )
    n_cases = math.ceil(n * 20 / 22) + 1  # 22 ratings per 20 cases (online 15, onsite 5, hotline 2)
    params = {"n": n, "n_cases": n_cases, "n_open": n_cases // 20, "slots": json.dumps(slots), "n_slots": len(slots),
              "applicants": [users["zhangsan"], users["lisi"]], "staff": [users["jn_supervisor"], users["jn_head"]],
              "start": START, "seconds": SECONDS}  # fmt: skip
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL statement_timeout = {max(1, int(deadline - time.monotonic())) * 1000}")
        cur.execute("SET LOCAL synchronous_commit = off")
        for sql in GENERATE.split(";\n"):
            cur.execute(sql, params)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute(COUNTS, {"tz": settings.TIME_ZONE})
        value = cur.fetchone()[0]
    counts = value if isinstance(value, dict) else json.loads(value)
    return counts, time.perf_counter() - started, len(found)


def scopes() -> list[tuple[str, object, str, dict]]:
    """(label, Scope, raw WHERE, its parameters) of every timed scope."""
    from django.conf import settings

    from yiwang.accounts.models import Department
    from yiwang.catalog.models import ImplementationVersion
    from yiwang.ratings.selectors import Scope

    dept = Department.objects.get(region__code="370100000000", kind="approval_service")
    iv = ImplementationVersion.objects.select_related("item_version__item").get(
        implementation__department=dept, status="published", item_version__name="食品经营许可"
    )
    code = iv.item_version.item.basic_code
    since, until = MONTH
    tz = settings.TIME_ZONE
    month = "{t} >= (%(since)s::date)::timestamp AT TIME ZONE %(tz)s AND {t} < (%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s"
    period = {"since": since, "until": until, "tz": tz}
    return [
        ("everything", Scope(), "true", {}),
        (f"department {dept.name}", Scope(department_id=dept.pk), "{a}.department_id = %(d)s", {"d": dept.pk}),
        ("region prefix 3709 (泰安市)", Scope(region_prefix="3709"), "rg.code LIKE '3709%%'", {}),
        (f"item {code} 食品经营许可", Scope(item_code=code), "it.basic_code = %(c)s", {"c": code}),
        (f"version {iv.pk} (济南 食品经营许可)", Scope(version_id=iv.pk), "{a}.implementation_version_id = %(v)s",
         {"v": iv.pk}),
        (f"month {since:%Y-%m}", Scope(since=since, until=until),
         month.replace("{t}", "{rt}"), period),
    ]  # fmt: skip


def raw(where: str, params: dict) -> dict:
    """The figures by the raw SQL of ratings_data."""
    from django.db import connection
    from ratings_data import RAW_CASES, RAW_RATINGS

    with connection.cursor() as cur:
        w = where.replace("{a}", "r").replace("{rt}", "r.rated_at")
        cur.execute(RAW_RATINGS.format(where=w), params)
        rated, bad, put_right, revisited, *grades = cur.fetchone()
        w = where.replace("{a}", "c").replace("{rt}", "coalesce(c.concluded_at, c.decided_at, c.updated_at)")
        cur.execute(RAW_CASES.format(where=w), params)
        with_result, self_rated = cur.fetchone()
    return {"rated": rated, "by_grade": dict(zip((5, 4, 3, 2, 1), grades, strict=True)), "bad": bad,
            "put_right": put_right, "revisited": revisited, "cases_with_result": with_result,
            "cases_self_rated": self_rated}  # fmt: skip


class Meter:
    """Wall, this process's CPU and the PostgreSQL backend's CPU of a block, in ms."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cur.fetchone()[0]}/stat")

    def pg(self) -> float:
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(self, call) -> tuple[object, float, float, float]:
        r0, p0, w0 = resource.getrusage(resource.RUSAGE_SELF), self.pg(), time.perf_counter()
        result = call()
        r1, p1, w1 = resource.getrusage(resource.RUSAGE_SELF), self.pg(), time.perf_counter()
        app = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
        return result, (w1 - w0) * 1000, app * 1000, (p1 - p0) * 1000


def timed(meter: Meter, call, repeat: int, deadline: float) -> tuple[object, dict]:
    result = call()  # warm: plans and caches
    runs = []
    for _ in range(repeat):
        if runs and time.monotonic() > deadline:
            break
        result, *figures = meter.measure(call)
        runs.append(figures)
    # wall: the median; CPU: the mean (the kernel counts it in ticks of 10 ms: summed, then divided)
    wall = statistics.median(run[0] for run in runs)
    return result, {"wall": wall, "app": sum(r[1] for r in runs) / len(runs), "pg": sum(r[2] for r in runs) / len(runs),
                    "runs": len(runs)}  # fmt: skip


def explain(scope) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each query figures(scope) sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiwang.ratings.selectors import figures

    with CaptureQueriesContext(connection) as captured:
        figures(scope)
    lines = []
    with connection.cursor() as cur:
        for query in captured.captured_queries:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            lines += [row[0] for row in cur.fetchall()] + [""]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per scope (median)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for the whole run (bounds the repeats)")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}")
    )
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    url, name = database(args.database_url)
    load_start, started = os.getloadavg()[0], dt.datetime.now()
    prepare_s = setup(url, name)
    counts, generate_s, n_places = generate(args.ratings, deadline)

    from django.db import connection

    from yiwang.ratings.selectors import figures

    meter = Meter()

    def count_all():
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM ratings_rating")
            return cur.fetchone()[0]

    _, base = timed(meter, count_all, args.repeat, deadline)
    rows, failures = [], []
    for label, scope, where, params in scopes():
        found, cost = timed(meter, lambda s=scope: figures(s), args.repeat, deadline)
        expected, raw_cost = timed(meter, lambda w=where, p=params: raw(w, p), 1, deadline)
        got = {key: getattr(found, key) for key in expected}
        if got != expected:
            failures.append(f"{label}: figures {got} ≠ raw SQL {expected}")
        rows.append((label, scope, found, cost, raw_cost["wall"], got == expected))
        print(f"{label}: {cost['wall']:.0f} ms", flush=True)
    slowest = max(rows, key=lambda row: row[3]["wall"])
    plans = explain(slowest[1])

    from django import get_version

    pg_version = connection.cursor().connection.info.server_version
    lines = [
        f"yiwang ratings figures benchmark {started:%Y-%m-%d %H:%M} — load average {load_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine)",
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, Django {get_version()}, "
        f"PostgreSQL {pg_version // 10000}.{pg_version % 100}",
        f"data: {counts['ratings']:,} ratings ({', '.join(f'{k} {v:,}' for k, v in sorted(counts['by_family'].items()))}) "
        f"of {counts['cases']:,} cases, over {counts['departments']} departments, {counts['regions']} regions, "
        f"{counts['versions']} implementation versions, {counts['months']} months; bad reviews {counts['bad']:,} "
        f"({100 * counts['bad'] / counts['ratings']:.1f} %: "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(counts['by_handling'].items()))}); excluded {counts['excluded']:,}; "
        f"revisits {counts['revisits']:,}; rectifications {counts['rectifications']:,}; appeals {counts['appeals']:,}",
        f"prepared (migrate, demo) in {prepare_s:.0f} s; generated by bulk SQL ({n_places} places) in {generate_s:.0f} s; "
        "ledger entries NOT written (ledger_entry_id = 0: the figures do not read them)",
        f"per call: wall the median, CPU the mean of {args.repeat} after one warm call; baseline: SELECT count(*) FROM ratings_rating "
        f"{base['wall']:.1f} ms wall, {base['pg']:.1f} ms pg CPU",
        "",
        f"{'scope':<36}{'wall ms':>9}{'app':>7}{'pg':>8}{'×base':>7}{'raw ms':>8}  {'rated':>9}{'好评率':>7}"
        f"{'整改率':>7}{'回访率':>7}{'主动率':>7}  check",
        f"{'':<36}{'CPU ms':>15}   (pg: the backend's own; the parallel workers of a query not counted)",
    ]
    for label, _, found, cost, raw_wall, ok in rows:
        rates = [found.good_rate, found.rectification_rate, found.revisit_rate, found.active_rate]  # type: ignore[attr-defined]
        lines.append(
            f"{label:<36}{cost['wall']:>9.1f}{cost['app']:>7.1f}{cost['pg']:>8.1f}{cost['wall'] / base['wall']:>7.1f}"
            f"{raw_wall:>8.0f}  {found.rated:>9,}"  # type: ignore[attr-defined]
            + "".join(f"{'—' if r is None else f'{r:.1f}':>10}" for r in rates)
            + f"  {'= raw SQL' if ok else 'DIFFERS'}"
        )
    lines += [""] + (failures or ["every figure equals the raw SQL count (ratings_data.RAW_RATINGS, RAW_CASES)"])
    lines += ["", f"EXPLAIN (ANALYZE, BUFFERS) of the slowest scope, {slowest[0]}:", *plans]
    text = "\n".join(lines)
    print(text)
    suffix = "" if args.ratings == 1_000_000 else f"-{args.ratings}"
    out = ROOT / "bench" / "results" / f"ratings-{started:%Y%m%d}{suffix}.txt"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"written to {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
