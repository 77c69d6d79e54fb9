"""A provider (市场监管局) and a consumer (行政审批服务局) with a data steward each."""

from typing import Any

from yiwang.accounts.models import Department, Role, User
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.exchange import services
from yiwang.exchange.models import DataResource, Demand

FIELDS = [
    {"key": "name", "label": "企业名称", "type": "string", "sensitivity": "public"},
    {"key": "credit_code", "label": "统一社会信用代码", "type": "string", "sensitivity": "public"},
    {"key": "legal_rep", "label": "法定代表人", "type": "string", "sensitivity": "personal"},
    {"key": "legal_rep_id", "label": "法定代表人身份证号", "type": "string", "sensitivity": "sensitive"},
    {"key": "established", "label": "成立日期", "type": "date", "sensitivity": "public"},
]


def department(key: str) -> Department:
    names = {"market": "济南市市场监督管理局", "approval": "济南市行政审批服务局", "health": "济南市卫生健康委员会"}
    return Department.objects.get(name=names[key])


def steward(username: str, department_key: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    user = staff_create(actor=None, username=username, password="Yiwang-test-2026", display_name=username)
    staff_role_grant(actor=None, user=user, role=Role.DATA_STEWARD, department=department(department_key))
    return user


def market_steward() -> User:
    return steward("market_steward", "market")


def approval_steward() -> User:
    return steward("approval_steward", "approval")


def resource(sharing_class: str = "conditional", code: str = "scjg.enterprise_register", **extra: Any) -> DataResource:
    values = {
        "code": code,
        "name": "市场主体登记信息",
        "description": "企业登记的基本信息",
        "fields": FIELDS,
        "sharing_class": sharing_class,
        "not_shared_basis": "",
        "update_frequency": "realtime",
        "system": "http:scjg-register",
    } | extra
    return services.resource_publish(actor=market_steward(), provider=department("market"), values=values)


def demand(of: DataResource | None = None, fields: list[str] | None = None, **extra: Any) -> Demand:
    of = of or resource()
    arguments: dict[str, Any] = {
        "actor": approval_steward(),
        "consumer": department("approval"),
        "resource_id": of.pk,
        "fields": fields or ["name", "credit_code", "legal_rep"],
        "purpose": "食品经营许可申请时核验申请人营业执照信息，申请人免于提交",
        "legal_basis": "《优化营商环境条例》第三十五条",
        "items": [],
    } | extra
    return services.demand_file(**arguments)
