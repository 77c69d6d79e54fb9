from typing import Any

import pytest
from django.core.management import call_command

from yiwang.accounts.models import Department, Region, StaffRole, User
from yiwang.cases.models import Case
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Region.objects.count(),
        Department.objects.count(),
        User.objects.count(),
        StaffRole.objects.count(),
        Entry.objects.count(),
        Case.objects.count(),
    )


def test_loading_the_demo_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")
    first = _counts()
    assert first[-1] > 0  # the demo cases
    call_command("load_demo")
    assert _counts() == first
    out = capsys.readouterr().out
    assert "jn_window" in out and "zhangsan" in out
    assert "演示办件：新增 17 件" in out and "演示办件：新增 0 件" in out


def test_demo_world_has_every_staff_role(world: None) -> None:
    from yiwang.accounts.models import Role

    assert set(StaffRole.objects.values_list("role", flat=True)) == set(Role.values)


def test_a_demo_case_filed_in_december_2026_has_a_provisional_due_date(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The demo seeds the official 2025–2026 only; 2027 is projected, so a case accepted in
    December 2026 still gets a due date (marked 暂定), and the seeding is audited."""
    import datetime as dt

    from yiwang.cases.tests import flows
    from yiwang.cases.tests.factories import ImplementationVersionFactory
    from yiwang.core.calendar import working_calendar
    from yiwang.workcalendar.models import CalendarEvent

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert sorted(CalendarEvent.objects.filter(verb="year_seed").values_list("year", flat=True)) == [2025, 2026]
    with flows.on(dt.date(2026, 12, 21)):
        case = flows.accepted(ImplementationVersionFactory())
    assert case.due_date is not None and case.committed_due_date is not None
    assert working_calendar().is_provisional(case.due_date)
