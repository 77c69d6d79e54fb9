"""The demo's months of history: made through the services, every open state, on time and late."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from yiwang.cases.deadlines import case_clock_state
from yiwang.cases.models import Case, SupplementRequest
from yiwang.core import clock
from yiwang.demo import history
from yiwang.demo.history import PREFIX, load_history
from yiwang.demo.history_plan import KINDS, SPAN_DAYS, plan


def test_the_plan_has_months_of_cases_whose_volume_varies_by_week_and_department() -> None:
    cases = plan(1.0)
    assert 150 <= len(cases) <= 250
    assert max(p.filed for p in cases) == SPAN_DAYS
    weekly = Counter(p.filed // 5 for p in cases if p.filed > 15)
    assert max(weekly.values()) >= 2 * min(weekly.values())
    per_item = Counter(p.kind for p in cases)
    assert set(per_item) == set(KINDS) and per_item["food"] > 3 * per_item["planning"]
    stories = Counter(p.story for p in cases)
    assert all(stories[s] >= 3 for s in ("refused", "withdrawn", "denied", "supplement", "late"))
    assert plan(1.0) == cases  # deterministic


@pytest.mark.django_db
def test_the_demo_has_history_in_every_open_state_on_time_and_late() -> None:
    call_command("load_demo")  # the demo tests load a tenth of the regular cases (conftest)
    cases = list(Case.objects.filter(idempotency_key__startswith=PREFIX).select_related("implementation_version"))
    statuses = Counter(c.status for c in cases)
    for state in (
        "submitted",
        "supplement_requested",
        "in_review",
        "supplement_pending",
        "suspended",
        "decided_approved",
        "concluded",
    ):
        assert statuses[state] > 0, state
    levels = {case_clock_state(c, committed=True).level for c in cases if c.status == "in_review"}
    assert {"normal", "warning", "overdue"} <= levels
    concluded = [case_clock_state(c, committed=True).overdue for c in cases if c.status == "concluded"]
    assert any(concluded) and not all(concluded)
    twice = Counter(SupplementRequest.objects.filter(case__in=cases).values_list("case_id", flat=True))
    assert max(twice.values()) >= 2
    oldest = min(c.submitted_at for c in cases if c.submitted_at)
    assert (clock.now() - oldest).days >= 90

    same = Case.objects.get(idempotency_key=PREFIX + "same-person")
    accepted_by = same.events.get(verb="accept").actor
    assert same.decided_by == accepted_by and accepted_by is not None and accepted_by.username == "lx_window"
    assert same.region.name == "历下区"
    night = Case.objects.get(idempotency_key=PREFIX + "late-night")
    assert night.decided_at is not None and timezone.localtime(night.decided_at).strftime("%H:%M") == "21:30"

    assert load_history()["cases"] == 0  # loading again adds nothing


def test_the_demo_tests_load_a_tenth_of_the_regular_cases() -> None:
    assert history.VOLUME == 0.1
