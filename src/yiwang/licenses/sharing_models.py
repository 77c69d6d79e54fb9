"""用证授权: a holder's authorisation of a third party to see one license, and each use of it.

Imported by `licenses.models` (so they are models of the licenses app). The one-time code and
the link token are stored only as keyed hashes (`sharing.secret_digest`): the holder sees
them once, the database never holds them in clear. Recipient, purpose and each use's stated
organisation and purpose are personal data of the holder's dealings: they stay in these rows
and reach the public ledger only as salted commitments.
"""

from django.db import models

from yiwang.accounts.models import User
from yiwang.licenses.models import License
from yiwang.licenses.sharing_workflow import AuthorisationStatus


class LicenseAuthorisation(models.Model):
    ref = models.CharField("授权编号", max_length=24, unique=True)
    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="authorisations", verbose_name="电子证照"
    )
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="授权人")
    recipient = models.CharField("被授权方", max_length=100)
    purpose = models.CharField("用途", max_length=200)
    valid_from = models.DateTimeField("授权生效时间")
    valid_until = models.DateTimeField("授权截止时间")
    max_uses = models.PositiveSmallIntegerField("可用次数", default=1)
    use_count = models.PositiveSmallIntegerField("已用次数", default=0)
    disclose_holder_id = models.BooleanField(
        "披露持证人证件号码", default=False, help_text="被授权方可据此核对二维码中的持证人承诺值"
    )
    code_hash = models.CharField("授权码摘要", max_length=64, unique=True, editable=False)
    token_hash = models.CharField("授权链接摘要", max_length=64, unique=True, editable=False)
    status = models.CharField("状态", max_length=12, choices=AuthorisationStatus.choices)
    status_since = models.DateTimeField("状态变更时间")
    granted_at = models.DateTimeField("授权时间")

    class Meta:
        verbose_name = verbose_name_plural = "用证授权"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="licauth_status_until")]

    def __str__(self) -> str:
        return f"{self.ref} → {self.recipient}"

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.use_count, 0)


class UseChannel(models.TextChoices):
    LINK = "link", "授权链接"
    CODE = "code", "授权码"
    API = "api", "开放接口"


class LicenseUse(models.Model):
    """One use of an authorisation: who said they were using it, for what, when."""

    number = models.CharField("用证记录编号", max_length=24, unique=True)
    authorisation = models.ForeignKey(
        LicenseAuthorisation, on_delete=models.PROTECT, related_name="uses", verbose_name="用证授权"
    )
    at = models.DateTimeField("用证时间")
    organisation = models.CharField("用证单位", max_length=100)
    purpose = models.CharField("用证事由", max_length=200)
    channel = models.CharField("方式", max_length=8, choices=UseChannel.choices)
    client_ip = models.CharField("来源地址（已脱敏）", max_length=64, blank=True)
    ledger_entry_id = models.BigIntegerField("账本条目", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用证记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.organisation}"
