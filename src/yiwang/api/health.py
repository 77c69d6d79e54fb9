"""Health for load balancers and orchestrators (docs/operations.md §Observability):

- `/health`: the process answers and the database is reachable (what the benchmarks compare
  against);
- `/health/live`: the process answers — no database, no cache (a liveness probe must not
  restart a web process because PostgreSQL is briefly away);
- `/health/ready`: the process can serve: the database answers, every migration is applied,
  the cache answers. 503 (problem+json naming each failed check) takes it out of rotation.
"""

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from yiwang.core.problems import problem_response

router = Router(tags=["平台"])


class HealthOut(Schema):
    status: str
    database: str


class ReadyOut(Schema):
    status: str
    checks: dict[str, str]


@router.get("/health", response=HealthOut, summary="健康检查", auth=None)
def health(request: HttpRequest) -> HealthOut:
    """Liveness and database reachability; also the minimal endpoint benchmarks compare against."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthOut(status="ok", database=connection.vendor)


@router.get("/health/live", response=HealthOut, summary="存活检查（不访问数据库）", auth=None)
def live(request: HttpRequest) -> HealthOut:
    return HealthOut(status="ok", database="not checked")


_migrated = False  # once every migration is applied in this process, it stays so


def _database() -> str:
    global _migrated
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrated:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "有未执行的数据库迁移（yiwang migrate）"
        _migrated = True
    return "ok"


def _cache() -> str:
    cache.set("yiwang:ready", "1", timeout=10)
    return "ok" if cache.get("yiwang:ready") == "1" else "缓存写入后读不回"


_CHECKS = {"database": ("数据库", _database), "cache": ("缓存", _cache)}


@router.get("/health/ready", response=ReadyOut, summary="就绪检查（数据库、迁移、缓存）", auth=None)
def ready(request: HttpRequest) -> Any:
    checks: dict[str, str] = {}
    for name, (_label, check) in _CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:  # database, socket, or a cache client's own kinds (redis.ConnectionError …)
            checks[name] = f"不可用：{type(exc).__name__}"
    failed = {name: result for name, result in checks.items() if result != "ok"}
    if not failed:
        return ReadyOut(status="ok", checks=checks)
    detail = "；".join(f"{_CHECKS[name][0]}：{result}" for name, result in failed.items())
    errors = [{"field": name, "message": result} for name, result in failed.items()]
    response: HttpResponse = problem_response(
        status=503, title="服务尚未就绪", detail=detail, code="not-ready", errors=errors, checks=checks
    )
    return response
