"""Bounds of what a rater or a department types (pure; errors by field, in Chinese)."""

from typing import Any

from yiwang.core.text import control_char_error

TEXT_MAX = 500
ANSWER_MAX = 1000
RECTIFICATION_DAYS = (5, 7, 15)  # 整改期限 in working days (domain.md §6: configurable locally)

# 评价标签 (GB/T 39734 aspects): code -> label
TAGS: dict[str, str] = {
    "efficiency": "办事效率",
    "guide": "指南准确",
    "convenience": "办事便利",
    "attitude": "服务态度",
    "materials": "材料要求",
    "online": "网上办理",
}


def grade_errors(value: Any, *, field: str = "grade") -> dict[str, list[str]]:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return {field: ["评价等级：请选择 非常满意、满意、基本满意、不满意 或 非常不满意"]}
    return {}


def tags_errors(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, list) or len(value) > len(TAGS):
        return {"tags": [f"评价标签：最多 {len(TAGS)} 个，从给定标签中选择"]}
    unknown = [str(tag)[:20] for tag in value if tag not in TAGS]
    if unknown:
        return {"tags": [f"评价标签：不认识的标签 {'、'.join(unknown[:3])}"]}
    if len(set(value)) != len(value):
        return {"tags": ["评价标签：同一标签只能选一次"]}
    return {}


def text_errors(value: Any, *, field: str, label: str, required: bool, max_length: int) -> dict[str, list[str]]:
    if not isinstance(value, str):
        return {field: [f"{label}：应为文本"]}
    if required and not value.strip():
        return {field: [f"{label}：必填"]}
    if len(value) > max_length:
        return {field: [f"{label}：最多 {max_length} 个字符（现有 {len(value)} 个）"]}
    problem = control_char_error(label, value, multiline=True)
    return {field: [problem]} if problem else {}
