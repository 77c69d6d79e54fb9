"""Another system reads shared data over the API under its department's grants (the stand-in
registry is a real process): 403 without a grant or outside it, only the granted fields with
one, the provider's failures as 502/503/504 with the reason, and each read names the client."""

import pytest
from django.test import Client

from yiwang.exchange import services
from yiwang.exchange.models import DataRead, Grant
from yiwang.exchange.tests.client_helpers import approval_system, bearer, token
from yiwang.exchange.tests.conftest import CREDIT_CODE, Registry, all_slots_taken
from yiwang.exchange.tests.helpers import demand, market_steward
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)
RECORD = f"/api/v1/exchange/records/scjg.enterprise_register/{CREDIT_CODE}"
PURPOSE = {"purpose": "食品经营许可 370100-2026-000123 核验营业执照", "reference": "370100-2026-000123"}


def _granted(fields: list[str]) -> Grant:
    return services.demand_approve(actor=market_steward(), demand_id=demand().pk, fields=fields, answer="最小必要")


def test_without_a_grant_the_read_is_refused_naming_the_rule(world: None, registry: Registry) -> None:
    access = token(approval_system())
    answer = Client().get(RECORD, PURPOSE, **bearer(access))
    assert answer.status_code == 403 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["rule"] == "grant" and "没有数据资源 scjg.enterprise_register" in answer.json()["detail"]
    assert registry.control()["reads"] == 0 and not DataRead.objects.exists()


def test_with_a_grant_only_the_granted_fields_come_back_and_the_read_names_the_client(
    world: None, registry: Registry
) -> None:
    registered = approval_system()
    _granted(["name", "credit_code"])
    access = token(registered)
    answer = Client().get(RECORD, PURPOSE, **bearer(access))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["record"] == {"name": "济南泉城餐饮管理有限公司", "credit_code": CREDIT_CODE}
    assert "王五" not in answer.content.decode()  # legal_rep is in the registry, not in the grant
    assert "no-store" in answer["Cache-Control"]
    read = DataRead.objects.get()
    assert read.client == registered.client and read.actor is None and read.pk == body["read_id"]
    assert registered.client_id in Entry.objects.get(pk=read.ledger_entry_id).leaf
    outside = Client().get(RECORD, {**PURPOSE, "fields": "name,legal_rep"}, **bearer(access))
    assert outside.status_code == 403 and outside.json()["rule"] == "grant_fields"
    assert "legal_rep" in outside.json()["detail"]
    grants = Client().get("/api/v1/exchange/grants", **bearer(access)).json()
    assert [(g["resource"], [f["key"] for f in g["fields"]]) for g in grants] == [
        ("scjg.enterprise_register", ["name", "credit_code"])
    ]


def test_a_read_needs_a_purpose(world: None, registry: Registry) -> None:
    _granted(["name"])
    answer = Client().get(RECORD, **bearer(token(approval_system())))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "purpose"


@pytest.mark.parametrize(
    ("order", "status", "reason"),
    [({"fail_next": 5, "status": 503}, 502, "unavailable"), ({"delay_next": 5, "seconds": 3}, 504, "timeout")],
)
def test_a_failing_provider_is_a_502_or_504_with_the_reason(
    world: None, registry: Registry, order: dict[str, object], status: int, reason: str
) -> None:
    _granted(["name", "credit_code"])
    access = token(approval_system())
    registry.control(**order)
    answer = Client().get(RECORD, PURPOSE, **bearer(access))
    assert answer.status_code == status and answer.json()["reason"] == reason
    assert DataRead.objects.get().outcome == "failed"


def test_a_busy_provider_is_a_503_with_retry_after_and_no_call(world: None, registry: Registry) -> None:
    _granted(["name", "credit_code"])
    access = token(approval_system())
    with all_slots_taken("scjg-register"):
        answer = Client().get(RECORD, PURPOSE, **bearer(access))
    assert answer.status_code == 503 and answer.json()["reason"] == "busy" and answer["Retry-After"] == "5"
    assert registry.control()["reads"] == 0
    assert Client().get(RECORD, PURPOSE, **bearer(access)).status_code == 200  # the slots are back
