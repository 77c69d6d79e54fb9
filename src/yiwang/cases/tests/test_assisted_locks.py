"""帮办's row locks (PostgreSQL only: SQLite has no FOR UPDATE). The person submitting an
assisted draft themselves and the helper saving, sending the code or confirming lock the same
two rows: every path takes the draft case first and then the assisted application, and the
application's lock is on its own row only (not the people or the department read with it),
so two of them never wait on each other in a circle."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.cases.assisted_workflow import AssistedStatus
from yiwang.cases.models import AssistedApplication, Case
from yiwang.cases.services import assisted as services
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, user
from yiwang.cases.tests.flows import phone  # noqa: F401 - the fixture
from yiwang.core import clock
from yiwang.core.errors import ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("phone")]
START = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
CASE, ASSISTED = Case._meta.db_table, AssistedApplication._meta.db_table


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks only mean something on PostgreSQL (run with DATABASE_URL=postgres://…)")


def locks(queries: CaptureQueriesContext) -> list[tuple[str, str]]:
    """(the table read, what FOR UPDATE names) of each locking query, in order."""
    found = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        table = re.search(r'\sFROM "(\w+)"', sql)
        of = re.search(r"FOR UPDATE(?: OF ([^;]*?))?(?: NOWAIT| SKIP LOCKED)?$", sql.strip())
        assert table is not None and of is not None, sql
        found.append((table.group(1), (of.group(1) or "").strip()))
    return found


def case_first(queries: CaptureQueriesContext) -> bool:
    """The assisted application was locked, the case before it; each lock on its own row only."""
    taken = []
    for table, of in locks(queries):
        if table in (CASE, ASSISTED):
            assert of == f'"{table}"', f"{table} locked with FOR UPDATE OF {of or '(every joined table)'}"
            taken.append(table)
    return ASSISTED in taken and CASE in taken[: taken.index(ASSISTED)]


def started(version) -> AssistedApplication:  # type: ignore[no-untyped-def]
    with clock.frozen(START):
        assisted = services.assisted_start(
            actor=user("jn_window"), person=user("zhangsan"), implementation_version=version
        )
    return assisted


def test_the_helpers_paths_and_the_persons_own_submission_lock_the_case_then_the_application(world: None) -> None:
    from yiwang.cases.services import case_submit

    version = ImplementationVersionFactory()
    assisted = started(version)
    clerk = user("jn_window")
    with clock.frozen(START), CaptureQueriesContext(connection) as saving:
        services.assisted_save(actor=clerk, assisted=assisted, form_data=GOOD_DATA)
    assert case_first(saving)
    with clock.frozen(START):
        for key in ("application", "layout"):
            services.assisted_upload(actor=clerk, assisted=assisted, material_key=key, upload=flows.pdf())
    with clock.frozen(START), CaptureQueriesContext(connection) as sending:
        services.assisted_code_send(actor=clerk, assisted=assisted)
    assert case_first(sending)
    with clock.frozen(START), CaptureQueriesContext(connection) as refusing, pytest.raises(ValidationFailed):
        services.assisted_confirm(actor=clerk, assisted=assisted, code="abcdef")
    assert case_first(refusing)
    with clock.frozen(START), CaptureQueriesContext(connection) as confirming:
        services.assisted_confirm(actor=clerk, assisted=assisted, code=flows.code_sent(f"assisted:{assisted.ref}"))
    assert case_first(confirming)

    other = started(version)
    with clock.frozen(START):
        services.assisted_save(actor=clerk, assisted=other, form_data=GOOD_DATA)
        for key in ("application", "layout"):
            services.assisted_upload(actor=clerk, assisted=other, material_key=key, upload=flows.pdf())
    draft = Case.objects.get(pk=other.case_id)
    with clock.frozen(START), CaptureQueriesContext(connection) as own:
        case_submit(actor=user("zhangsan"), idempotency_key="own", draft=draft)
    assert case_first(own)
    other.refresh_from_db()
    assert other.status == AssistedStatus.SELF_SUBMITTED
