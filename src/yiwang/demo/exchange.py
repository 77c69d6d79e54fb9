"""The demo's data sharing (数据共享), published and answered through the services.

Resources: 市场监管's enterprise register (served by the stand-in registry, `http:scjg-register`),
户籍 (provided by 济南市大数据局 for the demo: the demo has no 公安 department; served by
`http:gaj-hukou`), the holiday calendar (无条件共享, the platform's own working-day calendar,
`platform:calendar`) and one resource that is not shared, with its basis. Demands: 行政审批服务局's
approved demand on the enterprise register for 食品经营许可 (fewer fields than asked, with the
reason), its filed demand on 户籍 waiting for an answer,
卫健委's approved demand on 户籍 for 生育登记 (its 秒批 decides on the 户籍 read) and
市场监管's refused demand on 户籍.

Idempotent: a resource is published only when its code is unused, a demand filed only when
its consumer has none on the resource yet.
"""

import datetime as dt
from typing import Any

from yiwang.accounts.models import Department, User
from yiwang.core import clock
from yiwang.exchange import services
from yiwang.exchange.models import DataResource, Demand

FOOD_LICENSE = "000136019000"  # 食品经营许可 (demo/items.py)
BIRTH_REGISTRATION = "000117021000"  # 生育登记: its 秒批 decides on the 户籍 read
STEWARDS = {
    "济南市行政审批服务局": "jn_approval_data",
    "济南市市场监督管理局": "jn_market_data",
    "济南市卫生健康委员会": "jn_health_data",
}


def _f(key: str, label: str, kind: str, sensitivity: str) -> dict[str, str]:
    return {"key": key, "label": label, "type": kind, "sensitivity": sensitivity}


RESOURCES: list[tuple[str, str, dict[str, Any]]] = [
    # (steward, provider department, values)
    (
        "jn_market_data",
        "济南市市场监督管理局",
        {
            "code": "scjg.enterprise_register",
            "name": "市场主体登记信息",
            "description": "在本市登记的企业、个体工商户的登记信息（营业执照记载事项）。",
            "fields": [
                _f("name", "名称", "string", "public"),
                _f("credit_code", "统一社会信用代码", "string", "public"),
                _f("legal_rep", "法定代表人", "string", "personal"),
                _f("legal_rep_id", "法定代表人身份证号", "string", "sensitive"),
                _f("established", "成立日期", "date", "public"),
                _f("address", "住所", "string", "public"),
                _f("business_scope", "经营范围", "string", "public"),
            ],
            "sharing_class": "conditional",
            "not_shared_basis": "",
            "update_frequency": "realtime",
            "system": "http:scjg-register",
        },
    ),
    (
        "jn_market_data",
        "济南市市场监督管理局",
        {
            "code": "scjg.complaint_leads",
            "name": "投诉举报线索",
            "description": "投诉举报的线索及举报人信息。",
            "fields": [
                _f("lead_no", "线索编号", "string", "internal"),
                _f("reporter", "举报人", "string", "sensitive"),
                _f("content", "举报内容", "string", "internal"),
            ],
            "sharing_class": "not_shared",
            "not_shared_basis": "《市场监督管理投诉举报处理暂行办法》第三十四条：对举报人的信息予以保密",
            "update_frequency": "daily",
            "system": "http:scjg-complaints",
        },
    ),
    (
        "jn_data_steward",
        "济南市大数据局",
        {
            "code": "gaj.household_register",
            "name": "户籍信息",
            "description": "常住人口户籍登记信息（演示中由大数据局代为提供公安户籍数据）。",
            "fields": [
                _f("name", "姓名", "string", "personal"),
                _f("id_number", "公民身份号码", "string", "sensitive"),
                _f("gender", "性别", "string", "personal"),
                _f("birth_date", "出生日期", "date", "personal"),
                _f("household_address", "户籍地址", "string", "personal"),
                _f("household_head", "户主姓名", "string", "personal"),
            ],
            "sharing_class": "conditional",
            "not_shared_basis": "",
            "update_frequency": "daily",
            "system": "http:gaj-hukou",
        },
    ),
    (
        "jn_data_steward",
        "济南市大数据局",
        {
            "code": "dsj.public_holidays",
            "name": "法定节假日安排",
            "description": (
                "国务院办公厅公布的年度节假日安排（放假与调休日期），按年度（四位年份）查询，取自平台的工作日历。"
            ),
            "fields": [
                _f("year", "年度", "integer", "public"),
                _f("source", "依据", "string", "public"),
                _f("holidays", "节假日安排", "string", "public"),
                _f("days_off", "放假日期", "string", "public"),
                _f("adjusted_working_days", "调休上班日期", "string", "public"),
                _f("working_days", "全年工作日天数", "integer", "public"),
            ],
            "sharing_class": "unconditional",
            "not_shared_basis": "",
            "update_frequency": "yearly",
            "system": "platform:calendar",
        },
    ),
]

ENTERPRISE_FIELDS = ["name", "credit_code", "legal_rep", "legal_rep_id", "established", "address", "business_scope"]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _department(name: str) -> Department:
    return Department.objects.get(name=name)


def _demand(consumer: str, code: str, **arguments: Any) -> Demand | None:
    """File the demand unless `consumer` already has one on the resource."""
    department = _department(consumer)
    resource = DataResource.objects.get(code=code)
    if Demand.objects.filter(consumer=department, resource=resource).exists():
        return None
    return services.demand_file(
        actor=_user(STEWARDS[consumer]), consumer=department, resource_id=resource.pk, **arguments
    )


def _granted_since() -> dt.datetime:
    """When the demo's catalogue and its approved demands date from: 60 days back (before the
    oldest demo case, so its 免提交 reads find the grant in force), not before 2 January of
    this year (the calendar's years start there)."""
    now = clock.now()
    return max(now - dt.timedelta(days=60), now.replace(month=1, day=2, hour=9, minute=0, second=0, microsecond=0))


def _publish_and_grant(created: dict[str, int]) -> None:
    """The resources and the approved demands (the register for 食品经营许可, 户籍 for 生育登记)."""
    for steward, provider, values in RESOURCES:
        if DataResource.objects.filter(code=values["code"]).exists():
            continue
        services.resource_publish(actor=_user(steward), provider=_department(provider), values=values)
        created["resources"] += 1

    approved = _demand(
        "济南市行政审批服务局",
        "scjg.enterprise_register",
        fields=ENTERPRISE_FIELDS,
        purpose="食品经营许可申请时核验申请人的营业执照信息，申请人免于提交营业执照",
        legal_basis="《优化营商环境条例》第三十五条；《食品经营许可和备案管理办法》第十二条",
        items=[FOOD_LICENSE],
    )
    if approved is not None:
        created["demands"] += 1
        services.demand_approve(
            actor=_user("jn_market_data"),
            demand_id=approved.pk,
            fields=[k for k in ENTERPRISE_FIELDS if k != "legal_rep_id"],
            answer="法定代表人身份证号属敏感个人信息，核验营业执照无需该项，不予共享。",
        )
    birth = _demand(
        "济南市卫生健康委员会",
        "gaj.household_register",
        fields=["name", "id_number", "household_address"],
        purpose="生育登记时核验申请人户籍（本市户籍的秒批），申请人免于提交户口簿",
        legal_basis="《山东省人口与计划生育条例》；《优化营商环境条例》第三十五条",
        items=[BIRTH_REGISTRATION],
    )
    if birth is not None:
        created["demands"] += 1
        services.demand_approve(actor=_user("jn_data_steward"), demand_id=birth.pk, fields=None, answer="同意共享。")


def load_exchange() -> dict[str, int]:
    """Publish the demo resources and file and answer the demo demands that are missing."""
    created = {"resources": 0, "demands": 0}
    with clock.frozen(min(_granted_since(), clock.now())):
        _publish_and_grant(created)
    waiting = _demand(
        "济南市行政审批服务局",
        "gaj.household_register",
        fields=["name", "id_number", "household_address"],
        purpose="个体工商户登记时核验经营者户籍，申请人免于提交户口簿",
        legal_basis="《山东省人口与计划生育条例》；《优化营商环境条例》第三十五条",
        items=[],
    )
    created["demands"] += waiting is not None
    refused = _demand(
        "济南市市场监督管理局",
        "gaj.household_register",
        fields=["name", "id_number", "gender", "birth_date", "household_address", "household_head"],
        purpose="企业登记时核验经营者身份信息",
        legal_basis="《市场主体登记管理条例》",
        items=[],
    )
    if refused is not None:
        created["demands"] += 1
        services.demand_refuse(
            actor=_user("jn_data_steward"),
            demand_id=refused.pk,
            answer="身份核验请使用公民身份信息核验资源；户籍全项信息超出登记所需，不符合最小必要原则。",
        )
    return created
