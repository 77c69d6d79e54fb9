"""The database as the Merkle tree's node store (see merkle.py for the node layout)."""

from collections.abc import Mapping

from django.db.models import Q

from yiwang.ledger.merkle import NodeKey
from yiwang.ledger.models import Node


class DatabaseNodeReader:
    """Reads stored perfect-subtree roots: O(log n) keys per proof, one query."""

    def get_nodes(self, keys: list[NodeKey]) -> Mapping[NodeKey, bytes]:
        if not keys:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, index in keys:
            by_level.setdefault(level, []).append(index)
        query = Q()
        for level, indexes in by_level.items():
            query |= Q(level=level, index__in=indexes)
        return {(n.level, n.index): bytes(n.hash) for n in Node.objects.filter(query).only("level", "index", "hash")}
