"""Regions, departments, people, enterprises and staff roles.

Applicants are users with a real-name profile (`NaturalPerson`); an enterprise is not a
login of its own: people act for it as authorised agents (`EnterpriseAgent`), which is how
the national unified identity platform models 法人办事 too. Staff carry roles scoped to a
department (and through it a region).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models

from yiwang.core.identifiers import RegionCode, RegionLevel, mask_name, mask_resident_id
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent

REGION_LEVEL_LABELS = {
    RegionLevel.PROVINCE: "省级",
    RegionLevel.PREFECTURE: "市级",
    RegionLevel.COUNTY: "县级",
    RegionLevel.TOWNSHIP: "乡镇（街道）",
    RegionLevel.VILLAGE: "村（社区）",
}


def region_code_prefix(code: str, level: str) -> str:
    """The digits every region in or below the region (`code`, `level`) starts with: the
    code without its padding (370102 历下区 → 370102xxxxxx), so "in this region or below" is
    a prefix match. The one place the digits per level are read (core.identifiers)."""
    return RegionCode(code, RegionLevel(level)).short


class Region(models.Model):
    """A node of the 行政区划 tree, keyed by its 12-digit statistical code."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField(
        "层级", max_length=12, choices=[(lv.name.lower(), label) for lv, label in REGION_LEVEL_LABELS.items()]
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        """The GB/T 2260 six-digit code for province/prefecture/county levels."""
        return self.code[:6]

    @property
    def code_prefix(self) -> str:
        """What the codes of this region and of every region below it start with."""
        return region_code_prefix(self.code, self.level)

    def ancestors(self) -> list["Region"]:
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])


class DepartmentKind(models.TextChoices):
    APPROVAL_SERVICE = "approval_service", "行政审批服务局"
    MARKET_REGULATION = "market_regulation", "市场监督管理局"
    HEALTH = "health", "卫生健康委员会"
    NATURAL_RESOURCES = "natural_resources", "自然资源和规划局"
    HOUSING = "housing", "住房和城乡建设局"
    FIRE_RESCUE = "fire_rescue", "消防救援支队"
    CIVIL_AIR_DEFENCE = "civil_air_defence", "人民防空办公室"
    TRANSPORT = "transport", "交通运输局"
    URBAN_MANAGEMENT = "urban_management", "城市管理局"
    BIG_DATA = "big_data", "大数据局"
    GOVERNMENT_OFFICE = "government_office", "人民政府办公室"
    OTHER = "other", "其他"


class Department(models.Model):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=30, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name="所属区划")
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class UserKind(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    STAFF = "staff", "工作人员"


class PortalMode(models.TextChoices):
    """How the public portal is shown (ADR 0030): the standard layout or 长辈版 (large text,
    high contrast, one column) for older people."""

    STANDARD = "standard", "标准版"
    ELDER = "elder", "长辈版"


class User(AbstractUser):
    """A login. `kind` decides the home page; staff powers come from `StaffRole` rows."""

    kind = models.CharField("用户类型", max_length=12, choices=UserKind.choices, default=UserKind.APPLICANT)
    display_name = models.CharField("显示名称", max_length=60, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # Channel choice (notifications): in-app messages always arrive; e-mail and SMS only
    # while the person keeps them on and has an address for them.
    notify_by_email = models.BooleanField("接收电子邮件通知", default=True)
    notify_by_sms = models.BooleanField("接收短信通知", default=True)
    # 长辈版 (ADR 0030): the person's own choice, which follows them to another device; blank
    # = never chosen, and the device's cookie decides.
    portal_mode = models.CharField("门户显示模式", max_length=10, choices=PortalMode.choices, blank=True, default="")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.kind == UserKind.APPLICANT

    @property
    def is_staff_member(self) -> bool:
        return self.kind == UserKind.STAFF


class NaturalPerson(models.Model):
    """The real-name identity of an applicant (实名认证)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="person", verbose_name="用户")
    real_name = models.CharField("姓名", max_length=60)
    id_number = models.CharField("居民身份证号", max_length=18, unique=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="常住区划")
    verified_at = models.DateTimeField("实名核验时间", null=True, blank=True)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.real_name)

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number)


class Enterprise(models.Model):
    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=60)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name="注册地区划")
    address = models.CharField("住所", max_length=200, blank=True)

    class Meta:
        verbose_name = "企业/法人"
        verbose_name_plural = "企业/法人"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnterpriseAgent(models.Model):
    """A person authorised to act for an enterprise (经办人授权)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="agents", verbose_name="企业")
    person = models.ForeignKey(NaturalPerson, on_delete=models.CASCADE, related_name="agencies", verbose_name="经办人")
    is_legal_representative = models.BooleanField("是否法定代表人", default=False)
    valid_from = models.DateField("授权起始")
    valid_until = models.DateField("授权截止", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业经办人授权"
        verbose_name_plural = "企业经办人授权"
        constraints = [models.UniqueConstraint(fields=["enterprise", "person"], name="agent_unique_per_enterprise")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.person}"


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", "窗口受理"
    REVIEWER = "reviewer", "审查"
    APPROVER = "approver", "审批决定"
    HEAD = "head", "机关负责人"
    CATALOG_ADMIN = "catalog_admin", "事项管理员"
    SUPERVISOR = "supervisor", "监督人员"
    DATA_STEWARD = "data_steward", "数据管理员"
    EXPERT = "expert", "评审专家"
    AUDITOR = "auditor", "审计人员"
    ASSISTANT = "assistant", "帮办员"  # 帮办代办: applies for people at the window (cases.assisted_workflow)


class StaffRole(models.Model):
    """One role of one staff member in one department (and so one region)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles", verbose_name="工作人员")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff_roles", verbose_name="部门"
    )
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位角色"
        verbose_name_plural = "岗位角色"
        constraints = [models.UniqueConstraint(fields=["user", "role", "department"], name="staff_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.department}"

    @property
    def region(self) -> Region:
        return self.department.region


class AccountEvent(DomainEvent):
    """The audit trail of account changes (mirrored into the ledger without personal data)."""

    domain = Domain.ACCOUNTS

    subject = models.CharField("对象", max_length=80)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "账户事件"


class ExternalIdentity(models.Model):
    """A person's account at an external identity provider (统一身份认证平台): the pair
    (issuer, subject) the provider's ID token names, linked to one local user at first login
    (services.external_identity_sign_in). It grants nothing by itself: staff powers stay
    `StaffRole` rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities", verbose_name="用户")
    issuer = models.CharField("身份提供方", max_length=255)
    subject = models.CharField("提供方用户标识", max_length=255)
    linked_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = verbose_name_plural = "统一身份认证关联"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="external_identity_one_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.issuer}"
