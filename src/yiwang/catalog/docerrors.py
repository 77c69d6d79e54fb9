"""Chinese messages for the two validated documents (application form, process definition).

Pydantic reports errors in English with a location path; catalog administrators edit these
documents as JSON, so each error becomes one sentence that says where (第 2 个环节 › 第 1 个
任务 › 部门) and what rule was broken.
"""

import json
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

M = TypeVar("M", bound=BaseModel)

KEY_LABELS = {
    "fields": "字段",
    "options": "选项",
    "stages": "环节",
    "tasks": "任务",
    "auto_approval": "秒批规则",
    "conditions": "条件",
    "name": "标识/名称",
    "label": "显示名称",
    "type": "类型",
    "required": "是否必填",
    "help": "填写说明",
    "max_length": "最大长度",
    "min": "最小值",
    "max": "最大值",
    "pattern": "正则表达式",
    "pattern_message": "格式提示",
    "condition": "显示条件",
    "field": "引用字段",
    "equals": "取值",
    "value": "值",
    "key": "标识",
    "department": "部门",
    "role": "角色",
    "limit_days": "时限（工作日）",
    "join": "汇合方式",
    "quorum": "法定人数",
    "decides": "是否决定环节",
    "case_kind": "办件类型",
    "commitment_allowed": "是否允许告知承诺",
    "commitment_text": "承诺书文本",
    "inspection_limit_days": "核查时限",
    "op": "运算符",
}

_CONTAINERS = ("fields", "options", "stages", "tasks", "auto_approval", "conditions")
_KEY_RULE = "须以小写字母开头，只含小写字母、数字和下划线，最长 40 个字符"


def _where(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    container = ""
    for step in loc:
        if isinstance(step, int):
            parts.append(f"第 {step + 1} 个{KEY_LABELS.get(container, '元素')}")
        else:
            container = step
            if step not in _CONTAINERS:
                parts.append(KEY_LABELS.get(step, step))
    if loc and isinstance(loc[-1], str) and loc[-1] in _CONTAINERS:
        parts.append(KEY_LABELS[loc[-1]])  # the error is about the list itself
    return " › ".join(parts)


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "缺少此项（必填）"
    if kind == "extra_forbidden":
        return "不认识的项，请删除或检查拼写"
    if kind == "string_pattern_mismatch":
        return _KEY_RULE
    if kind == "literal_error":
        return f"取值应为 {ctx.get('expected', '规定的值之一')}"
    if kind in ("too_short", "string_too_short"):
        return f"至少需要 {ctx.get('min_length', 1)} 项" if kind == "too_short" else "不能为空"
    if kind in ("too_long", "string_too_long"):
        return f"太长（最多 {ctx.get('max_length')}）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind.startswith("int_"):
        return "应为整数"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind.startswith("string_"):
        return "应为文本"
    if kind in ("list_type", "tuple_type"):
        return "应为列表 [ … ]"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为对象 { … }"
    if kind.startswith("decimal") or kind.startswith("float"):
        return "应为数字"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", "格式不正确"))


def document_parse(model: type[M], raw: Any, *, label: str) -> tuple[M | None, list[str]]:
    """Validate `raw` (a dict or JSON text) as `model`: (the document, Chinese problems)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            return None, [f"{label}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"]
    if not isinstance(raw, dict):
        return None, [f"{label}：应为 JSON 对象 {{ … }}"]
    try:
        return model.model_validate(raw), []
    except PydanticValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = _where(tuple(error.get("loc", ())))
            problems.append(f"{label}{' ' + where if where else ''}：{_message(dict(error))}")
        return None, problems
