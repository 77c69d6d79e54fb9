"""Signed notes and checkpoints: Go interop vectors, round trips, tampering, SM2."""

# ruff: noqa: S603, S607  (the SM2 interop test drives the local openssl CLI)

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from yiwang.ledger.note import (
    SM2_KEY_TYPE,
    Checkpoint,
    InvalidSignatureError,
    KeyFormatError,
    MalformedNoteError,
    NoteError,
    UnverifiedNoteError,
    format_checkpoint,
    generate_key,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_skey,
    parse_vkey,
    sign_checkpoint,
    sign_note,
)
from yiwang.ledger.suite import SM2Signer, SM2Verifier

from .helpers import load_vectors

GO = load_vectors("go_signed_note.json")
ROOT = bytes(range(32))


def test_go_sign_vector_is_reproduced_exactly() -> None:
    signer = parse_skey(GO["peter_skey"])
    assert signer.vkey() == GO["peter_vkey"]
    assert signer.key_id == 0xC74F20A3
    assert sign_note(GO["text"], signer) == GO["text"] + "\n" + GO["peter_sig_line"]


def test_go_open_vectors() -> None:
    peter, enoch = parse_vkey(GO["peter_vkey"]), parse_vkey(GO["enoch_vkey"])
    msg = GO["text"] + "\n" + GO["peter_sig_line"] + GO["enoch_sig_line"]
    note = open_note(msg, [peter])
    assert note.text == GO["text"]
    assert [(s.name, s.key_id) for s in note.sigs] == [("PeterNeumann", 0xC74F20A3)]
    assert [(s.name, s.key_id) for s in note.unverified_sigs] == [("EnochRoot", 0xAF0CFE78)]
    both = open_note(msg.encode("utf-8"), [peter, enoch])
    assert len(both.sigs) == 2 and not both.unverified_sigs
    with pytest.raises(UnverifiedNoteError, match="no signature from a trusted key"):
        open_note(msg, [])
    with pytest.raises(NoteError, match="ambiguous"):
        open_note(GO["text"] + "\n" + GO["enoch_sig_line"], [enoch, peter, enoch])
    with pytest.raises(MalformedNoteError):
        open_note(GO["text"] + "\n" + GO["peter_sig_line"] * 101, [peter])
    sig = GO["peter_sig_line"]
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(GO["text"] + "\n" + sig[:60] + "ABCD" + sig[60:], [peter])


@pytest.mark.parametrize(
    "msg",
    [
        "{text}",
        "{text}\n",
        "{text}\n{sig_no_nl}",
        "\x01{text}\n{sig}",
        "{text}\n— Bad Name {b64}",
        "{text}\n{sig}Unexpected line.\n",
        "{text}\n- PeterNeumann {b64}\n",
    ],
)
def test_go_malformed_notes(msg: str) -> None:
    sig = GO["peter_sig_line"]
    b64 = sig.split(" ")[2].strip()
    full = msg.format(text=GO["text"], sig=sig, sig_no_nl=sig[:-1], b64=b64)
    with pytest.raises(MalformedNoteError):
        open_note(full, [parse_vkey(GO["peter_vkey"])])
    with pytest.raises(MalformedNoteError):
        open_note(b"\xff" + full.encode(), [parse_vkey(GO["peter_vkey"])])


def test_go_vkey_manglings_are_rejected() -> None:
    vkey = GO["peter_vkey"]
    for i in range(len(vkey) + 1):
        for j in range(i + 1, len(vkey) + 1):
            if (i, j) != (0, len(vkey)):
                with pytest.raises(KeyFormatError):
                    parse_vkey(vkey[i:j])
    for i in range(len(vkey)):
        mangled = vkey[:i] + chr(ord(vkey[i]) + 1) + vkey[i + 1 :]
        with pytest.raises(KeyFormatError):
            parse_vkey(mangled)
    for bad in GO["bad_vkeys"]:
        with pytest.raises(KeyFormatError):
            parse_vkey(bad)


def test_key_id_formula() -> None:
    raw = base64.b64decode(GO["peter_vkey"].split("+", 2)[2])
    assert key_id("PeterNeumann", raw) == 0xC74F20A3


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2"])
def test_checkpoint_round_trip(algorithm: str) -> None:
    skey, vkey = generate_key("gov.example/yiwang/log", algorithm)
    signer = parse_skey(skey)
    assert signer.vkey() == vkey and parse_skey(signer.skey()).key_id == signer.key_id
    cp = Checkpoint("gov.example/yiwang/log", 12345, ROOT, ("ext one",))
    signed = sign_checkpoint(cp, signer)
    assert signed.startswith("gov.example/yiwang/log\n12345\n" + base64.b64encode(ROOT).decode() + "\next one\n\n— ")
    assert open_checkpoint(signed, vkey) == cp
    assert open_checkpoint(signed, [parse_vkey(vkey)], origin=cp.origin) == cp
    with pytest.raises(NoteError, match="expected 'other'"):
        open_checkpoint(signed, vkey, origin="other")
    # Tampered body: every change to the signed text is caught.
    tampered = signed.replace("12345", "12346", 1)
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(tampered, vkey)
    # Wrong key with the same name: unknown key id, so "no trusted signature".
    _, other = generate_key("gov.example/yiwang/log", algorithm)
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(signed, other)


def test_wrong_key_with_colliding_id_is_rejected() -> None:
    """A verifier with the right name and key id but another key must fail."""
    skey, vkey = generate_key("log")
    signed = sign_checkpoint(Checkpoint("log", 1, ROOT), parse_skey(skey))
    real = parse_vkey(vkey)
    _, other_vkey = generate_key("log")
    impostor = type(real)(real.name, real.key_id, real.key_type, parse_vkey(other_vkey).verifier)
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(signed, [impostor])


def test_witness_cosignature_is_ignored_when_unknown() -> None:
    log_skey, log_vkey = generate_key("log")
    wit_skey, wit_vkey = generate_key("witness.example")
    signed = sign_checkpoint(Checkpoint("log", 3, ROOT), parse_skey(log_skey), parse_skey(wit_skey))
    assert open_checkpoint(signed, log_vkey).size == 3
    assert len(open_note(signed, [log_vkey, wit_vkey]).sigs) == 2


@pytest.mark.parametrize(
    "body",
    [
        "origin\n12\n",
        "\n12\n{root}\n",
        "origin\n012\n{root}\n",
        "origin\n-1\n{root}\n",
        "origin\n18446744073709551616\n{root}\n",
        "origin\n12\n{root}",
        "origin\n12\nAAAA\n",
        "origin\n12\n{root}\n\next\n",
        "origin\n12\n{root_nopad}\n",
        "origin\n1 2\n{root}\n",
    ],
)
def test_malformed_checkpoint_bodies(body: str) -> None:
    b64 = base64.b64encode(ROOT).decode()
    text = body.format(root=b64, root_nopad=b64.rstrip("="))
    with pytest.raises(MalformedNoteError):
        parse_checkpoint(text)


def test_format_checkpoint_validates() -> None:
    assert parse_checkpoint(format_checkpoint(Checkpoint("o", 0, ROOT))) == Checkpoint("o", 0, ROOT)
    with pytest.raises(MalformedNoteError):
        format_checkpoint(Checkpoint("o", 1, ROOT, ("",)))
    with pytest.raises(MalformedNoteError):
        format_checkpoint(Checkpoint("o\nx", 1, ROOT))


def test_key_validation() -> None:
    with pytest.raises(KeyFormatError):
        generate_key("bad name")
    with pytest.raises(KeyFormatError):
        generate_key("a+b")
    with pytest.raises(KeyFormatError):
        generate_key("log", "rsa")
    skey, _ = generate_key("log")
    with pytest.raises(KeyFormatError, match="PRIVATE\\+KEY"):
        parse_skey(skey[len("PRIVATE+KEY+") :])
    with pytest.raises(KeyFormatError, match="key id"):
        parse_skey(skey.replace("+log+", "+log2+"))
    with pytest.raises(MalformedNoteError):
        sign_note("no newline", parse_skey(skey))


def test_sm2_vkey_layout_and_point_check() -> None:
    signer = SM2Signer.generate()
    _, vkey = generate_key("sm2log", "sm2")
    raw = base64.b64decode(vkey.split("+", 2)[2])
    assert raw.startswith(SM2_KEY_TYPE) and len(raw) == len(SM2_KEY_TYPE) + 65
    assert signer.verifier().verify(b"m", signer.sign(b"m"))
    assert not signer.verifier().verify(b"m", b"\x00" * 64)
    assert not signer.verifier().verify(b"m2", signer.sign(b"m"))
    pub = bytearray(signer.public_key_bytes())
    pub[-1] ^= 1
    with pytest.raises(ValueError, match="not a point"):
        SM2Verifier(bytes(pub))


def _openssl_sm2_ok() -> bool:
    if not shutil.which("openssl"):
        return False
    r = subprocess.run(["openssl", "ecparam", "-list_curves"], capture_output=True, text=True)
    return "SM2" in r.stdout


# OpenSSL 3.0's pkeyutl does not default to the GM/T 0009 user ID; pass it explicitly.
DISTID = ["-pkeyopt", "distid:1234567812345678"]


@pytest.mark.skipif(not _openssl_sm2_ok(), reason="openssl CLI with SM2 not available")
def test_sm2_interoperates_with_openssl(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.utils import (
        decode_dss_signature,
        encode_dss_signature,
    )

    key = tmp_path / "k.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(key)],
        check=True,
        capture_output=True,
    )
    pub_pem = tmp_path / "pub.pem"
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub_pem)], check=True)
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-outform", "DER"], check=True, capture_output=True
    ).stdout
    # SEC1 ECPrivateKey: version 1, then OCTET STRING(32) holding the private scalar.
    d = der[der.index(b"\x02\x01\x01\x04\x20") + 5 :][:32]
    signer = SM2Signer(d)
    msg = tmp_path / "msg"
    msg.write_bytes(b"checkpoint body\n")

    sig = signer.sign(msg.read_bytes())
    (tmp_path / "ours.der").write_bytes(
        encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    )
    ok = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-in",
            str(msg),
            "-sigfile",
            str(tmp_path / "ours.der"),
            "-pubin",
            "-inkey",
            str(pub_pem),
            "-rawin",
            "-digest",
            "sm3",
            *DISTID,
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr

    theirs = subprocess.run(
        ["openssl", "pkeyutl", "-sign", "-in", str(msg), "-inkey", str(key), "-rawin", "-digest", "sm3", *DISTID],
        check=True,
        capture_output=True,
    ).stdout
    r, s = decode_dss_signature(theirs)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert signer.verifier().verify(msg.read_bytes(), raw)
