"""``yiwang-verify``: end to end with temporary files, no Django."""

# ruff: noqa: S603  (one test runs the verifier in a fresh interpreter)

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.merkle import consistency_proof, inclusion_proof, root_at
from yiwang.ledger.note import Checkpoint, generate_key, parse_skey, sign_checkpoint
from yiwang.ledger.suite import SHA256, SM3, HashSuite
from yiwang.ledger.verify import consistency_to_json, inclusion_to_json
from yiwang.ledger.verify_cli import main

from .helpers import build_store

ORIGIN = "gov.example/yiwang"


class Log:
    """A tiny log on disk: leaves, two signed checkpoints and proofs."""

    def __init__(self, tmp: Path, suite: HashSuite = SHA256, algorithm: str = "ed25519") -> None:
        self.tmp, self.suite = tmp, suite
        skey, self.vkey = generate_key(ORIGIN, algorithm)
        self.signer = parse_skey(skey)
        self.leaves = [{"kind": "case.filed", "n": i, "subject": f"case-{i}"} for i in range(11)]
        self.hashes = [suite.leaf_hash(canonical_json(leaf)) for leaf in self.leaves]
        self.store = build_store(suite, self.hashes)
        self.old = self.checkpoint(6, "old.txt")
        self.new = self.checkpoint(11, "new.txt")

    def checkpoint(self, size: int, name: str, origin: str = ORIGIN) -> Path:
        cp = Checkpoint(origin, size, root_at(self.suite, self.store, size))
        return self.write(name, sign_checkpoint(cp, self.signer))

    def write(self, name: str, content: Any) -> Path:
        path = self.tmp / name
        if isinstance(content, (dict, list)):
            content = json.dumps(content, ensure_ascii=False)
        path.write_text(content, encoding="utf-8")
        return path

    def inclusion(self, index: int, size: int = 11, with_leaf: bool = False) -> dict[str, Any]:
        proof = inclusion_proof(self.suite, self.store, index, size)
        leaf = self.leaves[index] if with_leaf else None
        return inclusion_to_json(index, size, self.hashes[index], proof, leaf)

    def consistency(self, size1: int = 6, size2: int = 11) -> dict[str, Any]:
        return consistency_to_json(size1, size2, consistency_proof(self.suite, self.store, size1, size2))


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def log(tmp_path: Path) -> Log:
    return Log(tmp_path)


def test_checkpoint_ok_and_failures(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checkpoint", "--vkey", log.vkey, log.new)
    assert code == 0 and out.startswith(f"OK: checkpoint {ORIGIN} size 11")
    _, other = generate_key(ORIGIN)
    code, _, err = run(capsys, "checkpoint", "--vkey", other, log.new)
    assert code == 1 and "no signature from a trusted key" in err
    tampered = log.write("t.txt", log.new.read_text().replace("\n11\n", "\n12\n", 1))
    code, _, err = run(capsys, "checkpoint", "--vkey", log.vkey, tampered)
    assert code == 1 and "invalid signature" in err
    code, _, err = run(capsys, "checkpoint", "--vkey", log.vkey, "--origin", "elsewhere", log.new)
    assert code == 1 and "expected 'elsewhere'" in err
    code, _, err = run(capsys, "checkpoint", "--vkey", log.vkey, log.tmp / "missing.txt")
    assert code == 1 and "cannot read" in err
    code, _, err = run(capsys, "checkpoint", "--vkey", "garbage", log.new)
    assert code == 1 and "bad verifier key" in err
    keys = log.write("keys.txt", f"# trusted\n{other}\n{log.vkey}\n")
    assert run(capsys, "checkpoint", "--vkey-file", keys, log.new)[0] == 0


def test_inclusion(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    for i in (0, 5, 10):
        p = log.write(f"inc{i}.json", log.inclusion(i))
        code, out, err = run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, p)
        assert code == 0, err
        assert f"leaf {i}" in out
    # The canonical leaf instead of its hash, as an object and as JSON text.
    doc = log.inclusion(7, with_leaf=True)
    del doc["leaf_hash"]
    assert run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, log.write("l.json", doc))[0] == 0
    doc["leaf"] = json.dumps(doc["leaf"], indent=2)
    assert run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, log.write("l2.json", doc))[0] == 0


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(leaf_index=4), "does not lead to the root"),
        (lambda d: d.update(tree_size=6), "checkpoint has size 11"),
        (lambda d: d["proof"].pop(), "must have 4 hashes, got 3"),
        (lambda d: d["proof"].__setitem__(0, "AAAA"), "proof[0] has 3 bytes"),
        (lambda d: d["proof"].__setitem__(0, "not base64!"), "proof[0] is not valid base64"),
        (lambda d: d.update(leaf={"kind": "forged"}), "does not match the hash of 'leaf'"),
        (lambda d: d.update(leaf={"amount": 1.5}), "floats are not allowed"),
        (lambda d: d.pop("leaf_hash"), "needs 'leaf_hash' or 'leaf'"),
        (lambda d: d.update(leaf_index=-1), "non-negative integer"),
    ],
)
def test_inclusion_failures(log: Log, capsys: pytest.CaptureFixture[str], mutate: Any, message: str) -> None:
    doc = log.inclusion(5)
    mutate(doc)
    code, out, err = run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, log.write("bad.json", doc))
    assert code == 1 and out == ""
    assert message in err, err


def test_inclusion_single_byte_corruptions(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    import base64

    doc = log.inclusion(3)
    for i, b64 in enumerate(doc["proof"]):
        raw = bytearray(base64.b64decode(b64))
        raw[len(raw) // 2] ^= 0x01
        bad = json.loads(json.dumps(doc))
        bad["proof"][i] = base64.b64encode(bytes(raw)).decode()
        code, _, _ = run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, log.write("c.json", bad))
        assert code == 1


def test_consistency(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    proof = log.write("cons.json", log.consistency())
    code, out, err = run(capsys, "consistency", "--vkey", log.vkey, log.old, log.new, proof)
    assert code == 0, err
    assert "append-only extension of size 6" in out
    # Reversed order, a forged history, a different log, mismatched sizes.
    code, _, err = run(capsys, "consistency", "--vkey", log.vkey, log.new, log.old, proof)
    assert code == 1 and "larger than new checkpoint" in err
    (log.tmp / "forged").mkdir()
    forged = Log(log.tmp / "forged")
    forged.signer = log.signer  # the log key signs a history that rewrote leaf 2
    forged.leaves[2]["n"] = 99
    forged.hashes = [SHA256.leaf_hash(canonical_json(leaf)) for leaf in forged.leaves]
    forged.store = build_store(SHA256, forged.hashes)
    fake_new = forged.checkpoint(11, "fake.txt")
    code, _, err = run(capsys, "consistency", "--vkey", log.vkey, log.old, fake_new, proof)
    assert code == 1 and "root of size 11" in err
    other = log.checkpoint(11, "other.txt", origin="other.example/log")
    code, _, err = run(capsys, "consistency", "--vkey", log.vkey, log.old, other, proof)
    assert code == 1 and "different logs" in err
    wrong = log.write("w.json", log.consistency(5, 11))
    code, _, err = run(capsys, "consistency", "--vkey", log.vkey, log.old, log.new, wrong)
    assert code == 1 and "old checkpoint has size 6" in err
    same = log.write("same.json", {"proof": []})
    assert run(capsys, "consistency", "--vkey", log.vkey, log.new, log.new, same)[0] == 0


def test_sm3_and_sm2_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = Log(tmp_path, SM3, "sm2")
    inc = log.write("inc.json", log.inclusion(9))
    assert run(capsys, "--hash", "sm3", "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, inc)[0] == 0
    assert run(capsys, "inclusion", "--hash", "sm3", "--vkey", log.vkey, "--checkpoint", log.new, inc)[0] == 0
    code, _, err = run(capsys, "inclusion", "--vkey", log.vkey, "--checkpoint", log.new, inc)
    assert code == 1 and "does not lead to the root" in err  # verified as SHA-256: wrong suite
    cons = log.write("cons.json", log.consistency())
    assert run(capsys, "--hash", "sm3", "consistency", "--vkey", log.vkey, log.old, log.new, cons)[0] == 0


def test_cli_does_not_import_django(log: Log) -> None:
    code = (
        "import sys; from yiwang.ledger.verify_cli import main; "
        f"rc = main(['checkpoint', '--vkey', {log.vkey!r}, {str(log.new)!r}]); "
        "assert 'django' not in sys.modules, 'django imported'; sys.exit(rc)"
    )
    src = Path(__file__).resolve().parents[3]
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr


def test_consistency_from_size_zero_is_refused(log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    """A signed size-0 checkpoint "proves" nothing: the verifier must not report OK for it.

    Before the fix any empty proof from size 0 passed, whatever the old root said.
    """
    signer_cp = Checkpoint(ORIGIN, 0, b"\x42" * 32)  # not even the empty-tree root
    empty = log.write("empty.txt", sign_checkpoint(signer_cp, log.signer))
    proof = log.write("zero.json", {"old_size": 0, "new_size": 11, "proof": []})
    code, out, err = run(capsys, "consistency", "--vkey", log.vkey, empty, log.new, proof)
    assert code == 1 and out == ""
    assert "tree size 0 is meaningless" in err, err
