"""The catalog's quality rules (domain.md §2): what a version must satisfy to be published.

Each check returns *every* problem at once, keyed by the field a person would correct, so an
administrator fixes a draft in one pass. Services call these at submission and again at
publication (the reviewer may be looking at an older state of the region's departments).
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

from yiwang.accounts.models import Department, Region, StaffRole
from yiwang.catalog.choices import RETIRING_KINDS
from yiwang.catalog.crossregion import cross_region_problems, joint_department_codes
from yiwang.catalog.docerrors import document_parse
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import (
    ONLINE_FORMS,
    ChangeKind,
    ExerciseLevel,
    HandlingForm,
    ImplementationVersion,
    ItemType,
    ItemVersion,
    Material,
    MaterialForm,
    MaterialSource,
    Necessity,
    ServiceObject,
)
from yiwang.catalog.process import ProcessDefinition, process_problems
from yiwang.catalog.themes import THEME_NAMES
from yiwang.core.identifiers import IdentifierError, validate_license_type_code

Problems = dict[str, list[str]]
_MATERIAL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_ROLE_LABELS = {"reviewer": "审查", "approver": "审批决定", "expert": "评审专家"}


# Checks of references the catalog cannot resolve itself: a domain above it on the ladder
# (licenses: does the named license type exist?) registers one from its AppConfig.ready, and
# every submission and publication runs them with the catalog's own rules.
ImplementationCheck = Callable[[ImplementationVersion], Problems]
_IMPLEMENTATION_CHECKS: list[ImplementationCheck] = []


def register_implementation_check(check: ImplementationCheck) -> None:
    if check not in _IMPLEMENTATION_CHECKS:
        _IMPLEMENTATION_CHECKS.append(check)


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _required(problems: Problems, obj: Any, fields: Iterable[tuple[str, str]]) -> None:
    for name, label in fields:
        if not str(getattr(obj, name) or "").strip():
            _add(problems, name, f"{label}：必填")


def change_problems(version: ItemVersion | ImplementationVersion) -> Problems:
    problems: Problems = {}
    if version.change_kind not in ChangeKind.values:
        _add(problems, "change_kind", "调整类型：请从新增、变更、拆分、合并、暂停、取消中选择")
    if not version.change_reason.strip():
        _add(problems, "change_reason", "调整理由：必填，审核人和公众据此了解为什么调整")
    return problems


def item_version_problems(version: ItemVersion) -> Problems:
    """Basic elements (基本要素) that every implementation inherits."""
    problems = change_problems(version)
    _required(
        problems,
        version,
        [("name", "事项名称"), ("competent_department", "主管部门"), ("legal_basis", "设定依据")],
    )
    if version.item_type not in ItemType.values:
        _add(problems, "item_type", "事项类型：请从给定类型中选择")
    objects = version.service_objects if isinstance(version.service_objects, list) else []
    if not objects:
        _add(problems, "service_objects", "服务对象：至少选择一类（自然人、企业法人等）")
    unknown = [o for o in objects if o not in ServiceObject.values]
    if unknown:
        _add(problems, "service_objects", f"服务对象：不认识的取值 {'、'.join(map(str, unknown))}")
    themes = version.themes if isinstance(version.themes, list) else []
    unknown = [t for t in themes if t not in THEME_NAMES]
    if unknown:
        _add(problems, "themes", f"主题分类：不认识的主题 {'、'.join(map(str, unknown))}")
    _successor_problems(problems, version)
    return problems


def _successor_problems(problems: Problems, version: ItemVersion) -> None:
    """拆分 names two or more items in force, 合并 exactly one; neither names the item itself."""
    codes = version.successor_codes.split()
    field, label = "successor_codes", "拆分/合并后的事项"
    if version.change_kind not in (ChangeKind.SPLIT, ChangeKind.MERGE):
        if codes:
            _add(problems, field, f"{label}：仅在调整类型为“拆分”或“合并”时填写")
        return
    if version.change_kind == ChangeKind.SPLIT and len(set(codes)) < 2:
        _add(problems, field, f"{label}：拆分应填写至少两个新事项的基本编码")
    if version.change_kind == ChangeKind.MERGE and len(set(codes)) != 1:
        _add(problems, field, f"{label}：合并应填写合并后的一个事项的基本编码")
    in_force = set(
        ItemVersion.objects.filter(item__basic_code__in=codes, status="published")
        .exclude(change_kind__in=RETIRING_KINDS)
        .values_list("item__basic_code", flat=True)
    )
    missing = [c for c in codes if c not in in_force or c == version.item.basic_code]
    if missing:
        _add(problems, field, f"{label}：{'、'.join(missing)} 不是已发布的其他事项")


def region_department_codes(region: Region) -> set[str]:
    """Credit codes of departments in `region` and above it: those a process may route to."""
    regions = [region, *region.ancestors()]
    return set(Department.objects.filter(region__in=regions).values_list("credit_code", flat=True))


def _phone_key(phone: str) -> str:
    return re.sub(r"[\s\-－()（）]", "", phone)


def _check_limits_and_visits(problems: Problems, v: ImplementationVersion) -> None:
    if v.committed_limit_days > v.statutory_limit_days:
        _add(
            problems,
            "committed_limit_days",
            f"承诺办结时限：{v.committed_limit_days} 个工作日超过法定办结时限 {v.statutory_limit_days} 个工作日"
            "（承诺时限不得长于法定时限）",
        )
    if v.online_depth not in (1, 2, 3, 4):
        _add(problems, "online_depth", "网上办理深度：应为 1 到 4（Ⅳ 级为全程网办）")
    if v.required_visits > 0 and not v.visits_reason.strip():
        _add(problems, "visits_reason", f"必须到现场原因：到办事现场 {v.required_visits} 次时须说明原因")
    if v.online_depth == 4 and v.required_visits > 0:
        _add(
            problems,
            "required_visits",
            f"到办事现场次数：网上办理深度为 Ⅳ 级（全程网办）时应为 0 次，当前为 {v.required_visits} 次",
        )
    forms = v.handling_forms if isinstance(v.handling_forms, list) else []
    if not forms:
        _add(problems, "handling_forms", "办理形式：至少选择一种")
    unknown = [f for f in forms if f not in HandlingForm.values]
    if unknown:
        _add(problems, "handling_forms", f"办理形式：不认识的取值 {'、'.join(map(str, unknown))}")
    if v.required_visits == 0 and not ONLINE_FORMS & set(forms) and "mail" not in forms:
        _add(
            problems,
            "handling_forms",
            "办理形式：到办事现场 0 次但不能网上办理时，必须提供快递申请（邮寄）方式",
        )


def _check_fees_and_phones(problems: Problems, v: ImplementationVersion) -> None:
    fee_items = v.fee_items if isinstance(v.fee_items, list) else []
    if v.fee_required:
        if not v.fee_basis.strip():
            _add(problems, "fee_basis", "收费依据：收费事项必须写明收费依据（文件名称及文号）")
        if not fee_items:
            _add(problems, "fee_items", "收费项目：收费事项必须列出收费项目及标准")
    for index, fee in enumerate(fee_items, start=1):
        if not isinstance(fee, dict) or not str(fee.get("name", "")).strip():
            _add(problems, "fee_items", f"收费项目：第 {index} 项须有名称（name）")
    _required(problems, v, [("consultation_phone", "咨询电话"), ("complaint_phone", "监督投诉电话")])
    if v.consultation_phone.strip() and _phone_key(v.consultation_phone) == _phone_key(v.complaint_phone):
        _add(problems, "complaint_phone", "监督投诉电话：不能与咨询电话相同（投诉须由另一渠道受理）")
    faq = v.faq if isinstance(v.faq, list) else None
    if faq is None or any(not isinstance(e, dict) or not e.get("q") or not e.get("a") for e in faq):
        _add(problems, "faq", "常见问题：每一条须有问题（q）和解答（a）")


def _check_materials(problems: Problems, materials: list[Material], form: FormSchema | None) -> None:
    keys = [m.key for m in materials]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        _add(problems, "materials", f"申请材料：材料标识重复 {'、'.join(duplicates)}")
    for m in materials:
        title = f"申请材料“{m.name or m.key}”"
        if not _MATERIAL_KEY.match(m.key):
            _add(problems, "materials", f"{title}：材料标识须以小写字母开头，只含小写字母、数字、- 和 _")
        if not m.name.strip():
            _add(problems, "materials", f"申请材料（{m.key}）：材料名称必填")
        if m.necessity not in Necessity.values or m.form not in MaterialForm.values:
            _add(problems, "materials", f"{title}：必要性或材料形式取值无效")
        if m.source not in MaterialSource.values:
            _add(problems, "materials", f"{title}：来源渠道取值无效")
        if m.necessity == Necessity.CONDITIONAL and not m.condition.strip():
            _add(problems, "materials", f"{title}：情形必要的材料须说明在什么情形下提交")
        if m.condition_field and form is not None and m.condition_field not in form.names:
            _add(problems, "materials", f"{title}：引用了申请表中未定义的字段 {m.condition_field}")
        if m.source in (MaterialSource.SHARING, MaterialSource.LICENSE) and not m.source_reference.strip():
            _add(problems, "materials", f"{title}：数据共享或电子证照获取的材料须写明共享资源或证照类型")


def implementation_version_problems(version: ImplementationVersion, materials: list[Material]) -> Problems:
    """Implementation elements (实施要素), its materials, its form and its process."""
    v = version
    problems = change_problems(v)
    if v.exercise_level not in ExerciseLevel.values:
        _add(problems, "exercise_level", "行使层级：请从给定层级中选择")
    _required(
        problems,
        v,
        [
            ("acceptance_conditions", "受理条件"),
            ("result_name", "审批结果名称"),
            ("address", "办理地点"),
            ("office_hours", "办理时间"),
        ],
    )
    _check_limits_and_visits(problems, v)
    _check_fees_and_phones(problems, v)
    form, form_errors = document_parse(FormSchema, v.form_schema, label="申请表")
    for message in form_errors:
        _add(problems, "form_schema", message)
    process, process_errors = document_parse(ProcessDefinition, v.process, label="办理流程")
    for message in process_errors:
        _add(problems, "process", message)
    if process is not None and form is not None:
        # 多地联办: stages may be handled by departments of other regions within the 通办范围.
        departments = region_department_codes(v.implementation.region) | joint_department_codes(v)
        for message in process_problems(
            process,
            committed_limit_days=v.committed_limit_days,
            departments=departments,
            form=form,
            shared={m.key for m in materials if m.source == MaterialSource.SHARING},
        ):
            _add(problems, "process", message)
        _check_staffing(problems, process, departments)
    _check_materials(problems, materials, form)
    _check_license_type(problems, v)
    for field, messages in cross_region_problems(v).items():
        for message in messages:
            _add(problems, field, message)
    return problems


def _check_license_type(problems: Problems, v: ImplementationVersion) -> None:
    """电子证照类型代码 (ADR 0014): blank, or 21 characters naming a license type that exists."""
    if not v.license_type_code:
        return
    try:
        normalised = validate_license_type_code(v.license_type_code, "电子证照类型代码")
    except IdentifierError as exc:
        _add(problems, "license_type_code", exc.message)
        return
    if normalised != v.license_type_code:
        _add(problems, "license_type_code", "电子证照类型代码：应为21位数字或大写字母，不含空格（GB/T 36904）")
        return
    for check in _IMPLEMENTATION_CHECKS:
        for field, messages in check(v).items():
            for message in messages:
                _add(problems, field, message)


def _check_staffing(problems: Problems, process: ProcessDefinition, departments: set[str]) -> None:
    """A task's role must exist in its department: some staff member holds it (else no one handles cases)."""
    codes = {t.department for s in process.stages for t in s.tasks} & departments
    staffed = set(
        StaffRole.objects.filter(department__credit_code__in=codes).values_list("department__credit_code", "role")
    )
    names = dict(Department.objects.filter(credit_code__in=codes).values_list("credit_code", "name"))
    for stage in process.stages:
        for task in stage.tasks:
            if task.department in codes and (task.department, task.role) not in staffed:
                _add(
                    problems,
                    "process",
                    f"办理流程：环节“{stage.name}”的任务“{task.name}”要求的“{_ROLE_LABELS[task.role]}”岗位"
                    f"在{names[task.department]}不存在（该部门没有人员担任此岗位）",
                )
