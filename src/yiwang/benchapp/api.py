"""Baseline endpoints for bench/ (mounted only with YIWANG_BENCH=1, never in production).

`POST /api/v1/bench/two-rows` is "a minimal django-ninja endpoint that inserts two rows":
the floor every write scenario is compared with, measured on the same server in the same
run. It parses a JSON body and inserts two rows in one transaction, nothing else.
"""

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from yiwang.benchapp.models import BenchRow

router = Router(tags=["基准测试"])


class In(Schema):
    value: int


class Out(Schema):
    ids: list[int]


@router.post("/two-rows", response=Out, auth=None)
def two_rows(request: HttpRequest, body: In) -> Out:
    with transaction.atomic():
        first = BenchRow.objects.create(kind="a", payload={"value": body.value})
        second = BenchRow.objects.create(kind="b", payload={"value": body.value})
    return Out(ids=[first.pk, second.pk])
