"""What the public is shown but the tree does not hash: the query columns of an entry.

Each test moves one column behind the platform's back (raw SQL, as an insider with
database access would), then checks that `yiwang ledger audit` names it in Chinese and
that neither the API nor the pages serve the moved value.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client

from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Entry
from yiwang.ledger.selectors import disclosed_entries, entries_of_subject
from yiwang.ledger.services import ledger_append

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def log() -> list[Entry]:
    with transaction.atomic():
        entries = [ledger_append(kind="test.event", subject=f"thing:{i}", payload={"i": i}) for i in range(10)]
    ledger_integrate(batch_size=4)
    assert ledger_audit().clean
    return entries


def _problems_of(entry: Entry) -> list[str]:
    return [p for p in ledger_audit().problems if p.startswith(f"条目 {entry.pk}（")]


def test_a_moved_kind_is_reported_and_not_served(log: list[Entry]) -> None:
    _raw("UPDATE ledger_entry SET kind = %s WHERE id = %s", ["cases.approve", log[3].pk])
    expected = "事件类型（kind）列为“cases.approve”，叶子中为“test.event”（列被篡改）"
    assert any(expected in p for p in _problems_of(log[3]))
    served = Client().get(f"/api/v1/ledger/entries/{log[3].pk}").json()
    assert served["kind"] == "test.event"
    # The disclosure list, filtered on the column, does not pick up the moved row.
    assert disclosed_entries(None)[1] == []


def test_a_moved_subject_is_reported_and_not_served(log: list[Entry]) -> None:
    _raw("UPDATE ledger_entry SET subject = %s WHERE id = %s", ["case:SOMEONE-ELSE", log[5].pk])
    assert any("对象（subject）列为“case:SOMEONE-ELSE”，叶子中为“thing:5”" in p for p in _problems_of(log[5]))
    assert Client().get(f"/api/v1/ledger/entries/{log[5].pk}").json()["subject"] == "thing:5"
    assert entries_of_subject("case:SOMEONE-ELSE") == []
    page = Client().get(f"/ledger/entries/{log[5].pk}/").content.decode()
    assert "case:SOMEONE-ELSE" not in page and "thing:5" in page and "不一致" in page


def test_a_moved_created_at_is_reported_and_not_served(log: list[Entry]) -> None:
    moved = log[2].created_at - dt.timedelta(days=400)
    _raw("UPDATE ledger_entry SET created_at = %s WHERE id = %s", [moved, log[2].pk])
    assert any("写入时间（created_at）列为" in p and "列被篡改" in p for p in _problems_of(log[2]))
    page = Client().get(f"/ledger/entries/{log[2].pk}/").content.decode()
    assert f"{moved:%Y-%m-%d}" not in page
    assert entries_of_subject("thing:2") == []  # a moved row is not listed with the case either


def test_a_moved_integrated_at_is_reported(log: list[Entry]) -> None:
    entry = Entry.objects.get(pk=log[6].pk)
    assert entry.integrated_at is not None
    moved = entry.integrated_at + dt.timedelta(days=3)
    _raw("UPDATE ledger_entry SET integrated_at = %s WHERE id = %s", [moved, entry.pk])
    assert any("上链时间（integrated_at）列为" in p and "覆盖它的检查点签发于" in p for p in _problems_of(entry))


def test_a_pending_entry_with_an_integration_time_is_reported() -> None:
    with transaction.atomic():
        entry = ledger_append(kind="test.event", subject="thing:p", payload={})
    _raw("UPDATE ledger_entry SET integrated_at = %s, kind = %s WHERE id = %s", [entry.created_at, "x", entry.pk])
    problems = _problems_of(entry)
    assert any("（待上链）：尚未上链却有上链时间" in p for p in problems)
    assert any("事件类型（kind）列为“x”" in p for p in problems)


def test_swapped_leaf_indexes_are_reported(log: list[Entry]) -> None:
    _raw("UPDATE ledger_entry SET leaf_index = -1 WHERE id = %s", [log[1].pk])
    _raw("UPDATE ledger_entry SET leaf_index = 1 WHERE id = %s", [log[2].pk])
    _raw("UPDATE ledger_entry SET leaf_index = 2 WHERE id = %s", [log[1].pk])
    problems = ledger_audit().problems
    assert any("树节点" in p and "被篡改" in p for p in problems)
