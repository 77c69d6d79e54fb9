"""The demo's license types (ADR 0014): what the four licensing demo items issue.

Type codes are 21 characters (the competent authority's 18-character code and a 3-digit
number, GB/T 36904 as implemented); these are demonstration codes, not the national ones.
Each licensed field names the application-form field or case fact that fills it.
"""

import datetime as dt
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.core import clock
from yiwang.licenses.models import License, LicenseType, TrustLevel
from yiwang.licenses.services import license_issue, licenses_expire_due

BUSINESS = "11100000DEMO00SAMR001"
FOOD = "11100000DEMO00SAMR002"
HYGIENE = "11100000DEMO00NHC0001"
PLANNING = "11100000DEMO00MNR0001"


def _f(key: str, label: str, source: str) -> dict[str, str]:
    return {"key": key, "label": label, "source": source}


LICENSE_TYPES: list[dict[str, Any]] = [
    {
        "code": BUSINESS,
        "name": "营业执照",
        "validity_years": 0,
        "fields": [
            _f("name", "名称", "form:company_name"),
            _f("registered_capital", "注册资本", "form:registered_capital"),
            _f("address", "住所", "form:address"),
            _f("business_scope", "经营范围", "form:business_scope"),
            _f("established_on", "成立日期", "case:decided_on"),
        ],
    },
    {
        "code": FOOD,
        "name": "食品经营许可证",
        "validity_years": 5,
        "fields": [
            _f("operator", "经营者名称", "form:business_name"),
            _f("address", "经营场所", "form:address"),
            _f("business_items", "经营项目", "form:business_items"),
        ],
    },
    {
        "code": HYGIENE,
        "name": "公共场所卫生许可证",
        "validity_years": 4,
        "fields": [
            _f("venue", "单位名称", "form:venue_name"),
            _f("address", "地址", "form:address"),
            _f("venue_type", "许可项目", "form:venue_type"),
            _f("area", "营业面积", "form:area"),
        ],
    },
    {
        "code": PLANNING,
        "name": "建设工程规划许可证",
        "validity_years": 0,
        "fields": [
            _f("project", "建设项目名称", "form:project_name"),
            _f("site", "建设位置", "form:project_site"),
            _f("floor_area", "建设规模（平方米）", "form:floor_area"),
        ],
    },
]
# Which demo item's implementation issues which type (by its result name).
BY_RESULT = {
    "营业执照": BUSINESS,
    "食品经营许可证": FOOD,
    "公共场所卫生许可证": HYGIENE,
    "建设工程规划许可证": PLANNING,
}


def load_license_types() -> int:
    """Create the demo license types that are missing; returns how many were created."""
    created = 0
    for spec in LICENSE_TYPES:
        _, new = LicenseType.objects.get_or_create(code=spec["code"], defaults={**spec, "trust_level": TrustLevel.A})
        created += new
    return created


OLD_SHOP = "济南市历下区芙蓉街12号"


def _restaurant() -> Enterprise:
    return Enterprise.objects.get(agents__person__user__username="wangwu", agents__is_legal_representative=True)


REGISTERED_ON = dt.date(2021, 6, 18)


def load_business_license() -> int:
    """泉城餐饮's 营业执照 (长期), registered on the platform in 2021, issued through the
    service and valid: its 户外广告设置许可 applications fetch it instead of asking for it
    (免提交, cases.evidence). Part of the demo world, before any case applies for it."""
    enterprise = _restaurant()
    if License.objects.filter(enterprise=enterprise, license_type__code=BUSINESS).exists():
        return 0
    with transaction.atomic(durable=True):
        license_issue(
            type_code=BUSINESS,
            holder=User.objects.get(username="wangwu"),
            enterprise=enterprise,
            issuer=Department.objects.get(name="济南市行政审批服务局"),
            case_id=None,
            sources={
                "form": {
                    "company_name": enterprise.name,
                    "registered_capital": "500",
                    "address": "济南市历下区泉城路188号",
                    "business_scope": "餐饮服务；食品销售；餐饮管理；外卖递送服务。",
                },
                "case:decided_on": REGISTERED_ON.isoformat(),
            },
            valid_from=REGISTERED_ON,
        )
    return 1


def load_licenses() -> int:
    """The demo's license from before the platform: 泉城餐饮's first 食品经营许可证 (an earlier
    shop), issued five years ago through the service and expired by the expiry job. The
    licenses of approved demo cases (营业执照 of zhangsan, 食品经营许可证 of 泉城餐饮, its
    公共场所卫生许可证 revoked with the decision) are issued by the case scenarios themselves;
    泉城餐饮's 营业执照 by `load_business_license`."""
    enterprise = _restaurant()
    if License.objects.filter(enterprise=enterprise, case__isnull=True, license_type__code=FOOD).exists():
        return 0
    start = clock.today().replace(day=1) - dt.timedelta(days=5 * 366 + 60)
    with transaction.atomic(durable=True):
        license_issue(
            type_code=FOOD,
            holder=User.objects.get(username="wangwu"),
            enterprise=enterprise,
            issuer=Department.objects.get(name="济南市行政审批服务局"),
            case_id=None,
            sources={
                "form": {"business_name": "济南泉城餐饮管理有限公司芙蓉街店", "address": "济南市历下区芙蓉街12号"}
            },
            valid_from=start,
        )
    licenses_expire_due()
    return 1
