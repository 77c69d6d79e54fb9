"""Short scripts for 异地代收代办: a 济南 case handed in at the 泰安 window and handed over."""

from typing import Any

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, dept, user
from yiwang.catalog.models import ImplementationVersion

PROXY = {"cross_region_scope": "province", "cross_region_modes": ["proxy"], "cross_region_intake": "370900"}


def proxy_version(**kw: Any) -> ImplementationVersion:
    """A 济南 implementation whose applications 泰安's windows may receive."""
    return ImplementationVersionFactory(**PROXY, **kw)  # type: ignore[no-any-return]


def at_intake(version: ImplementationVersion | None = None, *, applicant: str = "zhangsan", **kw: Any) -> Case:
    """Submitted with 收件地 泰安市行政审批服务局: waiting at the 泰安 window."""
    case = flows.draft(version or proxy_version(), applicant=applicant, **kw)
    return services.case_submit(
        actor=user(applicant),
        draft=case,
        idempotency_key=f"intake-{case.ref}",
        intake_department=dept("ta_approval"),
    )


def handed_over(version: ImplementationVersion | None = None, **kw: Any) -> Case:
    case = at_intake(version, **kw)
    services.handover_send(actor=user("ta_window"), case=case, mail_reference="SF1234567890")
    return flows.reload(case)


def received(version: ImplementationVersion | None = None, **kw: Any) -> Case:
    case = handed_over(version, **kw)
    services.handover_receive(actor=user("jn_window"), case=case)
    return flows.reload(case)
