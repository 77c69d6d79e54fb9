"""Reading shared data from another department's system (the stand-in registry, a real
process): grant checks, minimisation, the access record, and every way the system can fail."""

import time

import pytest

from yiwang.accounts.models import Enterprise, User
from yiwang.core.errors import PermissionDenied
from yiwang.exchange import providers, selectors, services
from yiwang.exchange.models import DataRead, DataResource, Grant
from yiwang.exchange.providers import ProviderFailed, provider_for
from yiwang.exchange.reads import shared_read
from yiwang.exchange.tests.conftest import CREDIT_CODE, Registry, all_slots_taken
from yiwang.exchange.tests.helpers import demand, department, market_steward
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)
PURPOSE = "食品经营许可申请 370100-2026-000123：核验营业执照"


def _granted(fields: list[str] | None = None) -> Grant:
    filed = demand()  # asks for name, credit_code, legal_rep
    return services.demand_approve(
        actor=market_steward(), demand_id=filed.pk, fields=fields, answer="" if fields is None else "最小必要"
    )


def _read(**extra: object) -> object:
    arguments = {
        "consumer": department("approval"),
        "resource_code": "scjg.enterprise_register",
        "subject_id": CREDIT_CODE,
        "purpose": PURPOSE,
        "reference": "370100-2026-000123",
    } | extra
    return shared_read(**arguments)  # type: ignore[arg-type]


def test_a_read_gets_only_the_granted_fields_and_is_recorded(world: None, registry: Registry) -> None:
    _granted(["name", "credit_code"])
    enterprise = Enterprise.objects.first()
    shared = _read(subject_enterprise=enterprise)
    assert shared.record == {"name": "济南泉城餐饮管理有限公司", "credit_code": CREDIT_CODE}  # type: ignore[attr-defined]
    assert shared.source == "济南市市场监督管理局·市场主体登记信息"  # type: ignore[attr-defined]
    read = DataRead.objects.get()
    assert read.outcome == "ok" and read.fields == ["name", "credit_code"] and len(read.digest) == 64
    entry = Entry.objects.get(pk=read.ledger_entry_id)
    assert entry.kind == "exchange.data_read"
    assert CREDIT_CODE not in entry.leaf and "核验营业执照" not in entry.leaf  # commitments only
    lisi = User.objects.get(username="lisi")  # 泉城餐饮's agent
    assert list(selectors.reads_about(lisi)) == [read]
    assert list(selectors.reads_about(User.objects.get(username="zhangsan"))) == []


def test_no_grant_or_fields_outside_it_is_refused_before_any_call(world: None, registry: Registry) -> None:
    with pytest.raises(PermissionDenied) as no_grant:
        _read()
    assert "没有数据资源 scjg.enterprise_register 的有效共享授权" in no_grant.value.message
    _granted(["name", "credit_code"])
    with pytest.raises(PermissionDenied) as outside:
        _read(fields=["name", "legal_rep_id"])
    assert "legal_rep_id" in outside.value.message
    assert registry.control()["reads"] == 0 and not DataRead.objects.exists()


@pytest.mark.parametrize(
    ("order", "code"),
    [
        ({"fail_next": 5, "status": 503}, "unavailable"),
        ({"delay_next": 5, "seconds": 3}, "timeout"),
        ({"garbage_next": 1}, "invalid"),
    ],
)
def test_a_failing_system_costs_at_most_its_timeout_and_the_failure_is_recorded(
    world: None, registry: Registry, order: dict[str, object], code: str
) -> None:
    _granted()
    registry.control(**order)
    with pytest.raises(ProviderFailed) as failed:
        _read()
    assert failed.value.code == code  # a timeout is the budget spent (bench/exchange_bench.py times it)
    read = DataRead.objects.get()
    assert read.outcome == "failed" and read.failure == failed.value.message


def test_a_system_that_keeps_failing_is_tried_twice_with_no_wait_after_the_last_try(
    world: None, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    _granted()
    resource = DataResource.objects.get(code="scjg.enterprise_register")
    registry.control(fail_next=5, status=503)
    pauses: list[float] = []
    monkeypatch.setattr(providers.time, "sleep", pauses.append)
    with pytest.raises(ProviderFailed) as failed:
        provider_for(resource).fetch(resource, CREDIT_CODE, ["name"])
    assert failed.value.code == "unavailable" and registry.control()["reads"] == 2
    # One pause between the two tries; the applicant is not kept waiting after the last.
    assert len(pauses) == 1 and 0 < pauses[0] <= 0.2


def test_a_subject_without_a_record_is_told_plainly(world: None, registry: Registry) -> None:
    _granted()
    with pytest.raises(ProviderFailed) as failed:
        _read(subject_id="91370102MA00000000")
    assert failed.value.code == "not_found" and failed.value.message == "提供系统中没有该主体的记录"


def test_after_repeated_failures_the_circuit_opens_then_a_trial_read_closes_it(
    world: None,
    registry: Registry,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    _granted()
    settings.EXCHANGE_BREAKER_SECONDS = 1
    registry.control(fail_next=100, status=500)
    for _ in range(3):
        with pytest.raises(ProviderFailed):
            _read()
    reads_before = registry.control()["reads"]
    with pytest.raises(ProviderFailed) as skipped:
        _read()
    assert skipped.value.code == "circuit_open" and registry.control()["reads"] == reads_before
    registry.control(reset=True)
    time.sleep(1.1)
    assert _read().record["name"] == "济南泉城餐饮管理有限公司"  # type: ignore[attr-defined]


def test_a_system_with_every_slot_taken_is_busy_at_once_and_not_counted_as_failing(
    world: None, registry: Registry
) -> None:
    _granted()
    with all_slots_taken("scjg-register"), pytest.raises(ProviderFailed) as busy:
        _read()
    assert busy.value.code == "busy" and registry.control()["reads"] == 0
    assert providers._Breaker("scjg-register").state()["failures"] == 0
    assert DataRead.objects.get().outcome == "failed"  # recorded, with why
    assert _read().record["name"] == "济南泉城餐饮管理有限公司"  # type: ignore[attr-defined]


def test_a_suspended_grant_stops_reads(world: None, registry: Registry) -> None:
    grant = _granted()
    services.grant_suspend(actor=market_steward(), grant_id=grant.pk, reason="核查")
    with pytest.raises(PermissionDenied):
        _read()


def test_a_read_inside_a_transaction_is_a_programming_error(world: None, registry: Registry) -> None:
    from django.db import transaction

    _granted()
    with pytest.raises(RuntimeError), transaction.atomic():
        _read()


def test_a_read_names_its_subject_when_the_caller_does_not(world: None, registry: Registry) -> None:
    """An API client names only an identifier: the read still shows on that person's or that
    enterprise's 数据使用记录 (here failed reads: the stand-in holds no record of either)."""
    from yiwang.demo.world import ENTERPRISE

    _granted(["name"])
    enterprise = Enterprise.objects.get(credit_code=ENTERPRISE["credit_code"])
    with pytest.raises(ProviderFailed):
        _read(subject_id=enterprise.credit_code)
    assert DataRead.objects.get().subject_enterprise == enterprise
    zhangsan = User.objects.get(username="zhangsan")
    with pytest.raises(ProviderFailed):
        _read(subject_id=zhangsan.person.id_number)  # type: ignore[union-attr]
    assert DataRead.objects.latest("id").subject_user == zhangsan
    assert list(selectors.reads_about(zhangsan)) == [DataRead.objects.latest("id")]
