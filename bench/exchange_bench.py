"""Data-sharing benchmark on PostgreSQL: what a shared material adds to a submission; what a
failing provider system adds to a request (issue 13).

    .venv/bin/python bench/exchange_bench.py [--submissions 240] [--rounds 4] [--failures 20]

Method. The harness's Platform (database `yiwang_bench`, recreated) migrates and loads the demo.
The bench starts the stand-in registry (yiwang.exchange.devprovider, a real local HTTP process)
with the demo's records and points the granian workers at it (EXCHANGE_SYSTEMS in their
environment, EXCHANGE_TIMEOUT=--timeout).
- Submission cost: lisi submits 食品经营许可 drafts for 泉城餐饮 through POST /api/v1/cases/submit
  (draft_ref, a fresh Idempotency-Key each) from --clients connections. Variant A: the version
  whose 营业执照 is `sharing` (scjg.enterprise_register, read from the registry at submission:
  a DataRead, its ledger entry, the case's evidence row). Variant B: an amendment of the same
  item, published through the catalog services, whose 营业执照 is `applicant`, the draft
  holding the uploaded file: the same submission minus the fetch. A version in force is
  superseded by the next one and a draft submits only on the version in force, so the bench
  publishes A or B (an amendment back to `sharing` for A) at each change of variant and makes
  that variant's drafts through the case services (uploads included) before timing. --rounds
  rounds, each an A slice and a B slice, alternating which goes first; WARM untimed submissions
  open each slice. Figures: CPU per submission of the granian workers + this database's
  PostgreSQL backends (cases_bench.snapshot), and separately of the registry process; the ratio
  A/B of app + pg CPU (goal ≤ 1.5); p50/p99. Next to the baselines of the same run (GET
  /api/v1/health, POST /api/v1/bench/two-rows).
- Failing provider, on a server whose breaker never opens (EXCHANGE_BREAKER_FAILURES=10**6):
  --failures submissions of variant A from one client with the registry healthy, then
  SIGSTOPped (connections hang), then — still hanging — from as many clients as the server
  has threads (workers × --threads), then told to answer 503 (POST /_control), then killed
  (connection refused). Added latency = a mode's p99 / max minus the healthy p50 (goal, on the
  one-client modes: ≤ EXCHANGE_TIMEOUT + SLACK). What each read met is read back from the
  DataRead rows. While it hangs, GET /api/v1/health every 50 ms and lisi's case page
  (/me/cases/<number>/) every 100 ms run alongside, one client each (paced: background
  traffic, not a load competing for the CPU); their latency is compared with a quiet run.
- Circuit breaker, on a server restarted with EXCHANGE_BREAKER_FAILURES=5 and
  EXCHANGE_BREAKER_SECONDS=5 and a new registry: healthy submissions, then the registry
  SIGSTOPped and --breaker submissions one after the other (the added latency of each: the
  timeout until the circuit opens, then ~0, `circuit_open`), then resumed: after the breaker's
  seconds one trial read closes the circuit and submissions go through again. Last, hanging
  again with every thread's client at once and the other requests alongside.
Printed and written to bench/results/exchange-<date>.txt.
"""

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_bench import PASSWORD, cpu_split, snapshot
from exchange_data import CASE, DRAFTS, PUBLISH, READS
from harness import PG_BENCH, ROOT, Result, drive, free_port, login_cookie
from licenses_bench import LicensesPlatform, merge

DB = "yiwang_bench"
DSN = PG_BENCH.replace("postgres:", "postgresql:")
WARM = 10  # untimed submissions opening each slice (the new version is loaded per worker)
SLACK = 0.1  # seconds a failing read may add beyond EXCHANGE_TIMEOUT (recording the failure, the refusal)
SYSTEMS = ("scjg-register", "gaj-hukou")  # the demo resources' `http:<system>` (yiwang.demo.registry)
SOURCE = {"A": "sharing", "B": "applicant"}


class Registry:
    """The stand-in provider process, started, stopped, told to fail and killed by the bench."""

    def __init__(self, records: Path, env: dict[str, str], log: Path) -> None:
        self.port, self.key = free_port(), secrets.token_urlsafe(24)
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "yiwang.exchange.devprovider", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*command, "--records", str(records), "--api-key", self.key],
            env=env,
            stderr=log.open("ab"),  # one line per request: kept out of the report
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("the stand-in registry did not start") from None
                time.sleep(0.05)

    def systems(self) -> str:
        return json.dumps({system: {"url": self.url, "key": self.key} for system in SYSTEMS})

    def cpu(self) -> float:
        """CPU seconds the registry has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def control(self, order: dict) -> None:
        request = urllib.request.Request(f"{self.url}/_control", data=json.dumps(order).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
        self.proc.wait()


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started = (os.getloadavg(), dt.datetime.now())
        self.platform = LicensesPlatform()
        self.platform.env.update(CASE_DRAFT_MAX_OPEN="1000000", EXCHANGE_TIMEOUT=str(args.timeout))
        self.published = "A"  # the demo's version: 营业执照 by sharing
        self.prep_s = 0.0
        self.registry: Registry | None = None
        self.headers: dict[str, str] = {}
        self.case_number = ""

    # --- data ---------------------------------------------------------------------------

    def publish(self, variant: str) -> None:
        if variant != self.published:
            pk, source = self.platform.run(PUBLISH, SOURCE=SOURCE[variant])  # type: ignore[misc]
            if source != SOURCE[variant]:
                sys.exit(f"the amendment to {SOURCE[variant]} did not take (version {pk})")
            self.published = variant

    def drafts(self, variant: str, n: int, tag: str) -> list[str]:
        """n drafts on the version of `variant`, made through the services by two processes."""
        started = time.perf_counter()
        self.publish(variant)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            parts = pool.map(lambda k: self.platform.run(DRAFTS, N=n // 2 + k * (n % 2), TAG=f"{tag}{k}"), [0, 1])
            refs = [ref for part in parts for ref in part]  # type: ignore[attr-defined]
        self.prep_s += time.perf_counter() - started
        return refs

    def start(self, registry: Registry, **env: str) -> None:
        self.registry = registry
        self.platform.env.update(EXCHANGE_SYSTEMS=registry.systems(), **env)
        self.platform.port = free_port()
        self.platform.start()
        cookie = login_cookie(self.platform.port, "lisi", PASSWORD)
        self.headers = {"Cookie": cookie, "X-CSRFToken": re.search(r"csrftoken=([^;]+)", cookie)[1],  # type: ignore[index]
                        "Content-Type": "application/json"}  # fmt: skip

    # --- load ---------------------------------------------------------------------------

    def submit(self, refs: list[str], clients: int):
        """Each worker w submits refs[i * clients + w]; every draft once."""
        body = {ref: json.dumps({"draft_ref": ref}).encode() for ref in refs}
        return lambda w, i: ("POST", "/api/v1/cases/submit", body[refs[i * clients + w]],
                             {**self.headers, "Idempotency-Key": f"xbench-{refs[i * clients + w]}"})  # fmt: skip

    def submissions(self, name: str, refs: list[str], clients: int = 1) -> Result:
        per_client = len(refs) // clients
        bound = per_client * (self.args.timeout + 5) + 60
        return drive(name, self.platform.port, self.submit(refs, clients), concurrency=clients, seconds=bound,
                     max_requests=per_client)  # fmt: skip

    def measured(self, name: str, refs: list[str], clients: int) -> tuple[Result, dict]:
        assert self.registry is not None and self.platform.server is not None
        before, registry = snapshot(self.platform.server.pid, DB), self.registry.cpu()
        result = self.submissions(name, refs, clients)
        cpu = cpu_split(before, snapshot(self.platform.server.pid, DB), result)
        cpu["registry"] = (self.registry.cpu() - registry) * 1000 / max(1, result.requests)
        return result, cpu

    def others(self, seconds: float) -> list[Result]:
        """GET /api/v1/health every 50 ms and lisi's case page every 100 ms (paced, one client
        each: background traffic, not a load that would take the CPU from the submissions)."""
        page = f"/me/cases/{self.case_number}/"

        def paced(pause: float, path: str, headers: dict[str, str]):
            def maker(w: int, i: int) -> tuple[str, str, None, dict[str, str]]:
                time.sleep(pause)  # before the request: not part of its latency
                return "GET", path, None, headers

            return maker

        makers = [("GET /api/v1/health", paced(0.05, "/api/v1/health", {})),
                  (f"GET {page}", paced(0.1, page, {"Cookie": self.headers["Cookie"]}))]  # fmt: skip
        with concurrent.futures.ThreadPoolExecutor(len(makers)) as pool:
            runs = [pool.submit(drive, n, self.platform.port, m, concurrency=1, seconds=seconds) for n, m in makers]
            return [run.result() for run in runs]

    def reads_since(self, after: int) -> list[list]:
        return self.platform.run(READS, AFTER=after)  # type: ignore[return-value]

    def last_read(self) -> int:
        reads = self.reads_since(0)
        return reads[-1][0] if reads else 0

    # --- the three parts ----------------------------------------------------------------

    def cost(self) -> tuple[list[tuple[str, Result, dict]], list[tuple[str, Result, dict]]]:
        """Baselines, then the A and B slices: (baselines, slices)."""
        args, port = self.args, self.platform.port
        pgid = self.platform.server.pid  # type: ignore[union-attr]

        def baseline(kind: str, name: str, maker) -> tuple[str, Result, dict]:
            drive("warm", port, maker, concurrency=2, seconds=2, max_requests=20)
            before = snapshot(pgid, DB)
            result = drive(name, port, maker, concurrency=args.concurrency, seconds=args.seconds)
            return kind, result, cpu_split(before, snapshot(pgid, DB), result)

        baselines = [
            baseline("r", "GET /api/v1/health (read baseline)", lambda w, i: ("GET", "/api/v1/health", None, {})),
            baseline("w", "POST /api/v1/bench/two-rows (write baseline)", lambda w, i: (
                "POST", "/api/v1/bench/two-rows", b'{"value": 1}', {"Content-Type": "application/json"})),
        ]  # fmt: skip
        order = [v for r in range(args.rounds) for v in (("A", "B") if r % 2 == 0 else ("B", "A"))]
        per_slice = args.submissions // args.rounds // args.clients * args.clients
        slices: list[tuple[str, Result, dict]] = []
        k = 0
        while k < len(order):  # a phase: the slices of one variant in a row, on one published version
            variant, n = order[k], 1
            while k + n < len(order) and order[k + n] == variant:
                n += 1
            refs = self.drafts(variant, n * (per_slice + WARM), f"{variant}{k}-")
            for s in range(n):
                batch = refs[s * (per_slice + WARM) : (s + 1) * (per_slice + WARM)]
                self.submissions("warm", batch[:WARM], 2)
                result, cpu = self.measured(f"submit {variant}", batch[WARM:], args.clients)
                slices.append((variant, result, cpu))
            k += n
        return baselines, slices

    def failing(self) -> dict:
        """Healthy, hanging (one client, then as many clients as the server has threads), 503,
        refused: N submissions of variant A each; the other requests alongside the hangs."""
        n, registry, timeout = self.args.failures, self.registry, self.args.timeout
        assert registry is not None
        threads = (os.cpu_count() or 1) * int(self.args.threads)
        refs = [self.drafts("A", n, f"F{k}") for k in range(5)]
        self.submissions("warm", self.drafts("A", WARM, "W"), 2)
        self.others(1.5)  # warm: each worker renders the case page once before it is timed
        found: dict = {"modes": [], "others": [("quiet", self.others(self.args.others))]}

        def mode(name: str, batch: list[str], clients: int = 1, others: float = 0) -> None:
            after = self.last_read()
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                run = pool.submit(self.submissions, name, batch, clients)
                side = pool.submit(self.others, others) if others else None
                found["modes"].append((name, clients, run.result()))
                if side:
                    found["others"].append((name, side.result()))
            found["modes"][-1] += (self.reads_since(after),)

        mode("healthy", refs[0])
        registry.pause()
        try:  # the others run for most of the hang (each submission waits ~ the timeout)
            mode("hang (SIGSTOP)", refs[1], others=max(2.0, 0.8 * n * timeout))
            mode(f"hang, {threads} clients", refs[2], threads, others=max(2.0, 0.8 * n // threads * timeout))
        finally:
            registry.resume()
        registry.control({"fail_next": 10**6, "status": 503})
        mode("503 (POST /_control)", refs[3])
        registry.kill()
        mode("refused (killed)", refs[4])
        return found

    def breaker(self) -> dict:
        """On the restarted server (breaker on): healthy, hang until the circuit opens, recovery;
        then every thread's client hanging at once, the other requests alongside."""
        registry, k = self.registry, self.args.breaker
        assert registry is not None
        threads = (os.cpu_count() or 1) * int(self.args.threads)
        refs = self.drafts("A", WARM + 10 + k + 3 + 5 * threads, "K")
        self.submissions("warm", refs[:WARM], 2)
        healthy = self.submissions("healthy", refs[WARM : WARM + 10])
        refs = refs[WARM + 10 :]
        found: dict = {"healthy": healthy, "threads": threads}
        after = self.last_read()
        registry.pause()
        try:
            found["hang"] = self.submissions("hang", refs[:k])
        finally:
            registry.resume()
        found["hang_reads"] = self.reads_since(after)
        time.sleep(int(self.platform.env["EXCHANGE_BREAKER_SECONDS"]) + 0.5)
        after = self.last_read()
        found["again"] = self.submissions("resumed", refs[k : k + 3])
        found["again_reads"] = self.reads_since(after)
        after = self.last_read()
        registry.pause()
        try:
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                run = pool.submit(self.submissions, "all threads", refs[k + 3 :], threads)
                side = pool.submit(self.others, 4.0)
                found["all"], found["all_others"] = run.result(), side.result()
        finally:
            registry.resume()
        found["all_reads"] = self.reads_since(after)
        return found

    def run(self) -> None:
        args = self.args
        self.platform.prepare()
        records = Path(self.platform.data_dir) / "exchange" / "records.json"  # written by load_demo
        log = Path(self.platform.data_dir) / "registry.log"
        cost = failing = breaker = None
        try:
            self.start(Registry(records, self.platform.env, log), EXCHANGE_BREAKER_FAILURES=str(10**6))
            cost = self.cost() if args.submissions else None
            self.case_number = self.platform.run(CASE)
            if args.failures:
                failing = self.failing()
            self.platform.stop()
            self.registry.kill()  # type: ignore[union-attr]
            if args.breaker:
                self.start(Registry(records, self.platform.env, log), EXCHANGE_BREAKER_FAILURES="5",
                           EXCHANGE_BREAKER_SECONDS="5")  # fmt: skip
                breaker = self.breaker()
        finally:
            self.platform.stop()
            if self.registry is not None:
                self.registry.kill()
        report(args, self.started, cost, failing, breaker, self.prep_s, self.case_number)


# --- the report ---------------------------------------------------------------------------


def _reasons(reads: list[list]) -> str:
    counted = Counter(failure or outcome for _, outcome, failure in reads)
    return "; ".join(f"{why} ×{k}" for why, k in counted.most_common())


def _runs(reads: list[list]) -> str:
    """What the reads met, in order, repeats counted: "timeout ×5 → circuit open ×5"."""
    runs: list[list] = []
    for _, outcome, failure in reads:
        why = failure or outcome
        if runs and runs[-1][0] == why:
            runs[-1][1] += 1
        else:
            runs.append([why, 1])
    return " → ".join(f"{why} ×{k}" for why, k in runs)


def _ms(r: Result, p: float) -> str:
    return f"{r.percentile(p):8.0f}"


def report(args, when, cost, failing, breaker, prep_s, case_number) -> None:
    import django
    import granian
    import psycopg

    load_start, started = when
    with psycopg.connect(DSN) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    git = {"cwd": ROOT, "capture_output": True, "text": True, "env": {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **git).stdout.strip()  # read-only git
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno", "--", "src"], **git).stdout.strip()
    cores = os.cpu_count()
    lines = [
        f"yiwang data-sharing benchmark {started:%Y-%m-%d %H:%M} — load average {load_start[0]:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (other work shares the machine: see other%)",
        f"{platform.machine()}, {cores} cores, {platform.platform()}; Python {platform.python_version()}, Django "
        f"{django.get_version()}, granian {granian.__version__} (WSGI, {cores} workers × {args.threads} blocking threads), "
        f"PostgreSQL {pg_version}; "
        f"code {head}{' with uncommitted changes in src/' if dirty else ''}",
        f"submissions: {args.submissions} per variant in {args.rounds} rounds (A/B alternating first), "
        f"{args.clients} clients; drafts made through the services, versions published between phases: {prep_s:.0f} s",
        "",
    ]
    if cost:
        baselines, slices = cost
        base = {kind: r.throughput for kind, r, _ in baselines}
        merged = []
        for variant, label in (("A", "营业执照 shared (fetched)"), ("B", "营业执照 uploaded")):
            parts = [(r, c) for v, r, c in slices if v == variant]
            total = merge(f"POST /cases/submit {variant}: {label}", [r for r, _ in parts])
            keys = ("app", "pg", "gen", "registry")
            cpu = {k: sum(c[k] * r.requests for r, c in parts) / max(1, total.requests) for k in keys}
            cpu["other"] = sum(c["other"] * r.seconds for r, c in parts) / max(1e-9, total.seconds)
            merged.append(("w", total, cpu))
        lines += [
            f"{'scenario':<46}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'err':>5}{'×base':>7}{'app':>7}"
            f"{'pg':>6}{'reg':>6}{'gen':>5}{'other':>7}",
            f"{'':<90}{'CPU ms per request':>24}{'%':>7}",
        ]
        for kind, r, cpu in baselines + merged:
            lines.append(f"{r.name:<46}{r.throughput:>8.1f}{r.percentile(50):>8.1f}{r.percentile(95):>8.1f}"
                         f"{r.percentile(99):>8.1f}{r.errors:>5}{r.throughput / base[kind]:>7.2f}{cpu['app']:>7.1f}"
                         f"{cpu['pg']:>6.1f}{cpu.get('registry', 0.0):>6.1f}{cpu['gen']:>5.1f}{cpu['other']:>6.0f}%")  # fmt: skip
        (_, a, ca), (_, b, cb) = merged
        ratio = (ca["app"] + ca["pg"]) / (cb["app"] + cb["pg"])
        lines += [
            "",
            f"sharing: CPU per submission (app + pg) A / B {ca['app'] + ca['pg']:.1f} / {cb['app'] + cb['pg']:.1f} ms "
            f"= {ratio:.2f} (app alone {ca['app'] / cb['app']:.2f}): goal ≤ 1.50 {'met' if ratio <= 1.5 else 'NOT met'}; "
            f"with the registry's {ca['registry']:.1f} ms: {(ca['app'] + ca['pg'] + ca['registry']) / (cb['app'] + cb['pg']):.2f}; "
            f"p50 {a.percentile(50) / b.percentile(50):.2f} ×, throughput {b.throughput / a.throughput:.2f} × (B / A)",
            "  slices (variant: req/s, app+pg CPU ms per request): "
            + "; ".join(f"{v} {r.throughput:.0f}/s {c['app'] + c['pg']:.1f}" for v, r, c in slices),
        ]
    if failing:
        healthy = failing["modes"][0][2]
        p50 = healthy.percentile(50) / 1000
        budget = args.timeout + SLACK
        lines += [
            "",
            f"failing provider: EXCHANGE_TIMEOUT={args.timeout:g} s, breaker off (EXCHANGE_BREAKER_FAILURES=10**6); "
            f"{args.failures} submissions of variant A per mode; added = latency − healthy p50 ({p50 * 1000:.0f} ms)",
            f"{'mode':<24}{'clients':>8}{'n':>4}{'err':>5}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'added p99':>11}"
            f"{'added max':>11}  reads",
        ]
        worst = 0.0
        for name, clients, r, reads in failing["modes"]:
            added = [r.percentile(99) / 1000 - p50, max(r.latencies_ms) / 1000 - p50]
            if name != "healthy" and clients == 1:
                worst = max(worst, added[1])
            lines.append(f"{name:<24}{clients:>8}{r.requests:>4}{r.errors:>5}{_ms(r, 50)}{_ms(r, 99)}"
                         f"{max(r.latencies_ms):>8.0f}{added[0]:>10.2f}s{added[1]:>10.2f}s  {_reasons(reads)}")  # fmt: skip
        lines.append(f"  worst added, one client: {worst:.2f} s: goal ≤ EXCHANGE_TIMEOUT + {SLACK:g} s slack = "
                     f"{budget:.2f} s {'met' if worst <= budget else 'NOT met'}")  # fmt: skip
        lines.append(f"other requests, paced (health every 50 ms, case page {case_number} every 100 ms, one "
                     "client each), quiet and while the provider hangs:")  # fmt: skip
        for when, results in failing["others"]:
            for r in results:
                lines.append(f"  {when:<18} {r.name:<40} n {r.requests:>4}  p50 {r.percentile(50):6.1f}  p99 "
                             f"{r.percentile(99):6.1f}  max {max(r.latencies_ms):7.1f} ms  errors {r.errors}")  # fmt: skip
    if breaker:
        p50 = breaker["healthy"].percentile(50) / 1000
        every = breaker["all"]
        lines += [
            "",
            "circuit breaker (server restarted with EXCHANGE_BREAKER_FAILURES=5, EXCHANGE_BREAKER_SECONDS=5, new "
            f"registry): healthy p50 {p50 * 1000:.0f} ms; registry SIGSTOPped, submissions one after the other, "
            "added latency of each:",
            "  " + ", ".join(f"#{k + 1} {ms / 1000 - p50:+.2f} s" for k, ms in enumerate(breaker["hang"].latencies_ms)),
            f"  reads: {_runs(breaker['hang_reads'])}",
            f"  resumed, after the breaker's 5 s: {breaker['again'].requests} submissions, {breaker['again'].errors} "
            f"errors, p50 {breaker['again'].percentile(50):.0f} ms; reads: {_reasons(breaker['again_reads'])}",
            f"  hanging again, {breaker['threads']} clients (every thread of the server) × {every.requests // breaker['threads']}"
            f" submissions: p50 {every.percentile(50):.0f} ms, max {max(every.latencies_ms):.0f} ms; reads: "
            f"{_reasons(breaker['all_reads'])}",
        ]
        for r in breaker["all_others"]:
            lines.append(f"    alongside: {r.name:<40} n {r.requests:>4}  p50 {r.percentile(50):6.1f}  p99 "
                         f"{r.percentile(99):6.1f}  max {max(r.latencies_ms):7.1f} ms  errors {r.errors}")  # fmt: skip
    text = "\n".join(lines)
    print(text)
    variant = ("" if args.submissions else "-failing") + ("" if args.threads == "2" else f"-{args.threads}threads")
    out = ROOT / "bench" / "results" / f"exchange-{started:%Y-%m-%d}{variant}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=240, help="timed submissions per variant")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, each an A and a B slice")
    parser.add_argument("--clients", type=int, default=2, help="client connections submitting")
    parser.add_argument("--seconds", type=float, default=10, help="per baseline")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections of the baselines")
    parser.add_argument("--timeout", type=float, default=1.0, help="EXCHANGE_TIMEOUT of the workers, seconds")
    parser.add_argument("--failures", type=int, default=20, help="submissions per failing mode (0: none)")
    parser.add_argument("--others", type=float, default=8, help="seconds of the quiet run of the other requests")
    parser.add_argument("--breaker", type=int, default=10, help="submissions while the circuit opens (0: none)")
    parser.add_argument("--threads", default=os.environ.get("GRANIAN_BLOCKING_THREADS", "2"),
                        help="granian blocking threads per worker (docs/operations.md: 2)")  # fmt: skip
    args = parser.parse_args()
    os.environ["GRANIAN_BLOCKING_THREADS"] = args.threads  # read by harness.Platform.start
    Bench(args).run()


if __name__ == "__main__":
    main()
