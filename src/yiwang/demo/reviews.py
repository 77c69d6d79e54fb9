"""Demo 专家云评审: 济南市自然资源和规划局's pool of twelve experts and one concluded review.

The pool (ZJ-0001…ZJ-0012; expert_shen, expert_liu, expert_zhou and expert_he log in) is kept
by jn_planning_app. Four 城乡规划 experts are kept out of any draw for the demo enterprise's
cases — ZJ-0005 works for it, ZJ-0006 declared a relation, ZJ-0007 is unavailable, and once
the concluded review below exists, ZJ-0002 reviewed its case recently — so a 城乡规划 panel of
one on the planning case in review (planning-parallel) draws expert_shen, whatever the seed:
the journey tests/journeys/test_review_journey.py relies on that.

The concluded review: a second 建设工程规划许可证核发 case of the enterprise, a 建筑结构 panel of
three drawn from the first checkpoint holding the request, each expert accepted and signed,
the majority concluded and the case resumed. Made through the services; idempotent.
"""

from typing import Any

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case, CaseMaterial
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.workdays import YearNotConfigured
from yiwang.demo.cases import KEY_PREFIX, Script, demo_anchor
from yiwang.demo.items import PLANNING
from yiwang.demo.world import ENTERPRISE
from yiwang.ledger.integrator import ledger_integrate
from yiwang.reviews import services
from yiwang.reviews.models import Expert, Invitation, Panel
from yiwang.reviews.pool import expert_add

KEEPER = "jn_planning_app"
SCENARIO = "planning-reviewed"

# code, name, account, specialties, employer, employer credit code, qualifications, available, conflicts
_OTHER = "91370100MA3C5D0P1X"
EXPERTS: list[tuple[str, str, str, list[str], str, str, str, bool, list[str]]] = [
    (
        "ZJ-0001",
        "沈建国",
        "expert_shen",
        ["城乡规划"],
        "山东建筑大学",
        "12370000495571032C",
        "教授、注册城乡规划师",
        True,
        [],
    ),
    (
        "ZJ-0002",
        "刘海燕",
        "expert_liu",
        ["城乡规划", "建筑结构"],
        "济南市规划设计研究院",
        "12370100495200821M",
        "正高级工程师",
        True,
        [],
    ),
    (
        "ZJ-0003",
        "周立伟",
        "expert_zhou",
        ["建筑结构"],
        "山东省建筑设计研究院",
        "913700001630371540",
        "一级注册结构工程师",
        True,
        [],
    ),
    (
        "ZJ-0004",
        "何静",
        "expert_he",
        ["建筑结构"],
        "中建八局第二建设有限公司",
        "913701001630058824",
        "正高级工程师",
        True,
        [],
    ),
    ("ZJ-0005", "王志强", "", ["城乡规划"], ENTERPRISE["name"], ENTERPRISE["credit_code"], "高级工程师", True, []),
    (
        "ZJ-0006",
        "赵敏",
        "",
        ["城乡规划"],
        "济南城建集团有限公司",
        _OTHER,
        "注册城乡规划师",
        True,
        [ENTERPRISE["credit_code"]],
    ),
    ("ZJ-0007", "孙浩", "", ["城乡规划"], "山东大学", "12100000495570214A", "教授", False, []),
    ("ZJ-0008", "钱磊", "", ["消防"], "山东省消防协会", "51370000MJD600000C", "一级注册消防工程师", True, []),
    ("ZJ-0009", "吴彤", "", ["交通"], "济南市市政工程设计研究院", "91370100163011263X", "正高级工程师", True, []),
    ("ZJ-0010", "郑洁", "", ["人防"], "山东省人防建筑设计院", "913700007060000009", "高级工程师", True, []),
    ("ZJ-0011", "冯涛", "", ["环境保护"], "山东省环境规划研究院", "12370000MB2859120F", "研究员", True, []),
    ("ZJ-0012", "陈晓", "", ["景观园林"], "济南园林集团", "91370100MA3CHE0L5B", "高级工程师", True, []),
]


def load_pool() -> int:
    """The twelve experts, each once (by code)."""
    keeper = User.objects.get(username=KEEPER)
    department = Department.objects.get(name=PLANNING.department)
    region = Region.objects.get(code="370100000000")
    have = set(Expert.objects.values_list("code", flat=True))
    made = 0
    for code, name, account, specialties, employer, credit, qualifications, available, conflicts in EXPERTS:
        if code in have:
            continue
        expert_add(
            actor=keeper,
            department=department,
            code=code,
            name=name,
            region=region,
            employer_name=employer,
            employer_credit_code=credit,
            specialties=specialties,
            qualifications=qualifications,
            available=available,
            conflicts=conflicts,
            user=User.objects.get(username=account) if account else None,
        )
        made += 1
    return made


def _concluded_review(s: Script) -> Panel:
    form = {"project_name": "泉城餐饮研发中心综合楼项目", "project_site": "济南市历城区港沟街道", "floor_area": "12600"}
    materials = {"application": "建设工程规划许可证申请表", "design": "建设工程设计方案（结构选型说明）"}
    case = s.apply(SCENARIO, "lisi", PLANNING.basic_code, form, materials, days_ago=20, for_enterprise=True)
    case = s.accept(case, days_ago=19)
    chosen = list(CaseMaterial.objects.filter(case=case, material_key="design").values_list("pk", flat=True))
    with s.at(17, "10:30"):
        panel = services.panel_request(
            actor=s.user("jn_planning_rev"),
            case=case,
            summary="综合楼地上 18 层，框架-剪力墙结构，需评审结构方案的安全性与设计方案的规划符合性。",
            material_ids=chosen,
            reason="建设工程设计方案结构复杂，需组织专家评审",
            specialties=["建筑结构"],
            size=3,
        )
        ledger_integrate()  # the worker's job: the first checkpoint holding the request seeds the draw
        services.panel_draw(panel=panel)
    for n, seat in enumerate(
        Invitation.objects.filter(panel=panel).select_related("expert__user").order_by("position")
    ):
        who = seat.expert.user
        assert who is not None
        with s.at(16, f"09:{10 + n}"):
            services.invitation_accept(actor=who, invitation=seat)
        with s.at(12, f"15:{10 + n}"):
            services.opinion_sign(
                actor=who,
                invitation=seat,
                score=(88, 82, 76)[n],
                approve=n < 2,
                reasons=(
                    "结构体系选型合理，抗震措施满足规范要求，同意。",
                    "方案可行；建议加强转换层节点设计，同意。",
                    "地下室抗浮设计依据不足，建议补充后再审。",
                )[n],
            )
    with s.at(11, "10:00"):
        return services.panel_conclude(actor=s.user("jn_planning_rev"), panel=panel)


def load_reviews() -> dict[str, Any]:
    """The pool, then the concluded review (skipped when its case exists)."""
    made = load_pool()
    if Case.objects.filter(idempotency_key=KEY_PREFIX + SCENARIO).exists():
        return {"experts": made, "panels": 0}
    calendar = working_calendar()
    try:
        anchor = demo_anchor(calendar, clock.today())
    except YearNotConfigured:
        return {"experts": made, "panels": 0}
    _concluded_review(Script(anchor, calendar))
    return {"experts": made, "panels": 1}
