"""The demo catalog at every level: 泰安 and one of its towns claim province items, and one
amendment of basic elements that 济南 has confirmed and 泰安 has not (docs/catalog-levels.md).

ta_catalog (泰安市事项管理员) claims and drafts; sd_catalog (the province, above every 泰安 body)
reviews and publishes: four eyes, through the services, with their events and ledger entries.
Committed limits, phones and addresses are demo values. Loading is idempotent.
"""

import datetime as dt
from typing import Any

from yiwang.accounts.models import Department, User
from yiwang.catalog import services
from yiwang.catalog.models import Implementation, ItemVersion, PendingAmendment, VersionStatus
from yiwang.core import clock
from yiwang.demo.items import BIRTH, COMPANY, FOOD, HOURS

CLAIMANT, REVIEWER = "ta_catalog", "sd_catalog"
TAIAN, TOWN = "370900000000", "370911100000"
CLAIMED_DAYS_AGO = 60
AMENDED_DAYS_AGO = 3  # the amendment 泰安 has not confirmed yet: waiting for 3 days

# (basic code, region code, department name, own implementation elements)
CLAIMS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        COMPANY.basic_code,
        TAIAN,
        "泰安市行政审批服务局",
        {
            "address": "泰安市政务服务中心一楼市场主体登记窗口（演示地址）",
            "consultation_phone": "0538-6991001",
            "office_hours": HOURS,
        },
    ),
    (
        FOOD.basic_code,
        TAIAN,
        "泰安市行政审批服务局",
        {
            "address": "泰安市政务服务中心二楼食品经营许可窗口（演示地址）",
            "consultation_phone": "0538-6991019",
            "office_hours": HOURS,
            "committed_limit_days": 6,
        },
    ),
    (
        BIRTH.basic_code,
        TOWN,
        "满庄镇便民服务中心",
        {
            "address": "岱岳区满庄镇人民政府便民服务中心（演示地址）",
            "consultation_phone": "0538-8561234",
            "office_hours": "工作日 上午 8:30–12:00，下午 13:30–17:30",
        },
    ),
]


def _claim(basic_code: str, region_code: str, name: str, elements: dict[str, Any]) -> bool:
    department = Department.objects.get(region__code=region_code, name=name)
    if Implementation.objects.filter(item__basic_code=basic_code, region=department.region).exists():
        return False
    claimant, reviewer = User.objects.get(username=CLAIMANT), User.objects.get(username=REVIEWER)
    draft = services.implementation_claim(
        actor=claimant,
        basic_code=basic_code,
        department=department,
        change_reason=f"{department.name}认领省级事项（演示数据）",
        elements=elements,
    )
    services.implementation_version_submit(actor=claimant, version=draft)
    services.implementation_version_publish(actor=reviewer, version=draft, note="认领要素齐全，同意发布")
    return True


def _amend_company() -> bool:
    """The province adds search aliases to 公司设立登记; 济南 confirms at once, 泰安 has not yet."""
    if PendingAmendment.objects.filter(implementation__item__basic_code=COMPANY.basic_code).exists():
        return False
    drafter, reviewer = User.objects.get(username="sd_catalog"), User.objects.get(username="jn_catalog")
    current = ItemVersion.objects.get(item__basic_code=COMPANY.basic_code, status=VersionStatus.PUBLISHED)
    with clock.frozen(clock.now() - dt.timedelta(days=AMENDED_DAYS_AGO)):
        draft = services.item_version_draft(
            actor=drafter,
            basic_code=COMPANY.basic_code,
            change_kind="amend",
            change_reason="补充群众常用的检索别名（演示数据）",
            elements={"keywords": f"{current.keywords} 注册公司 开公司 办执照".strip()},
        )
        services.item_version_submit(actor=drafter, version=draft)
        services.item_version_publish(actor=reviewer, version=draft, note="同意")
    jinan = PendingAmendment.objects.get(
        implementation__item__basic_code=COMPANY.basic_code, implementation__region__code="370100000000"
    )
    services.amendment_confirm(actor=reviewer, amendment=jinan)
    return True


def load_claims() -> dict[str, int]:
    """Claim and publish what is missing; returns counts of what was done."""
    created = {"claims": 0, "amendments": 0}
    with clock.frozen(clock.now() - dt.timedelta(days=CLAIMED_DAYS_AGO)):
        for basic_code, region_code, name, elements in CLAIMS:
            created["claims"] += _claim(basic_code, region_code, name, elements)
    created["amendments"] += _amend_company()
    return created
