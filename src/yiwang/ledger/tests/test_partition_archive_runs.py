"""How an archive run behaves when it is interrupted, finds files, or meets late rows (ADR 0034)."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from yiwang.core import clock
from yiwang.core.errors import Conflict
from yiwang.ledger.archive import _detach, detached_leftovers, partition_restore, partitions_archive
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import ArchivedPartition, Entry
from yiwang.ledger.partitions import month_start, partitions_ensure, partitions_of, refuse_while_archived
from yiwang.ledger.services import ledger_append

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL only"),
]


def _months_ago(n: int) -> dt.date:
    month = month_start(clock.today())
    for _ in range(n):
        month = month_start(month - dt.timedelta(days=1))
    return month


def _append(n: int, at: dt.date, tag: str) -> None:
    with clock.frozen(timezone.make_aware(dt.datetime.combine(at, dt.time(10)))), transaction.atomic():
        for i in range(n):
            ledger_append(kind="test.event", subject=f"{tag}:{i}", payload={"i": i})


def _old_month_of_entries(n: int = 3) -> dt.date:
    old = _months_ago(3)
    _append(n, old, "old")
    ledger_integrate()
    partitions_ensure()
    return old


def _names(table: str) -> list[str]:
    return [p.name for p in partitions_of(table, count_rows=False)]


def test_a_run_that_died_after_the_detach_is_completed_by_the_next_run(tmp_path: Path) -> None:
    old = _old_month_of_entries()
    name = f"ledger_entry_p{old:%Y%m}"
    [part] = [p for p in partitions_of("ledger_entry") if p.name == name]
    _detach(part)  # transaction 1 committed, then the process died
    assert name not in _names("ledger_entry") and [p.name for p in detached_leftovers()] == [name]
    out = StringIO()
    call_command("partitions", "list", stdout=out)
    assert f"WARNING: {name} was detached" in out.getvalue()

    [archived] = partitions_archive(before=_months_ago(2), to=tmp_path, tables=["ledger_entry"])
    assert (archived.partition, archived.rows, archived.leaf_from, archived.leaf_to) == (name, 3, 0, 3)
    assert detached_leftovers() == [] and (tmp_path / f"{name}.jsonl.gz").is_file()
    assert not list(tmp_path.glob("*.partial"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        assert cursor.fetchone()[0] is None  # dropped
    ledger_integrate()
    assert ledger_audit().clean


def test_an_existing_file_or_archive_record_is_never_overwritten(tmp_path: Path) -> None:
    old = _old_month_of_entries()
    name = f"ledger_entry_p{old:%Y%m}"
    (tmp_path / f"{name}.jsonl.gz").write_bytes(b"an earlier archive")
    with pytest.raises(Conflict, match="已存在，拒绝覆盖"):
        partitions_archive(before=_months_ago(2), to=tmp_path, tables=["ledger_entry"])
    assert (tmp_path / f"{name}.jsonl.gz").read_bytes() == b"an earlier archive"
    assert name in _names("ledger_entry") and Entry.objects.count() == 3  # nothing detached

    ArchivedPartition.objects.create(
        table="ledger_entry", partition=name, range_start=old, range_end=_months_ago(2), rows=0,
        file="x", sha256="0" * 64, manifest_sha256="0" * 64, archived_at=clock.now(),
    )  # fmt: skip
    with pytest.raises(Conflict, match="已有归档记录"):
        partitions_archive(before=_months_ago(2), to=tmp_path / "elsewhere", tables=["ledger_entry"])
    assert name in _names("ledger_entry")


def test_rows_of_an_archived_month_stay_in_default_and_come_back_with_a_restore(tmp_path: Path) -> None:
    old = _old_month_of_entries()
    name = f"ledger_entry_p{old:%Y%m}"
    partitions_archive(before=_months_ago(2), to=tmp_path, tables=["ledger_entry"])
    _append(1, old, "late")  # dated in the archived month, written after it left
    result = partitions_ensure()
    assert name not in result.created and result.held == {name: 1}
    assert name not in _names("ledger_entry")
    out = StringIO()
    call_command("partitions", "list", stdout=out)
    assert f"WARNING: 1 row(s) dated in archived month {name} are in DEFAULT" in out.getvalue()

    assert partition_restore(manifest_path=tmp_path / f"{name}.manifest.json") == 3
    assert Entry.objects.filter(subject="late:0").count() == 1
    assert {p.name: p.rows for p in partitions_of("ledger_entry")}[name] == 4  # the late row joined its month


def test_migrating_back_over_the_partitioning_is_refused_while_months_are_archived(tmp_path: Path) -> None:
    _old_month_of_entries()
    refuse_while_archived(connection)  # nothing archived: allowed
    [archived] = partitions_archive(before=_months_ago(2), to=tmp_path, tables=["ledger_entry"])
    with pytest.raises(RuntimeError, match="restore them first") as refused:
        refuse_while_archived(connection)
    assert archived.partition in str(refused.value)
