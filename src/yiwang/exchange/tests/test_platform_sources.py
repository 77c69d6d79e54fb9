"""The platform's own data as providers (查询互认): a decision, an e-license and the working-day
calendar, made through the services, read by another department under its grant — only the
granted fields, the current state, not_found for a subject there is none of — and read over
the API by the regulator's system."""

import datetime as dt
from typing import Any

import chinese_calendar
import pytest
from django.test import Client

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.cases import services as case_services
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core.errors import PermissionDenied
from yiwang.demo.clients import DECISIONS_RESOURCE, E_LICENSES_RESOURCE, GRANTED
from yiwang.demo.exchange import RESOURCES
from yiwang.demo.world import ENTERPRISE
from yiwang.exchange import services
from yiwang.exchange.models import DataRead, DataResource, Grant
from yiwang.exchange.providers import ProviderFailed, provider_for
from yiwang.exchange.reads import SharedRecord, shared_read
from yiwang.exchange.tests.client_helpers import bearer, regulator, token
from yiwang.exchange.tests.helpers import approval_steward, department, market_steward
from yiwang.licenses import services as license_services
from yiwang.licenses.models import License
from yiwang.licenses.services import license_issue
from yiwang.licenses.tests.helpers import FOOD, food_type, issue
from yiwang.workcalendar.services import calendar_day_set

pytestmark = pytest.mark.django_db
D = dt.date
CREDIT_CODE = str(ENTERPRISE["credit_code"])
DECISIONS, E_LICENSES, HOLIDAYS = "xzsp.license_decisions", "xzsp.e_licenses", "dsj.public_holidays"
SMALL_SHOP = {"shop_name": "小小茶铺", "area": "60", "has_kitchen": False}
PURPOSE = "食品经营许可日常监督检查：核验许可决定与许可证状态"
GRANTED_ON = D(2026, 1, 5)
LICENSE_FIELDS = [spec["key"] for spec in E_LICENSES_RESOURCE["fields"]]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _id_number(username: str) -> str:
    return str(_user(username).person.id_number)  # type: ignore[attr-defined]


def _granted_to_market(values: dict[str, Any], fields: list[str]) -> Grant:
    """行政审批服务局 publishes `values` and grants 市场监管 `fields` of it (in force from 2026-01-05)."""
    with flows.on(GRANTED_ON):
        return _grant(values, fields)


def _grant(values: dict[str, Any], fields: list[str]) -> Grant:
    resource = services.resource_publish(actor=approval_steward(), provider=department("approval"), values=values)
    filed = services.demand_file(
        actor=market_steward(),
        consumer=department("market"),
        resource_id=resource.pk,
        fields=fields,
        purpose="日常监管核验（审管联动、查询互认）",
        legal_basis="《国务院关于加强和规范事中事后监管的指导意见》",
        items=[],
    )
    return services.demand_approve(actor=approval_steward(), demand_id=filed.pk, answer="同意")


def _read(code: str, subject: str, consumer: str = "market", **extra: Any) -> SharedRecord:
    return shared_read(consumer=department(consumer), resource_code=code, subject_id=subject, purpose=PURPOSE, **extra)


def _not_found(code: str, subject: str, consumer: str = "market") -> ProviderFailed:
    with pytest.raises(ProviderFailed) as failed:
        _read(code, subject, consumer)
    assert failed.value.code == "not_found"
    assert failed.value.read is not None and failed.value.read.outcome == "failed"
    return failed.value


def _auto_food_version() -> Any:
    food_type()
    return ImplementationVersionFactory(auto=True, license_type_code=FOOD)  # 秒批, issues the license


# --- platform:decisions --------------------------------------------------------------------


def test_the_latest_decision_of_an_enterprise_is_read_with_only_the_granted_fields(world: None) -> None:
    _granted_to_market(DECISIONS_RESOURCE, GRANTED)
    version = _auto_food_version()
    enterprise = Enterprise.objects.get(credit_code=CREDIT_CODE)
    with flows.on(D(2026, 3, 2)):
        first = flows.submit(version, applicant="lisi", data=SMALL_SHOP, enterprise=enterprise)
    with flows.on(D(2026, 3, 9)):
        latest = flows.submit(
            version, applicant="lisi", data={**SMALL_SHOP, "shop_name": "二店"}, enterprise=enterprise
        )
    assert first.number != latest.number
    shared = _read(DECISIONS, CREDIT_CODE.lower())  # typed in lower case: still the enterprise
    assert shared.record == {
        "case_number": latest.number,
        "item_name": "食品经营许可",
        "holder_name": "济南泉城餐饮管理有限公司",
        "holder_credit_code": CREDIT_CODE,
        "decision": "准予许可",
        "decided_on": "2026-03-09",
        "license_number": License.objects.get(case=latest).number,
    }
    assert shared.source == "济南市行政审批服务局·行政许可决定信息"
    read = DataRead.objects.get()
    assert read.outcome == "ok" and read.fields == GRANTED
    with pytest.raises(PermissionDenied) as outside:  # the applicant's phone is not in the grant
        _read(DECISIONS, CREDIT_CODE, fields=["case_number", "contact_phone"])
    assert outside.value.rule == "grant_fields" and DataRead.objects.count() == 1


def test_a_persons_decision_a_denial_and_no_decision_at_all(world: None) -> None:
    _granted_to_market(DECISIONS_RESOURCE, GRANTED)
    with flows.on(D(2026, 3, 2)):
        approved = flows.submit(_auto_food_version(), data=SMALL_SHOP)  # zhangsan, in his own name
    with flows.on(D(2026, 3, 3)):  # a later decision of another department is not this resource's
        elsewhere = ImplementationVersionFactory(auto=True, implementation__department=department("health"))
        assert flows.submit(elsewhere, data=SMALL_SHOP).decision == "approved"
    record = _read(DECISIONS, _id_number("zhangsan")).record
    assert (record["case_number"], record["holder_name"], record["holder_credit_code"]) == (
        approved.number,
        "张三",
        None,
    )
    with flows.on(D(2026, 3, 10)):
        denied = flows.accepted(ImplementationVersionFactory())  # committed: review, then decision
        flows.review_done(denied)
        case_services.case_decide(
            actor=_user("jn_approver"), case=flows.reload(denied), outcome="deny", opinion="经营场所不符合卫生规范"
        )
    record = _read(DECISIONS, _id_number("zhangsan")).record
    assert (record["case_number"], record["decision"], record["license_number"]) == (denied.number, "不予许可", None)
    assert record["decided_on"] == "2026-03-10"
    with flows.on(D(2026, 3, 11)):
        flows.submit(ImplementationVersionFactory(), applicant="wangwu")  # submitted, nothing decided
    failure = _not_found(DECISIONS, _id_number("wangwu"))
    assert "没有该主体的行政许可决定" in failure.message
    _not_found(DECISIONS, "91370100MA0000000X")


# --- platform:licenses ---------------------------------------------------------------------


def test_a_license_is_checked_by_its_identifier_with_its_current_status(world: None) -> None:
    _granted_to_market(E_LICENSES_RESOURCE, LICENSE_FIELDS)
    license = issue("zhangsan", valid_from=D(2026, 3, 2), years=5)
    with flows.on(D(2026, 6, 1)):
        record = _read(E_LICENSES, license.identifier).record
        assert record == {
            "identifier": license.identifier,
            "number": license.number,
            "type_name": "食品经营许可证",
            "issuer": "济南市行政审批服务局",
            "holder_name": "张三",
            "holder_credit_code": None,
            "valid_from": "2026-03-02",
            "valid_until": "2031-03-01",
            "status": "有效",
        }
        assert _read(E_LICENSES, _id_number("zhangsan")).record["identifier"] == license.identifier
        license_services.license_suspend(actor=_user("jn_approver"), license_id=license.pk, reason="停业整顿")
        assert _read(E_LICENSES, license.identifier).record["status"] == "已暂停"
        _not_found(E_LICENSES, _id_number("zhangsan"))  # by the holder: only a license in force
    with flows.on(D(2031, 3, 2)):  # past its last day, before the job records it: 已过期
        assert _read(E_LICENSES, license.identifier).record["status"] == "已过期"
    _not_found(E_LICENSES, license.identifier[:-1] + ("0" if license.identifier[-1] != "0" else "1"))


def test_a_license_another_department_issued_is_not_served_by_this_one(world: None) -> None:
    _granted_to_market(E_LICENSES_RESOURCE, LICENSE_FIELDS)
    food_type()
    with flows.on(D(2026, 3, 2)):
        other = license_issue(
            type_code=FOOD,
            holder=_user("zhangsan"),
            enterprise=None,
            issuer=Department.objects.get(name="济南市卫生健康委员会"),
            case_id=None,
            sources={"form": {"shop_name": "泉城小馆", "area": "80"}, "case:number": "370100-20260302-000009"},
            valid_from=D(2026, 3, 2),
        )
        _not_found(E_LICENSES, other.identifier)
        _not_found(E_LICENSES, _id_number("zhangsan"))


# --- platform:calendar ---------------------------------------------------------------------


def _holidays_granted() -> Grant:
    with flows.on(GRANTED_ON):
        return _holidays_grant()


def _holidays_grant() -> Grant:
    steward, provider, values = next(r for r in RESOURCES if r[2]["code"] == HOLIDAYS)
    services.resource_publish(actor=_user(steward), provider=Department.objects.get(name=provider), values=values)
    filed = services.demand_file(
        actor=approval_steward(),
        consumer=department("approval"),
        resource_id=DataResource.objects.get(code=HOLIDAYS).pk,
        fields=[spec["key"] for spec in values["fields"]],
        purpose="计算承诺办结时限",
        legal_basis="《国务院办公厅关于2026年部分节假日安排的通知》",
        items=[],
    )
    return Grant.objects.get(demand=filed)  # 无条件共享: approved by the platform at once


def test_the_calendar_year_is_read_as_published(world: None) -> None:
    _holidays_granted()
    days = [D(2026, 1, 1) + dt.timedelta(n) for n in range(365)]
    record = _read(HOLIDAYS, "2026", consumer="approval").record
    assert record["year"] == 2026 and "2026" in record["source"]
    notice = sorted(d for d in chinese_calendar.holidays if d.year == 2026)  # weekend days inside holidays too
    assert record["days_off"].split(",") == [d.isoformat() for d in notice]
    weekend_work = [d.isoformat() for d in days if d.weekday() >= 5 and chinese_calendar.is_workday(d)]
    assert record["adjusted_working_days"].split(",") == weekend_work and weekend_work
    assert record["working_days"] == sum(chinese_calendar.is_workday(d) for d in days)
    assert record["holidays"].startswith("元旦 2026-01-01至2026-01-03；")
    assert "春节 2026-02-15至2026-02-23" in record["holidays"]
    calendar_day_set(actor=None, day=D(2026, 6, 1), is_working_day=False, name="临时休假")  # an administrator's change
    changed = _read(HOLIDAYS, "2026", consumer="approval", fields=["days_off", "working_days"]).record
    assert set(changed) == {"days_off", "working_days"}
    assert "2026-06-01" in changed["days_off"] and changed["working_days"] == record["working_days"] - 1
    for subject in ("1999", "20x6"):
        assert "四位年份" in _not_found(HOLIDAYS, subject, consumer="approval").message


# --- the provider's own checks --------------------------------------------------------------


def _resource(system: str, keys: list[str]) -> DataResource:
    fields = [{"key": k, "label": k, "type": "string", "sensitivity": "public"} for k in keys]
    return DataResource(code="t.platform", name="测试", system=system, fields=fields)


def test_an_unknown_source_or_a_field_the_source_does_not_give_fails_clearly(world: None) -> None:
    with pytest.raises(ProviderFailed) as unknown:
        provider_for(_resource("platform:hukou", ["name"]))
    assert unknown.value.code == "not_configured" and "平台数据源 hukou 未注册" in unknown.value.message
    with pytest.raises(ProviderFailed) as missing:
        provider_for(_resource("platform:calendar", ["year", "day"])).fetch(
            _resource("platform:calendar", ["year", "day"]), "2026", ["day"]
        )
    assert missing.value.code == "invalid" and "不提供信息项（day）" in missing.value.message
    with pytest.raises(ProviderFailed) as typed:  # `year` declared as text, the calendar gives a number
        resource = _resource("platform:calendar", ["year"])
        provider_for(resource).fetch(resource, "2026", ["year"])
    assert typed.value.code == "invalid" and "year 应为" in typed.value.message


# --- over the API: the regulator's system --------------------------------------------------


def test_the_regulators_system_reads_a_decision_and_checks_the_license_over_the_api(world: None) -> None:
    _granted_to_market(DECISIONS_RESOURCE, GRANTED)
    _granted_to_market(E_LICENSES_RESOURCE, LICENSE_FIELDS)
    registered = regulator()
    access = token(registered)
    enterprise = Enterprise.objects.get(credit_code=CREDIT_CODE)
    with flows.on(D(2026, 3, 2)):
        case = flows.submit(_auto_food_version(), applicant="lisi", data=SMALL_SHOP, enterprise=enterprise)
    license = License.objects.get(case=case)
    api = Client()
    answer = api.get(
        f"/api/v1/exchange/records/{DECISIONS}/{CREDIT_CODE}",
        {"purpose": PURPOSE, "reference": case.number},
        **bearer(access),
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["record"]["case_number"] == case.number and body["record"]["license_number"] == license.number
    assert body["fields"] == GRANTED and "contact_phone" not in body["record"]
    assert DataRead.objects.get(pk=body["read_id"]).client == registered.client
    with flows.on(D(2026, 6, 1)):
        checked = api.get(
            f"/api/v1/exchange/records/{E_LICENSES}/{license.identifier}", {"purpose": PURPOSE}, **bearer(access)
        )
    assert checked.status_code == 200, checked.content
    assert (
        checked.json()["record"]["status"] == "有效" and checked.json()["record"]["holder_name"] == ENTERPRISE["name"]
    )
    missing = api.get(
        f"/api/v1/exchange/records/{DECISIONS}/91370100MA0000000X", {"purpose": PURPOSE}, **bearer(access)
    )
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"
