"""What a case's actions cost in statements (issue 18: Python's cost per ORM statement is most
of an action's CPU). Submission, acceptance, a review and the decision of a committed case
are pinned, per database, at what they issue today: a change that adds a statement fails here
and must say why (docs/performance-cpu.md, "A case's life, fewer statements"). The life they make
stays whole: every event has its ledger entry and every personal commitment its salts."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import services
from yiwang.cases.models import CaseEvent, Stage
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.cases.workflow import CaseStatus, StageStatus
from yiwang.core import clock
from yiwang.ledger.models import Entry, EntrySalt

pytestmark = pytest.mark.django_db

# Statements per action (PostgreSQL, SQLite): the ledger writes an entry and its salts in
# one statement on PostgreSQL; SQLite has no row locks, advisory locks or data-modifying WITH.
STATEMENTS = {
    "submit": {"postgresql": 23, "sqlite": 25},  # 2026-12-05: 24 / 25
    "accept": {"postgresql": 26, "sqlite": 28},  # 27 / 29 (the first stage is inserted active)
    "review": {"postgresql": 29, "sqlite": 30},  # 30 / 30 (it completes the stage: the decision's opens)
    "decide": {"postgresql": 40, "sqlite": 46},  # 44 / 48
}


def statements(seen: CaptureQueriesContext) -> int:
    """The action's statements, without the calendar version's cache read (once a second per
    process, core.calendar: whether it falls in an action depends on the wall clock)."""
    return sum(1 for query in seen.captured_queries if "yiwang_cache" not in query["sql"])


def test_a_committed_case_life_issues_its_pinned_statements(world: None) -> None:
    version = ImplementationVersionFactory()
    counted: dict[str, int] = {}
    with clock.frozen(dt.date(2026, 2, 10)):
        draft = flows.draft(version)
        with CaptureQueriesContext(connection) as seen:
            case = services.case_submit(actor=user("zhangsan"), draft=draft, idempotency_key="statements-1")
        counted["submit"] = statements(seen)
        with CaptureQueriesContext(connection) as seen:
            case = services.case_accept(actor=user("jn_window"), case=case)
        counted["accept"] = statements(seen)
        review = flows.open_task(case, "review")
        reviewer = user("jn_reviewer")
        with CaptureQueriesContext(connection) as seen:
            services.task_complete(actor=reviewer, task=review, outcome="approve", opinion="符合条件")
        counted["review"] = statements(seen)
        approver = user("jn_approver")
        with CaptureQueriesContext(connection) as seen:
            services.case_decide(actor=approver, case=case, outcome="approve", opinion="符合条件")
        counted["decide"] = statements(seen)
    assert counted == {action: pinned[connection.vendor] for action, pinned in STATEMENTS.items()}
    case = flows.reload(case)
    assert case.status == CaseStatus.CONCLUDED and case.due_date is not None and case.warning_date is None
    assert list(Stage.objects.filter(case=case).order_by("position").values_list("status", flat=True)) == [
        StageStatus.APPROVED,
        StageStatus.APPROVED,
    ]
    events = CaseEvent.objects.filter(case=case)
    entries = Entry.objects.filter(pk__in=events.values("ledger_entry_id"))
    assert entries.count() == events.count() > 0
    for entry in entries:
        committed = json.loads(entry.leaf).get("commitments", {})
        salts = EntrySalt.objects.filter(entry_id=entry.pk).values_list("salts", flat=True).first()
        assert sorted(salts or {}) == sorted(committed), entry.kind
