"""跨域通办 (国办发〔2020〕35号) as the catalog declares it, read as data.

An implementation version says how far it is handled across regions (`cross_region_scope`),
in which ways (`cross_region_modes`: 全程网办, 异地代收代办, 多地联办) and, for 异地代收代办,
which regions' windows may receive its applications (`cross_region_intake`: six-digit region
codes; a province's code covers every window in it). The checks publication needs are here
(`cross_region_problems`, called by rules.py); the case engine asks `may_receive_in`.
"""

import re

from yiwang.accounts.models import Department, DepartmentKind, Region
from yiwang.catalog.choices import CrossRegionMode, CrossRegionScope
from yiwang.catalog.models import ImplementationVersion
from yiwang.catalog.process import ProcessDefinition

_CODE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s,，、;；]+")

# How many leading digits of the implementing region an intake region must share, per scope
# (市内: the same prefecture, 省内: the same province; 全国/跨省: any region).
_SCOPE_DIGITS = {CrossRegionScope.CITY: 4, CrossRegionScope.PROVINCE: 2}


def intake_codes(text: str) -> list[str]:
    """The region codes of `cross_region_intake`, in the order written, without repeats."""
    seen: list[str] = []
    for token in _SEPARATORS.split(text.strip()):
        if token and token not in seen:
            seen.append(token)
    return seen


def _region(code: str) -> Region | None:
    return Region.objects.filter(code=code.ljust(12, "0")).first()


def intake_regions(version: ImplementationVersion) -> list[Region]:
    """The regions whose windows may receive for `version` (异地代收代办), empty when it does
    not offer it. Codes that name no region are left out (publication refuses them)."""
    if CrossRegionMode.PROXY not in (version.cross_region_modes or []):
        return []
    return [r for r in (_region(code) for code in intake_codes(version.cross_region_intake)) if r is not None]


def may_receive_in(version: ImplementationVersion, region: Region) -> bool:
    """Whether a window of `region` may receive applications for `version` (异地代收代办)."""
    return any(region.code.startswith(r.code_prefix) for r in intake_regions(version))


def intake_departments(version: ImplementationVersion) -> list[Department]:
    """The 综合受理窗口 (行政审批服务局) of the allowed regions other than the implementing one:
    where an applicant may choose to hand in (收件地)."""
    regions = intake_regions(version)
    if not regions:
        return []
    own = version.implementation.region_id
    windows = Department.objects.filter(kind=DepartmentKind.APPROVAL_SERVICE).select_related("region")
    return [
        d
        for d in windows.order_by("region__code", "pk")
        if d.region_id != own and any(d.region.code.startswith(r.code_prefix) for r in regions)
    ]


def joint_department_codes(version: ImplementationVersion) -> set[str]:
    """Credit codes of the departments a 多地联办 process may route stages to: every department
    within the version's 通办范围 (empty without 多地联办)."""
    if CrossRegionMode.JOINT not in (version.cross_region_modes or []):
        return set()
    digits = _SCOPE_DIGITS.get(CrossRegionScope(version.cross_region_scope or ""))
    departments = Department.objects.all()
    if digits is not None:
        departments = departments.filter(region__code__startswith=version.implementation.region.code[:digits])
    return set(departments.values_list("credit_code", flat=True))


def cross_region_problems(version: ImplementationVersion) -> dict[str, list[str]]:
    """Whether the three 跨域通办 elements agree with each other and with the version."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    scope = version.cross_region_scope or ""
    modes = version.cross_region_modes if isinstance(version.cross_region_modes, list) else []
    if scope not in CrossRegionScope.values:
        add("cross_region_scope", "通办范围：请从给定选项中选择")
        return problems
    if modes and not scope:
        add("cross_region_scope", "通办范围：选择了通办方式时必填（全国、跨省、省内或市内）")
    if scope and not modes:
        add("cross_region_modes", "通办方式：通办事项至少选择一种（全程网办、异地代收代办或多地联办）")
    if CrossRegionMode.ONLINE in modes and version.online_depth != 4:
        add("cross_region_modes", "通办方式：全程网办要求网上办理深度为 Ⅳ 级（全程网办）")
    codes = intake_codes(version.cross_region_intake or "")
    if CrossRegionMode.PROXY in modes and not codes:
        add("cross_region_intake", "异地代收地区：选择“异地代收代办”时必填，写明哪些地区的窗口可以代收")
    if codes and CrossRegionMode.PROXY not in modes:
        add("cross_region_intake", "异地代收地区：未选择“异地代收代办”时应留空")
    digits = _SCOPE_DIGITS.get(CrossRegionScope(scope))
    home = version.implementation.region.code
    for code in codes:
        if not _CODE.match(code):
            add("cross_region_intake", f"异地代收地区：{code} 不是 6 位区划代码")
        elif _region(code) is None:
            add("cross_region_intake", f"异地代收地区：区划代码 {code} 不存在")
        elif digits is not None and code[:digits] != home[:digits]:
            add(
                "cross_region_intake",
                f"异地代收地区：{code} 超出通办范围“{CrossRegionScope(scope).label}”",
            )
    return problems


def guide_lines(version: ImplementationVersion, process: ProcessDefinition | None) -> list[str]:
    """The guide's plain-Chinese account of how the item is handled across regions."""
    modes = version.cross_region_modes if isinstance(version.cross_region_modes, list) else []
    if not version.cross_region_scope and not modes:
        return []
    lines = [f"本事项{CrossRegionScope(version.cross_region_scope).label}。"] if version.cross_region_scope else []
    if CrossRegionMode.ONLINE in modes:
        lines.append("全程网办：无论您身在何地，都可以在网上申请、查询进度和领取电子结果，无需到现场。")
    if CrossRegionMode.PROXY in modes:
        names = "、".join(r.name for r in intake_regions(version))
        lines.append(
            f"异地代收代办：可在{names}的政务服务窗口递交申请材料，由收件窗口核对后移交本机关受理办理；"
            "办理结果可邮寄，也可在收件窗口领取。"
        )
    if CrossRegionMode.JOINT in modes and process is not None:
        codes = {t.department for s in process.stages for t in s.tasks}
        home = version.implementation.region_id
        others = {
            d.credit_code: d
            for d in Department.objects.filter(credit_code__in=codes).exclude(region_id=home).select_related("region")
        }
        stages = [
            f"“{s.name}”由{'、'.join(others[t.department].name for t in s.tasks if t.department in others)}办理"
            for s in process.stages
            if any(t.department in others for t in s.tasks)
        ]
        lines.append(
            "多地联办：您只需在一地申请，"
            + ("；".join(stages) if stages else "各环节由相关地区的部门协同办理")
            + "，结果统一送达。"
        )
    return lines
