"""The list rows (cases.rows) read the names a row shows as scalar subqueries: each name is
held equal to what the models say, for every case and task, including rows where a relation
is missing (no enterprise, no person behind the account, no stage, no assignee)."""

import uuid

import pytest

from yiwang.accounts.models import Enterprise, User
from yiwang.cases.models import Case, Task
from yiwang.cases.rows import CaseRow, TaskRow, case_rows, case_rows_by, case_values, task_rows_by
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, parallel_process, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world: None) -> list[Case]:
    """Four cases in review, their relations varied by hand (a read test: only names matter):
    one of an enterprise, one whose account has no person, one task without a stage, one
    claimed by a reviewer."""
    made = [flows.accepted(ImplementationVersionFactory(process=parallel_process())) for _ in range(4)]
    enterprise = Enterprise.objects.order_by("pk").first()
    assert enterprise is not None
    Case.objects.filter(pk=made[0].pk).update(enterprise=enterprise)
    nobody = User.objects.create_user(username="no-person", password=uuid.uuid4().hex)  # no 实名 behind it
    Case.objects.filter(pk=made[1].pk).update(applicant=nobody)
    tasks = Task.objects.filter(case__in=made).order_by("pk")
    Task.objects.filter(pk=tasks[0].pk).update(stage=None)
    Task.objects.filter(pk=tasks[1].pk).update(assignee=user("jn_reviewer"), status="claimed")
    return made


def _real_name(user: User) -> str | None:
    person = getattr(user, "person", None)
    return person.real_name if person is not None else None


def _expected_case(case: Case) -> CaseRow:
    return CaseRow(
        pk=case.pk,
        number=case.number,
        status=case.status,
        submitted_at=case.submitted_at,
        received_on=case.received_on,
        due_date=case.due_date,
        committed_due_date=case.committed_due_date,
        item_name=case.implementation_version.item_version.name,
        department_name=case.department.name,
        enterprise_name=case.enterprise.name if case.enterprise is not None else None,
        applicant_real_name=_real_name(case.applicant),
        ref=case.ref,
    )


def test_every_case_row_names_what_its_case_points_to(cases: list[Case]) -> None:
    orphan = cases[1]
    every = Case.objects.select_related(
        "implementation_version__item_version", "department", "enterprise", "applicant__person"
    ).order_by("pk")
    expected = [_expected_case(c) for c in every]
    assert case_rows(case_values(Case.objects.order_by("pk"))) == expected
    assert any(r.enterprise_name is None for r in expected) and any(r.enterprise_name for r in expected)
    assert [r.applicant_real_name for r in expected if r.pk == orphan.pk] == [None]
    shown = next(r for r in case_rows(case_values(Case.objects.filter(pk=orphan.pk))))
    assert shown.applicant_masked == "申请人"
    some = [c.pk for c in cases][::-1]  # a page chosen elsewhere keeps its order
    assert [r.pk for r in case_rows_by(Case.objects.all(), some)] == some
    assert case_values(Case.objects.filter(pk=orphan.pk)).count() == 1  # counted without the names


def test_every_task_row_names_its_stage_department_assignee_and_case(cases: list[Case]) -> None:
    tasks = Task.objects.select_related(
        "stage", "department", "assignee", "case__implementation_version__item_version", "case__enterprise",
        "case__applicant__person",
    ).order_by("pk")  # fmt: skip
    expected = [
        TaskRow(
            pk=t.pk,
            key=t.key,
            name=t.name,
            kind=t.kind,
            role=t.role,
            status=t.status,
            assignee_id=t.assignee_id,
            due_date=t.due_date,
            warning_date=t.warning_date,
            stage_name=t.stage.name if t.stage is not None else None,
            department_name=t.department.name,
            assignee_display_name=t.assignee.display_name if t.assignee is not None else None,
            assignee_username=t.assignee.username if t.assignee is not None else None,
            case_number=t.case.number,
            item_name=t.case.implementation_version.item_version.name,
            enterprise_name=t.case.enterprise.name if t.case.enterprise is not None else None,
            applicant_real_name=_real_name(t.case.applicant),
        )
        for t in tasks
    ]
    assert task_rows_by([t.pk for t in expected]) == expected
    assert any(r.stage_name is None for r in expected) and any(r.stage_name for r in expected)
    assert any(r.assignee_id is None for r in expected) and any(r.assignee_label for r in expected)
    # a task's department is its own, not its case's
    assert any(r.department_name != Case.objects.get(number=r.case_number).department.name for r in expected)
