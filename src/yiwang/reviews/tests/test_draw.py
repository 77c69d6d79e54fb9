"""The draw algorithm (ledger.draw), alone: determinism, fairness-relevant properties, records."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.ledger import draw

commitments = st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=30, unique=True).map(
    lambda xs: [hashlib.sha256(x).hexdigest() for x in xs]
)
roots = st.binary(min_size=32, max_size=32)


@given(commitments, roots, st.integers(min_value=1, max_value=10**9), st.randoms())
def test_the_ranking_is_a_permutation_fixed_by_seed_whatever_the_input_order(cs, root, size, rnd) -> None:  # type: ignore[no-untyped-def]
    seed = draw.seed_of("PS-1-1", size, root)
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    ranking = draw.rank(seed, cs)
    assert ranking == draw.rank(seed, shuffled)
    assert sorted(ranking) == sorted(cs)


@given(commitments, roots)
def test_the_seed_depends_on_panel_size_and_root(cs, root) -> None:  # type: ignore[no-untyped-def]
    seeds = {
        draw.seed_of("PS-1-1", 5, root),
        draw.seed_of("PS-1-2", 5, root),
        draw.seed_of("PS-1-1", 6, root),
        draw.seed_of("PS-1-1", 5, bytes(32) if root != bytes(32) else b"\x01" * 32),
    }
    assert len(seeds) == 4


@given(
    st.integers(min_value=1, max_value=5),
    st.lists(st.sampled_from(["invited", "accepted", "declined", "expired", "signed"]), max_size=12),
    st.integers(min_value=0, max_value=12),
)
def test_replacements_extend_the_invited_prefix(size, statuses, eligible) -> None:  # type: ignore[no-untyped-def]
    n = draw.invited_prefix_length(size, statuses, eligible)
    assert n == min(eligible, size + statuses.count("declined") + statuses.count("expired"))


def _record(n: int = 5, size: int = 2) -> tuple[dict, bytes, list[tuple[str, bytes]]]:
    openings = [(f"ZJ-{i:04d}", bytes([i]) * 16) for i in range(1, n + 1)]
    eligible = sorted(draw.commitment(code, salt) for code, salt in openings)
    root = hashlib.sha256(b"root").digest()
    seed = draw.seed_of("PS-X-1", 9, root)
    ranking = draw.rank(seed, eligible)
    record = {
        "format": draw.RECORD_FORMAT,
        "algorithm": draw.ALGORITHM,
        "panel": "PS-X-1",
        "size": size,
        "request": {"leaf_index": 7, "eligible_digest": draw.eligible_digest(eligible)},
        "eligible": eligible,
        "excluded": [],
        "seed_source": {"tree_size": 9, "root_hash": root.hex()},
        "seed": seed.hex(),
        "ranking": ranking,
        "invitations": [
            {"commitment": ranking[0], "status": "declined"},
            {"commitment": ranking[1], "status": "signed"},
            {"commitment": ranking[2], "status": "accepted"},
        ],
        "revealed": {draw.commitment(c, s): {"code": c, "salt": s.hex()} for c, s in openings},
    }
    return record, root, openings


def test_a_record_is_reproduced_and_every_tampering_is_caught() -> None:
    record, root, _ = _record()
    result = draw.check_record(record, tree_size=9, root_hash=root)
    assert result.members == record["ranking"][1:3] and result.revealed == 5
    with pytest.raises(draw.DrawError, match="not by the given checkpoint"):
        draw.check_record(record, tree_size=10, root_hash=root)
    for key, value, message in [
        ("ranking", list(reversed(record["ranking"])), "ranking differs"),
        ("seed", "00" * 32, "seed mismatch"),
        ("invitations", [{"commitment": record["ranking"][1], "status": "accepted"}], "prefix"),
        ("eligible", record["eligible"][:-1], "digest"),
    ]:
        with pytest.raises(draw.DrawError, match=message):
            draw.check_record({**record, key: value}, tree_size=9, root_hash=root)
    first = record["ranking"][0]
    forged = {**record["revealed"], first: {"code": "ZJ-9999", "salt": "00" * 16}}
    with pytest.raises(draw.DrawError, match="does not open"):
        draw.check_record({**record, "revealed": forged}, tree_size=9, root_hash=root)
    # The request entry must be in the seeding tree.
    with pytest.raises(draw.DrawError, match="does not hold the request"):
        draw.check_record({**record, "request": {**record["request"], "leaf_index": 9}}, tree_size=9, root_hash=root)
