"""Archiving a month while the platform writes (ADR 0034), PostgreSQL only.

The archive detaches a month in a short transaction of its own; writers of the current month
wait for it at most, and lose nothing. A transaction that holds the month (a long report, a
stuck writer) makes the archive give up after its lock timeout with nothing changed.
"""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from yiwang.core import clock
from yiwang.core.errors import Conflict
from yiwang.ledger import archive
from yiwang.ledger.archive import partitions_archive
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import ArchivedPartition, Entry
from yiwang.ledger.partitions import month_start, partitions_ensure, partitions_of
from yiwang.ledger.services import ledger_append

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions are PostgreSQL only"),
]


def _months_ago(n: int) -> dt.date:
    month = month_start(clock.today())
    for _ in range(n):
        month = month_start(month - dt.timedelta(days=1))
    return month


def _old_entries(n: int) -> None:
    at = timezone.make_aware(dt.datetime.combine(_months_ago(3), dt.time(10)))
    with clock.frozen(at), transaction.atomic():
        for i in range(n):
            ledger_append(kind="test.event", subject=f"old:{i}", payload={"i": i})
    with clock.frozen(at):
        ledger_integrate()
    partitions_ensure()


def test_writers_of_the_current_month_go_on_while_an_old_month_is_archived(tmp_path: Path) -> None:
    _old_entries(4)
    written: list[int] = []
    errors: list[BaseException] = []
    started, stop = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            i = 0
            while not stop.is_set() and i < 400:  # bounded: at most 400 small transactions
                with transaction.atomic():
                    written.append(ledger_append(kind="test.event", subject=f"now:{i}", payload={"i": i}).pk)
                i += 1
                started.set()
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert started.wait(30)
        done = partitions_archive(before=_months_ago(2), to=tmp_path)
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive() and not errors, errors
    assert [a.table for a in done if a.rows] == ["ledger_entry"]
    assert Entry.objects.filter(pk__in=written).count() == len(written) > 0  # no write was lost
    assert not Entry.objects.filter(subject__startswith="old:").exists()  # the month left the table
    ledger_integrate()
    report = ledger_audit(archive_dir=tmp_path)
    assert report.clean, report.problems


def test_a_transaction_holding_the_month_makes_the_archive_give_up_with_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_entries(3)
    monkeypatch.setattr(archive, "LOCK_TIMEOUT", "1s")
    month = f"ledger_entry_p{_months_ago(3):%Y%m}"
    holding, release = threading.Event(), threading.Event()

    def long_reader() -> None:
        try:
            with transaction.atomic():
                Entry.objects.filter(subject__startswith="old:").count()  # holds the month's share lock
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=long_reader)
    thread.start()
    try:
        assert holding.wait(30)
        with pytest.raises(Conflict, match="正被其他事务使用"):
            partitions_archive(before=_months_ago(2), to=tmp_path)
    finally:
        release.set()
        thread.join(60)
    # Nothing moved: the month is still in its table with its rows, no file, no record.
    assert {p.name: p.rows for p in partitions_of("ledger_entry")}[month] == 3
    assert not ArchivedPartition.objects.exists() and not list(tmp_path.iterdir())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = %s::regclass", [month])
        assert cursor.fetchone()[0] == 1
    # Once the reader has gone, the same command succeeds.
    done = partitions_archive(before=_months_ago(2), to=tmp_path)
    assert [(a.partition, a.rows) for a in done if a.table == "ledger_entry"] == [(month, 3)]
