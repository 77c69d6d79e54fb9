"""阳光审批公示: a decision appears with what the public may know, verifiable in the ledger."""

import datetime as dt
import json

import pytest
from django.test import Client

from yiwang.accounts.models import Enterprise
from yiwang.cases import services
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db


def _decided(**kw):  # type: ignore[no-untyped-def]
    version = ImplementationVersionFactory()
    with flows.on(dt.date(2026, 3, 2)):
        case = flows.accepted(version, **kw)
        flows.review_done(case)
        services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    return flows.reload(case)


def test_a_persons_decision_is_disclosed_without_naming_them(world: None) -> None:
    case = _decided()
    ledger_integrate()
    entry = Entry.objects.get(kind="cases.approve", subject=f"case:{case.number}")
    payload = json.loads(entry.leaf)["payload"]
    assert payload["decision_label"] == "准予许可" and payload["holder"] is None
    assert payload["department_name"] == case.department.name
    html = Client().get("/disclosure/").content.decode()
    assert case.number in html and "准予许可" in html
    assert "张三" not in html and "（自然人，已隐去）" in html
    assert f'data-verify-entry="{entry.pk}"' in html


def test_an_enterprises_decision_names_the_enterprise(world: None) -> None:
    enterprise = Enterprise.objects.get(name="济南泉城餐饮管理有限公司")
    case = _decided(applicant="lisi", enterprise=enterprise)
    html = Client().get("/disclosure/").content.decode()
    assert case.number in html and "济南泉城餐饮管理有限公司" in html
