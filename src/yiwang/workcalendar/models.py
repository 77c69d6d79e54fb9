"""The audit trail of the working-day calendar (the calendar itself lives in yiwang.core)."""

from django.conf import settings
from django.db import models


class CalendarEvent(models.Model):
    """One calendar change: who, what, which dates, on what authority (mirrored into the ledger)."""

    verb = models.CharField("动作", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("依据", max_length=200, blank=True)
    payload = models.JSONField("内容", default=dict)
    at = models.DateTimeField("时间")
    ledger_entry_id = models.BigIntegerField("账本条目", null=True, blank=True)

    class Meta:
        verbose_name = "工作日历变更记录"
        verbose_name_plural = "工作日历变更记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.year}"
