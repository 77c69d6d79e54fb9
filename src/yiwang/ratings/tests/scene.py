"""A concluded case to rate, and the people around it (the demo world's)."""

import re

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.catalog.models import ImplementationVersion
from yiwang.notifications.models import Message

LINK = re.compile(r"/rate/([A-Za-z0-9_-]+)")


def person(username: str) -> User:
    return User.objects.get(username=username)


def concluded(applicant: str = "zhangsan", version: ImplementationVersion | None = None) -> Case:
    """An instant case decided at acceptance and concluded (electronic delivery concludes it)."""
    version = version or ImplementationVersionFactory(instant=True)
    case = flows.reload(flows.accepted(version, applicant=applicant))
    if case.status != "concluded":
        from yiwang.cases import services

        services.case_conclude(actor=person("jn_window"), case=case, reference="窗口领取")
        case = flows.reload(case)
    return case


def notice_token(case: Case) -> str:
    """The one-time rating link's token from the applicant's conclusion notice."""
    notice = Message.objects.filter(recipient=case.applicant, subject__contains="已办结").latest("pk")
    found = LINK.search(notice.body)
    assert found, notice.body
    return found.group(1)
