"""Where a case's life spends its time: queries and CPU per step, in-process, on PostgreSQL.

    .venv/bin/python bench/profile_case.py [--lives 40] [--profile submit|accept|review|decide|submit-new]

Not a benchmark (no server, no concurrency: see cases_bench.py for figures). It runs whole
lives through Django's test client on a fresh database (`yiwang_profile`, or --db: migrate +
load_demo), the same requests as cases_bench.py's lives plus the bench's one-request
submission (`submit-new`, 生育登记), and prints per step the mean queries and CPU ms (the
second half of the lives, warm), then, with --profile, the step's hottest functions.
"""

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import subprocess
import sys
import time
import traceback
import uuid
from pathlib import Path

from harness import BENCH_SETTINGS, backend_cpu

ROOT = Path(__file__).resolve().parent.parent
REVIEWERS = {"济南市自然资源和规划局": "jn_planning_rev", "济南市消防救援支队": "jn_fire_rev",
             "济南市人民防空办公室": "jn_airdef_rev", "济南市交通运输局": "jn_transport_rev"}  # fmt: skip


def prepare(env: dict[str, str], db: str) -> None:
    import psycopg

    subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True, capture_output=True)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    yiwang = str(Path(sys.executable).parent / "yiwang")
    for command in (("migrate", "-v0"), ("createcachetable",), ("load_demo",)):
        subprocess.run([yiwang, *command], env=env, check=True, capture_output=True)


def registry(env: dict[str, str]) -> None:
    """Start the stand-in 户籍 system as the bench does: 生育登记 fetches a 户口簿 from it."""
    import atexit

    from yiwang.demo.run import local_registry

    for command in local_registry(env, Path(env.get("YIWANG_DATA_DIR", Path.cwd() / "var")))[0]:
        helper = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)
        atexit.register(helper.terminate)
    time.sleep(1)  # let it listen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lives", type=int, default=40)
    parser.add_argument("--profile", default="", help="step whose hottest functions to print (all: every step)")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    parser.add_argument("--only", default="", help="print only functions whose path matches this regex")
    parser.add_argument("--callees", default="", help="print the callees of functions matching this regex")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--sql", action="store_true", help="print the queries of one warm life")
    parser.add_argument("--plans", action="store_true", help="with --sql: PostgreSQL's planning time of each query")
    parser.add_argument("--db", default="yiwang_profile", help="the PostgreSQL database to (re)make and use")
    args = parser.parse_args()
    env = {**os.environ, **BENCH_SETTINGS, "YIWANG_ENV": "development", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}", "LOGIN_MAX_FAILURES": "1000000",
           "CASE_DRAFT_MAX_OPEN": "1000000"}  # fmt: skip
    if not args.reuse:
        prepare(env, args.db)
    registry(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from yiwang.accounts.models import Enterprise, User
    from yiwang.cases import services
    from yiwang.cases.models import Task
    from yiwang.catalog.models import ImplementationVersion
    from yiwang.demo.world import resident_id

    planning = ImplementationVersion.objects.get(item_version__name="建设工程规划许可证核发", status="published")
    birth = ImplementationVersion.objects.get(
        status="published", item_version__name="生育登记", implementation__region__code="370100000000"
    )
    lisi, enterprise = User.objects.get(username="lisi"), Enterprise.objects.get()
    pdf = b"%PDF-1.4\n% profile material\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    drafts = []
    for i in range(args.lives):
        draft = services.case_draft_save(actor=lisi, implementation_version=planning, enterprise=enterprise,
            form_data={"project_name": f"剖析项目{i}", "project_site": "济南市历下区", "floor_area": "12000"})  # fmt: skip
        for key in ("application", "design"):
            services.case_material_upload(
                actor=lisi, case=draft, material_key=key, upload=ContentFile(pdf, name=f"{key}.pdf")
            )
        drafts.append(str(draft.ref))
    clients = {}
    for name in ("lisi", "wangwu", "jn_window", "jn_planning_app", *REVIEWERS.values()):
        clients[name] = Client(HTTP_HOST="127.0.0.1")
        clients[name].force_login(User.objects.get(username=name))
    birth_form = {"mother_id": resident_id("370102", "19920101", "222"),
                  "father_id": resident_id("370102", "19900101", "111"), "child_order": 1, "household_in_city": False}  # fmt: skip

    pg_cpu = backend_cpu(connection)  # CPU seconds of this connection's PostgreSQL backend

    stats: dict[str, list[tuple[float, int, float]]] = {}
    profiles: dict[str, cProfile.Profile] = {}

    def planning_ms(sql: str) -> float:
        """The planning time of `sql` (as logged, its values inline), warm: the least of three."""
        if not sql.startswith(("SELECT", "UPDATE", "INSERT", "DELETE", "WITH")):
            return 0.0
        times = []
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("EXPLAIN (SUMMARY) " + sql.replace("%", "%%"))
                found = [r[0] for r in cursor.fetchall() if r[0].startswith("Planning Time")]
                times.append(float(found[0].split()[2]) if found else 0.0)
        return min(times)

    def step(name: str, who: str, path: str, body: dict, warm: bool, **headers: str) -> dict:
        wanted = warm and args.profile in (name, "all")
        profiler = profiles.setdefault(args.profile, cProfile.Profile(time.process_time)) if wanted else None
        connection.queries_log.clear()  # a full log (9000) would make the count wrong
        count = [0]
        callers: list[str] = []

        def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            count[0] += 1
            if args.sql:  # the platform's innermost frames that issued the statement
                frames = [
                    f for f in traceback.extract_stack() if "/yiwang/" in f.filename and "/bench/" not in f.filename
                ]
                callers.append(" < ".join(f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in frames[-2:][::-1]))
            return execute(sql, params, many, context)

        capture = CaptureQueriesContext(connection) if args.sql else contextlib.nullcontext()
        with capture as seen, connection.execute_wrapper(counting):
            started, pg_started = time.process_time(), pg_cpu()
            if profiler:
                profiler.enable()
            response = clients[who].post(path, json.dumps(body), content_type="application/json", **headers)
            if profiler:
                profiler.disable()
            cpu, pg = (time.process_time() - started) * 1000, (pg_cpu() - pg_started) * 1000
        if response.status_code >= 400:
            sys.exit(f"{name}: HTTP {response.status_code} {response.content[:400]!r}")
        if warm:
            stats.setdefault(name, []).append((cpu, count[0], pg))
        if seen is not None and warm and len(stats[name]) == 1:
            print(f"--- {name}: {len(seen)} queries")
            told = iter(callers)  # BEGIN and COMMIT are logged but do not pass the wrapper
            for q in seen.captured_queries:
                caller = "" if q["sql"] in ("BEGIN", "COMMIT") else f"  <- {next(told)}"
                planned = f"  planned in {planning_ms(q['sql']):.2f} ms" if args.plans else ""
                print(f"   {float(q['time']) * 1000:6.2f} ms", q["sql"][:90], caller, planned)
        return json.loads(response.content)

    for i, ref in enumerate(drafts):
        warm = i >= len(drafts) // 2
        step("submit-new", "wangwu", "/api/v1/cases/submit",
             {"implementation_version_id": birth.pk, "form_data": birth_form}, warm,
             HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
        number = step("submit", "lisi", "/api/v1/cases/submit", {"draft_ref": ref}, warm,
                      HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))["number"]  # fmt: skip
        step("accept", "jn_window", f"/api/v1/cases/{number}/accept", {}, warm)
        for task in Task.objects.filter(case__number=number, status="open").select_related("department"):
            step("review", REVIEWERS[task.department.name], f"/api/v1/cases/tasks/{task.pk}/complete",
                 {"outcome": "approve", "opinion": "同意"}, warm)  # fmt: skip
        step("decide", "jn_planning_app", f"/api/v1/cases/{number}/decide", {"outcome": "approve"}, warm)

    print(
        f"{'step':<12}{'n':>5}{'CPU ms':>9}{'queries':>9}{'pg ms':>8}   (in-process, warm half; CPU includes the test client;"
    )
    print(f"{'':<43}pg: the backend's CPU, in clock ticks: rough)")
    life = [0.0, 0.0, 0.0]
    for name, values in stats.items():
        means = [sum(v[k] for v in values) / len(values) for k in (0, 1, 2)]
        per_life = len(values) / len(stats["submit"])
        if name != "submit-new":
            life = [total + mean * per_life for total, mean in zip(life, means, strict=True)]
        print(f"{name:<12}{len(values):>5}{means[0]:>9.1f}{means[1]:>9.1f}{means[2]:>8.1f}")
    print(f"{'life':<12}{'':>5}{life[0]:>9.1f}{life[1]:>9.1f}{life[2]:>8.1f}")
    for name, profiler in profiles.items():
        print(f"\n--- {name}: hottest functions ({args.sort}) ---")
        stats_ = pstats.Stats(profiler).sort_stats(args.sort)
        stats_.print_callees(args.callees) if args.callees else stats_.print_stats(args.only, 45)


if __name__ == "__main__":
    main()
