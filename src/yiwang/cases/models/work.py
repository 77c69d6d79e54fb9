from django.db import models

from yiwang.accounts.models import Department, User
from yiwang.cases.models.case import Case, ClockOwner
from yiwang.cases.workflow import StageStatus, TaskKind, TaskStatus


class Stage(models.Model):
    """One stage of the pinned process, as run for this case (tasks joined by `join`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages", verbose_name="办件")
    key = models.CharField("环节标识", max_length=40)
    name = models.CharField("环节名称", max_length=60)
    position = models.PositiveSmallIntegerField("顺序")
    join = models.CharField("汇合方式", max_length=10, default="all")
    quorum = models.PositiveSmallIntegerField("法定人数", null=True, blank=True)
    decides = models.BooleanField("决定环节", default=False)
    is_parallel = models.BooleanField("并联审批", default=False)
    limit_days = models.PositiveIntegerField("环节时限（工作日）")
    status = models.CharField(
        "状态", max_length=12, choices=StageStatus.choices, default=StageStatus.PENDING, editable=False
    )
    activated_at = models.DateTimeField("开始时间", null=True, blank=True)
    completed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case_id", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="stage_unique_key")]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class Task(ClockOwner, models.Model):
    """A unit of work for one role in one department, with its own clock and deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name="办件")
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks", verbose_name="环节"
    )
    key = models.CharField("任务标识", max_length=40)
    name = models.CharField("任务名称", max_length=60)
    kind = models.CharField("类型", max_length=12, choices=TaskKind.choices)
    role = models.CharField("办理角色", max_length=20)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tasks", verbose_name="办理部门")
    status = models.CharField(
        "状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True, editable=False
    )
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name="办理人"
    )
    limit_days = models.PositiveIntegerField("任务时限（工作日）")
    created_at = models.DateTimeField("创建时间")
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    opinion = models.TextField("办理意见", blank=True)
    due_date = models.DateField("任务期限", null=True, blank=True, editable=False)
    warning_date = models.DateField("预警日期", null=True, blank=True, editable=False)
    warning_sent_for = models.DateField("已预警（对应期限）", null=True, blank=True, editable=False)
    overdue_sent_for = models.DateField("已超期提醒（对应期限）", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "办理任务"
        verbose_name_plural = "办理任务"
        ordering = ["case_id", "created_at", "id"]
        indexes = [
            models.Index(fields=["department", "role", "status"], name="task_inbox"),
            models.Index(fields=["status", "warning_date"], name="task_status_warning"),
            # The inbox (cases.inbox.task_inbox_for): one branch per post over open tasks and one
            # over the user's claimed tasks, each read in its order, most urgent first.
            models.Index(
                fields=["department", "role", "due_date", "created_at", "id"],
                condition=models.Q(status="open"),
                name="task_queue_open",
            ),
            models.Index(
                fields=["assignee", "due_date", "created_at", "id"],
                condition=models.Q(status="claimed"),
                name="task_queue_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"
