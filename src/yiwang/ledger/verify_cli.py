"""``yiwang-verify``: check ledger checkpoints and proofs offline.

Needs neither Django nor a database, so it can be handed to citizens and
auditors as-is.  Exit status: 0 = verified, 1 = verification failed or an
input could not be read/parsed (message on stderr), 2 = bad command line
(argparse).

Examples::

    yiwang-verify checkpoint --vkey "$VKEY" checkpoint.txt
    yiwang-verify inclusion --vkey "$VKEY" --checkpoint checkpoint.txt proof.json
    yiwang-verify consistency --vkey "$VKEY" old.txt new.txt proof.json
    yiwang-verify --hash sm3 inclusion --vkey-file keys.txt --checkpoint cp.txt -
    yiwang-verify license --vkey-file issuer.vkey --status-file status.json \
        --proof-file proof.json --log-vkey-file log.vkey qr.txt
    yiwang-verify draw --vkey-file log.vkey --checkpoint seed-checkpoint.txt draw.json

``license`` checks an e-license's QR text (docs/licenses.md): the issuer's signature, the
validity window on --today, and, given the saved status (GET /api/v1/licenses/status/<id>)
and the inclusion proof of its ledger entry (GET /api/v1/ledger/entries/<id>/proof) with the
log key, that the status is "valid" and proven in the signed log.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from .draw import DrawError, check_record
from .license_note import LicenseNoteError, open_license_note
from .merkle import VerificationError
from .note import Checkpoint, NoteError, NoteVerifier, open_note, parse_checkpoint, parse_vkey
from .suite import HashSuite, SuiteUnavailableError, get_hash_suite
from .verify import (
    check_consistency,
    check_inclusion,
    parse_consistency_json,
    parse_inclusion_json,
)

__all__ = ["main"]


class _Failure(Exception):
    """Anything that should end the run with exit status 1."""


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from None


def _verifiers(args: argparse.Namespace, files: list[str] | None = None) -> list[NoteVerifier]:
    specs: list[str] = list(args.vkey or []) if files is None else []
    for path in (args.vkey_file or []) if files is None else files:
        text = _read(path).decode("utf-8", errors="replace")
        specs += [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not specs:
        raise _Failure("no trusted key given: use --vkey or --vkey-file")
    out = []
    for spec in specs:
        try:
            out.append(parse_vkey(spec))
        except NoteError as exc:
            raise _Failure(f"bad verifier key: {exc}") from None
    return out


def _checkpoint(path: str, verifiers: list[NoteVerifier], args: argparse.Namespace) -> tuple[Checkpoint, str]:
    suite: HashSuite = args.suite
    try:
        note = open_note(_read(path), verifiers)
        cp = parse_checkpoint(note.text, hash_size=suite.digest_size)
    except NoteError as exc:
        raise _Failure(f"checkpoint {path}: {exc}") from None
    if args.origin is not None and cp.origin != args.origin:
        raise _Failure(f"checkpoint {path} is for origin {cp.origin!r}, expected {args.origin!r}")
    signed_by = ", ".join(f"{s.name}+{s.key_id:08x}" for s in note.sigs)
    return cp, signed_by


def _json(path: str) -> Any:
    try:
        return json.loads(_read(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _Failure(f"{path} is not valid JSON: {exc}") from None


def _describe(cp: Checkpoint) -> str:
    root = base64.b64encode(cp.root_hash).decode("ascii")
    return f"{cp.origin} size {cp.size} root {root}"


def _cmd_checkpoint(args: argparse.Namespace) -> str:
    cp, signed_by = _checkpoint(args.checkpoint, _verifiers(args), args)
    return f"checkpoint {_describe(cp)} signed by {signed_by}"


def _cmd_inclusion(args: argparse.Namespace) -> str:
    cp, _ = _checkpoint(args.checkpoint, _verifiers(args), args)
    proof = parse_inclusion_json(args.suite, _json(args.proof))
    check_inclusion(args.suite, cp, proof)
    return f"leaf {proof.leaf_index} (hash {proof.leaf_hash.hex()}) is included in {_describe(cp)}"


def _cmd_consistency(args: argparse.Namespace) -> str:
    verifiers = _verifiers(args)
    old, _ = _checkpoint(args.old_checkpoint, verifiers, args)
    new, _ = _checkpoint(args.new_checkpoint, verifiers, args)
    check_consistency(args.suite, old, new, parse_consistency_json(_json(args.proof)))
    return f"{_describe(new)} is an append-only extension of size {old.size}"


def _license_status(args: argparse.Namespace, identifier: str) -> str:
    """The saved status: its ledger proof (when given) must prove exactly this status."""
    status = _json(args.status_file)
    if not isinstance(status, dict) or status.get("identifier") != identifier:
        raise _Failure(f"status file {args.status_file} is not the status of {identifier}")
    if args.proof_file:
        if not args.log_vkey_file:
            raise _Failure("--proof-file needs --log-vkey-file (the ledger's verifier key)")
        proof = _json(args.proof_file)
        if not isinstance(proof, dict) or not isinstance(proof.get("checkpoint"), str):
            raise _Failure(f"{args.proof_file} is not an inclusion proof with its checkpoint")
        try:
            note = open_note(proof["checkpoint"], _verifiers(args, args.log_vkey_file))
            cp = parse_checkpoint(note.text, hash_size=args.suite.digest_size)
        except NoteError as exc:
            raise _Failure(f"checkpoint of {args.proof_file}: {exc}") from None
        check_inclusion(args.suite, cp, parse_inclusion_json(args.suite, proof))
        payload = proof.get("leaf", {}).get("payload", {}) if isinstance(proof.get("leaf"), dict) else {}
        if payload.get("identifier") != identifier or payload.get("status") != status.get("status"):
            raise _Failure("the proven ledger entry does not record this license's status")
    label = status.get("status_label") or status.get("status")
    if status.get("status") != "valid":
        raise _Failure(f"license {identifier} is {status.get('status')} ({label}) since {status.get('since')}")
    return f"; status valid{' (proven in the ledger)' if args.proof_file else ''}"


def _cmd_license(args: argparse.Namespace) -> str:
    try:
        note = open_license_note(_read(args.qr), _verifiers(args))
    except LicenseNoteError as exc:
        raise _Failure(f"license payload {args.qr}: {exc}") from None
    today = args.today or dt.date.today()
    if not note.valid_on(today):
        until = note.valid_until or "长期"
        raise _Failure(f"license {note.identifier} is not valid on {today} (valid {note.valid_from} to {until})")
    status = _license_status(args, note.identifier) if args.status_file else ""
    return f"license {note.identifier} signed by the issuer, valid on {today}{status}"


def _cmd_draw(args: argparse.Namespace) -> str:
    """Re-run a published expert-panel draw (docs/reviews.md) from its record and the signed
    checkpoint that seeded it; with the request's inclusion proof in the record, also check
    that the eligible list was fixed in the log before that checkpoint."""
    cp, _ = _checkpoint(args.checkpoint, _verifiers(args), args)
    record = _json(args.record)
    request = record.get("request") if isinstance(record, dict) else None
    proven = ""
    if isinstance(request, dict) and isinstance(request.get("proof"), dict):
        proof = request["proof"]
        check_inclusion(args.suite, cp, parse_inclusion_json(args.suite, proof))
        leaf: dict[str, Any] = proof["leaf"] if isinstance(proof.get("leaf"), dict) else {}
        payload: dict[str, Any] = leaf["payload"] if isinstance(leaf.get("payload"), dict) else {}
        if payload.get("panel") != record.get("panel") or payload.get("eligible_digest") != request.get(
            "eligible_digest"
        ):
            raise _Failure("the proven request entry does not fix this panel's eligible list")
        if proof.get("leaf_index") != request.get("leaf_index"):
            raise _Failure("the request's inclusion proof is for another leaf")
        proven = "; request entry proven in the checkpoint"
    try:
        result = check_record(record, tree_size=cp.size, root_hash=cp.root_hash)
    except DrawError as exc:
        raise _Failure(f"draw record {args.record}: {exc}") from None
    return (
        f"draw {result.panel} reproduced from {_describe(cp)}: seed {result.seed}, "
        f"ranking of {len(result.ranking)}, panel {len(result.members)}, {result.revealed} salts opened, "
        f"{result.opinions} signed opinions verified{proven}"
    )


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vkey",
        action="append",
        metavar="VKEY",
        help="trusted verifier key <name>+<id>+<base64> (repeatable)",
    )
    common.add_argument(
        "--vkey-file",
        action="append",
        metavar="FILE",
        help="file with one verifier key per line (repeatable)",
    )
    common.add_argument("--origin", help="require checkpoints to be for this log origin")
    common.add_argument(
        "--hash",
        default=None,
        choices=["sha256", "sm3"],
        help="Merkle tree hash of the log (default sha256)",
    )

    p = argparse.ArgumentParser(
        prog="yiwang-verify",
        description="Verify yiwang ledger checkpoints and Merkle proofs offline.",
    )
    p.add_argument(
        "--hash",
        dest="top_hash",
        default="sha256",
        choices=["sha256", "sm3"],
        help="Merkle tree hash of the log (default sha256)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("checkpoint", parents=[common], help="verify a signed checkpoint")
    c.add_argument("checkpoint", help="signed checkpoint file ('-' for stdin)")
    c.set_defaults(func=_cmd_checkpoint)

    i = sub.add_parser("inclusion", parents=[common], help="verify an inclusion proof")
    i.add_argument("--checkpoint", required=True, help="signed checkpoint file")
    i.add_argument("proof", help="inclusion proof JSON file ('-' for stdin)")
    i.set_defaults(func=_cmd_inclusion)

    k = sub.add_parser("consistency", parents=[common], help="verify a consistency proof")
    k.add_argument("old_checkpoint", help="older signed checkpoint file")
    k.add_argument("new_checkpoint", help="newer signed checkpoint file")
    k.add_argument("proof", help="consistency proof JSON file ('-' for stdin)")
    k.set_defaults(func=_cmd_consistency)

    lic = sub.add_parser("license", parents=[common], help="verify an e-license QR text (issuer key in --vkey*)")
    lic.add_argument("--status-file", help="saved JSON of GET /api/v1/licenses/status/<identifier>")
    lic.add_argument("--proof-file", help="saved JSON of GET /api/v1/ledger/entries/<ledger_entry_id>/proof")
    lic.add_argument("--log-vkey-file", action="append", metavar="FILE", help="the ledger's verifier key file")
    lic.add_argument("--today", type=_day, help="check the validity window on this day (default: today)")
    lic.add_argument("qr", help="the QR text, a signed note ('-' for stdin)")
    lic.set_defaults(func=_cmd_license)

    d = sub.add_parser("draw", parents=[common], help="re-run an expert-panel draw from its public record")
    d.add_argument("--checkpoint", required=True, help="the signed checkpoint that seeded the draw")
    d.add_argument("record", help="the draw record JSON (GET /reviews/draws/<ref>.json; '-' for stdin)")
    d.set_defaults(func=_cmd_draw)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        args.suite = get_hash_suite(args.hash or args.top_hash)
        message = args.func(args)
    except (_Failure, VerificationError, NoteError, LicenseNoteError, SuiteUnavailableError) as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {message}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
