"""`yiwang supervision rebuild`: recompute the roll-ups from the case events, with progress.

`--since 2026-01 --until 2026-03` rebuilds those calendar months only, one transaction per
month (a 10M-case history is then a series of month-long replays, each of which can be run
again, instead of one transaction of hours); the 好差评 roll-up is rebuilt only without them.
"""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core import clock
from yiwang.supervision import satisfaction
from yiwang.supervision.metrics import next_month
from yiwang.supervision.rollup import rebuild


def _month(raw: str) -> dt.date:
    """A month as its first day, from 2000-01 to the current month."""
    try:
        month = dt.date.fromisoformat(f"{raw}-01") if len(raw) == 7 else None
    except ValueError:
        month = None
    if month is None or not dt.date(2000, 1, 1) <= month <= clock.today():
        raise CommandError(f"月份应为 2000-01 至本月之间的 YYYY-MM：{raw[:20]!r}")
    return month


class Command(BaseCommand):
    help = "电子监察：从办件事件重建统计汇总（rebuild；--since/--until YYYY-MM 按月重建）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--since", default="", help="first month, YYYY-MM")
        parser.add_argument("--until", default="", help="last month, YYYY-MM (default: --since)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        label = ""

        def progress(done: int, total: int) -> None:
            share = 100 * done / total if total else 100
            took = time.monotonic() - started
            self.stdout.write(f"{label}已读办件事件 {done}/{total}（{share:.0f}%），用时 {took:.1f} 秒")

        if not options["since"]:
            if options["until"]:
                raise CommandError("--until 需要与 --since 一起使用")
            read, rows = rebuild(progress=progress)
            rated = satisfaction.rebuild()
            self.stdout.write(
                self.style.SUCCESS(f"统计汇总已重建：读取事件 {read} 条，写入汇总 {rows} 行，好差评汇总 {rated} 行。")
            )
            return
        month, last = _month(options["since"]), _month(options["until"] or options["since"])
        if last < month:
            raise CommandError("--until 不能早于 --since")
        while month <= last:
            label = f"{month:%Y-%m}："
            read, rows = rebuild(month=month, progress=progress)
            self.stdout.write(self.style.SUCCESS(f"{label}已重建：读取事件 {read} 条，写入汇总 {rows} 行。"))
            month = next_month(month)
