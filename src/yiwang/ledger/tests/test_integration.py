"""The ledger inside the platform: integration, proofs served by the API, offline checks,
and the audit catching each kind of tampering done behind the platform's back."""

import json
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client

from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Checkpoint, Entry, LogHead, Node
from yiwang.ledger.selectors import verifier_key
from yiwang.ledger.services import ledger_append
from yiwang.ledger.verify_cli import main as verify_main

pytestmark = pytest.mark.django_db


def _append(n: int, start: int = 0) -> list[Entry]:
    entries = []
    with transaction.atomic():
        for i in range(start, start + n):
            entries.append(ledger_append(kind="test.event", subject=f"thing:{i}", payload={"i": i}))
    return entries


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        ledger_append(kind="x", subject="y", payload={})


def test_integration_in_batches_gives_consecutive_indexes_and_checkpoints() -> None:
    _append(13)
    assert ledger_integrate(batch_size=5) == 13
    assert sorted(Entry.objects.values_list("leaf_index", flat=True)) == list(range(13))
    assert list(Checkpoint.objects.order_by("tree_size").values_list("tree_size", flat=True)) == [5, 10, 13]
    assert LogHead.objects.get().tree_size == 13
    assert ledger_audit().clean


def test_served_inclusion_and_consistency_proofs_verify_offline(tmp_path: Path) -> None:
    first = _append(6)
    ledger_integrate()
    _append(5, start=6)
    ledger_integrate()
    client = Client()
    vkey = client.get("/api/v1/ledger/key").content.decode().strip()
    assert vkey == verifier_key()
    proof = client.get(f"/api/v1/ledger/entries/{first[3].pk}/proof").json()
    assert proof["tree_size"] == 11 and proof["leaf"]["subject"] == "thing:3"
    checkpoint = tmp_path / "cp.txt"
    checkpoint.write_text(proof["checkpoint"])
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(json.dumps(proof))
    assert verify_main(["inclusion", "--vkey", vkey, "--checkpoint", str(checkpoint), str(proof_file)]) == 0

    consistency = client.get("/api/v1/ledger/consistency", {"old_size": 6, "new_size": 11}).json()
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(consistency["old_checkpoint"])
    new.write_text(consistency["new_checkpoint"])
    (tmp_path / "c.json").write_text(json.dumps(consistency))
    assert verify_main(["consistency", "--vkey", vkey, str(old), str(new), str(tmp_path / "c.json")]) == 0

    # A proof for a leaf whose content was changed after the fact no longer verifies.
    proof["leaf"]["payload"]["i"] = 99
    proof.pop("leaf_hash")
    proof_file.write_text(json.dumps(proof))
    assert verify_main(["inclusion", "--vkey", vkey, "--checkpoint", str(checkpoint), str(proof_file)]) == 1


def test_checkpoint_endpoint_serves_a_signed_note() -> None:
    client = Client()
    assert client.get("/api/v1/ledger/checkpoint").status_code == 404
    _append(3)
    ledger_integrate()
    note = client.get("/api/v1/ledger/checkpoint").content.decode()
    lines = note.splitlines()
    assert lines[0] == "yiwang.local/ledger" and lines[1] == "3"
    assert lines[4].startswith("— yiwang.local/ledger ")


def test_pending_entry_has_no_proof_yet() -> None:
    entry = _append(1)[0]
    response = Client().get(f"/api/v1/ledger/entries/{entry.pk}/proof")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "尚未上链" in response.json()["detail"]


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def log() -> list[Entry]:
    entries = _append(20)
    ledger_integrate(batch_size=8)
    assert ledger_audit().clean
    return entries


def test_audit_detects_an_edited_entry(log: list[Entry]) -> None:
    _raw("UPDATE ledger_entry SET leaf = REPLACE(leaf, 'thing:7', 'thing:8') WHERE id = %s", [log[7].pk])
    problems = ledger_audit().problems
    assert any("条目被篡改" in p for p in problems)


def test_audit_detects_an_edited_entry_with_recomputed_hash(log: list[Entry]) -> None:
    from yiwang.ledger.config import log_hash_suite

    forged = log[7].leaf.replace("thing:7", "thing:8")
    _raw(
        "UPDATE ledger_entry SET leaf = %s, leaf_hash = %s WHERE id = %s",
        [forged, log_hash_suite().leaf_hash(forged.encode()), log[7].pk],
    )
    problems = ledger_audit().problems
    assert any("树节点 (1, 3) 被篡改" in p for p in problems)
    assert any("根哈希" in p for p in problems)


def test_audit_detects_an_edited_node(log: list[Entry]) -> None:
    _raw('UPDATE ledger_node SET hash = %s WHERE level = 2 AND "index" = 1', [b"\x00" * 32])
    assert any("树节点 (2, 1) 被篡改" in p for p in ledger_audit().problems)


def test_audit_detects_a_deleted_entry(log: list[Entry]) -> None:
    Entry.objects.filter(pk=log[11].pk).delete()
    assert any("缺失" in p for p in ledger_audit().problems)


def test_audit_detects_a_rewritten_history(log: list[Entry]) -> None:
    # Rewriting history means re-signing checkpoints: without the key the signature fails.
    checkpoint = Checkpoint.objects.get(tree_size=16)
    forged = checkpoint.note.replace("\n16\n", "\n15\n")
    Checkpoint.objects.filter(pk=checkpoint.pk).update(note=forged)
    assert any("检查点 size=16" in p for p in ledger_audit().problems)


def test_audit_command_is_loud_on_tampering(log: list[Entry]) -> None:
    from django.core.management import CommandError, call_command

    call_command("ledger", "audit")
    Node.objects.filter(level=1, index=3).delete()
    with pytest.raises(CommandError, match="FAILED"):
        call_command("ledger", "audit")
