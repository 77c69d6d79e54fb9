"""Two people acting at once, on real row locks (PostgreSQL only: SQLite serialises writers).

Each thread has its own database connection. To make the race real rather than lucky, the
winner is slowed down *while it holds the lock*; the loser must wait for it and then see
the new state (Conflict with a clear Chinese message), never overwrite it.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from yiwang.accounts.models import Role
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases import services
from yiwang.cases.models import Case, CaseEvent, Task
from yiwang.cases.services import review
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, dept, user
from yiwang.cases.workflow import TaskStatus
from yiwang.core import clock
from yiwang.core.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks only mean something on PostgreSQL (run with DATABASE_URL=postgres://…)")


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            with clock.frozen(DAY):
                results[index] = call()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def two_reviewers(world: None) -> tuple[Any, Any]:
    second = staff_create(actor=None, username="jn_reviewer2", password="Yiwang-demo-2026", display_name="钱二")
    staff_role_grant(actor=None, user=second, role=Role.REVIEWER, department=dept("jn_approval"))
    return user("jn_reviewer"), second


@pytest.fixture
def slow_winner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever claims first keeps the lock for a moment longer."""
    original = review._ensure_mine

    def slow(actor: Any, task: Task, **kwargs: Any) -> None:
        original(actor, task, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(review, "_ensure_mine", slow)


def _outcome(results: list[Any]) -> tuple[list[Any], list[Conflict]]:
    wins = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if isinstance(r, Exception) and not isinstance(r, Conflict)]
    assert not others, others
    return wins, conflicts


def test_two_staff_claiming_one_task_at_once_one_wins(two_reviewers: tuple[Any, Any], slow_winner: None) -> None:
    first, second = two_reviewers
    with clock.frozen(DAY):
        case = flows.accepted(ImplementationVersionFactory())
    task = Task.objects.get(case=case, key="review")
    results = race(
        lambda: services.task_claim(actor=first, task=task),
        lambda: services.task_claim(actor=second, task=task),
    )
    wins, conflicts = _outcome(results)
    assert len(wins) == 1 and len(conflicts) == 1
    winner = Task.objects.get(pk=task.pk).assignee
    assert winner in (first, second) and winner == wins[0].assignee
    assert conflicts[0].message == f"任务“材料审查”已由{winner}领取办理，请刷新后查看。"
    assert CaseEvent.objects.filter(case=case, verb="task_claimed").count() == 1


def test_two_staff_approving_one_task_at_once_one_wins(two_reviewers: tuple[Any, Any], slow_winner: None) -> None:
    first, second = two_reviewers
    with clock.frozen(DAY):
        case = flows.accepted(ImplementationVersionFactory())
    task = Task.objects.get(case=case, key="review")
    results = race(
        lambda: services.task_complete(actor=first, task=task, outcome="approve", opinion="同意"),
        lambda: services.task_complete(actor=second, task=task, outcome="reject", opinion="不同意"),
    )
    wins, conflicts = _outcome(results)
    assert len(wins) == 1 and len(conflicts) == 1
    done = Task.objects.get(pk=task.pk)
    assert done.status in (TaskStatus.APPROVED, TaskStatus.REJECTED)
    # Exactly one decision task exists: the stage advanced once.
    assert Task.objects.filter(case=case, key="decide").count() == 1


def test_concurrent_submissions_get_distinct_sequential_numbers(world: None) -> None:
    version = ImplementationVersionFactory()
    with clock.frozen(DAY):
        drafts = [flows.draft(version) for _ in range(6)]
    results = race(
        *[
            (lambda d=d, i=i: services.case_submit(actor=user("zhangsan"), draft=d, idempotency_key=f"k{i}"))
            for i, d in enumerate(drafts)
        ]
    )
    wins, _ = _outcome(results)
    numbers = sorted(c.number for c in wins)
    assert numbers == [f"370100-20260302-{n:06d}" for n in range(1, 7)]


def test_a_double_click_makes_one_case(world: None) -> None:
    version = ImplementationVersionFactory(materials=[])  # nothing to upload: submit in one request
    before = Case.objects.count()

    def click() -> Case:
        return services.case_submit(
            actor=user("zhangsan"), idempotency_key="double-click", implementation_version=version, form_data=GOOD_DATA
        )

    results = race(click, click, click)
    wins, _ = _outcome(results)
    assert len(wins) == 3 and len({c.pk for c in wins}) == 1
    assert Case.objects.count() == before + 1


def test_parallel_searches_for_a_person_cannot_pass_the_helpers_limit(world: None, settings: Any, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """帮办 step 1: the limit is counted from the search log under a lock on the helper's row, so
    four searches at once with room for two leave exactly two searches and two refusals."""
    from yiwang.cases.models import AssistedLookup
    from yiwang.cases.services import assisted_lookup
    from yiwang.core.errors import TooManyAttempts

    settings.ASSISTED_LOOKUP_LIMIT = 2
    original = assisted_lookup.ledger_append

    def slow(**kwargs: Any) -> Any:  # each search holds its transaction open a moment
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(assisted_lookup, "ledger_append", slow)
    number = user("zhangsan").person.id_number
    clerk = user("jn_window")
    search = lambda: assisted_lookup.person_lookup(actor=clerk, real_name="张三", id_number=number)  # noqa: E731
    results = race(search, search, search, search)
    found = [r for r in results if isinstance(r, assisted_lookup.PersonFound)]
    refused = [r for r in results if isinstance(r, TooManyAttempts)]
    assert (len(found), len(refused)) == (2, 2), results
    assert AssistedLookup.objects.filter(helper=clerk).count() == 2
