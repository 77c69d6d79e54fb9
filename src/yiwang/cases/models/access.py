from django.db import models

from yiwang.accounts.models import User
from yiwang.cases.models.case import Case


class CaseAccessLog(models.Model):
    """Every staff read of a case or of one of its materials, with the reason given."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_logs", verbose_name="办件")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="查看人")
    at = models.DateTimeField("时间")
    reason = models.CharField("查看事由", max_length=200)
    target = models.CharField("查看内容", max_length=80, default="detail")

    class Meta:
        verbose_name = "办件查看记录"
        verbose_name_plural = "办件查看记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.case}"
