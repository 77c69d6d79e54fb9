"""Cases driven through the case services for the monitoring rules' tests (the demo world)."""

import datetime as dt

from yiwang.accounts.models import Department, Role, StaffRole
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.catalog.models import ImplementationVersion
from yiwang.supervision.rule_models import RuleHit
from yiwang.supervision.rules import ensure_default_rules

D = dt.date


def rules() -> None:
    ensure_default_rules(user("jn_supervisor"))


def version() -> ImplementationVersion:
    return ImplementationVersionFactory()  # type: ignore[no-any-return]


def decided(case: Case, *, by: str = "jn_approver") -> Case:
    flows.review_done(case)
    services.case_decide(actor=user(by), case=case, outcome="approve", opinion="符合条件")
    return flows.reload(case)


def clean_case() -> Case:
    """Accepted on a Tuesday at 09:00, reviewed and decided by another person at 09:00."""
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 5)):
        return decided(case)


def window_also_decides() -> None:
    StaffRole.objects.get_or_create(
        user=user("jn_window"), role=Role.APPROVER, department=Department.objects.get(name="济南市行政审批服务局")
    )


def hits(code: str, case: Case | None = None) -> list[RuleHit]:
    found = RuleHit.objects.filter(rule__code=code)
    if case is not None:
        found = found.filter(case=case)
    return list(found.select_related("rule_version"))
