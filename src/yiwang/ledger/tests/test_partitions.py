"""Monthly partitions and their archive (ADR 0034): PostgreSQL only; SQLite refuses politely."""

import datetime as dt
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from yiwang.core import clock
from yiwang.core.errors import Conflict, Gone, ValidationFailed
from yiwang.ledger.archive import partition_restore, partitions_archive
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.config import log_hash_suite
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.merkle import verify_inclusion
from yiwang.ledger.models import ArchivedPartition, Checkpoint, Entry, LedgerEvent
from yiwang.ledger.partitions import month_start, next_month, partitioned_tables, partitions_ensure, partitions_of
from yiwang.ledger.selectors import entry_get, inclusion_proof_for, public_entry
from yiwang.ledger.services import ledger_append

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions are PostgreSQL only")


def _months_ago(n: int) -> dt.date:
    month = month_start(clock.today())
    for _ in range(n):
        month = month_start(month - dt.timedelta(days=1))
    return month


def _append(n: int, *, at: dt.date | None = None, tag: str = "x") -> list[Entry]:
    moment = timezone.make_aware(dt.datetime.combine(at, dt.time(10))) if at else clock.now()
    with clock.frozen(moment), transaction.atomic():
        return [ledger_append(kind="test.event", subject=f"{tag}:{i}", payload={"i": i}) for i in range(n)]


def _rows(table: str) -> dict[str, int]:
    return {p.name: p.rows for p in partitions_of(table)}


@postgres_only
def test_the_append_only_tables_are_partitioned_by_month_after_migrate() -> None:
    assert partitioned_tables() == {
        "cases_caseaccesslog": "at",
        "cases_caseevent": "at",
        "exchange_dataread": "at",
        "ledger_entry": "created_at",
        "notifications_message": "created_at",
    }
    names = [p.name for p in partitions_of("ledger_entry")]
    assert f"ledger_entry_p{clock.today():%Y%m}" in names
    assert names[-1] == "ledger_entry_default"


@postgres_only
def test_rows_land_in_their_month_and_ensure_moves_far_future_rows_out_of_default() -> None:
    coming = next_month(clock.today())
    _append(1, at=coming, tag="next")
    assert _rows("ledger_entry")[f"ledger_entry_p{coming:%Y%m}"] == 1
    far = dt.date(clock.today().year + 2, 6, 1)
    _append(2, at=far, tag="far")
    assert _rows("ledger_entry")["ledger_entry_default"] == 2
    result = partitions_ensure(months_ahead=3)
    assert f"ledger_entry_p{far:%Y%m}" in result.created and result.moved["ledger_entry"] == 2
    counts = _rows("ledger_entry")
    assert counts["ledger_entry_default"] == 0 and counts[f"ledger_entry_p{far:%Y%m}"] == 2
    assert partitions_ensure(months_ahead=3).created == []  # idempotent
    assert Entry.objects.filter(subject__startswith="far:").count() == 2  # still read through the parent
    out = StringIO()
    call_command("partitions", "list", stdout=out)
    assert f"ledger_entry_p{far:%Y%m}" in out.getvalue() and "DEFAULT" in out.getvalue()


@postgres_only
def test_archive_refuses_the_current_and_previous_month() -> None:
    for month in (month_start(clock.today()), next_month(clock.today())):  # would take the previous / this month
        with pytest.raises(ValidationFailed, match="不能归档本月和上月"):
            partitions_archive(before=month, to=Path("/nonexistent"))


@postgres_only
def test_archive_refuses_a_ledger_month_that_is_not_a_prefix_of_the_log(tmp_path: Path) -> None:
    _append(2, at=_months_ago(3), tag="later-month")  # leaves 0, 1
    _append(1, at=_months_ago(4), tag="earlier-month")  # written after them, leaf 2, but dated a month before
    ledger_integrate()
    partitions_ensure()
    with pytest.raises(Conflict, match="账本只能按前缀归档"):
        partitions_archive(before=_months_ago(3), to=tmp_path)
    assert not ArchivedPartition.objects.exists() and not list(tmp_path.iterdir())


@postgres_only
def test_archive_refuses_a_month_with_notices_still_owed(tmp_path: Path) -> None:
    from yiwang.accounts.models import User
    from yiwang.notifications.models import Message

    person = User.objects.create_user(username="zhangsan", password="x" * 12, display_name="张三")
    at = timezone.make_aware(dt.datetime.combine(_months_ago(3), dt.time(9)))
    Message.objects.create(recipient=person, channel="sms", subject="通知", body="…", created_at=at, next_attempt_at=at)
    partitions_ensure()
    with pytest.raises(Conflict, match="1 条待发送的消息"):
        partitions_archive(before=_months_ago(2), to=tmp_path)
    Message.objects.update(status="sent", sent_at=at)
    [archived] = partitions_archive(before=_months_ago(2), to=tmp_path)
    assert archived.table == "notifications_message" and archived.rows == 1 and not Message.objects.exists()


@postgres_only
def test_archive_audit_proofs_tampering_and_restore(tmp_path: Path) -> None:
    old = _months_ago(3)
    _append(5, at=old, tag="old")
    with clock.frozen(timezone.make_aware(dt.datetime.combine(old, dt.time(11)))):
        ledger_integrate(batch_size=3)  # checkpoints at 3 and 5: odd sizes whose edge leaves must be kept
    recent = _append(2, tag="recent")
    ledger_integrate()
    partitions_ensure()
    archived_ids = list(Entry.objects.filter(leaf_index__lt=5).values_list("id", flat=True))
    assert ledger_audit().clean

    done = partitions_archive(before=_months_ago(2), to=tmp_path)
    [ledger_month] = [a for a in done if a.table == "ledger_entry"]
    assert (ledger_month.leaf_from, ledger_month.leaf_to, ledger_month.rows) == (0, 5, 5)
    assert not Entry.objects.filter(id__in=archived_ids).exists()
    assert f"ledger_entry_p{old:%Y%m}" not in _rows("ledger_entry")
    manifest_path = tmp_path / f"ledger_entry_p{old:%Y%m}.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["rows"] == 5 and manifest["ledger"]["leaf_to"] == 5 and len(manifest["ledger"]["frontier"]) == 2
    assert LedgerEvent.objects.filter(verb="partition_archived", subject=f"partition:{ledger_month.partition}").exists()
    archive_entry = Entry.objects.get(kind="ledger.partition_archived", subject=f"partition:{ledger_month.partition}")
    assert json.loads(archive_entry.leaf)["payload"]["manifest_sha256"] == ledger_month.manifest_sha256

    ledger_integrate()  # the integrator carries on from the frontier (the archive's own entry)
    report = ledger_audit()
    assert report.clean, report.problems
    assert any(line.startswith("叶子 0–4 已归档") for line in report.info)
    assert report.checkpoints == Checkpoint.objects.count()
    full = ledger_audit(archive_dir=tmp_path)
    assert full.clean, full.problems
    assert full.entries == Entry.objects.count() + 5 and "重读" in full.info[0]

    # A kept leaf answers its proof (leaf 5's sibling, leaf 4, was archived); an archived one is 410.
    first_recent = public_entry(Entry.objects.get(pk=recent[0].pk))
    proof = inclusion_proof_for(first_recent)
    suite = log_hash_suite()
    root = Checkpoint.objects.get(tree_size=proof["tree_size"]).root_hash
    verify_inclusion(
        suite, first_recent.leaf_index, proof["tree_size"], bytes(first_recent.leaf_hash), _proof(proof), bytes(root)
    )
    with pytest.raises(Gone, match="已归档"):
        entry_get(archived_ids[0])
    response = Client().get(f"/api/v1/ledger/entries/{archived_ids[0]}/proof")
    assert response.status_code == 410 and response["Content-Type"].startswith("application/problem+json")
    assert ledger_month.partition in response.json()["detail"]

    # Tampering with the archive file shows, and it cannot be restored.
    data_file = tmp_path / manifest["file"]
    original = data_file.read_bytes()
    lines = gzip.decompress(original).splitlines()
    lines[0] = lines[0].replace(b'\\"i\\":0', b'\\"i\\":9')
    data_file.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    tampered = ledger_audit(archive_dir=tmp_path)
    assert any("SHA-256" in p for p in tampered.problems)
    with pytest.raises(Conflict, match="SHA-256"):
        partition_restore(manifest_path=manifest_path)

    data_file.write_bytes(original)
    assert partition_restore(manifest_path=manifest_path) == 5
    assert Entry.objects.filter(id__in=archived_ids).count() == 5
    assert not ArchivedPartition.objects.filter(table="ledger_entry").exists()
    ledger_integrate()
    after = ledger_audit()
    assert after.clean and not after.info, after.problems


def _proof(served: dict[str, object]) -> list[bytes]:
    import base64

    return [base64.b64decode(h) for h in served["proof"]]  # type: ignore[attr-defined]


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="the SQLite answer")
def test_on_sqlite_the_commands_say_there_is_nothing_to_partition(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("partitions", "list")
    call_command("partitions", "ensure")
    assert "SQLite 数据库不分区" in capsys.readouterr().out
    with pytest.raises(CommandError, match="只在 PostgreSQL 上可用"):
        call_command("partitions", "archive", "--before", "2020-01")
    assert connection.vendor == "sqlite" and partitioned_tables() == {}
