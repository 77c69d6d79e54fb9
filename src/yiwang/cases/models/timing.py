from django.db import models

from yiwang.cases.models.case import Case
from yiwang.cases.models.work import Task


class ClockKind(models.TextChoices):
    START = "start", "开始计时"
    PAUSE = "pause", "暂停计时"
    RESUME = "resume", "恢复计时"
    EXTEND = "extend", "延长时限"
    RESET = "reset", "重新计时"
    STOP = "stop", "停止计时"


class ClockEvent(models.Model):
    """One entry of the clock ledger of a case (task NULL) or of one of its tasks.

    Due dates are derived from these rows by cases.clock.derive; rows are only appended.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_events", verbose_name="办件")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="clock_events", verbose_name="任务"
    )
    kind = models.CharField("类型", max_length=10, choices=ClockKind.choices)
    on = models.DateField("日期")
    days = models.IntegerField("工作日数", null=True, blank=True, help_text="开始/重新计时：时限；延长：延长天数")
    cause = models.CharField("原因类别", max_length=30, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    expected_days = models.PositiveIntegerField("预计所需工作日", null=True, blank=True)
    at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "计时事件"
        verbose_name_plural = "计时事件"
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["case", "task", "id"], name="clock_ledger")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.on}"
