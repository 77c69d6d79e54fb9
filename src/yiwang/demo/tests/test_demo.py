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
