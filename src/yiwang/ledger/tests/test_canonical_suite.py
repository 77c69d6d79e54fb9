"""Canonical JSON, personal-data commitments, and the hash suites."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.ledger.canonical import (
    MAX_SAFE_INTEGER,
    CanonicalJSONError,
    canonical_json,
    commit_personal,
    new_salt,
    verify_personal,
)
from yiwang.ledger.suite import SHA256, SM3, get_hash_suite


def test_sorted_keys_no_whitespace_utf8() -> None:
    assert canonical_json({"b": [1, True, None], "a": "办事", "c": {"y": False, "x": -3}}) == (
        '{"a":"办事","b":[1,true,null],"c":{"x":-3,"y":false}}'.encode()
    )


def test_rfc8785_key_order_is_utf16() -> None:
    # RFC 8785 §3.2.3 sorting example: U+1F600 sorts before U+FB33 in UTF-16.
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    out = canonical_json({k: 0 for k in keys}).decode("utf-8")
    order = list(json.loads(out))
    assert order == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_string_escaping_matches_jcs() -> None:
    s = '"\\\b\f\n\r\t\x00\x1f\x7f\u2028é'
    assert canonical_json(s) == b'"\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\x7f' + '\u2028é"'.encode("utf-8")


@pytest.mark.parametrize(
    "bad",
    [
        1.0,
        {"a": 0.5},
        [float("nan")],
        {1: "x"},
        MAX_SAFE_INTEGER + 1,
        -(MAX_SAFE_INTEGER + 1),
        b"bytes",
        {"s": "\ud800"},
        {"\udc00": 1},
        {1, 2},
    ],
)
def test_rejects_non_canonical_values(bad: object) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)


def test_float_error_says_where() -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\.payload\.items\[1\]: floats are not allowed"):
        canonical_json({"payload": {"items": [1, 2.5]}})


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.text(),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_canonical_round_trips_and_is_stable(value: object) -> None:
    out = canonical_json(value)
    assert json.loads(out) == value
    assert canonical_json(json.loads(out)) == out


def test_commit_personal() -> None:
    salt = bytes(range(16))
    c = commit_personal("110101199003077777", salt)
    assert len(c) == 64 and c == commit_personal("110101199003077777", salt)
    want = hashlib.sha256(
        b"yiwang/ledger/commit-personal/v1\x00" + b"\x00\x10" + salt + b"110101199003077777"
    ).hexdigest()
    assert c == want
    assert c != commit_personal("110101199003077778", salt)
    assert c != commit_personal("110101199003077777", bytes(range(1, 17)))
    assert verify_personal("110101199003077777", salt, c.upper())
    assert not verify_personal("x", salt, c)
    assert len(new_salt()) == 32 and new_salt() != new_salt()
    with pytest.raises(ValueError, match="salt"):
        commit_personal("x", b"short")


def test_hash_suites() -> None:
    assert get_hash_suite("SHA256") is SHA256 and get_hash_suite("sm3") is SM3
    with pytest.raises(ValueError, match="unknown hash suite"):
        get_hash_suite("md5")
    # GB/T 32905-2016 appendix A examples.
    assert SM3.hash(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert SM3.hash(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert SHA256.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert SM3.node_hash(b"l", b"r") == SM3.hash(b"\x01lr")
    assert SM3.empty_root() == SM3.hash(b"")


def test_sm3_gmssl_fallback_matches_openssl() -> None:
    from gmssl import sm3 as gm_sm3  # type: ignore[import-untyped]

    for data in [b"", b"abc", bytes(range(256)) * 3]:
        assert bytes.fromhex(gm_sm3.sm3_hash(list(data))) == SM3.hash(data)
