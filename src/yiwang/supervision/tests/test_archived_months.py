"""A month of case events archived (ADR 0034): the audit leaves it out and says so, a rebuild
keeps its figures, and only months whose cases are all settled may leave."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yiwang.cases import services
from yiwang.cases.models import CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.core.errors import Conflict
from yiwang.ledger.archive import partitions_archive
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.partitions import partitions_ensure
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.models import DailyFigures, MonthlyFigures
from yiwang.supervision.rollup import rebuild

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL only"),
]

FEBRUARY, MARCH = dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def test_an_archived_month_of_events_audits_clean_and_is_not_rebuilt(world: None, tmp_path: Path) -> None:
    version = ImplementationVersionFactory()
    with flows.on(dt.date(2026, 2, 10)):
        refused, withdrawn, running = (flows.submit(version) for _ in range(3))
        services.case_refuse(actor=user("jn_window"), case=refused, reason="不属于本机关职权", legal_basis="第三十二条")
        services.case_withdraw(actor=user("zhangsan"), case=withdrawn, reason="不再需要")
    ledger_integrate()
    partitions_ensure()
    figures = MonthlyFigures.objects.filter(month=FEBRUARY).count()
    assert figures and supervision_audit().problems == []

    with pytest.raises(Conflict, match="1 件尚未办结"):  # the running case's 回避 and SUSPEND rules read them
        partitions_archive(before=MARCH, to=tmp_path, tables=["cases_caseevent"])
    with flows.on(dt.date(2026, 2, 12)):
        services.case_withdraw(actor=user("zhangsan"), case=flows.reload(running), reason="不再需要")
    ledger_integrate()
    [archived] = partitions_archive(before=MARCH, to=tmp_path, tables=["cases_caseevent"])
    assert archived.partition == "cases_caseevent_p202602"
    assert not CaseEvent.objects.filter(case__in=[refused, withdrawn, running]).exists()

    out = StringIO()
    call_command("ledger", "audit", stdout=out)  # the log and the extensions: no problem
    assert "办件事件已归档的月份（2026-02）不重算" in out.getvalue()

    with pytest.raises(CommandError, match="2026-02 的办件事件已归档"):
        call_command("supervision", "rebuild", "--since", "2026-02", stdout=StringIO())
    rebuild()  # a full rebuild keeps the archived month's figures
    assert MonthlyFigures.objects.filter(month=FEBRUARY).count() == figures
    assert DailyFigures.objects.filter(day__gte=FEBRUARY, day__lt=MARCH).exists()
    assert supervision_audit().problems == []
