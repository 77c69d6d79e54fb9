"""`yiwang supervision rebuild|audit|publish|schemes`.

- `rebuild`: recompute the roll-ups from the case events, with progress. `--since 2026-01
  --until 2026-03` rebuilds those calendar months only, one transaction per month (a 10M-case
  history is then a series of month-long replays, each of which can be run again, instead of one
  transaction of hours); the 好差评 roll-up is rebuilt only without them.
- `audit`: check the roll-ups (and the published months) against the events and the ledger.
- `publish`: publish a closed month's public figures, or a reasoned correction of them (ADR 0020).
- `schemes`: publish version 1 of the 考评 schemes where none is published (once after
  upgrading; idempotent).
"""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core import clock
from yiwang.core.dates import next_month
from yiwang.core.errors import DomainError
from yiwang.supervision import publication, satisfaction
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.eval_schemes import ensure_default_schemes
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
    help = (
        "电子监察：重建统计汇总（rebuild；--since/--until YYYY-MM 按月重建）、审计统计（audit）、"
        "公开月度数据（publish）、发布初始考评方案（schemes）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "audit", "publish", "schemes"])
        parser.add_argument("--since", default="", help="rebuild: first month, YYYY-MM")
        parser.add_argument("--until", default="", help="rebuild: last month, YYYY-MM (default: --since)")
        parser.add_argument("--month", default="", help="publish: YYYY-MM (default: the month that ended last)")
        parser.add_argument("--reason", default="", help="publish: a correction of a published month, and why")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "audit":
            self._audit()
        elif action == "publish":
            self._publish(options["month"], options["reason"])
        elif action == "schemes":
            published = ensure_default_schemes()
            names = "、".join(str(v) for v in published) or "无（均已有生效版本）"
            self.stdout.write(self.style.SUCCESS(f"考评方案：已发布 {names}。"))
        else:
            self._rebuild(options["since"], options["until"])

    def _rebuild(self, since: str, until: str) -> None:
        started = time.monotonic()
        label = ""

        def progress(done: int, total: int) -> None:
            share = 100 * done / total if total else 100
            took = time.monotonic() - started
            self.stdout.write(f"{label}已读办件事件 {done}/{total}（{share:.0f}%），用时 {took:.1f} 秒")

        if not since:
            if until:
                raise CommandError("--until 需要与 --since 一起使用")
            read, rows = rebuild(progress=progress)
            rated = satisfaction.rebuild()
            self.stdout.write(
                self.style.SUCCESS(f"统计汇总已重建：读取事件 {read} 条，写入汇总 {rows} 行，好差评汇总 {rated} 行。")
            )
            return
        month, last = _month(since), _month(until or since)
        if last < month:
            raise CommandError("--until 不能早于 --since")
        while month <= last:
            label = f"{month:%Y-%m}："
            try:
                read, rows = rebuild(month=month, progress=progress)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(self.style.SUCCESS(f"{label}已重建：读取事件 {read} 条，写入汇总 {rows} 行。"))
            month = next_month(month)

    def _audit(self) -> None:
        report = supervision_audit().report()
        self.stdout.write(f"{report.title}: {report.checked}")
        for line in report.info:
            self.stdout.write(f"  ℹ {line}")
        for problem in report.problems:
            self.stderr.write(f"  ✗ {problem}")
        if report.problems:
            raise CommandError(f"supervision audit FAILED: {len(report.problems)} problem(s)")

    def _publish(self, month: str, reason: str) -> None:
        first = _month(month) if month else None
        try:
            if first is None:
                made = publication.publish_closed_month()
                self.stdout.write(f"公开上月数据：{'已发布' if made else '已公开过，未重复发布'}")
                return
            published = publication.publish_month(first, reason=reason)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if published is None:
            self.stdout.write(f"{first:%Y-%m} 已公开过，未重复发布（更正请给出 --reason）")
        else:
            self.stdout.write(f"{published.month} 已公开：账本条目 #{published.entry_id}")
