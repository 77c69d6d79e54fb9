"""Catalog benchmark: the public guide (search and item page) under load, against /api/v1/health.

    .venv/bin/python bench/catalog_bench.py                    # SQLite, 10,000 items × 3 regions
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/catalog_bench.py
                                                    # PostgreSQL: a fresh database yiwang_catalog_bench
                                                    # on DATABASE_URL's server (or --db postgres)

1. Builds a fresh database: the demo world (its catalog published through the services),
   then N generated items, each implemented in 3 regions (济南市, 泰安市, 历下区) with 4
   materials, by bulk insert (the generator is not the system under test), and the
   guide's search index rebuilt with the real `search_rebuild`.
2. Serves the project with granian --interface wsgi (one worker per core) on 127.0.0.1.
3. Drives load from a separate process: plain threads with http.client keep-alive
   connections, a bounded number of requests (and seconds) per endpoint.
4. Reports p50/p99 per request and the ratio to GET /api/v1/health measured in the same run
   (the cost of Django + WSGI + one query), prints a table and writes it to
   bench/results/catalog-<date>.txt (catalog-<date>-postgres.txt for PostgreSQL).
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OBJECTS = [
    "食品生产", "药品经营", "医疗器械经营", "道路运输", "出版物经营", "烟草专卖零售", "医疗机构执业", "排污",
    "取水", "特种设备使用", "建筑施工", "危险化学品经营", "旅行社设立", "人力资源服务", "劳务派遣",
    "民办学校办学", "养老机构", "酒类经营", "二手车交易", "网约车经营", "燃气经营",
    "城市绿地占用", "临时占用道路", "建筑垃圾处置", "户外广告", "文物修缮", "种子生产经营", "兽药经营",
    "渔业捕捞", "粮食收购", "拍卖企业", "典当行", "电影放映", "营业性演出", "互联网上网服务", "娱乐场所",
    "游泳场所", "母婴保健技术服务", "放射诊疗", "职业卫生技术服务", "消毒产品生产", "生活饮用水供水",
]  # fmt: skip
ACTIONS = ["许可", "登记", "备案", "审批", "核准", "变更", "延续", "注销", "证核发", "资格认定"]
EVERYDAY = [
    "开饭店", "食品", "营业执照", "许可", "生孩子", "规划", "药品", "道路运输", "我想开一家饭馆", "排污",
    "旅行社", "养老", "二手车", "演出", "游泳馆", "网吧", "卖酒", "开诊所", "变更登记", "注销",
]  # fmt: skip
REGIONS = [("370100000000", "济南市行政审批服务局"), ("370900000000", "泰安市行政审批服务局"),
           ("370102000000", "济南市历下区行政审批服务局")]  # fmt: skip


def _setup(db: str) -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix="yiwang-catalog-bench-")
    env = {"YIWANG_DATA_DIR": data_dir, "YIWANG_ENV": "test", "DJANGO_SETTINGS_MODULE": "yiwang.config.settings"}
    if db == "postgres":
        import psycopg

        server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS yiwang_catalog_bench")
            conn.execute("CREATE DATABASE yiwang_catalog_bench")
        env["DATABASE_URL"] = f"{server}/yiwang_catalog_bench"
    else:
        env["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # only the loader's logins
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from yiwang.core.calendar import calendar_seed
    from yiwang.demo.world import load_world

    calendar_seed(years=settings.CALENDAR_SEED_YEARS)
    load_world()
    return env


MATERIALS = [("申请书", "applicant"), ("营业执照", "sharing"), ("场所证明", "applicant"), ("身份证明", "sharing")]


def _item_version(rng: random.Random, i: int, item: object, common: dict[str, object]) -> object:
    from yiwang.catalog.models import ItemVersion
    from yiwang.catalog.themes import THEMES

    obj, act = OBJECTS[i % len(OBJECTS)], ACTIONS[(i // len(OBJECTS)) % len(ACTIONS)]
    round_ = i // (len(OBJECTS) * len(ACTIONS))
    return ItemVersion(
        item=item,
        number=1,
        name=f"{obj}{act}" + (f"（第{round_ + 1}类）" if round_ else ""),
        item_type="license",
        competent_department="某主管部门",
        legal_basis="《某条例》（基准数据）",
        service_objects=rng.choice([["person"], ["enterprise"], ["person", "enterprise"]]),
        themes=[rng.choice(THEMES)["slug"]],
        keywords=" ".join(rng.sample(EVERYDAY, 2)),
        **common,
    )


def _implementation_version(rng: random.Random, implementation: object, item_version: object, common: dict) -> object:
    from yiwang.catalog.models import ImplementationVersion

    return ImplementationVersion(
        implementation=implementation,
        item_version=item_version,
        number=1,
        exercise_level="municipal",
        acceptance_conditions="符合条件（基准数据）",
        statutory_limit_days=20,
        committed_limit_days=rng.choice([0, 5, 10]),
        required_visits=rng.choice([0, 0, 1]),
        visits_reason="核验原件",
        handling_forms=["window", "pc"],
        online_depth=3,
        result_name=f"{item_version.name}决定书",  # type: ignore[attr-defined]
        consultation_phone="0531-1",
        complaint_phone="12345",
        address="政务服务中心",
        office_hours="工作日",
        process={"case_kind": "instant", "stages": []},
        **common,
    )


def _generate(n: int) -> tuple[float, float, list[str]]:
    """n items × 3 implementations by bulk insert; returns (insert s, index s, basic codes)."""
    from yiwang.accounts.models import Department, User
    from yiwang.catalog import models as m
    from yiwang.catalog.search import search_rebuild
    from yiwang.core import clock

    rng = random.Random(20261127)
    started = time.perf_counter()
    now = clock.now()
    common = {
        "status": "published",
        "change_kind": "add",
        "change_reason": "基准数据",
        "valid_from": now,
        "drafted_by": User.objects.get(username="sd_catalog"),
        "reviewed_by": User.objects.get(username="jn_catalog"),
        "created_at": now,
        "published_at": now,
    }
    departments = [Department.objects.get(region__code=code, name=name) for code, name in REGIONS]
    codes = [f"9{i:011d}" for i in range(n)]
    items = m.ServiceItem.objects.bulk_create([m.ServiceItem(basic_code=c) for c in codes], batch_size=2000)
    versions = [_item_version(rng, i, item, common) for i, item in enumerate(items)]
    by_item = {v.item_id: v for v in m.ItemVersion.objects.bulk_create(versions, batch_size=2000)}  # type: ignore[arg-type]
    implementations = m.Implementation.objects.bulk_create(
        [
            m.Implementation(item=item, region=d.region, department=d, code=f"{d.credit_code}1{item.basic_code}")
            for item in items
            for d in departments
        ],
        batch_size=2000,
    )
    impl_versions = m.ImplementationVersion.objects.bulk_create(
        [_implementation_version(rng, imp, by_item[imp.item_id], common) for imp in implementations],  # type: ignore[misc]
        batch_size=2000,
    )
    m.Material.objects.bulk_create(
        [
            m.Material(
                version=v, key=f"m{k}", name=name, necessity="required", form="electronic", source=source, sort_order=k
            )
            for v in impl_versions
            for k, (name, source) in enumerate(MATERIALS)
        ],
        batch_size=5000,
    )
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    search_rebuild()
    indexed = time.perf_counter() - started
    # What an operator does after a bulk load (docs/operations.md): fresh statistics, and on
    # PostgreSQL a vacuum so that index-only scans see an up-to-date visibility map.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return inserted, indexed, codes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        *(str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(workers), "--blocking-threads", "4", "--no-ws", "--log-level", "warning"),
        "yiwang.config.wsgi:application",
    ]
    server = subprocess.Popen(command, env={**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}, cwd=ROOT)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("granian did not start")


def drive(port: int, paths: list[str], requests: int, seconds: float, concurrency: int) -> dict[str, float]:
    """Send `requests` GETs (at most `seconds`) over `concurrency` keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rng = random.Random(offset)
        while time.perf_counter() < deadline:
            with lock:
                if next(counter, None) is None:
                    break
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed) if ok else None
                errors += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    pick = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000  # noqa: E731
    return {"n": len(latencies), "errors": errors, "p50": pick(0.50), "p99": pick(0.99),
            "mean": statistics.fmean(latencies) * 1000, "rps": len(latencies) / wall}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from_env = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=from_env)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=60, help="per endpoint, at most")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: JSON job for the load process
    args = parser.parse_args()
    if args.drive:
        job = json.loads(args.drive)
        print(json.dumps(drive(job["port"], job["paths"], job["requests"], job["seconds"], job["concurrency"])))
        return

    env = _setup(args.db)
    inserted, indexed, codes = _generate(args.items)
    from yiwang.catalog.models import SearchDocument, SearchToken

    docs, tokens = SearchDocument.objects.count(), SearchToken.objects.count()
    from django.db import connections

    connections.close_all()
    port = _free_port()
    rng = random.Random(7)
    scenarios = {
        "GET /api/v1/health（基线）": ["/api/v1/health"],
        "办事指南搜索 /guide/?q=…": [f"/guide/?q={urllib.parse.quote(q)}" for q in EVERYDAY],
        "办事指南列表 /guide/?theme=…": [
            f"/guide/?theme={t}" for t in ("catering", "health", "construction", "market")
        ],
        "事项页 /guide/<编码>/": [f"/guide/{c}/" for c in rng.sample(codes, min(500, len(codes)))],
        "API 检索 /api/v1/catalog/items?q=…": [f"/api/v1/catalog/items?q={urllib.parse.quote(q)}" for q in EVERYDAY],
    }
    results = {}
    load = os.getloadavg()[0]  # other work on the machine skews absolute figures; the ratios less so
    server = _serve(env, port, args.workers)
    try:
        for name, paths in scenarios.items():
            warm = {"port": port, "paths": paths, "requests": 50, "seconds": 10, "concurrency": args.concurrency}
            job = {**warm, "requests": args.requests, "seconds": args.seconds}
            for payload in (warm, job):  # warm up, then measure, each from a separate process
                out = subprocess.run([sys.executable, __file__, "--drive", json.dumps(payload)], check=True,
                                     capture_output=True, text=True)  # fmt: skip
            results[name] = json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(10)
    base = results["GET /api/v1/health（基线）"]
    header = ("endpoint", "n", "err", "p50 ms", "p99 ms", "req/s", "p50 ×health", "p99 ×health")
    lines = [
        f"yiwang catalog benchmark {dt.datetime.now():%Y-%m-%d %H:%M} · {args.db} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPU · granian wsgi × {args.workers} workers · "
        f"{args.concurrency} client threads · load average before the run {load:.1f}",
        f"data: {args.items} generated items × 3 regions + demo catalog = {docs} guide documents, "
        f"{tokens} search tokens; bulk insert {inserted:.1f} s, search_rebuild {indexed:.1f} s",
        "",
        "{:<36} {:>6} {:>4} {:>8} {:>8} {:>7} {:>12} {:>12}".format(*header),
    ]
    for name, r in results.items():
        lines.append(
            f"{name:<36} {r['n']:>6} {r['errors']:>4} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['rps']:>7.0f} "
            f"{r['p50'] / base['p50']:>12.1f} {r['p99'] / base['p99']:>12.1f}"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    suffix = "" if args.db == "sqlite" else f"-{args.db}"
    out = ROOT / "bench" / "results" / f"catalog-{dt.date.today():%Y%m%d}{suffix}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
