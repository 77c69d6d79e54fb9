"""Where the list pages spend their CPU: queries, app CPU and PostgreSQL CPU per request, in-process.

    .venv/bin/python bench/profile_lists.py [--db yiwang_profile] [--cases 20000] [--repeats 30]
        [--reuse] [--profile all|<part of a list's name>] [--sort tottime] [--only REGEX]

Not a benchmark (no server, no concurrency: cases_bench.py measures those). It makes a fresh
database (migrate + load_demo, then the bench's bulk generator, bench/cases_data.py, with
--cases cases, so that every list is a full page: zhangsan's 50 cases, open tasks of
jn_planning_rev, an intake queue for jn_window), then requests each of cases_bench.py's LISTS
through Django's test client as its persona and prints the mean over --repeats warm requests
of: queries, app CPU ms (time.process_time of this process: the view, the middleware and the
test client) and the PostgreSQL backend's CPU ms (clock ticks: rough). With --profile, the
hottest functions of the matching lists.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time

from cases_bench import LISTS
from cases_data import GENERATE, PARAMS, SQL
from harness import BENCH_SETTINGS, backend_cpu
from profile_case import prepare, registry

BASELINE = ("GET /api/v1/health (baseline)", "/api/v1/health", "zhangsan")
EXTRA = [("GET /api/v1/cases (jn_window: staff)", "/api/v1/cases", "jn_window")]  # not in cases_bench's LISTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yiwang_profile", help="the PostgreSQL database to (re)make and use")
    parser.add_argument("--cases", type=int, default=20000, help="cases generated in bulk after the demo's")
    parser.add_argument("--repeats", type=int, default=30, help="warm requests measured per list")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--profile", default="", help="lists whose hottest functions to print (all: every list)")
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime or cumulative")
    parser.add_argument("--only", default="", help="print only functions whose path matches this regex")
    parser.add_argument("--lines", type=int, default=35, help="functions printed per profile")
    args = parser.parse_args()
    env = {**os.environ, **BENCH_SETTINGS, "YIWANG_ENV": "development", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}", "LOGIN_MAX_FAILURES": "1000000"}  # fmt: skip
    if not args.reuse:
        prepare(env, args.db)
    registry(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from yiwang.accounts.models import User

    if not args.reuse:
        started = time.perf_counter()
        exec(GENERATE, {"P": {"cases": args.cases, **PARAMS}, "SQL": SQL, "json": json})  # noqa: S102 (bench code)
        print(f"generated in {time.perf_counter() - started:.1f} s")

    pg_cpu = backend_cpu(connection)  # CPU seconds of this connection's PostgreSQL backend

    clients: dict[str, Client] = {}
    count = [0]

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        count[0] += 1
        return execute(sql, params, many, context)

    print(f"{'list':<58}{'queries':>8}{'app ms':>8}{'pg ms':>7}   (mean of {args.repeats} warm requests)")
    for name, path, who in [BASELINE, *LISTS, *EXTRA]:
        if who not in clients:
            clients[who] = Client(HTTP_HOST="127.0.0.1")
            clients[who].force_login(User.objects.get(username=who))
        client = clients[who]
        for _ in range(3):  # warm: templates, caches, the session
            client.get(path)
        count[0] = 0
        wanted = args.profile and (args.profile == "all" or args.profile in name)
        profiler = cProfile.Profile(time.process_time) if wanted else None
        cpu = pg = 0.0
        with connection.execute_wrapper(counting):
            for _ in range(args.repeats):
                started, pg_started = time.process_time(), pg_cpu()
                if profiler:
                    profiler.enable()
                response = client.get(path)
                if profiler:
                    profiler.disable()
                cpu += time.process_time() - started
                pg += pg_cpu() - pg_started
                if response.status_code != 200:
                    sys.exit(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
        n = args.repeats
        print(f"{name:<58}{count[0] / n:>8.1f}{cpu / n * 1000:>8.1f}{pg / n * 1000:>7.1f}")
        if profiler:
            print(f"\n--- {name}: hottest functions ({args.sort}) ---")
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.only, args.lines)


if __name__ == "__main__":
    main()
