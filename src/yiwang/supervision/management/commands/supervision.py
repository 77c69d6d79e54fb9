"""`yiwang supervision rebuild|audit|publish`: recompute the roll-ups from the case events, with
progress; check them (and the published months) against the events and the ledger; publish a
closed month's public figures, or a reasoned correction of them (ADR 0020).
`yiwang supervision schemes`: publish version 1 of the 考评 schemes where none is published
(once after upgrading; idempotent)."""

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import DomainError
from yiwang.supervision import publication, satisfaction
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.eval_schemes import ensure_default_schemes
from yiwang.supervision.rollup import rebuild


class Command(BaseCommand):
    help = "电子监察：重建统计汇总（rebuild）、审计统计（audit）、公开月度数据（publish）；发布初始考评方案（schemes）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "audit", "publish", "schemes"])
        parser.add_argument("--month", help="publish: the month, YYYY-MM (default: the month that ended last)")
        parser.add_argument("--reason", default="", help="publish: a correction of a published month, and why")

    def handle(self, *args: Any, action: str, month: str | None, reason: str, **options: Any) -> None:
        if action == "audit":
            self._audit()
        elif action == "publish":
            self._publish(month, reason)
        elif action == "schemes":
            published = ensure_default_schemes()
            names = "、".join(str(v) for v in published) or "无（均已有生效版本）"
            self.stdout.write(self.style.SUCCESS(f"考评方案：已发布 {names}。"))
        else:
            self._rebuild()

    def _rebuild(self) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            share = 100 * done / total if total else 100
            self.stdout.write(f"已读办件事件 {done}/{total}（{share:.0f}%），用时 {time.monotonic() - started:.1f} 秒")

        read, rows = rebuild(progress=progress)
        rated = satisfaction.rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"统计汇总已重建：读取事件 {read} 条，写入汇总 {rows} 行，好差评汇总 {rated} 行。")
        )

    def _audit(self) -> None:
        report = supervision_audit().report()
        self.stdout.write(f"{report.title}: {report.checked}")
        for problem in report.problems:
            self.stderr.write(f"  ✗ {problem}")
        if report.problems:
            raise CommandError(f"supervision audit FAILED: {len(report.problems)} problem(s)")

    def _publish(self, month: str | None, reason: str) -> None:
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date() if month else None
        except ValueError as exc:
            raise CommandError(f"--month：应为 YYYY-MM（{month!r}）") from exc
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
