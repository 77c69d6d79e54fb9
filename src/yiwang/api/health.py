from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["平台"])


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", response=HealthOut, summary="健康检查", auth=None)
def health(request: HttpRequest) -> HealthOut:
    """Liveness and database reachability; also the minimal endpoint benchmarks compare against."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthOut(status="ok", database=connection.vendor)
