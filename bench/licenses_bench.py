"""E-license benchmark on PostgreSQL: what issuing adds to a decision; verification at 1M licenses.

    .venv/bin/python bench/licenses_bench.py [--licenses 1000000] [--decisions 300] [--seconds 12]

Method. The harness's Platform (database `yiwang_bench`, recreated) migrates and loads the demo.
- Decision: 食品经营许可 cases of lisi for 泉城餐饮 are made through the case services up to the
  approver's decision (submitted, accepted, reviewed), --decisions (+ warm-up) for the demo's
  version, which names the 食品经营许可证 license type, then as many for an amendment of the same
  item published through the catalog services with no license type (the same process, only
  `license_type_code` differs). jn_approver then decides them through the real endpoint
  (POST /api/v1/cases/{number}/decide, approve; electronic delivery concludes the case), the
  two variants interleaved in --rounds slices, alternating which goes first. The figure is the
  ratio of CPU per request (granian workers + PostgreSQL backends) with / without a license:
  goal ≤ 1.20 (issue 12).
- Verification: --real licenses issued through the services (ledger entries, a mix revoked,
  suspended, cancelled, superseded and expired through the services), the ledger integrated;
  then filler licenses up to --licenses by COPY (valid identifiers with their own check
  characters, mixed statuses, successor versions; no ledger entries), VACUUM ANALYZE. Measured
  from a separate process at --concurrency connections, bounded in time: GET
  /api/v1/licenses/status/{identifier} (filler and real identifiers) and GET
  /api/v1/ledger/entries/{id}/proof (the status entries of the real licenses): what a verifier
  calls. Goal p99 < 50 ms. EXPLAIN ANALYZE of every query the two endpoints run.
Both are reported next to the baselines of the same run (GET /api/v1/health for reads, POST
/api/v1/bench/two-rows for writes), with CPU per request as bench/cases_bench.py measures it.
Printed and written to bench/results/licenses-<date>.txt (with the full plans).
"""

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_bench import PASSWORD, cpu_split, snapshot
from harness import PG_BENCH, ROOT, Platform, Result, drive, login_cookie
from licenses_data import COLUMNS, DECIDABLE, QUERIES, REAL, UNLICENSED, filler_rows

DB = "yiwang_bench"
DSN = PG_BENCH.replace("postgres:", "postgresql:")
WARM = 10  # decisions per variant to warm up (not counted)


class LicensesPlatform(Platform):
    def run(self, code: str, **params: object) -> object:
        """Django code in the bench database with `params` bound; its last stdout line, as JSON."""
        prelude = "import json, datetime as dt\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
        try:
            return json.loads(self.python(prelude + code).strip().splitlines()[-1])
        except subprocess.CalledProcessError as failed:
            sys.exit(f"data generation failed:\n{failed.stderr[-3000:]}")


def decidable(bench: LicensesPlatform, tag: str, n: int) -> list[str]:
    """n cases waiting for the decision, made by two processes through the services."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        parts = pool.map(lambda k: bench.run(DECIDABLE, N=n // 2 + k * (n % 2), TAG=f"{tag}{k}"), [0, 1])
        return [number for part in parts for number in part]  # type: ignore[attr-defined]


def load_filler(n: int, note: str) -> dict:
    """COPY n filler licenses; returns the seconds, a sample of their identifiers and the sizes."""
    started = time.perf_counter()
    sample: list[str] = []
    with psycopg.connect(DSN) as conn:
        types = conn.execute("SELECT id, code, validity_years FROM licenses_licensetype ORDER BY id").fetchall()
        issuers = conn.execute("SELECT id, credit_code FROM accounts_department ORDER BY id").fetchall()
        holders = [r[0] for r in conn.execute("SELECT id FROM accounts_user WHERE kind = 'applicant'")]
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM licenses_license").fetchone()[0]  # type: ignore[index]
        today = dt.date.today()
        with conn.cursor().copy(f"COPY licenses_license ({COLUMNS}) FROM STDIN") as copy:
            buffer: list[str] = []
            for k, (line, identifier) in enumerate(
                filler_rows(n, first_id=first, types=types, issuers=issuers, holders=holders, note=note, today=today)
            ):
                buffer.append(line)
                if k % 50 == 0 and identifier:
                    sample.append(identifier)
                if len(buffer) == 10_000:
                    copy.write("".join(buffer))
                    buffer.clear()
            copy.write("".join(buffer))
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('licenses_license', 'id'), (SELECT max(id) FROM licenses_license))"
        )
    return {**describe(), "copy_s": time.perf_counter() - started, "sample": sample}


def describe() -> dict:
    """VACUUM ANALYZE the license table; its rows, sizes and statuses."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE licenses_license")
        sizes = conn.execute(
            "SELECT count(*), pg_size_pretty(pg_table_size('licenses_license')), "
            "pg_size_pretty(pg_indexes_size('licenses_license')), pg_size_pretty(pg_relation_size("
            "(SELECT indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE "
            "'licenses_license_identifier%key'))) FROM licenses_license"
        ).fetchone()
        by_status = conn.execute("SELECT status, count(*) FROM licenses_license GROUP BY 1 ORDER BY 2 DESC").fetchall()
    return {"sizes": sizes, "by_status": by_status}


def merge(name: str, parts: list[Result]) -> Result:
    return Result(name, sum(p.requests for p in parts), sum(p.errors for p in parts),
                  sum(p.seconds for p in parts), [v for p in parts for v in p.latencies_ms])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--licenses", type=int, default=1_000_000, help="licenses in the table (0: the decision only)")
    parser.add_argument("--real", type=int, default=3000, help="licenses issued through the services")
    parser.add_argument("--decisions", type=int, default=300, help="decisions measured per variant (0: none)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved slices per variant")
    parser.add_argument("--seconds", type=float, default=12, help="per verification scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the verification again on the previous run's data"
    )
    args = parser.parse_args()
    load_start, started = os.getloadavg(), dt.datetime.now()
    bench = LicensesPlatform()
    if args.reuse:  # the previous run's licenses; its decidable cases are used up
        args.decisions = 0
    else:
        bench.prepare()
    t0 = time.perf_counter()
    numbers: dict[str, list[str]] = {}
    if args.decisions:
        numbers["with"] = decidable(bench, "a", args.decisions + WARM)
        plain = bench.run(UNLICENSED)
        if plain[1]:  # type: ignore[index]
            sys.exit("the amendment without a license type did not take")
        numbers["without"] = decidable(bench, "b", args.decisions + WARM)
    prep_s = time.perf_counter() - t0
    real = bench.run(REAL, N=args.real) if args.licenses and not args.reuse else None
    data = load_filler(args.licenses - args.real, real["note"]) if real else None  # type: ignore[index]
    if data:
        data["total_s"] = time.perf_counter() - t0 - prep_s - real["issue_s"] - real["integrate_s"]  # type: ignore[index]
    if args.reuse:
        with psycopg.connect(DSN) as conn:
            data = {**describe(), "sample": [r[0] for r in conn.execute(
                "SELECT identifier FROM licenses_license WHERE status_entry_id IS NULL AND id % 50 = 0")]}  # fmt: skip
    with psycopg.connect(DSN) as conn:
        proofs = [r[0] for r in conn.execute("SELECT status_entry_id FROM licenses_license l JOIN ledger_entry e "
                  "ON e.id = l.status_entry_id WHERE e.leaf_index IS NOT NULL ORDER BY l.id")]  # fmt: skip
        real_ids = [
            r[0] for r in conn.execute("SELECT identifier FROM licenses_license WHERE status_entry_id IS NOT NULL")
        ]
    paths = []
    if data:
        paths = [("status (filler)", f"/api/v1/licenses/status/{data['sample'][len(data['sample']) // 2]}"),
                 ("status (real)", f"/api/v1/licenses/status/{real_ids[len(real_ids) // 2]}"),
                 ("proof", f"/api/v1/ledger/entries/{proofs[len(proofs) // 2]}/proof")]  # fmt: skip
    plans = bench.run(QUERIES, PATHS=paths) if paths else {}
    bench.start()
    rows: list[tuple[str, Result, dict]] = []
    try:
        port, pgid = bench.port, bench.server.pid  # type: ignore[union-attr]
        cookie = login_cookie(port, "jn_approver", PASSWORD)
        approver = {"Cookie": cookie, "X-CSRFToken": re.search(r"csrftoken=([^;]+)", cookie)[1],  # type: ignore[index]
                    "Content-Type": "application/json"}  # fmt: skip

        def measure(kind: str, name: str, maker, **kw) -> Result:
            before = snapshot(pgid, DB)
            result = drive(name, port, maker, concurrency=args.concurrency, **kw)
            rows.append((kind, result, cpu_split(before, snapshot(pgid, DB), result)))
            return result

        def get(path: str):
            return lambda w, i: ("GET", path, None, {})

        for path in ("/api/v1/health", "/api/v1/health"):  # warm both workers
            drive("warm", port, get(path), concurrency=2, seconds=2, max_requests=20)
        measure("r", "GET /api/v1/health (read baseline)", get("/api/v1/health"), seconds=args.seconds)
        measure("w", "POST /api/v1/bench/two-rows (write baseline)",
                lambda w, i: ("POST", "/api/v1/bench/two-rows", b'{"value": 1}', {"Content-Type": "application/json"}),
                seconds=args.seconds)  # fmt: skip
        decide_body = json.dumps({"outcome": "approve", "opinion": "符合法定条件，准予许可。"}).encode()

        def decide(queue: list[str], count: int, c: int):
            batch = queue[:count]
            del queue[:count]
            return lambda w, i: ("POST", f"/api/v1/cases/{batch[i * c + w]}/decide", decide_body, approver)

        if numbers:
            c = min(args.concurrency, 2)  # two clients: the decision's lock on the serial row is not the question
            for variant in ("with", "without"):
                drive(
                    "warm", port, decide(numbers[variant], WARM, 2), concurrency=2, seconds=60, max_requests=WARM // 2
                )
            per_round = args.decisions // args.rounds // c
            for r in range(args.rounds):
                for variant in ("with", "without") if r % 2 == 0 else ("without", "with"):
                    before = snapshot(pgid, DB)
                    result = drive(f"decide {variant}", port, decide(numbers[variant], per_round * c, c),
                                   concurrency=c, seconds=120, max_requests=per_round)  # fmt: skip
                    rows.append(("d:" + variant, result, cpu_split(before, snapshot(pgid, DB), result)))
        if data:
            pool = [*data["sample"], *real_ids]
            pool.sort(key=lambda s: hash(s[::-1]))  # a fixed spread over the index, real and filler mixed
            measure("r", "GET /licenses/status/{identifier}",
                    lambda w, i: ("GET", f"/api/v1/licenses/status/{pool[(i * 16 + w) * 7919 % len(pool)]}", None, {}),
                    seconds=args.seconds)  # fmt: skip
            measure("r", "GET /ledger/entries/{id}/proof",
                    lambda w, i: ("GET", f"/api/v1/ledger/entries/{proofs[(i * 16 + w) * 7919 % len(proofs)]}/proof",
                                  None, {}), seconds=args.seconds)  # fmt: skip
    finally:
        bench.stop()
    report(args, rows, data, real, plans, prep_s, load_start, started)


def check_index(plans: dict) -> list[str]:
    """Each endpoint's queries: time and the indexes used; whether the license lookup uses the identifier index."""
    lines = []
    for name, queries in plans.items():
        lines.append(f"  {name}: {len(queries)} queries")
        for sql, plan in queries:
            took = re.search(r"Execution Time: ([\d.]+) ms", plan)
            used = sorted(
                set(
                    re.findall(
                        r"(?:Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", plan
                    )
                )
            )
            seq = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
            table = re.search(r'FROM "(\w+)"', sql)
            line = f"    {float(took[1]) if took else float('nan'):6.2f} ms  {table[1] if table else '?':<26} index: {', '.join(used) or '—'}"
            lines.append(line + (f"  SEQ SCAN: {', '.join(seq)}" if seq else ""))
    return lines


def report(args, rows, data, real, plans, prep_s, load_start, started) -> None:
    import django
    import granian

    with psycopg.connect(DSN) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    git = {"cwd": ROOT, "capture_output": True, "text": True, "env": {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **git).stdout.strip()  # read-only git
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno", "--", "src"], **git).stdout.strip()
    cores = os.cpu_count()
    lines = [
        f"yiwang e-license benchmark{' (--reuse: verification only)' if args.reuse else ''} {started:%Y-%m-%d %H:%M} — load average {load_start[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine: see other%)",
        f"{platform.machine()}, {cores} cores, {platform.platform()}; Python {platform.python_version()}, Django "
        f"{django.get_version()}, granian {granian.__version__} (WSGI, {cores} workers), PostgreSQL {pg_version}; "
        f"code {head}{' with uncommitted changes in src/' if dirty else ''}",
    ]
    if args.decisions:
        lines.append(f"decisions: {args.decisions} per variant in {args.rounds} interleaved slices, cases made "
                     f"through the services in {prep_s:.0f} s")  # fmt: skip
    if data and not real:
        lines.append(
            f"licenses: {data['sizes'][0]:,} (the previous run's), "
            + ", ".join(f"{s} {n:,}" for s, n in data["by_status"])
        )
    if data and real:
        count, table, indexes, ident = data["sizes"]
        lines.append(f"licenses: {count:,} ({args.real:,} through the services in {real['issue_s']} s, ledger integrated "
                     f"in {real['integrate_s']} s; {args.licenses - args.real:,} filler by COPY in {data['copy_s']:.0f} s, "
                     f"{data['total_s']:.0f} s with VACUUM ANALYZE); table {table}, indexes {indexes} (identifier "
                     f"index {ident}); " + ", ".join(f"{s} {n:,}" for s, n in data["by_status"]))  # fmt: skip
        lines.append(f"issuance in-process (license_issue in its own transaction, CPU of the issuing process, under the "
                     f"capture of its queries): {real['issue_cpu_ms']:.1f} ms, {real['issue_statements']:.1f} statements")  # fmt: skip
    lines += [
        "",
        f"{'scenario':<46}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'err':>5}{'×base':>7}{'app':>7}{'pg':>6}"
        f"{'gen':>5}{'other':>7}",
        f"{'':<90}{'CPU ms per request':>18}{'%':>7}",
    ]
    base = {k: next(r.throughput for kind, r, _ in rows if kind == k) for k in ("r", "w")}
    merged: list[tuple[str, Result, dict]] = []
    for variant in ("with", "without"):
        parts = [(r, cpu) for kind, r, cpu in rows if kind == "d:" + variant]
        if parts:
            total = merge(f"POST /cases/{{n}}/decide {variant} license", [r for r, _ in parts])
            cpu = {k: sum(c[k] * r.requests for r, c in parts) / max(1, total.requests) for k in ("app", "pg", "gen")}
            cpu["other"] = sum(c["other"] * r.seconds for r, c in parts) / max(1e-9, total.seconds)
            merged.append(("w", total, cpu))
    shown = [(k, r, c) for k, r, c in rows if not k.startswith("d:")]
    for kind, r, cpu in shown[:2] + merged + shown[2:]:
        lines.append(f"{r.name:<46}{r.throughput:>8.1f}{r.percentile(50):>8.1f}{r.percentile(95):>8.1f}"
                     f"{r.percentile(99):>8.1f}{r.errors:>5}{r.throughput / base[kind]:>7.2f}{cpu['app']:>7.1f}"
                     f"{cpu['pg']:>6.1f}{cpu['gen']:>5.1f}{cpu['other']:>6.0f}%")  # fmt: skip
    if len(merged) == 2:
        (_, w, cw), (_, wo, cwo) = merged
        ratio = (cw["app"] + cw["pg"]) / (cwo["app"] + cwo["pg"])
        lines += [
            "",
            f"issuance: CPU per decision (app + pg) with / without a license {cw['app'] + cw['pg']:.1f} / "
            f"{cwo['app'] + cwo['pg']:.1f} ms = {ratio:.2f} (app alone {cw['app'] / cwo['app']:.2f}): goal ≤ 1.20 "
            f"{'met' if ratio <= 1.2 else 'NOT met'}; p50 {w.percentile(50) / wo.percentile(50):.2f} ×, "
            f"throughput {wo.throughput / w.throughput:.2f} × (without / with)",
            "  slices (variant: req/s, app+pg CPU ms per request): "
            + "; ".join(
                f"{k[2:]} {r.throughput:.0f}/s {c['app'] + c['pg']:.1f}" for k, r, c in rows if k.startswith("d:")
            ),
        ]
    verify = [r for kind, r, _ in rows if kind == "r" and "health" not in r.name]
    if verify:
        worst = max(r.percentile(99) for r in verify)
        lines.append(f"verification at {data['sizes'][0]:,} licenses: p99 status {verify[0].percentile(99):.1f} ms, proof "
                     f"{verify[1].percentile(99):.1f} ms: goal p99 < 50 ms {'met' if worst < 50 else 'NOT met'}")  # fmt: skip
    if plans:
        uses = all("licenses_license_identifier" in plan for name, qs in plans.items() if name.startswith("status")
                   for sql, plan in qs if 'FROM "licenses_license"' in sql)  # fmt: skip
        lines += ["", f"queries per request (EXPLAIN ANALYZE, warm); the license lookup uses the identifier index: "
                      f"{'yes' if uses else 'NO'}", *check_index(plans)]  # fmt: skip
    text = "\n".join(lines)
    print(text)
    full = [f"--- {name}\n{sql}\n{plan}" for name, qs in plans.items() for sql, plan in qs]
    out = ROOT / "bench" / "results" / f"licenses-{started:%Y-%m-%d}{'-verify' if args.reuse else ''}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n\nFULL PLANS\n\n" + "\n\n".join(full) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
