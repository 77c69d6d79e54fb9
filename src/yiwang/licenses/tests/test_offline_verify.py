"""`yiwang-verify license`: the QR text, the saved status and its ledger proof, checked offline."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from yiwang.cases.tests.factories import user
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.note import generate_key
from yiwang.ledger.verify_cli import main
from yiwang.licenses import services
from yiwang.licenses.models import License
from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db
ON = ["--today", "2026-06-01"]


def _save(tmp_path: Path, license: License) -> dict[str, str]:
    """What a verifier saved while online: the keys, the status and the proof of its entry."""
    client = Client()
    ledger_integrate()
    status = client.get(f"/api/v1/licenses/status/{license.identifier}")
    entry_id = status.json()["ledger_entry_id"]
    files = {
        "qr": license.note,
        "issuer": client.get("/api/v1/licenses/key").content.decode(),
        "log": client.get("/api/v1/ledger/key").content.decode(),
        "status": status.content.decode(),
        "proof": client.get(f"/api/v1/ledger/entries/{entry_id}/proof").content.decode(),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: str(tmp_path / name) for name in files}


def _verify(paths: dict[str, str], *extra: str, online: bool = True) -> int:
    args = ["license", "--vkey-file", paths["issuer"], *ON, *extra]
    if online:
        args += ["--status-file", paths["status"], "--proof-file", paths["proof"], "--log-vkey-file", paths["log"]]
    return main([*args, paths["qr"]])


def test_a_valid_license_verifies_offline(world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _save(tmp_path, issue())
    assert _verify(paths) == 0
    assert "status valid (proven in the ledger)" in capsys.readouterr().out
    assert _verify(paths, online=False) == 0  # the signature and the validity window alone


def test_one_changed_character_fails(world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _save(tmp_path, issue())
    text = Path(paths["qr"]).read_text()
    Path(paths["qr"]).write_text(text.replace(".001.", ".002.", 1))
    assert _verify(paths, online=False) == 1
    assert "FAIL" in capsys.readouterr().err


def test_another_key_fails(world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _save(tmp_path, issue())
    Path(paths["issuer"]).write_text(generate_key("yiwang.local/license")[1] + "\n")
    assert _verify(paths, online=False) == 1
    assert "no signature from a trusted key" in capsys.readouterr().err


def test_a_revoked_license_is_reported(world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    license = issue()
    services.license_revoke(
        actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》"
    )
    paths = _save(tmp_path, license)
    assert _verify(paths) == 1
    assert "is revoked (已撤销)" in capsys.readouterr().err


def test_a_status_the_proof_does_not_record_fails(
    world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    license = issue()
    paths = _save(tmp_path, license)
    services.license_revoke(
        actor=user("jn_approver"), license_id=license.pk, reason="违法经营", legal_basis="《食品安全法》"
    )
    (tmp_path / "later").mkdir()
    revoked = _save(tmp_path / "later", license)
    paths["proof"] = revoked["proof"]  # the old "valid" status with the proof of the revocation
    assert _verify(paths) == 1
    assert "does not record this license's status" in capsys.readouterr().err


def test_outside_the_validity_window_fails(world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _save(tmp_path, issue(valid_from=dt.date(2020, 1, 1), years=1))
    assert _verify(paths, online=False) == 1
    assert "is not valid on 2026-06-01" in capsys.readouterr().err
