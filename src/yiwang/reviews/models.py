"""专家库 and 专家云评审 (docs/reviews.md, ADR 0028).

An `Expert` belongs to the pool a department keeps. A `Panel` is one expert review of one
case: what the requester asked for, the committed eligible list, the seed and the ranking
of its draw, its `Invitation`s in ranking order and, at the end, its conclusion. Each
accepted expert signs one `Opinion`. `ReviewEvent` is the history, mirrored into the ledger.
"""

from django.db import models

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case, CaseMaterial
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent
from yiwang.reviews.workflow import ConclusionRule, InvitationStatus, PanelStatus


class Expert(models.Model):
    code = models.CharField("专家编号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=60)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="experts", verbose_name="管理部门"
    )
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="expert", verbose_name="登录账号"
    )
    specialties = models.JSONField("专业", default=list)
    employer_name = models.CharField("工作单位", max_length=200)
    employer_credit_code = models.CharField("工作单位统一社会信用代码", max_length=18)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    qualifications = models.CharField("职称/执业资格", max_length=300, blank=True)
    available = models.BooleanField("可参加评审", default=True)
    conflicts = models.JSONField("申报的利害关系（统一社会信用代码/身份证号）", default=list, blank=True)
    public_key = models.CharField("评审意见签名公钥（Ed25519，hex）", max_length=64)
    created_at = models.DateTimeField("入库时间")

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["department", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * max(1, len(self.name) - 1)


class Panel(models.Model):
    ref = models.CharField("评审编号", max_length=40, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_panels", verbose_name="办件")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="专家库")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间")
    status = models.CharField("状态", max_length=16, choices=PanelStatus.choices, default=PanelStatus.WAITING_SEED)
    size = models.PositiveSmallIntegerField("专家人数")
    specialties = models.JSONField("专业要求", default=list)
    conclusion_rule = models.CharField("结论规则", max_length=10, choices=ConclusionRule.choices)
    expected_days = models.PositiveSmallIntegerField("预计评审工作日")
    respond_days = models.PositiveSmallIntegerField("答复邀请期限（工作日）", default=2)
    review_deadline = models.DateField("提交意见截止日")
    summary = models.TextField("案情摘要（专家可见）")
    materials = models.ManyToManyField(CaseMaterial, related_name="+", blank=True, verbose_name="评审材料")
    request_entry_id = models.BigIntegerField("申请账本条目")
    eligible = models.JSONField("候选专家承诺值（排序）", default=list)
    eligible_digest = models.CharField("候选名单摘要", max_length=64)
    excluded = models.JSONField("回避专家（承诺值与理由）", default=list)
    openings = models.JSONField("承诺值的盐（结论后公开）", default=dict)
    seed_tree_size = models.BigIntegerField("种子检查点树大小", null=True, blank=True)
    seed_root = models.CharField("种子检查点根哈希（hex）", max_length=128, blank=True)
    seed = models.CharField("随机种子（hex）", max_length=64, blank=True)
    ranking = models.JSONField("抽取排序", default=list)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    approve = models.BooleanField("评审结论：同意", null=True, blank=True)
    conclusion = models.TextField("评审结论", blank=True)
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家评审"
        verbose_name_plural = "专家评审"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status"], name="reviews_panel_status")]

    def __str__(self) -> str:
        return self.ref

    @property
    def subject(self) -> str:
        return f"panel:{self.ref}"


class Invitation(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="invitations", verbose_name="专家评审")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="invitations", verbose_name="专家")
    commitment = models.CharField("承诺值", max_length=64)
    position = models.PositiveSmallIntegerField("抽取名次")
    status = models.CharField("状态", max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED)
    invited_at = models.DateTimeField("邀请时间")
    respond_by = models.DateField("答复期限")
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    decline_reason = models.CharField("拒绝理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "评审邀请"
        verbose_name_plural = "评审邀请"
        ordering = ["panel", "position"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "position"], name="reviews_invitation_position"),
            models.UniqueConstraint(fields=["panel", "expert"], name="reviews_invitation_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.panel} #{self.position} {self.expert}"


class Opinion(models.Model):
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="opinion", verbose_name="评审邀请"
    )
    score = models.PositiveSmallIntegerField("评分（0–100）")
    approve = models.BooleanField("是否同意")
    reasons = models.TextField("意见与理由")
    canonical = models.TextField("规范化意见（签名对象）")
    signature = models.CharField("Ed25519 签名（hex）", max_length=128)
    public_key = models.CharField("签名公钥（hex）", max_length=64)
    signed_at = models.DateTimeField("签署时间")
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = "评审意见"
        verbose_name_plural = "评审意见"

    def __str__(self) -> str:
        return f"{self.invitation}: {self.score}"


class ReviewEvent(DomainEvent):
    """The history of the pool and the panels; each row mirrored into the ledger."""

    domain = Domain.REVIEWS
    subject_field = "subject"

    subject = models.CharField("对象", max_length=80, help_text="panel:<ref> / expert:<code>")
    panel = models.ForeignKey(
        Panel, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="专家评审"
    )
    summary = models.CharField("说明", max_length=300)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "专家评审事件"
