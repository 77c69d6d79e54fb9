from django.db import models

from yiwang.accounts.models import Department, User
from yiwang.cases.models.case import Case


class Handover(models.Model):
    """The hand-over (移交) of an application received at a window of another region (异地代收代办,
    收受分离): what the intake window sent, when, and when the implementing authority received it.

    Both acts are signed in the ledger (one entry each, `hand_over` and `receive_handover`);
    `materials` lists what was handed over ({"key", "name", "sha256"} of each current file)
    and `digest` is the SHA-256 of that list's canonical JSON, also carried by both entries,
    so either side can show the other received exactly this.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="handover", verbose_name="办件")
    intake_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="handovers", verbose_name="收件窗口"
    )
    intake_on = models.DateField("收件日期")
    due_on = models.DateField("应移交日期", null=True, blank=True)
    sent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="移交人"
    )
    sent_at = models.DateTimeField("移交时间", null=True, blank=True)
    sent_entry_id = models.BigIntegerField("移交存证编号", null=True, blank=True)
    mail_reference = models.CharField("原件寄递单号", max_length=60, blank=True)
    materials = models.JSONField("移交材料", default=list)
    digest = models.CharField("材料清单摘要", max_length=64, blank=True)
    received_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="接收人"
    )
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    received_entry_id = models.BigIntegerField("接收存证编号", null=True, blank=True)

    class Meta:
        verbose_name = "异地收件移交记录"
        verbose_name_plural = "异地收件移交记录"

    def __str__(self) -> str:
        return f"{self.case} 移交"
