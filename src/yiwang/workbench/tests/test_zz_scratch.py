import datetime as dt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import services
from yiwang.cases.models import Case, Task
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, parallel_process, user

pytestmark = pytest.mark.django_db


def scene(n):
    version = ImplementationVersionFactory(process=parallel_process(), statutory_limit_days=45)
    with flows.on(dt.date(2026, 3, 2)):
        for i in range(n):
            case = flows.accepted(version)
            if i % 3 == 0:
                services.task_claim(actor=user("jn_planning_rev"), task=flows.open_task(case, "planning"))
        for i in range(n):
            flows.submit(version)


@pytest.mark.parametrize("n", [3, 10])
def test_counts(login_as, n):
    scene(n)
    print("cases", Case.objects.count(), "tasks", Task.objects.filter(status__in=["open", "claimed"]).count())
    with flows.on(dt.date(2026, 3, 12)):
        for u, url in [("jn_planning_rev", "/workbench/"), ("jn_window", "/workbench/"), ("jn_planning_rev", "/api/v1/cases/tasks"), ("jn_window", "/api/v1/cases/intake")]:
            c = login_as(u)
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                r = c.get(url)
            assert r.status_code == 200
            body = r.content.decode()
            print(n, u, url, len(ctx.captured_queries), body.count("<tr") if "workbench" in url else body[:100])
