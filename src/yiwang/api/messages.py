"""Chinese messages for the pydantic validation errors the API can meet.

Pydantic's own messages are English ("Field required"); the problem+json `errors` list
must name the field and the rule in Chinese (architecture rule 8).
"""

from collections import defaultdict
from typing import Any

_PLAIN = {
    "missing": "必须填写",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "int_from_float": "必须是整数，不能带小数",
    "int_parsing_size": "数字位数过多",
    "int_too_long": "数字位数过多",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "finite_number": "必须是有限的数字",
    "decimal_parsing": "必须是数字",
    "decimal_type": "必须是数字",
    "string_type": "必须是文本",
    "string_unicode": "必须是有效的 UTF-8 文本",
    "string_sub_type": "必须是文本",
    "bool_parsing": "必须是 true 或 false",
    "bool_type": "必须是 true 或 false",
    "dict_type": "必须是 JSON 对象",
    "list_type": "必须是数组",
    "model_type": "必须是 JSON 对象",
    "model_attributes_type": "必须是 JSON 对象",
    "dataclass_type": "必须是 JSON 对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "date_parsing": "必须是日期（如 2026-03-16）",
    "date_from_datetime_parsing": "必须是日期（如 2026-03-16）",
    "date_type": "必须是日期（如 2026-03-16）",
    "datetime_parsing": "必须是日期时间（ISO 8601）",
    "datetime_from_date_parsing": "必须是日期时间（ISO 8601）",
    "datetime_type": "必须是日期时间（ISO 8601）",
    "uuid_parsing": "必须是有效的 UUID",
    "uuid_type": "必须是有效的 UUID",
    "none_required": "必须为空",
    "extra_forbidden": "不是允许的字段",
    "value_error": "取值不正确",
    "assertion_error": "取值不正确",
    "union_tag_invalid": "类型不正确",
    "no_such_attribute": "不是允许的字段",
    "control_character": "含有不允许的控制字符",
}


# Messages that quote the rule's bound from the error's context.
_TEMPLATES = {
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少需要 {min_length} 个字符",
    "too_long": "不能超过 {max_length} 项",
    "too_short": "至少需要 {min_length} 项",
    "string_pattern_mismatch": "格式不正确",
}


def _templated(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "")
        return f"只能是以下之一：{'、'.join(part.strip() for part in expected.split(','))}"
    template = _TEMPLATES.get(kind)
    return template.format_map(defaultdict(str, ctx)) if template else None


def error_message(error: dict[str, Any]) -> str:
    """The Chinese rule for one pydantic error (without the field name)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    return _templated(kind, ctx) or _PLAIN.get(kind, "格式不正确")
