import datetime as dt

import pytest
from django.conf import settings

from yiwang.cases.models import Case, Handover
from yiwang.cases.workflow import INTAKE_STATES, CaseStatus
from yiwang.core import clock
from yiwang.core.calendar import calendar_seed
from yiwang.demo.crossregion import KEY_PREFIX, load_cross_region
from yiwang.demo.world import load_world
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 3, 10, 0)


def test_zhaoliu_of_taian_has_a_case_in_every_cross_region_state_and_a_second_load_changes_nothing() -> None:
    with clock.frozen(TODAY):
        calendar_seed(years=settings.CALENDAR_SEED_YEARS)
        load_world()
        assert load_cross_region() == {"cases": 5, "skipped": ""}
    cases = {c.idempotency_key.removeprefix(KEY_PREFIX): c for c in Case.objects.filter(applicant__username="zhaoliu")}
    assert {k: c.status for k, c in cases.items()} == {
        "online": CaseStatus.CONCLUDED,
        "handed-over": CaseStatus.CONCLUDED,
        "arriving": CaseStatus.HANDED_OVER,
        "returned": CaseStatus.INTAKE_SUPPLEMENT,
        "waiting": CaseStatus.INTAKE_PENDING,
    }
    assert {c.status for c in cases.values()} >= INTAKE_STATES
    assert cases["online"].intake_department_id is None
    handed = Handover.objects.get(case=cases["handed-over"])
    assert handed.sent_entry_id and handed.received_entry_id and handed.digest
    counts = (Case.objects.count(), Handover.objects.count())
    with clock.frozen(TODAY + dt.timedelta(hours=2)):
        assert load_cross_region() == {"cases": 0, "skipped": ""}
    assert (Case.objects.count(), Handover.objects.count()) == counts
    ledger_integrate()
    assert ledger_audit().clean
