"""Monthly native PostgreSQL partitioning of the append-only tables (ADR 0034).

`partition_table` turns a plain table into `PARTITION BY RANGE (<time column>)` with one
partition per month (`<table>_pYYYYMM`) and a DEFAULT partition; `unpartition_table` undoes
it. Both copy the rows inside the migration's transaction and keep what Django relies on:
the column definitions, the `id` identity (restarted where the old one stood), the foreign
keys *from* the table, every index under its own name. The primary key becomes
`(id, <time column>)` — PostgreSQL wants the partition key in every unique index — while
Django keeps `id` as its pk; ids stay unique because only the identity hands them out.
So a unique index without the time column and a foreign key *into* the table cannot be
kept: the converter refuses the first (the model must drop it first) and the referencing
models declare `db_constraint=False`.

`partitions_ensure` creates the coming months (idempotent) and moves rows that fell into
DEFAULT to their month; `partitions_list` reports them. On SQLite nothing is partitioned:
`partitioned_tables()` is empty and the commands say so.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, migrations, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from yiwang.core import clock

DEFAULT_SUFFIX = "_default"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class PartitionInfo:
    table: str
    name: str
    start: dt.date | None  # None: the DEFAULT partition
    end: dt.date | None
    rows: int

    @property
    def range_label(self) -> str:
        if self.start is None or self.end is None:
            return "DEFAULT"
        return f"[{self.start:%Y-%m-%d}, {self.end:%Y-%m-%d})"


def is_postgresql(conn: BaseDatabaseWrapper | None = None) -> bool:
    return (conn or connection).vendor == "postgresql"


def partitioned_tables(conn: BaseDatabaseWrapper | None = None) -> dict[str, str]:
    """Every partitioned table of the schema and its partition column (empty on SQLite)."""
    conn = conn or connection
    if not is_postgresql(conn):
        return {}
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] ORDER BY c.relname"
        )
        return dict(cursor.fetchall())


def partitions_of(table: str, *, count_rows: bool = True) -> list[PartitionInfo]:
    """The partitions of `table`, oldest first, DEFAULT last, with their row counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
        found = []
        for name, bound in cursor.fetchall():
            rows = 0
            if count_rows:
                cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 - a catalogue name
                rows = cursor.fetchone()[0]
            start, end = _parse_bound(bound)
            found.append(PartitionInfo(table, name, start, end, rows))
    return sorted(found, key=lambda p: (p.start is None, p.start or dt.date.min))


def _parse_bound(bound: str) -> tuple[dt.date | None, dt.date | None]:
    # "FOR VALUES FROM ('2026-11-01 00:00:00+08') TO ('2026-12-01 00:00:00+08')" or "DEFAULT"
    if bound.strip() == "DEFAULT":
        return None, None
    parts = bound.split("'")
    return _local_day(parts[1]), _local_day(parts[3])


def _local_day(text: str) -> dt.date:
    return timezone.localtime(dt.datetime.fromisoformat(text)).date()


def _create_month(cursor: CursorWrapper, table: str, month: dt.date) -> bool:
    """Create `table`'s partition for `month` unless it exists; True if created."""
    name = partition_name(table, month)
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cursor.fetchone()[0]:
        return False
    cursor.execute(
        f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)",
        [local_midnight(month), local_midnight(next_month(month))],
    )
    return True


def local_midnight(month: dt.date) -> dt.datetime:
    """Months begin at local midnight (the platform's time zone): what people call a month."""
    return timezone.make_aware(dt.datetime.combine(month, dt.time()))


def partition_table(conn: BaseDatabaseWrapper, table: str, column: str, *, months_ahead: int = 3) -> None:
    """Convert `table` (plain) into monthly range partitions on `column`; no-op off PostgreSQL."""
    if not is_postgresql(conn) or table in partitioned_tables(conn):
        return
    old = f"{table}__plain"
    with conn.cursor() as cursor:
        indexes, foreign_keys = _definitions(cursor, table)
        for name, sql, unique in indexes:
            if unique and f"({column}" not in sql and f", {column}" not in sql:
                raise RuntimeError(f"{table}: unique index {name} lacks {column}; drop it in the model first")
        next_id = _next_identity(cursor, table)
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(column)})"
        )
        cursor.execute(f"SELECT min({_q(column)}) FROM {_q(old)}")  # noqa: S608 - catalogue names
        oldest = cursor.fetchone()[0]
        first = month_start(clock.today() if oldest is None else timezone.localtime(oldest).date())
        _months(cursor, table, first, months_ahead)
        cursor.execute(f"CREATE TABLE {_q(table + DEFAULT_SUFFIX)} PARTITION OF {_q(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {_q(old)}")
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id, {_q(column)})")
        _restore(cursor, table, indexes, foreign_keys, next_id)


def unpartition_table(conn: BaseDatabaseWrapper, table: str) -> None:
    """Turn a partitioned `table` back into one plain table (the reverse migration)."""
    if not is_postgresql(conn) or table not in partitioned_tables(conn):
        return
    old = f"{table}__parted"
    with conn.cursor() as cursor:
        indexes, foreign_keys = _definitions(cursor, table)
        next_id = _next_identity(cursor, table)
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
            "INCLUDING STORAGE INCLUDING COMMENTS)"
        )
        cursor.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(old)}")  # noqa: S608
        cursor.execute(f"DROP TABLE {_q(old)} CASCADE")  # its partitions go with it
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(table + '_pkey')} PRIMARY KEY (id)")
        _restore(cursor, table, indexes, foreign_keys, next_id)


def _definitions(cursor: CursorWrapper, table: str) -> tuple[list[tuple[str, str, bool]], list[tuple[str, str]]]:
    """The table's indexes (but the primary key) and foreign keys, as SQL to replay."""
    cursor.execute(
        "SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
        "JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "ORDER BY ic.relname",
        [table],
    )
    indexes = list(cursor.fetchall())
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "ORDER BY conname",
        [table],
    )
    foreign_keys = list(cursor.fetchall())
    for name, _, _ in indexes:  # unique *constraints* are indexes too; drop them as constraints
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS {_q(name)}")
        cursor.execute(f"DROP INDEX IF EXISTS {_q(name)}")
    for name, _ in foreign_keys:
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
    return indexes, foreign_keys


def _next_identity(cursor: CursorWrapper, table: str) -> int:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
    last, called = cursor.fetchone()
    return int(last) + 1 if called else int(last)


def _restore(
    cursor: CursorWrapper,
    table: str,
    indexes: list[tuple[str, str, bool]],
    foreign_keys: list[tuple[str, str]],
    next_id: int,
) -> None:
    for _, sql, _ in indexes:
        cursor.execute(sql)
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id RESTART WITH {int(next_id)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    if sequence.split(".")[-1].strip('"') != f"{table}_id_seq":  # LIKE named it …_seq1 beside the old one
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(table + '_id_seq')}")


def _months(
    cursor: CursorWrapper, table: str, first: dt.date, months_ahead: int, skip: frozenset[dt.date] = frozenset()
) -> list[str]:
    """Create the months from `first` to `months_ahead` after the current one (but those in
    `skip`); the new names."""
    last = month_start(clock.today())
    for _ in range(months_ahead):
        last = next_month(last)
    created, month = [], first
    while month <= last:
        if month not in skip and _create_month(cursor, table, month):
            created.append(partition_name(table, month))
        month = next_month(month)
    return created


@dataclass
class EnsureResult:
    created: list[str]
    moved: dict[str, int]
    held: dict[str, int]  # partition name: rows left in DEFAULT because their month is archived


def archived_months(table: str) -> frozenset[dt.date]:
    """The months of `table` that were archived (ADR 0034): never re-created."""
    from yiwang.ledger.models import ArchivedPartition  # migrations import this module: models load late

    return frozenset(ArchivedPartition.objects.filter(table=table).values_list("range_start", flat=True))


def rows_held_in_default(table: str, column: str) -> dict[str, int]:
    """Rows in DEFAULT dated in an archived month of `table` (written after it was detached),
    by the archived partition's name: they stay there, read through the table as before."""
    held = {}
    with connection.cursor() as cursor:
        for month in sorted(archived_months(table)):
            cursor.execute(
                f"SELECT count(*) FROM {_q(table + DEFAULT_SUFFIX)} WHERE {_q(column)} >= %s AND {_q(column)} < %s",  # noqa: S608
                [local_midnight(month), local_midnight(next_month(month))],
            )
            count = cursor.fetchone()[0]
            if count:
                held[partition_name(table, month)] = count
    return held


def partitions_ensure(*, months_ahead: int = 3) -> EnsureResult:
    """Create every partitioned table's partitions up to `months_ahead` months after this one
    (idempotent) and move the rows that fell into DEFAULT into their months — except archived
    months: they are not re-created, their late rows stay in DEFAULT and are reported (`held`)."""
    result = EnsureResult([], {}, {})
    for table, column in partitioned_tables().items():
        skip = archived_months(table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
            default = _q(table + DEFAULT_SUFFIX)
            cursor.execute(f"SELECT min({_q(column)}) FROM {default}")  # noqa: S608 - catalogue names
            oldest = cursor.fetchone()[0]
            current = month_start(clock.today())
            first = current if oldest is None else min(current, month_start(timezone.localtime(oldest).date()))
            if oldest is None:
                result.created += _months(cursor, table, first, months_ahead, skip)
                continue
            # A month cannot be created while DEFAULT holds rows of it: park them, create, put back.
            cursor.execute(f"CREATE TEMP TABLE parked ON COMMIT DROP AS SELECT * FROM {default}")  # noqa: S608
            cursor.execute(f"DELETE FROM {default}")  # noqa: S608
            cursor.execute(f"SELECT max({_q(column)}) FROM parked")  # noqa: S608 - a catalogue name
            newest = month_start(timezone.localtime(cursor.fetchone()[0]).date())
            result.created += _months(cursor, table, first, months_ahead, skip)
            month = first
            while month <= newest:  # rows further ahead than months_ahead get their months too
                if month not in skip and _create_month(cursor, table, month):
                    result.created.append(partition_name(table, month))
                month = next_month(month)
            cursor.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM parked")  # noqa: S608
            held = rows_held_in_default(table, column)
            result.moved[table] = cursor.rowcount - sum(held.values())
            result.held.update(held)
            cursor.execute("DROP TABLE parked")
    return result


def partition_operation(table: str, column: str) -> migrations.RunPython:
    """The migration step: partition `table` by month of `column` on PostgreSQL (reversible)."""

    def forward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        partition_table(schema_editor.connection, table, column)

    def backward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        refuse_while_archived(schema_editor.connection)
        unpartition_table(schema_editor.connection, table)

    return migrations.RunPython(forward, backward, elidable=False)


def refuse_while_archived(conn: BaseDatabaseWrapper) -> None:
    """Undoing the partitioning (or re-adding a foreign key into a partitioned table) cannot
    work while months are archived: their rows are gone and references to them dangle."""
    if not is_postgresql(conn):
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regclass('ledger_archivedpartition') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("SELECT partition FROM ledger_archivedpartition ORDER BY partition")
        names = [name for (name,) in cursor.fetchall()]
    if names:
        raise RuntimeError(
            f"{len(names)} archived partition(s) ({', '.join(names[:5])}{', …' if len(names) > 5 else ''}): "
            "restore them first (yiwang partitions restore <dir>/<partition>.manifest.json, latest first), "
            "then migrate backwards"
        )


def archive_guard() -> migrations.RunPython:
    """A migration step that does nothing forwards and, backwards, refuses while months are
    archived (before a foreign key into a partitioned table is re-created)."""

    def backward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        refuse_while_archived(schema_editor.connection)

    return migrations.RunPython(migrations.RunPython.noop, backward, elidable=False)
