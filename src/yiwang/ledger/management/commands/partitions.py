"""`yiwang partitions ensure|list|archive|restore`: the monthly partitions (PostgreSQL, ADR 0034)."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.ledger.archive import detached_leftovers, partition_restore, partitions_archive
from yiwang.ledger.partitions import (
    is_postgresql,
    partitioned_tables,
    partitions_ensure,
    partitions_of,
    rows_held_in_default,
)


class Command(BaseCommand):
    help = "Monthly partitions of the append-only tables: create ahead, list, archive old months, restore."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["ensure", "list", "archive", "restore"])
        parser.add_argument("manifest", nargs="?", type=Path, help="restore: the archive's <partition>.manifest.json")
        parser.add_argument("--months-ahead", type=int, default=settings.PARTITION_MONTHS_AHEAD)
        parser.add_argument("--before", help="archive: every month before this one (YYYY-MM)")
        parser.add_argument("--table", action="append", help="archive: only this table (repeatable)")
        parser.add_argument("--to", type=Path, default=settings.PARTITION_ARCHIVE_DIR, help="archive: directory")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if not is_postgresql():
            self.stdout.write("SQLite 数据库不分区（月度分区只用于 PostgreSQL）：无需操作。")
            if action in ("archive", "restore"):
                raise CommandError("分区归档与恢复只在 PostgreSQL 上可用。")
            return
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _ensure(self, *, months_ahead: int, **options: Any) -> None:
        if not 0 <= months_ahead <= 24:
            raise CommandError("--months-ahead 须在 0 到 24 之间。")
        result = partitions_ensure(months_ahead=months_ahead)
        self.stdout.write(f"created {len(result.created)} partition(s): {', '.join(result.created) or '-'}")
        for table, moved in result.moved.items():
            self.stdout.write(f"moved {moved} row(s) of {table} out of DEFAULT into their months")
        self._held(result.held)

    def _held(self, held: dict[str, int]) -> None:
        for name, rows in held.items():
            self.stdout.write(
                f"WARNING: {rows} row(s) dated in archived month {name} are in DEFAULT (written after it was "
                "archived); they stay there — restore the month to put them back with it"
            )

    def _list(self, **options: Any) -> None:
        self.stdout.write(f"{'table':<24} {'partition':<32} {'range':<26} {'rows':>10}")
        for table in partitioned_tables():
            for part in partitions_of(table):
                self.stdout.write(f"{table:<24} {part.name:<32} {part.range_label:<26} {part.rows:>10}")
        for name in (part.name for part in detached_leftovers()):
            self.stdout.write(f"WARNING: {name} was detached by an archive run that did not finish; run archive again")
        for table, column in partitioned_tables().items():
            self._held(rows_held_in_default(table, column))

    def _archive(self, *, before: str | None, to: Path, table: list[str] | None, **options: Any) -> None:
        try:
            month = dt.datetime.strptime(before or "", "%Y-%m").date()
        except ValueError as exc:
            raise CommandError("--before 须为 YYYY-MM（例如 2026-09）。") from exc
        done = partitions_archive(before=month, to=to, tables=table)
        for archived in done:
            leaves = f", leaves {archived.leaf_from}–{(archived.leaf_to or 0) - 1}" if archived.leaf_to else ""
            self.stdout.write(f"archived {archived.partition}: {archived.rows} row(s){leaves} → {archived.file}")
        self.stdout.write(f"{len(done)} partition(s) archived to {to}")

    def _restore(self, *, manifest: Path | None, **options: Any) -> None:
        if manifest is None:
            raise CommandError("restore 需要清单文件：yiwang partitions restore <dir>/<partition>.manifest.json")
        self.stdout.write(f"restored {partition_restore(manifest_path=manifest)} row(s) from {manifest}")
