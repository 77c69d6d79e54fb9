"""The single integrator: sequences pending entries, stores nodes, signs a checkpoint.

One batch is one transaction: lock the log head, take the oldest committed pending entries,
give them consecutive leaf indices, store every newly completed interior node and sign a
checkpoint for the new size. Its state is the log head plus the O(log n) frontier nodes, so
its memory does not grow with the log. Entries that commit while a batch runs are simply
picked up by the next batch.
"""

import datetime as dt
from typing import Any

from django.db import connection, transaction

from yiwang.core import clock
from yiwang.ledger.config import log_hash_suite, log_origin, log_signer
from yiwang.ledger.merkle import TreeAppender
from yiwang.ledger.models import Checkpoint, Entry, LogHead
from yiwang.ledger.note import Checkpoint as CheckpointBody
from yiwang.ledger.note import sign_checkpoint
from yiwang.ledger.store import DatabaseNodeReader, nodes_store

DEFAULT_BATCH = 20000


def ledger_integrate_batch(*, batch_size: int = DEFAULT_BATCH) -> int:
    """Integrate up to `batch_size` pending entries; returns how many were integrated."""
    suite = log_hash_suite()
    with transaction.atomic(durable=True):
        LogHead.objects.get_or_create(id=1)
        head = LogHead.objects.select_for_update().get(id=1)
        pending = list(
            Entry.objects.filter(leaf_index__isnull=True).order_by("id").values_list("id", "leaf_hash")[:batch_size]
        )
        if not pending:
            return 0
        size = head.tree_size
        appender = TreeAppender.from_reader(suite, DatabaseNodeReader(), size)
        result = appender.append(bytes(h) for _, h in pending)
        now = clock.now()
        _assign_indexes([entry_id for entry_id, _ in pending], first_index=size, at=now)
        nodes_store(result.new_nodes)
        note = sign_checkpoint(CheckpointBody(log_origin(), result.size, result.root), log_signer())
        Checkpoint.objects.create(tree_size=result.size, root_hash=result.root, note=note, created_at=now)
        head.tree_size = result.size
        head.save(update_fields=["tree_size"])
        return len(pending)


def ledger_integrate(*, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None) -> int:
    """Integrate until nothing is pending (or `max_batches` ran); returns the total."""
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        done = ledger_integrate_batch(batch_size=batch_size)
        total += done
        batches += 1
        if done < batch_size:
            break
    return total


def _assign_indexes(entry_ids: list[int], *, first_index: int, at: dt.datetime) -> None:
    """Set leaf_index = first_index + position for the batch, in as few statements as possible."""
    table = Entry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS e SET leaf_index = v.idx, integrated_at = %s "  # noqa: S608 - fixed identifiers
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, idx) WHERE e.id = v.id",
                [at, entry_ids, list(range(first_index, first_index + len(entry_ids)))],
            )
            return
        for start in range(0, len(entry_ids), 1000):
            chunk = entry_ids[start : start + 1000]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            params: list[Any] = []
            for offset, entry_id in enumerate(chunk, start=first_index + start):
                params += [entry_id, offset]
            cursor.execute(
                f"WITH v(id, idx) AS (VALUES {values}) "  # noqa: S608 - fixed identifiers
                f"UPDATE {table} SET leaf_index = (SELECT idx FROM v WHERE v.id = {table}.id), integrated_at = %s "
                "WHERE id IN (SELECT id FROM v)",
                [*params, at],
            )
