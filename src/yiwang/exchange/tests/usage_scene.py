"""The scene of 我的数据使用记录: 行政审批服务局 holds grants on 市场监管's enterprise register
and on a household register (a person's resource), both served by the stand-in registry;
reads go through `shared_read` against that real process."""

from typing import Any

from yiwang.accounts.models import Enterprise, NaturalPerson, User
from yiwang.demo.world import APPLICANTS, ENTERPRISE
from yiwang.exchange import services
from yiwang.exchange.models import DataRead
from yiwang.exchange.reads import shared_read
from yiwang.exchange.tests.helpers import demand, department, market_steward, resource

HOUSEHOLD = "gaj.household_register"
HOUSEHOLD_FIELDS = [
    {"key": "name", "label": "姓名", "type": "string", "sensitivity": "personal"},
    {"key": "id_number", "label": "公民身份号码", "type": "string", "sensitivity": "sensitive"},
    {"key": "address", "label": "住址", "type": "string", "sensitivity": "personal"},
]
PURPOSE = "食品经营许可申请：核验申请人身份信息"
CREDIT_CODE = ENTERPRISE["credit_code"]  # 济南泉城餐饮管理有限公司: lisi its agent, wangwu its legal representative


def id_number(username: str) -> str:
    return NaturalPerson.objects.get(user__username=username).id_number


def records() -> dict[str, Any]:
    """The registry's records: the demo world's enterprise and the personas' households."""
    company = {
        "name": ENTERPRISE["name"],
        "credit_code": CREDIT_CODE,
        "legal_rep": ENTERPRISE["legal_representative"],
        "legal_rep_id": APPLICANTS[2].id_number,
        "established": "2024-05-20",
    }
    households = {
        persona.id_number: {"name": persona.name, "id_number": persona.id_number, "address": "济南市历下区泉城路1号"}
        for persona in APPLICANTS
    }
    return {"scjg.enterprise_register": {CREDIT_CODE: company}, HOUSEHOLD: households}


def grants() -> None:
    """行政审批服务局's grants: the enterprise register (name, credit code, legal
    representative) and the household register (name and address, not the ID number)."""
    steward = market_steward()
    services.demand_approve(actor=steward, demand_id=demand().pk)
    household = resource(code=HOUSEHOLD, name="户籍信息", fields=HOUSEHOLD_FIELDS)
    services.demand_approve(actor=steward, demand_id=demand(of=household, fields=["name", "address"]).pk)


def read_person(username: str, *, reference: str = "", purpose: str = PURPOSE, **extra: Any) -> DataRead:
    return shared_read(
        consumer=department("approval"),
        resource_code=HOUSEHOLD,
        subject_id=id_number(username),
        subject_user=User.objects.get(username=username),
        purpose=purpose,
        reference=reference,
        **extra,
    ).read


def read_enterprise(*, reference: str = "", **extra: Any) -> DataRead:
    return shared_read(
        consumer=department("approval"),
        resource_code="scjg.enterprise_register",
        subject_id=CREDIT_CODE,
        subject_enterprise=Enterprise.objects.get(credit_code=CREDIT_CODE),
        purpose="食品经营许可申请：核验营业执照",
        reference=reference,
        **extra,
    ).read
