"""The database as the Merkle tree's node store (see merkle.py for the node layout).

Level-0 nodes are the leaf hashes, which the entry rows already hold (by leaf_index), so
only interior nodes (level ≥ 1) are stored in `ledger_node`: about n rows for n entries —
except the few leaf hashes of an archived month that proofs and the audit still need
(the archive's frontier and each checkpoint's edge), which archiving keeps at level 0.
Reads are one raw SQL statement per table: a proof needs O(log n) keys and the ORM's query
building would cost more than the database does.
"""

from collections.abc import Iterable, Mapping

from django.db import connection

from yiwang.ledger.merkle import NodeKey
from yiwang.ledger.models import Entry, Node

_NODE_TABLE = Node._meta.db_table
_ENTRY_TABLE = Entry._meta.db_table


class DatabaseNodeReader:
    """Reads stored perfect-subtree roots and leaf hashes in one round trip."""

    def get_nodes(self, keys: list[NodeKey]) -> Mapping[NodeKey, bytes]:
        if not keys:
            return {}
        leaves = [index for level, index in keys if level == 0]
        interior: dict[int, list[int]] = {}
        for level, index in keys:
            if level:
                interior.setdefault(level, []).append(index)
        parts, params = [], []
        if leaves:
            marks = ", ".join(["%s"] * len(leaves))
            parts.append(f"SELECT 0, leaf_index, leaf_hash FROM {_ENTRY_TABLE} WHERE leaf_index IN ({marks})")  # noqa: S608
            params += leaves
            # An archived month's entries are gone; the few leaf hashes proofs still need from it
            # (at each checkpoint's and the archive's edge) were kept as level-0 nodes (archive.py).
            parts.append(f'SELECT 0, "index", hash FROM {_NODE_TABLE} WHERE level = 0 AND "index" IN ({marks})')  # noqa: S608
            params += leaves
        if interior:
            clauses = []
            for level, indexes in interior.items():
                clauses.append(f'(level = %s AND "index" IN ({", ".join(["%s"] * len(indexes))}))')
                params += [level, *indexes]
            parts.append(f'SELECT level, "index", hash FROM {_NODE_TABLE} WHERE {" OR ".join(clauses)}')  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return {(level, index): bytes(h) for level, index, h in cursor.fetchall()}


def nodes_store(nodes: Iterable[tuple[NodeKey, bytes]]) -> None:
    """Insert interior nodes (level-0 nodes live in the entry rows and are skipped)."""
    rows = [(level, index, h) for (level, index), h in nodes if level]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement for the whole batch: arrays travel as three parameters.
            levels, indexes, hashes = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f'INSERT INTO {_NODE_TABLE} (level, "index", hash) '  # noqa: S608 - fixed identifiers
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[])",
                [levels, indexes, hashes],
            )
        else:
            cursor.executemany(f'INSERT INTO {_NODE_TABLE} (level, "index", hash) VALUES (%s, %s, %s)', rows)  # noqa: S608
