"""The form schema's bounds (architecture rule 11): numbers are matched against a strict
lexical form before any conversion, non-finite values and control characters are refused,
and every value has a length; each message names the field by its label and the rule."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.catalog.formschema import (
    DEFAULT_MAX_CHARS,
    MAX_ITEMS,
    FormSchema,
    form_clean,
    form_data_check,
)

SCHEMA = FormSchema.model_validate(
    {
        "fields": [
            {"name": "staff", "label": "从业人数", "type": "integer", "min": "0", "max": "100000"},
            {"name": "capital", "label": "注册资本（万元）", "type": "decimal", "min": "0",
             "max": "999999999999.99", "decimal_places": 2},
            {"name": "count", "label": "数量", "type": "integer"},
            {"name": "area", "label": "面积", "type": "decimal"},
            {"name": "name", "label": "名称", "type": "text"},
            {"name": "scope", "label": "经营范围", "type": "textarea"},
            {"name": "items", "label": "经营项目", "type": "multichoice",
             "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
        ]
    }
)  # fmt: skip


def error_of(name: str, value: Any) -> str:
    cleaned, errors = form_clean(SCHEMA, {name: value})
    assert name not in cleaned, cleaned
    return errors[name][0]


@pytest.mark.parametrize("value", ["1e999999", "1e5000", "9" * 5000, "1E3", "0x10", "1_000", "1 000", "٣"])
def test_numbers_out_of_lexical_bounds_are_refused_with_the_rule(value: str) -> None:
    assert error_of("capital", value) == "注册资本（万元）：须为不超过 12 位整数、2 位小数的数字"
    assert error_of("staff", value) == "从业人数：须为不超过 6 位的整数"
    assert error_of("count", value) == "数量：须为不超过 15 位的整数"


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-nan", "Infinity", "-Infinity", "inf", float("inf"), float("nan")])
def test_non_finite_numbers_are_refused(value: Any) -> None:
    for name, label in (("capital", "注册资本（万元）"), ("staff", "从业人数"), ("area", "面积")):
        assert error_of(name, value) == f"{label}：须为有限的数字，不接受 NaN、Infinity 等非数值"


def test_json_numbers_from_the_api_are_bounded() -> None:
    assert error_of("count", 10**40) == "数量：须为不超过 15 位的整数"
    assert error_of("area", 1e300) == "面积：须为不超过 15 位整数、6 位小数的数字"
    assert error_of("count", True) == "数量：须为不超过 15 位的整数"
    assert error_of("count", 2.5) == "数量：应为整数，不能有小数"
    cleaned, errors = form_clean(SCHEMA, {"count": 7, "area": 12.5, "capital": "１２.３", "staff": 3.0})
    assert errors == {} and cleaned == {"count": 7, "area": "12.5", "capital": "12.3", "staff": 3}


def test_min_max_and_places_still_apply() -> None:
    assert error_of("staff", "-1") == "从业人数：不能小于 0"
    assert error_of("staff", "100001") == "从业人数：不能大于 100000"
    assert error_of("capital", "1.234") == "注册资本（万元）：须为不超过 12 位整数、2 位小数的数字"
    assert form_clean(SCHEMA, {"capital": "999999999999.99"}) == ({"capital": "999999999999.99"}, {})


def test_schema_bounds_must_be_finite() -> None:
    with pytest.raises(ValueError, match="取值范围须为不超过 15 位的有限数字"):
        FormSchema.model_validate({"fields": [{"name": "n", "label": "数", "type": "integer", "max": "1e999999"}]})


@given(st.text(max_size=40))
def test_any_typed_number_is_either_cleaned_or_refused_with_a_message(text: str) -> None:
    cleaned, errors = form_clean(SCHEMA, {"count": text, "area": text})
    for name in ("count", "area"):
        assert (name in cleaned) != (name in errors) or not text.strip()
    if "area" in cleaned:
        assert len(cleaned["area"].lstrip("+-").split(".")[0]) <= 15


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused_naming_the_field(char: str) -> None:
    message = error_of("name", f"泉城{char}小馆")
    assert message.startswith("名称：含有不可见的控制字符") and "请删除后重新输入" in message
    assert form_data_check(SCHEMA, {"scope": f"零售{char}"})["scope"][0].startswith("经营范围：含有不可见的控制字符")


def test_line_breaks_and_tabs_only_in_multi_line_text() -> None:
    assert form_clean(SCHEMA, {"scope": "第一行\r\n第二行\t备注"})[1] == {}
    assert error_of("name", "泉城\n小馆").startswith("名称：含有不可见的控制字符（U+000A）")


def test_lengths_have_a_platform_default() -> None:
    assert error_of("name", "字" * (DEFAULT_MAX_CHARS["text"] + 1)) == "名称：最多 500 个字，当前 501 个字"
    assert form_data_check(SCHEMA, {"scope": "字" * 5001}) == {"scope": ["经营范围：最多 5000 个字，当前 5001 个字"]}
    assert form_data_check(SCHEMA, {"count": "9" * 101}) == {"count": ["数量：须为不超过 15 位的整数"]}
    assert form_data_check(SCHEMA, {"items": ["a" * 101]}) == {"items": ["经营项目：最多 100 个字，当前 101 个字"]}


def test_draft_values_are_bounded_in_type_and_size() -> None:
    assert form_data_check(SCHEMA, {"items": ["a"] * 10_000}) == {"items": ["经营项目：最多选择 2 项，当前 10000 项"]}
    assert MAX_ITEMS >= 2
    assert form_data_check(SCHEMA, {"name": ["x"]}) == {"name": ["名称：应为单个值，不能是列表"]}
    assert form_data_check(SCHEMA, {"name": {"a": 1}}) == {"name": ["名称：应为文本、数字或选项，不能是dict"]}
    assert form_data_check(SCHEMA, {"area": float("inf")})["area"][0].startswith("面积：须为有限的数字")
    # values as typed stay acceptable in a draft: only their bounds are checked
    assert form_data_check(SCHEMA, {"count": "abc", "name": "", "items": ["a", "b"], "unknown": "\x00"}) == {}
