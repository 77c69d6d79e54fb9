"""A planning case in review whose process declares 专家评审, and a pool around it."""

from typing import Any

from yiwang.accounts.models import Enterprise, Region, User, UserKind
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, dept, stage, task, user
from yiwang.catalog.models import ImplementationVersion
from yiwang.ledger.integrator import ledger_integrate
from yiwang.reviews import services
from yiwang.reviews.models import Expert, Panel
from yiwang.reviews.pool import expert_add

SPECIALTY = "城乡规划"
# 统一社会信用代码 with valid check characters (expert_add verifies them).
EMPLOYERS = ["91370100MA3C00000E", "91370100MA3C00000E", "91370100MA3C00000E", "12370100MB0000004G"]


def planning_version(**review: Any) -> ImplementationVersion:
    process = {
        "case_kind": "committed",
        "stages": [
            stage("review", "技术审查", [task("review", "技术审查", "jn_planning", "reviewer", 8)], limit=10),
            stage("decide", "决定", [task("decide", "审批决定", "jn_planning", "approver", 5)], limit=5, decides=True),
        ],
        "expert_review": {"panel_size": 3, "specialties": [SPECIALTY], "expected_days": 10, **review},
    }
    return ImplementationVersionFactory(process=process, implementation__department=dept("jn_planning"))


def account(username: str) -> User:
    found = User.objects.filter(username=username).first()
    return found or User.objects.create_user(username=username, kind=UserKind.STAFF, display_name=username)


def pool(count: int = 6, *, specialty: str = SPECIALTY, **per_code: dict[str, Any]) -> list[Expert]:
    """`count` experts of jn_planning's pool, ZJ-0001…; every one has a login (ex_0001…),
    ZJ-0001 is expert_shen. `per_code` overrides fields by code."""
    made = []
    region = Region.objects.get(code="370100000000")
    for n in range(1, count + 1):
        code = f"ZJ-{n:04d}"
        fields: dict[str, Any] = {
            "name": f"专家{n}",
            "employer_name": f"单位{n}",
            "employer_credit_code": EMPLOYERS[n % len(EMPLOYERS)],
            "specialties": [specialty],
            "user": user("expert_shen") if n == 1 else account(f"ex_{n:04d}"),
            **per_code.get(code, {}),
        }
        made.append(
            expert_add(
                actor=user("jn_planning_app"), department=dept("jn_planning"), code=code, region=region, **fields
            )
        )
    return made


def in_review(
    *, applicant: str = "zhangsan", enterprise: Enterprise | None = None, version: ImplementationVersion | None = None
) -> Case:
    return flows.reload(flows.accepted(version or planning_version(), applicant=applicant, enterprise=enterprise))


def request(case: Case, **kw: Any) -> Panel:
    materials = list(CaseMaterial.objects.filter(case=case).values_list("pk", flat=True))
    args: dict[str, Any] = {
        "summary": "某项目建设工程设计方案，需评审与控规的符合性。",
        "material_ids": materials[:1],
        "reason": "建设工程设计方案需组织专家评审",
        **kw,
    }
    return services.panel_request(actor=user("jn_planning_rev"), case=case, **args)


def drawn(panel: Panel) -> Panel:
    ledger_integrate()
    services.panel_draw(panel=panel)
    return Panel.objects.get(pk=panel.pk)
