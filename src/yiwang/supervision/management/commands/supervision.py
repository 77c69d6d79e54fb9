"""`yiwang supervision rebuild`: recompute the roll-ups from the case events, with progress.
`yiwang supervision schemes`: publish version 1 of the 考评 schemes where none is published
(once after upgrading; idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.supervision import satisfaction
from yiwang.supervision.eval_schemes import ensure_default_schemes
from yiwang.supervision.rollup import rebuild


class Command(BaseCommand):
    help = "电子监察：从办件事件重建统计汇总（rebuild）；发布初始考评方案（schemes）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "schemes"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "schemes":
            published = ensure_default_schemes()
            names = "、".join(str(v) for v in published) or "无（均已有生效版本）"
            self.stdout.write(self.style.SUCCESS(f"考评方案：已发布 {names}。"))
            return
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            share = 100 * done / total if total else 100
            self.stdout.write(f"已读办件事件 {done}/{total}（{share:.0f}%），用时 {time.monotonic() - started:.1f} 秒")

        read, rows = rebuild(progress=progress)
        rated = satisfaction.rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"统计汇总已重建：读取事件 {read} 条，写入汇总 {rows} 行，好差评汇总 {rated} 行。")
        )
