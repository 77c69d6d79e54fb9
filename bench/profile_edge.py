"""What every request pays before and after its view: per middleware, in-process, on PostgreSQL.

    .venv/bin/python bench/profile_edge.py [--db yiwang_prof_edge] [--reuse] [--repeats 200]
        [--redis] [--sql] [--served] [--profile]

Builds the database like profile_lists.py (migrate + load_demo; no bulk cases: the edge does not
depend on them), then requests a few cheap pages as a logged-in applicant through Django's test
client: GET /api/v1/health (no view work), GET /accounts/login/ (the smallest HTML page: the
base template and its context processors) and GET /api/v1/health anonymously. For each: the
queries of one warm request (with --sql, their text), the mean app CPU ms (time.process_time)
and PostgreSQL backend CPU ms, and the app CPU of each middleware's own part (a marker between
each pair of middlewares reads the process's CPU clock on the way in and out: a middleware's
share is the time between its marker and the next one, in both directions; "view" is what lies
inside the last marker: URL resolution, every process_view, the view, the rendering).

--redis starts a private redis-server and sets REDIS_URL (the production shape's cache).
--session-engine and --cache-backend override SESSION_ENGINE and the default cache's BACKEND
in-process (to compare in one sitting).
--served also serves the same requests through granian (one worker) and prints the server
process's CPU per request (granian, the WSGI handler and Django, no test client).
To measure the code before a change, run with PYTHONPATH=<an export of that commit's src>:
the in-process requests and the served ones then use that code.
"""

import argparse
import cProfile
import os
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import BENCH_SETTINGS, backend_cpu, free_port
from profile_case import prepare

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("GET /api/v1/health (logged in)", "/api/v1/health", "zhangsan"),
    ("GET /accounts/login/ (logged in: smallest page)", "/accounts/login/", "zhangsan"),
    ("GET /api/v1/health (anonymous)", "/api/v1/health", None),
]
_clock = time.process_time
_marks: list[list[float]] = []  # per marker: [cpu in, cpu out] of the current request


def _marker(index: int) -> type:
    class Mark:
        def __init__(self, get_response):  # type: ignore[no-untyped-def]
            self.get_response = get_response

        def __call__(self, request):  # type: ignore[no-untyped-def]
            _marks[index][0] = _clock()
            try:
                return self.get_response(request)
            finally:
                _marks[index][1] = _clock()

    Mark.__name__ = Mark.__qualname__ = f"Mark{index:02d}"
    return Mark


def start_redis() -> str:
    port, directory = free_port(), tempfile.mkdtemp(prefix="yiwang-edge-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    import atexit

    atexit.register(lambda: (server.terminate(), shutil.rmtree(directory, ignore_errors=True)))
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0"


def served(env: dict[str, str], requests: int) -> None:
    """CPU per request of a granian worker (the whole server process group) on the same pages."""
    import http.client

    from harness import login_cookie

    import yiwang

    # The code this process imported (a checkout of the code before a change, to compare).
    env = {**env, "PYTHONPATH": os.pathsep.join([str(Path(yiwang.__file__).resolve().parents[1]), str(ROOT / "bench")])}
    port = free_port()
    command = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--no-ws", "--blocking-threads", "1",
               "--log-level", "warning", "yiwang.config.wsgi:application"]  # fmt: skip
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)

        def group_cpu() -> float:
            total = 0
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(fields[2]) == server.pid:  # the process group granian leads
                        total += int(fields[11]) + int(fields[12])
            return total / os.sysconf("SC_CLK_TCK")

        cookie = login_cookie(port, "zhangsan", "Yiwang-demo-2026")  # the demo world's password
        print(f"\nserved by granian (1 worker): server CPU ms per request, {requests} sequential requests")
        for name, path, who in PAGES:
            headers = {"Cookie": cookie} if who else {}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for _ in range(20):
                conn.request("GET", path, headers=headers)
                conn.getresponse().read()
            before = group_cpu()
            for _ in range(requests):
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    sys.exit(f"{name}: HTTP {response.status}")
            print(f"  {name:<52}{(group_cpu() - before) / requests * 1000:>8.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="yiwang_prof_edge", help="the PostgreSQL database to (re)make and use")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    parser.add_argument("--repeats", type=int, default=200, help="warm requests measured per page")
    parser.add_argument("--redis", action="store_true", help="a private Redis as the cache (REDIS_URL)")
    parser.add_argument("--session-engine", default="", help="override SESSION_ENGINE (before/after comparisons)")
    parser.add_argument("--cache-backend", default="", help="override the default cache's BACKEND (likewise)")
    parser.add_argument("--reads", action="store_true", help="time one session read per engine (needs --redis)")
    parser.add_argument("--sql", action="store_true", help="print the queries of one warm request")
    parser.add_argument("--served", action="store_true", help="also measure through granian")
    parser.add_argument("--profile", action="store_true", help="print the hottest functions of each page")
    args = parser.parse_args()
    env = {**os.environ, **BENCH_SETTINGS, "YIWANG_ENV": "development", "LOG_LEVEL": "WARNING",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}", "LOGIN_MAX_FAILURES": "1000000"}  # fmt: skip
    if args.redis:
        env["REDIS_URL"] = start_redis()
    if not args.reuse:
        prepare(env, args.db)
    os.environ.update(env)
    import django
    from django.conf import settings

    stack = list(settings.MIDDLEWARE)
    marked: list[str] = []
    for index, dotted in enumerate(stack):
        setattr(sys.modules[__name__], f"Mark{index:02d}", _marker(index))
        _marks.append([0.0, 0.0])
        marked += [f"{__name__}.Mark{index:02d}", dotted]
    settings.MIDDLEWARE = marked
    if args.session_engine:
        settings.SESSION_ENGINE = args.session_engine
    if args.cache_backend:
        settings.CACHES["default"]["BACKEND"] = args.cache_backend
    django.setup()
    from django.db import connection
    from django.test import Client

    from yiwang.accounts.models import User

    pg_cpu = backend_cpu(connection)
    print(f"session engine {settings.SESSION_ENGINE}, cache {settings.CACHES['default']['BACKEND']}")
    for name, path, who in PAGES:
        client = Client(HTTP_HOST="127.0.0.1")
        if who:
            client.force_login(User.objects.get(username=who))
        for _ in range(5):
            client.get(path)
        sql: list[str] = []

        def capture(execute, query, params, many, context, sql=sql):  # type: ignore[no-untyped-def]
            sql.append(query)
            return execute(query, params, many, context)

        with connection.execute_wrapper(capture):
            client.get(path)
        own: list[list[float]] = [[] for _ in stack]
        view: list[float] = []
        cpu: list[float] = []
        pg = 0.0
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        for _ in range(args.repeats):
            started, pg_started = _clock(), pg_cpu()
            if profiler:
                profiler.enable()
            response = client.get(path)
            if profiler:
                profiler.disable()
            cpu.append(_clock() - started)
            pg += pg_cpu() - pg_started
            if response.status_code != 200:
                sys.exit(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
            for i in range(len(stack)):
                inner = _marks[i + 1] if i + 1 < len(stack) else None
                if inner is None:
                    view.append(_marks[i][1] - _marks[i][0])
                    own[i].append(0.0)
                else:
                    own[i].append((inner[0] - _marks[i][0]) + (_marks[i][1] - inner[1]))
        print(f"\n{name}: {len(sql)} queries, app CPU {statistics.median(cpu) * 1000:.2f} ms (median),"
              f" {statistics.mean(cpu) * 1000:.2f} ms (mean), PostgreSQL {pg / args.repeats * 1000:.2f} ms")  # fmt: skip
        for i, dotted in enumerate(stack[:-1]):
            print(f"  {dotted:<58}{statistics.mean(own[i]) * 1000:>7.3f} ms")
        print(f"  {stack[-1] + ' + view (URL, process_view, view)':<58}{statistics.mean(view) * 1000:>7.3f} ms")
        if args.sql:
            for query in sql:
                print(f"    SQL: {query[:160]}")
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("EDGE_SORT", "tottime")).print_stats(
                os.environ.get("EDGE_ONLY", ""), 40
            )
    if args.reads:
        session_reads(User.objects.get(username="zhangsan"))
    if args.served:
        served(env, args.repeats)


def session_reads(user) -> None:  # type: ignore[no-untyped-def]
    """CPU of reading one signed-in session, per engine and Redis client: the best of 7 rounds
    of 300 reads each, the engines taking turns (a busy machine slows a round, never speeds one)."""
    from importlib import import_module

    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache as DjangoRedis
    from django.test import Client

    from yiwang.core.redis_cache import RedisCache as SharedRedis

    location = settings.CACHES["default"]["LOCATION"]
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    variants = {
        "database (django_session row)": ("django.contrib.sessions.backends.db", DjangoRedis),
        "cached_db, Django's Redis client per call": ("django.contrib.sessions.backends.cached_db", DjangoRedis),
        "yiwang.accounts.sessions, one Redis client": ("yiwang.accounts.sessions", SharedRedis),
    }
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(7):
        for name, (engine, backend) in variants.items():
            caches["default"] = backend(location, {})
            store_class = import_module(engine).SessionStore
            store_class(key).load()  # fills the cache
            started = _clock()
            for _ in range(300):
                assert store_class(key).load()
            best[name] = min(best[name], (_clock() - started) / 300)
    print("\nreading one signed-in session (best of 7 rounds of 300)")
    for name, seconds in best.items():
        print(f"  {name:<52}{seconds * 1000:>8.3f} ms")


if __name__ == "__main__":
    main()
