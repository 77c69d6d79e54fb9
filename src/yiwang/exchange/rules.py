"""Bounds and rules of what a steward types: a resource's fields, a demand's text.

Pure functions returning errors by field (Chinese, naming the field and the rule), so the
services, the pages and the API give the same messages. Free of the ORM.
"""

import re
from collections.abc import Sequence
from typing import Any

from yiwang.core.text import control_char_error
from yiwang.exchange.models import FieldType, Sensitivity

MAX_FIELDS = 100
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESOURCE_CODE = re.compile(r"^[a-z][a-z0-9_.-]{2,59}$")
SYSTEM_CODE = re.compile(r"^[a-z][a-z0-9_.:-]{1,59}$")
BASIC_CODE = re.compile(r"^[0-9A-Z]{1,20}$")
MAX_ITEMS = 50


def text_errors(field: str, label: str, value: str, *, required: bool, max_length: int) -> list[str]:
    if not isinstance(value, str):
        return [f"{label}：应为文本"]
    if required and not value.strip():
        return [f"{label}：必填"]
    if len(value) > max_length:
        return [f"{label}：最多 {max_length} 个字符（现有 {len(value)} 个）"]
    problem = control_char_error(label, value, multiline=True)
    return [problem] if problem else []


def resource_fields_errors(fields: Any) -> list[str]:
    """A resource's 信息项: a non-empty list of {key, label, type, sensitivity}, keys unique."""
    if not isinstance(fields, list) or not fields:
        return ["信息项：至少一项，每项为 {key, label, type, sensitivity}"]
    if len(fields) > MAX_FIELDS:
        return [f"信息项：最多 {MAX_FIELDS} 项（现有 {len(fields)} 项）"]
    errors: list[str] = []
    seen: set[str] = set()
    for n, spec in enumerate(fields, start=1):
        where = f"信息项第 {n} 项"
        if not isinstance(spec, dict) or set(spec) != {"key", "label", "type", "sensitivity"}:
            errors.append(f"{where}：应恰有 key、label、type、sensitivity 四个属性")
            continue
        key, label = spec["key"], spec["label"]
        if not isinstance(key, str) or not FIELD_KEY.match(key):
            errors.append(f"{where}：标识应以小写字母开头，由小写字母、数字和下划线组成，最多 40 个字符")
        elif key in seen:
            errors.append(f"{where}：标识 {key} 重复")
        else:
            seen.add(key)
        errors += [f"{where}：{e}" for e in text_errors("label", "名称", label, required=True, max_length=40)]
        if spec["type"] not in FieldType.values:
            errors.append(f"{where}：类型应为 {'、'.join(FieldType.values)} 之一")
        if spec["sensitivity"] not in Sensitivity.values:
            errors.append(f"{where}：敏感级别应为 {'、'.join(Sensitivity.values)} 之一")
    return errors


def chosen_fields_errors(label: str, chosen: Any, available: Sequence[str]) -> list[str]:
    """A demand's or grant's fields: a non-empty list of distinct keys of the resource."""
    if not isinstance(chosen, list) or not chosen or not all(isinstance(k, str) for k in chosen):
        return [f"{label}：至少选择一项"]
    if len(chosen) > MAX_FIELDS:
        return [f"{label}：最多 {MAX_FIELDS} 项"]
    unknown = [k for k in chosen if k not in available]
    if unknown:
        return [f"{label}：资源中没有信息项 {'、'.join(unknown[:5])}"]
    if len(set(chosen)) != len(chosen):
        return [f"{label}：信息项重复"]
    return []


def items_errors(items: Any) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return ["服务事项：应为事项基本编码的列表"]
    if len(items) > MAX_ITEMS:
        return [f"服务事项：最多 {MAX_ITEMS} 项"]
    bad = [i for i in items if not BASIC_CODE.match(i)]
    return [f"服务事项：基本编码 {bad[0][:40]!r} 格式不正确"] if bad else []
