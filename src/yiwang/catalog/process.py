"""The process definition of an implementation: what the case engine runs, as data.

After acceptance a case walks `stages` in order. A stage has one task (a review or a
decision) or several (并联审批: one task per department, each with its own deadline, joined by
`join` = all / any / quorum). A rejected task cancels its siblings and ends the stage as
rejected. The stage whose `decides` is set is where the approver's decision is made.

Besides the stages the document says what kind of case the item is (即办件 decided at
acceptance, 承诺件 within the committed limit), whether 告知承诺 is allowed (and the text the
applicant signs), the auto-approval (秒批) rules: declarative conditions over form data, and
whether review and decision must be made by different people (一审一核, the default; the case
policy enforces it).

`process_problems` checks a definition against its context (limits, departments, form)
and returns every problem in Chinese, so a catalog administrator sees all of them at once.
"""

from collections.abc import Collection
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yiwang.catalog.formschema import FormSchema

Join = Literal["all", "any", "quorum"]
CaseKind = Literal["instant", "committed"]
Operator = Literal["eq", "ne", "in", "lt", "le", "gt", "ge", "true", "false", "startswith"]

_KEY = r"^[a-z][a-z0-9_]{0,39}$"


class TaskSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_KEY)
    name: str = Field(min_length=1, max_length=60)
    department: str = Field(description="统一社会信用代码 of the department that handles the task")
    role: Literal["reviewer", "approver", "expert"]
    limit_days: int = Field(ge=0, le=365, description="working days for this task")


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_KEY)
    name: str = Field(min_length=1, max_length=60)
    tasks: list[TaskSpec] = Field(min_length=1)
    join: Join = "all"
    quorum: int | None = Field(default=None, ge=1)
    limit_days: int = Field(ge=0, le=365, description="working days for the whole stage")
    decides: bool = False

    @model_validator(mode="after")
    def _check(self) -> "StageSpec":
        if self.join == "quorum" and (self.quorum is None or self.quorum > len(self.tasks)):
            raise ValueError(f"环节“{self.name}”：按法定人数汇合时，法定人数须在 1 到 {len(self.tasks)} 之间")
        keys = [t.key for t in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(f"环节“{self.name}”：任务标识重复")
        if self.decides and (len(self.tasks) != 1 or self.tasks[0].role != "approver"):
            raise ValueError(f"环节“{self.name}”：决定环节须且只能有一个“审批决定”任务")
        return self

    @property
    def is_parallel(self) -> bool:
        return len(self.tasks) > 1


class RuleCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    op: Operator
    value: str | int | Decimal | list[str] | None = None


class AutoApprovalRule(BaseModel):
    """秒批: approve without a person when every condition holds for the submitted data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=80)
    conditions: list[RuleCondition] = Field(min_length=1)


class ExpertReviewSpec(BaseModel):
    """专家评审 the item may need (yiwang.reviews): the panel a reviewer requests by default, and
    the working days the applicant is told the special procedure takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    panel_size: int = Field(default=3, ge=1, le=9)
    specialties: list[str] = Field(default_factory=list, max_length=10)
    expected_days: int = Field(default=10, ge=1, le=60, description="working days announced to the applicant")
    conclusion: Literal["majority", "chair"] = "majority"


class ProcessDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    case_kind: CaseKind = "committed"
    stages: list[StageSpec] = []
    commitment_allowed: bool = False
    commitment_text: str = ""
    inspection_limit_days: int = Field(default=20, ge=1, le=365, description="核查 deadline after a 告知承诺 decision")
    auto_approval: list[AutoApprovalRule] = []
    expert_review: ExpertReviewSpec | None = None
    separation_of_duties: bool = Field(
        default=True,
        description="一审一核: whoever completes a review task of a case may not decide it; "
        "false only where one person may review and decide (e.g. a simple item of a small office)",
    )

    @model_validator(mode="after")
    def _check(self) -> "ProcessDefinition":
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise ValueError("环节标识重复")
        if self.case_kind == "committed" and not any(s.decides for s in self.stages):
            raise ValueError("承诺件须有一个决定环节")
        if self.commitment_allowed and not self.commitment_text.strip():
            raise ValueError("允许告知承诺时须填写承诺书文本")
        return self

    @property
    def total_limit_days(self) -> int:
        return sum(s.limit_days for s in self.stages)


def rule_holds(rule: AutoApprovalRule, data: dict[str, object]) -> bool:
    """True when every condition of `rule` holds for `data`: the cleaned form, plus the data
    fetched by sharing as `<material key>.<field>` (cases.evidence) — a fact a grant supplies
    is the department's record, not the applicant's say."""
    return all(_condition_holds(c, data) for c in rule.conditions)


def _condition_holds(cond: RuleCondition, data: dict[str, object]) -> bool:
    value = data.get(cond.field)
    if cond.op == "true":
        return value is True
    if cond.op == "false":
        return value is False or value is None
    if cond.op == "eq":
        return str(value) == str(cond.value)
    if cond.op == "ne":
        return str(value) != str(cond.value)
    if cond.op == "in":
        return isinstance(cond.value, list) and str(value) in cond.value
    if cond.op == "startswith":
        return (
            isinstance(value, str) and isinstance(cond.value, str) and bool(cond.value) and value.startswith(cond.value)
        )
    try:
        left, right = Decimal(str(value)), Decimal(str(cond.value))
    except ArithmeticError:
        return False
    return {"lt": left < right, "le": left <= right, "gt": left > right, "ge": left >= right}[cond.op]


def process_problems(
    process: ProcessDefinition,
    *,
    committed_limit_days: int,
    departments: set[str],
    form: FormSchema,
    shared: Collection[str] = (),
) -> list[str]:
    """Every incoherence of `process` in its context, as Chinese sentences (empty = fine).

    `departments` are the credit codes of the departments that exist in the implementing
    region (and above it); `form` is the implementation's application form; `shared` the
    keys of its materials obtained by data sharing (a rule may test `<key>.<field>`).
    """
    problems: list[str] = []
    if process.total_limit_days > committed_limit_days:
        problems.append(
            f"办理流程：各环节时限合计 {process.total_limit_days} 个工作日，"
            f"超过承诺时限 {committed_limit_days} 个工作日"
        )
    for stage in process.stages:
        for task in stage.tasks:
            if task.department not in departments:
                problems.append(
                    f"办理流程：环节“{stage.name}”的任务“{task.name}”所属部门 {task.department} 在本区划不存在"
                )
            if task.limit_days > stage.limit_days:
                problems.append(f"办理流程：任务“{task.name}”的时限超过所在环节“{stage.name}”的时限")
    for rule in process.auto_approval:
        for cond in rule.conditions:
            material, dot, _ = cond.field.partition(".")
            if dot and material not in shared:
                problems.append(f"秒批规则“{rule.name}”：{cond.field} 不是数据共享获取的材料的信息项")
            elif not dot and cond.field not in form.names:
                problems.append(f"秒批规则“{rule.name}”：引用了申请表中未定义的字段 {cond.field}")
    return problems
