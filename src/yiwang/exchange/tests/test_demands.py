"""Resources, demands and grants through the services: who may, what is checked, what is recorded."""

import datetime as dt

import pytest

from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.exchange import selectors, services
from yiwang.exchange.models import Demand, ExchangeEvent, Grant
from yiwang.exchange.tests.helpers import (
    FIELDS,
    approval_steward,
    demand,
    department,
    market_steward,
    resource,
    steward,
)
from yiwang.exchange.workflow import DemandStatus, GrantStatus
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_a_conditional_demand_waits_for_the_provider_and_is_due_in_working_days(world: None) -> None:
    with clock.frozen(dt.date(2026, 9, 25)):  # a Friday before 国庆
        filed = demand()
    assert filed.status == DemandStatus.FILED and filed.number.startswith("XQ2026-")
    # 10 working days after 2026-09-25: 9-28, 9-29, 9-30, (国庆 10-1..10-7) 10-8, 10-9,
    # Saturday 10-10 (调休上班), 10-12, 10-13, 10-14, 10-15.
    assert filed.due_on == dt.date(2026, 10, 15)
    notice = Message.objects.get(recipient=market_steward(), reference=f"demand:{filed.number}")
    assert "2026年10月15日" in notice.body
    assert list(selectors.demands_to_answer(market_steward())) == [filed]
    assert list(selectors.demands_to_answer(approval_steward())) == []  # the consumer cannot answer


def test_approval_with_fewer_fields_needs_reasons_and_makes_a_grant(world: None) -> None:
    filed = demand()
    with pytest.raises(ValidationFailed) as refused:
        services.demand_approve(actor=market_steward(), demand_id=filed.pk, fields=["name", "credit_code"])
    assert refused.value.errors["answer"] == ["答复意见（未授权的信息项须说明理由）：必填"]
    grant = services.demand_approve(
        actor=market_steward(),
        demand_id=filed.pk,
        fields=["name", "credit_code"],
        answer="法定代表人属个人信息，用途不需要",
    )
    assert grant.status == GrantStatus.ACTIVE and grant.fields == ["name", "credit_code"]
    assert grant.purpose == filed.purpose and grant.consumer == department("approval")
    assert selectors.grant_in_force(consumer_id=department("approval").pk, resource_code=filed.resource.code) == grant
    event = ExchangeEvent.objects.get(demand=filed, verb="demand_approved")
    entry = Entry.objects.get(pk=event.ledger_entry_id)
    assert entry.kind == "exchange.demand_approved"
    assert "法定代表人属个人信息" not in entry.leaf  # the reason is a commitment in the public leaf
    assert Message.objects.filter(recipient=approval_steward(), reference=f"demand:{filed.number}").exists()


def test_an_unconditional_resource_is_granted_at_once_by_the_platform(world: None) -> None:
    filed = demand(resource(sharing_class="unconditional"))
    filed.refresh_from_db()
    assert filed.status == DemandStatus.APPROVED and filed.grant.status == GrantStatus.ACTIVE
    event = ExchangeEvent.objects.get(demand=filed, verb="demand_approved")
    assert event.actor is None and "自动同意" in event.reason


def test_a_not_shared_resource_cannot_be_asked_for_and_the_basis_is_quoted(world: None) -> None:
    closed = resource(sharing_class="not_shared", not_shared_basis="《中华人民共和国保守国家秘密法》第九条")
    with pytest.raises(ValidationFailed) as refused:
        demand(closed)
    assert "不予共享（依据：《中华人民共和国保守国家秘密法》第九条）" in refused.value.errors["resource"][0]
    with pytest.raises(ValidationFailed) as missing:
        resource(sharing_class="not_shared", code="scjg.other")
    assert missing.value.errors["not_shared_basis"] == ["不予共享依据：必填"]


def test_refusal_needs_reasons_and_only_the_provider_answers(world: None) -> None:
    filed = demand()
    with pytest.raises(PermissionDenied):
        services.demand_refuse(actor=approval_steward(), demand_id=filed.pk, answer="不同意")
    with pytest.raises(PermissionDenied):  # a steward of a third department
        services.demand_refuse(actor=steward("health_steward", "health"), demand_id=filed.pk, answer="不同意")
    with pytest.raises(ValidationFailed):
        services.demand_refuse(actor=market_steward(), demand_id=filed.pk, answer="  ")
    services.demand_refuse(actor=market_steward(), demand_id=filed.pk, answer="用途与所列事项无关")
    filed.refresh_from_db()
    assert filed.status == DemandStatus.REFUSED and filed.answer == "用途与所列事项无关"
    assert not Grant.objects.exists()


def test_one_open_demand_or_grant_per_consumer_and_resource(world: None) -> None:
    filed = demand()
    with pytest.raises(Conflict):
        demand(filed.resource)
    services.demand_approve(actor=market_steward(), demand_id=filed.pk)
    with pytest.raises(Conflict):
        demand(filed.resource)


def test_a_department_does_not_ask_for_its_own_data_and_fields_must_exist(world: None) -> None:
    own = resource()
    with pytest.raises(ValidationFailed) as self_demand:
        services.demand_file(
            actor=market_steward(),
            consumer=department("market"),
            resource_id=own.pk,
            fields=["name"],
            purpose="自用",
            legal_basis="无",
            items=[],
        )
    assert self_demand.value.errors["resource"] == ["数据资源：本部门的数据资源无需申请共享"]
    with pytest.raises(ValidationFailed) as unknown:
        demand(own, fields=["name", "tax_number"])
    assert unknown.value.errors["fields"] == ["申请信息项：资源中没有信息项 tax_number"]
    with pytest.raises(ValidationFailed) as items:
        demand(own, items=["000136999000"])
    assert "不在事项库中" in items.value.errors["items"][0]
    with pytest.raises(ValidationFailed) as control:
        demand(own, purpose="核验\x00营业执照")
    assert "控制字符" in control.value.errors["purpose"][0]


def test_unanswered_demands_lapse_after_their_day_and_grants_expire(world: None) -> None:
    filed = demand(valid_until=dt.date(2027, 12, 31))
    other = demand(
        resource(code="scjg.annual_reports", sharing_class="unconditional"), valid_until=dt.date(2027, 6, 30)
    )
    with clock.frozen(filed.due_on):
        assert services.demands_lapse_due() == 0
    with clock.frozen(filed.due_on + dt.timedelta(days=1)):
        assert services.demands_lapse_due() == 1
    filed.refresh_from_db()
    assert filed.status == DemandStatus.LAPSED
    with clock.frozen(dt.date(2027, 7, 1)):
        assert services.grants_expire_due() == 1
    assert Grant.objects.get(demand=other).status == GrantStatus.EXPIRED


def test_retiring_a_resource_revokes_its_grants_and_refuses_its_open_demands(world: None) -> None:
    granted = demand()
    services.demand_approve(actor=market_steward(), demand_id=granted.pk)
    services.resource_retire(
        actor=market_steward(), resource_id=granted.resource.pk, reason="系统迁移，改由省级平台提供"
    )
    assert Grant.objects.get(demand=granted).status == GrantStatus.REVOKED
    with pytest.raises(ValidationFailed):
        demand(granted.resource)


def test_amending_a_resource_keeps_the_fields_live_grants_use(world: None) -> None:
    filed = demand()
    services.demand_approve(actor=market_steward(), demand_id=filed.pk)
    fewer = [f for f in FIELDS if f["key"] != "legal_rep"]
    with pytest.raises(ValidationFailed) as used:
        services.resource_amend(
            actor=market_steward(), resource_id=filed.resource.pk, changes={"fields": fewer}, reason="精简"
        )
    assert used.value.errors["fields"] == ["信息项：legal_rep 仍在有效的共享授权中使用，请先撤销相关授权"]
    with pytest.raises(PermissionDenied):
        services.resource_amend(
            actor=approval_steward(), resource_id=filed.resource.pk, changes={"name": "x"}, reason="改名"
        )
    more = [*FIELDS, {"key": "address", "label": "住所", "type": "string", "sensitivity": "public"}]
    amended = services.resource_amend(
        actor=market_steward(), resource_id=filed.resource.pk, changes={"fields": more}, reason="增加住所"
    )
    assert "address" in amended.field_keys()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "信息项：至少一项"),
        ([{"key": "Name", "label": "名称", "type": "string", "sensitivity": "public"}], "标识应以小写字母开头"),
        ([{"key": "a", "label": "名称", "type": "float", "sensitivity": "public"}], "类型应为"),
        ([{"key": "a", "label": "名\x07称", "type": "string", "sensitivity": "public"}], "控制字符"),
        ([{"key": "a", "label": "x", "type": "string", "sensitivity": "public"}] * 2, "重复"),
        (
            [{"key": f"f{n}", "label": "x", "type": "string", "sensitivity": "public"} for n in range(101)],
            "最多 100 项",
        ),
    ],
)
def test_resource_fields_are_bounded_and_checked(world: None, fields: list, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        resource(fields=fields)
    assert message in refused.value.errors["fields"][0]


def test_a_steward_sees_the_demands_of_their_side_only(world: None) -> None:
    filed = demand()
    assert list(selectors.demands_visible_to(approval_steward())) == [filed]
    assert list(selectors.demands_visible_to(market_steward())) == [filed]
    assert list(selectors.demands_visible_to(steward("health_steward", "health"))) == []
    assert Demand.objects.count() == 1


def test_a_steward_of_both_departments_cannot_answer_their_own_demand(world: None) -> None:
    from yiwang.accounts.models import Role
    from yiwang.accounts.services import staff_role_grant

    both = approval_steward()
    staff_role_grant(actor=None, user=both, role=Role.DATA_STEWARD, department=department("market"))
    filed = demand()
    assert filed.filed_by == both
    with pytest.raises(PermissionDenied) as refused:
        services.demand_approve(actor=both, demand_id=filed.pk)
    assert "职责分离" in refused.value.message
    services.demand_approve(actor=market_steward(), demand_id=filed.pk)  # another steward may
