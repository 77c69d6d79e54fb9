"""Case-engine benchmark on PostgreSQL: submission, the whole life of a case, lists at 1M cases.

    .venv/bin/python bench/cases_bench.py [--cases 1000000] [--drafts 900] [--seconds 12]
    .venv/bin/python bench/cases_bench.py --cases 10000000 --generate-only   # then, as often as needed:
    .venv/bin/python bench/cases_bench.py --cases 10000000 --reuse

Method. The harness's Platform, on a database of its own (`yiwang_cases_bench`: a concurrent
ledger/catalog bench drops `yiwang_bench`), migrates and loads the demo world. N cases are then
written by bulk SQL (INSERT … SELECT generate_series, one transaction, VACUUM ANALYZE): an
行政审批服务局 and a 卫生健康委员会 in every province/city/county with copies of the demo items
(PLANNING stays 济南's), 100,000 applicants, a realistic status mix (3% drafts, 4% at the window,
13% in review, 75% concluded …), stages and tasks as each pinned process defines them, the clock
ledger of what runs, unique numbers and their counters, ids and heap order by creation time.
zhangsan has 50 cases, 济南's planning department ~14k open tasks, the 济南 window ~20k new
applications. `--drafts` PLANNING drafts of lisi (for 泉城餐饮), both materials uploaded, are made
through the services. granian (WSGI, a worker per core) serves; a separate process loads it.

Figures. ×base = req/s over the baseline's (reads: GET /api/v1/health, writes: POST
/api/v1/bench/two-rows), measured on the same server in the same run.
- submit: POST /api/v1/cases/submit of 生育登记 with household_in_city=false (nothing to upload, no
  秒批 rule holds: one request makes a committed case for the window), fresh Idempotency-Key each.
- submit-floor: POST /api/v1/bench/submit-floor, the least any submission writes (session, number,
  case row, ledger entry + salt, event, notice) with no check and no read: how close to the
  two-row write a submission can come on this stack at all.
- life c=K: K threads each running whole lives from a prepared PLANNING draft: submit (lisi) →
  accept (jn_window) → the reviews of the parallel stage (--reviews: 2, the issue's life, is
  planning + fire, through a published amendment of the item; 4 adds air-defence and transport,
  the demo's process) → decide (jn_planning_app; electronic delivery concludes): 5 (or 7)
  requests. The load generator reads the new task ids from the database (what each reviewer's
  inbox shows). lives/s = complete lives per second; p50/p99 per request. The goal (≥ 50 lives/s,
  p99 < 100 ms at 80% of the peak) is judged on a last run that offers 80% of the best step's
  lives/s at a steady rate (8 threads, each starting a life on its schedule: open loop).
- lists: GET /api/v1/cases, /me/cases/ (zhangsan); /api/v1/cases/tasks, /workbench/
  (jn_planning_rev); /api/v1/cases/intake, /workbench/ (jn_window); 办件查询 /workbench/cases/,
  a staff member's whole case list (jn_window: department + region + intake window; jn_fire_rev:
  its tasks in others' cases; jn_planning_rev with a status; sd_supervisor: the province; jn_window's
  page 40 by its 下一页 key and a day's numbers). Each list is run closed-loop (its peak), then
  offered at 80% of that peak at a steady rate (8 connections, open loop; a late request counts
  from when it was due): the goal is p99 < 100 ms there. Below the table: each one's queries
  (captured through the test client) with EXPLAIN ANALYZE of the slowest two.
- app / pg / gen: CPU ms per request of the granian workers, of this database's PostgreSQL
  backends (a lower bound: a backend that exits within the scenario is missed), of the load
  generator; other% = CPU the rest of the machine used meanwhile (other engineers' tests):
  together they say what bounded each figure.
Printed and written to bench/results/cases-<date>.txt (with the full plans).
"""

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import platform
import queue
import re
import resource
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_data import DEEP_LISTS, DRAFTS, GENERATE, PARAMS, PLANS, REVISE, SQL
from harness import PG_ADMIN, ROOT, Platform, Result, drive, login_cookie

DB = "yiwang_cases_bench"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB}"
PASSWORD = "Yiwang-demo-2026"  # noqa: S105 - the demo world's published password
REVIEWERS = {"济南市自然资源和规划局": "jn_planning_rev", "济南市消防救援支队": "jn_fire_rev",
             "济南市人民防空办公室": "jn_airdef_rev", "济南市交通运输局": "jn_transport_rev"}  # fmt: skip
LISTS = [("GET /api/v1/cases (zhangsan)", "/api/v1/cases", "zhangsan"),
         ("GET /me/cases/ (zhangsan)", "/me/cases/", "zhangsan"),
         ("GET /api/v1/cases/tasks (jn_planning_rev)", "/api/v1/cases/tasks", "jn_planning_rev"),
         ("GET /workbench/ (jn_planning_rev)", "/workbench/", "jn_planning_rev"),
         ("GET /api/v1/cases/intake (jn_window)", "/api/v1/cases/intake", "jn_window"),
         ("GET /workbench/ (jn_window)", "/workbench/", "jn_window"),
         ("GET /workbench/cases/ (jn_window)", "/workbench/cases/", "jn_window"),
         ("GET /workbench/cases/ (jn_fire_rev)", "/workbench/cases/", "jn_fire_rev"),
         ("GET /workbench/cases/?status=in_review (jn_planning_rev)", "/workbench/cases/?status=in_review", "jn_planning_rev"),
         ("GET /workbench/cases/ (sd_supervisor)", "/workbench/cases/", "sd_supervisor")]  # fmt: skip


class CasesPlatform(Platform):
    """The harness's Platform on a database of its own (a concurrent bench drops `yiwang_bench`)."""

    def __init__(self) -> None:
        super().__init__(db="postgres")
        self.env["DATABASE_URL"] = DSN.replace("postgresql:", "postgres:")
        self.env["CASE_DRAFT_MAX_OPEN"] = "1000000"  # lisi holds --drafts open drafts at once

    def prepare(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "ensure-postgres")], check=True, capture_output=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        for command in (("migrate", "-v0"), ("createcachetable",), ("load_demo",)):
            subprocess.run([str(Path(sys.executable).parent / "yiwang"), *command], env=self.env, check=True,
                           cwd=self.data_dir, capture_output=True)  # fmt: skip

    def remember(self, generated: object, cases: int, reviews: int) -> None:
        """What was generated, kept on the database itself for a later --reuse."""
        kept = json.dumps({"generated": generated, "cases": cases, "reviews": reviews}).replace("'", "''")
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"COMMENT ON DATABASE {DB} IS '{kept}'")

    def reuse(self, cases: int, reviews: int) -> dict:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               [DB]).fetchone()  # fmt: skip
        kept = json.loads(row[0]) if row and row[0] else None
        if not kept or kept["cases"] != cases or kept["reviews"] != reviews:
            sys.exit(f"--reuse: {DB} holds no run of --cases {cases} --reviews {reviews} (run without --reuse)")
        subprocess.run([str(Path(sys.executable).parent / "yiwang"), "migrate", "-v0"], env=self.env, check=True,
                       cwd=self.data_dir, capture_output=True)  # fmt: skip
        # what load_demo wrote to its data directory: the stand-in 户籍 system's records (else every submit is a 422)
        self.run("from pathlib import Path\nfrom yiwang.demo.registry import records_file\n"
                 "print(json.dumps(str(records_file(Path(DATA)))))", DATA=self.data_dir)  # fmt: skip
        return kept["generated"]

    def run(self, code: str, **params: object) -> object:
        """Django code in the bench database with `params` bound; its last stdout line, as JSON."""
        prelude = "import json\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
        try:
            return json.loads(self.python(prelude + code).strip().splitlines()[-1])
        except subprocess.CalledProcessError as failed:
            sys.exit(f"data generation failed:\n{failed.stderr[-3000:]}")


def snapshot(server_pgid: int, db: str = DB) -> dict:
    """CPU seconds so far: granian's processes, this database's backends, our children, the whole machine."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        backends = {r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db])}
    tick, app, pg = os.sysconf("SC_CLK_TCK"), {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        target = app if int(fields[2]) == server_pgid else pg if int(pid) in backends else None
        if target is not None:
            target[pid] = (int(fields[11]) + int(fields[12])) / tick
    stat = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    gen = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"app": app, "pg": pg, "busy": (sum(stat) - stat[3] - stat[4]) / tick, "gen": gen.ru_utime + gen.ru_stime}


def cpu_split(before: dict, after: dict, result: Result) -> dict[str, float]:
    app, pg = (sum(v - before[k].get(p, 0.0) for p, v in after[k].items()) for k in ("app", "pg"))
    gen, per = after["gen"] - before["gen"], 1000 / max(1, result.requests)
    other = max(0.0, after["busy"] - before["busy"] - app - pg - gen) / (result.seconds * (os.cpu_count() or 1))
    return {"app": app * per, "pg": pg * per, "gen": gen * per, "other": 100 * other}


def _lives(
    port: int,
    who: dict,
    drafts: list[str],
    expected: int,
    lock: threading.Lock,
    stop_at: float,
    out: queue.Queue,
    pace: tuple[float, float] | None = None,
) -> None:
    """One client thread: whole lives until the time is up or the drafts run out; one after the
    other, or with `pace` (first start, interval) one starting every interval (open loop)."""
    conn, db = http.client.HTTPConnection("127.0.0.1", port, timeout=30), psycopg.connect(DSN, autocommit=True)
    latencies: dict[str, list[float]] = {}
    lives = errors = 0

    def call(persona: str, step: str, path: str, body: dict, extra: dict | None = None) -> dict | None:
        nonlocal conn, errors
        started = time.perf_counter()
        try:
            conn.request("POST", path, body=json.dumps(body).encode(), headers={**who[persona], **(extra or {})})
            response = conn.getresponse()
            data = response.read()
        except OSError:
            conn.close()
            conn, errors = http.client.HTTPConnection("127.0.0.1", port, timeout=30), errors + 1
            return None
        latencies.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        if response.status >= 400:
            errors += 1
            print(f"life step {step}: HTTP {response.status} {data[:300]!r}", file=sys.stderr)
            return None
        return json.loads(data)

    started_lives = 0
    while time.monotonic() < stop_at:
        if pace is not None:
            time.sleep(max(0.0, pace[0] + started_lives * pace[1] - time.monotonic()))
            started_lives += 1
        with lock:
            ref = drafts.pop() if drafts else None
        if ref is None:
            break
        receipt = call(
            "lisi", "submit", "/api/v1/cases/submit", {"draft_ref": ref}, {"Idempotency-Key": str(uuid.uuid4())}
        )
        number = receipt and receipt["number"]
        if not number or not call("jn_window", "accept", f"/api/v1/cases/{number}/accept", {}):
            continue
        tasks = db.execute("SELECT t.id, d.name FROM cases_task t JOIN cases_case c ON c.id = t.case_id JOIN accounts_department d"
                           " ON d.id = t.department_id WHERE c.number = %s AND t.status = 'open'", [number]).fetchall()  # fmt: skip
        approve = {"outcome": "approve", "opinion": "同意"}
        reviews = [call(REVIEWERS[d], "review", f"/api/v1/cases/tasks/{t}/complete", approve) for t, d in tasks]
        if len(reviews) == expected and all(reviews):
            lives += bool(call("jn_planning_app", "decide", f"/api/v1/cases/{number}/decide", {"outcome": "approve"}))
    out.put((latencies, errors, lives))


def drive_lives(
    port: int, who: dict, drafts: list[str], reviews: int, threads: int, seconds: float, rate: float | None = None
) -> tuple[Result, float, dict, int]:
    """Lives from `threads` threads of a separate process: (figures, lives/s, latencies by step,
    drafts used). With `rate`, lives start at that many per second (spread over the threads)."""

    def load(out: mp.Queue) -> None:
        lock, results, stop_at, total = threading.Lock(), queue.Queue(), time.monotonic() + seconds, len(drafts)
        now, interval = time.monotonic(), threads / rate if rate else 0.0
        pool = [
            threading.Thread(
                target=_lives,
                args=(port, who, drafts, reviews, lock, stop_at, results),
                kwargs={"pace": (now + k * interval / threads, interval) if rate else None},
            )
            for k in range(threads)
        ]
        started = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        steps, errors, lives = {}, 0, 0
        while not results.empty():
            lat, err, done = results.get()
            for step, values in lat.items():
                steps.setdefault(step, []).extend(values)
            errors, lives = errors + err, lives + done
        out.put((steps, errors, lives, time.perf_counter() - started, total - len(drafts)))

    ctx = mp.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=load, args=(out,))
    proc.start()
    steps, errors, lives, elapsed, used = out.get(timeout=seconds + 300)
    proc.join(timeout=30)
    every = [v for values in steps.values() for v in values]
    name = f"life at {rate:.1f} lives/s offered" if rate else f"life c={threads}"
    return Result(name, len(every), errors, elapsed, every), lives / elapsed, steps, used


def plan_line(plan: str) -> str:
    """A plan in one line: time, the indexes it uses (not primary keys), sequential scans of the big tables."""
    took = re.search(r"Execution Time: ([\d.]+) ms", plan)
    used = re.findall(r"(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", plan)
    used = sorted({re.sub(r"_[0-9a-f]{8}(_like)?$", "", u) for u in used if not u.endswith("pkey")})
    big = ("cases_case", "cases_task", "cases_stage", "cases_clockevent", "accounts_user", "accounts_naturalperson")
    seq: dict[str, int] = {}  # big table → rows its sequential scans read (kept + dropped, all parallel workers)
    for node in re.split(r"\n\s*->", plan):
        found = re.search(r"Seq Scan on (\w+) .*actual time=\S+ rows=(\d+) loops=(\d+)", node)
        if found and found[1] in big:
            dropped = re.search(r"Rows Removed by Filter: (\d+)", node)
            seq[found[1]] = seq.get(found[1], 0) + int(found[3]) * (int(found[2]) + int(dropped[1] if dropped else 0))
    line = f"{float(took.group(1)) if took else float('nan'):8.1f} ms  index: {', '.join(used) or '—'}"
    if seq:
        line += "  SEQ SCAN: " + ", ".join(f"{t} ({n:,} rows read)" for t, n in sorted(seq.items()))
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--drafts", type=int, default=1800, help="PLANNING drafts prepared for the lives (at most)")
    parser.add_argument("--seconds", type=float, default=12, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections (the lives: --steps)")
    parser.add_argument("--steps", default="2,4,8,16", help="concurrency steps of the lives")
    parser.add_argument("--reviews", type=int, default=2, choices=(2, 4), help="parallel reviews in a life")
    parser.add_argument("--generate-only", action="store_true", help="make the database, then stop")
    parser.add_argument("--reuse", action="store_true", help="measure on the database a run made (migrated first)")
    args = parser.parse_args()
    load_start, started = os.getloadavg(), dt.datetime.now()
    bench = CasesPlatform()
    if args.reuse:
        generated = bench.reuse(args.cases, args.reviews)
    else:
        bench.prepare()
        generated = bench.run(GENERATE, P={"cases": args.cases, **PARAMS}, SQL=SQL)
        if bench.run(REVISE, REVIEWS=args.reviews) != args.reviews:
            sys.exit("the PLANNING revision did not take")
        bench.remember(generated, args.cases, args.reviews)
    if args.generate_only:
        print(json.dumps(generated))
        return
    t0, half = time.perf_counter(), args.drafts // 2
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two processes: the drafts go through the services
        drafts = [r for part in pool.map(lambda n: bench.run(DRAFTS, N=n), [half, args.drafts - half]) for r in part]
    draft_ms = (time.perf_counter() - t0) * 2000 / max(1, len(drafts))
    lists = LISTS + bench.run(DEEP_LISTS)
    plans = {"": bench.run(PLANS, LISTS=lists)}
    birth = bench.run("from yiwang.catalog.models import ImplementationVersion as V\nfrom yiwang.demo.world import resident_id\n"
                      "v = V.objects.select_related('implementation').get(status='published', item_version__name='生育登记', "
                      "implementation__region__code='370100000000')\nprint(json.dumps([v.pk, *(resident_id('370102', b, s) "
                      "for b, s in (('19920101', '222'), ('19900101', '111'))), v.implementation.department_id, "
                      "v.implementation.region_id]))")  # fmt: skip
    form = {"mother_id": birth[1], "father_id": birth[2], "child_order": 1, "household_in_city": False}
    submit = json.dumps({"implementation_version_id": birth[0], "form_data": form}).encode()
    floor = json.dumps({"implementation_version_id": birth[0], "department_id": birth[3], "region_id": birth[4],
                        "form_data": form}).encode()  # fmt: skip
    bench.start()
    rows: list[tuple[str, Result, dict, str]] = []  # (r = read / w = write, figures, CPU split, note)
    lists_at_80: list[tuple[str, float]] = []  # (list, p99 ms at 80% of its peak)
    lives_by_step: list[tuple[Result, float, dict]] = []
    try:
        port, pgid = bench.port, bench.server.pid  # type: ignore[union-attr]
        who = {
            n: login_cookie(port, n, PASSWORD)
            for n in (
                "zhangsan",
                "lisi",
                "wangwu",
                "jn_window",
                "jn_planning_app",
                "sd_supervisor",
                *REVIEWERS.values(),
            )
        }
        who = {n: {"Cookie": c, "X-CSRFToken": re.search(r"csrftoken=([^;]+)", c)[1], "Content-Type": "application/json"}
               for n, c in who.items()}  # fmt: skip

        def measure(kind: str, name: str, maker, *, at_80: bool = False) -> None:
            drive(name, port, maker, concurrency=2, seconds=3, max_requests=10)  # warm up
            before = snapshot(pgid)
            result = drive(name, port, maker, concurrency=args.concurrency, seconds=args.seconds)
            note = ""
            if at_80:  # the goal's load: 80% of this peak, offered at a steady rate (open loop)
                rate = 0.8 * result.throughput
                paced = drive(name, port, maker, concurrency=8, seconds=args.seconds, rate=rate)
                lists_at_80.append((name, paced.percentile(99)))
                note = f"p99 {paced.percentile(99):.0f} ms at {rate:.0f}/s offered (80%)"
            rows.append((kind, result, cpu_split(before, snapshot(pgid), result), note))

        def get(path: str, persona: str | None = None):
            headers = {"Cookie": who[persona]["Cookie"]} if persona else {}
            return lambda w, i: ("GET", path, None, headers)

        json_only = {"Content-Type": "application/json"}
        measure("r", "GET /api/v1/health (read baseline)", get("/api/v1/health"))
        measure("w", "POST /api/v1/bench/two-rows (write baseline)",
                lambda w, i: ("POST", "/api/v1/bench/two-rows", b'{"value": 1}', json_only))  # fmt: skip
        for name, path, persona in lists:
            measure("r", name, get(path, persona), at_80=True)
        measure("w", "POST /api/v1/cases/submit (生育登记, wangwu)",
                lambda w, i: ("POST", "/api/v1/cases/submit", submit, {**who["wangwu"], "Idempotency-Key": str(uuid.uuid4())}))  # fmt: skip
        measure("w", "POST /api/v1/bench/submit-floor (the least)",
                lambda w, i: ("POST", "/api/v1/bench/submit-floor", floor, who["wangwu"]))  # fmt: skip
        steps = [(int(t), None) for t in args.steps.split(",")]
        paced: tuple[Result, float, dict] | None = None
        while steps and drafts:
            threads, rate = steps.pop(0)
            before = snapshot(pgid)
            result, lives, by_step, used = drive_lives(port, who, drafts, args.reviews, threads, args.seconds, rate)
            del drafts[len(drafts) - used :]
            note = f"{lives:5.1f} lives/s" + ("  (drafts ran out)" if not drafts else "")
            rows.append(("w", result, cpu_split(before, snapshot(pgid), result), note))
            if rate is None:
                lives_by_step.append((result, lives, by_step))
            else:
                paced = (result, lives, by_step)
            if not steps and rate is None:  # then the goal's load: 80% of the peak, offered at a steady rate
                steps.append((8, 0.8 * max(n for _, n, _ in lives_by_step)))
    finally:
        bench.stop()
    report(args, generated, draft_ms, plans, rows, lives_by_step, paced, lists_at_80, load_start, started)


def report(args, generated, draft_ms, plans, rows, lives_by_step, paced, lists_at_80, load_start, started) -> None:
    import django
    import granian

    with psycopg.connect(DSN) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    base = {kind: next(r.throughput for k, r, _, _ in rows if k == kind) for kind in ("r", "w")}
    g, cores = generated, os.cpu_count()
    git = {"cwd": ROOT, "capture_output": True, "text": True, "env": {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **git).stdout.strip()  # read-only git
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno", "--", "src"], **git).stdout.strip()
    lines = [
        f"yiwang case-engine benchmark {started:%Y-%m-%d %H:%M} — load average {load_start[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine: see other%)",
        f"{platform.machine()}, {cores} cores, {platform.platform()}; Python {platform.python_version()}, Django "
        f"{django.get_version()}, granian {granian.__version__} (WSGI, {cores} workers), PostgreSQL {pg_version}; "
        f"code {head}{' with uncommitted changes in src/' if dirty else ''}",
        f"data: {args.cases:,} cases generated in {g['seconds']} s ({g['total']} s with VACUUM ANALYZE): {g['stages']:,} "
        f"stages, {g['tasks']:,} tasks ({g['open_tasks']:,} open or claimed), {g['departments']} departments; "
        + ", ".join(f"{x['status']} {x['n']:,}" for x in g["by_status"]),
        f"lives: submit → accept → {args.reviews} parallel reviews → decide, from PLANNING drafts with materials "
        f"made through the services ({draft_ms:.0f} ms each); "
        f"{args.concurrency} client connections except the lives; {args.seconds:.0f} s per scenario",
        "",
        f"{'scenario':<46}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'err':>5}{'×base':>7}{'app':>7}{'pg':>6}{'gen':>5}{'other':>7}",
        f"{'':<82}{'CPU ms per request':>18}{'%':>7}",
    ]
    for kind, r, cpu, note in rows:
        lines.append(f"{r.name:<46}{r.throughput:>8.1f}{r.percentile(50):>8.1f}{r.percentile(99):>8.1f}{r.errors:>5}"
                     f"{r.throughput / base[kind]:>7.2f}{cpu['app']:>7.1f}{cpu['pg']:>6.1f}{cpu['gen']:>5.1f}"
                     f"{cpu['other']:>6.0f}%  {note}")  # fmt: skip
    submit = next(r for _, r, _, _ in rows if "cases/submit" in r.name)
    least = next(r for _, r, _, _ in rows if "submit-floor" in r.name)
    ok = submit.throughput >= 0.5 * base["w"]
    lines += [
        "",
        f"submit: {submit.throughput / base['w']:.2f} × the two-row write: goal ≥ 0.50 {'met' if ok else 'NOT met'} "
        f"(the least a submission writes, unchecked: {least.throughput / base['w']:.2f} ×)",
    ]
    if lists_at_80:
        worst = max(lists_at_80, key=lambda x: x[1])
        ok = worst[1] < 100
        lines.append(f"lists: p99 at 80% of each one's peak < 100 ms {'met' if ok else 'NOT met'} "
                     f"(worst {worst[1]:.0f} ms: {worst[0]})")  # fmt: skip
    if lives_by_step:
        peak = max(lives for _, lives, _ in lives_by_step)
        result, lives, steps = paced or min(lives_by_step, key=lambda s: abs(s[1] - 0.8 * peak))
        ok = peak >= 50 and result.percentile(99) < 100
        lines.append(f"lives: peak {peak:.1f}/s; at 80% of it ({result.name}): {lives:.1f}/s done, p99 "
                     f"{result.percentile(99):.0f} ms per request: goal ≥ 50 lives/s with p99 < 100 ms "
                     f"{'met' if ok else 'NOT met'}. Its steps:")  # fmt: skip
        for step, v in steps.items():
            r = Result(step, len(v), 0, 1, v)
            lines.append(f"  {step:<7} n={len(v):>5}  p50 {r.percentile(50):6.1f} ms  p99 {r.percentile(99):6.1f} ms")
    for label, found in plans.items():
        lines += [
            "",
            f"queries at {args.cases:,} cases {label} (per request; EXPLAIN ANALYZE of the slowest two, warm):",
        ]
        for name, (n, ms, found_plans) in found.items():
            lines.append(f"  {name:<46}" + (f"{n:>4} queries, SQL {ms:5.0f} ms" if n else ""))
            lines += [f"      {plan_line(plan)}" for plan in found_plans]
    text = "\n".join(lines)
    print(text)
    full = [
        f"--- {name} {label}\n" + "\n\n".join(ps)
        for label, found in plans.items()
        for name, (_, _, ps) in found.items()
    ]
    out = ROOT / "bench" / "results" / f"cases-{started:%Y%m%d}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n\nFULL PLANS\n\n" + "\n\n".join(full) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
