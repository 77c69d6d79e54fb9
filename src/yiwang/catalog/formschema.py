"""The application form of an implementation, as a validated document.

The portal renders it and the server checks submissions against it with `form_clean`;
both read the same `FormSchema`, so what the applicant sees is what is enforced. Messages
are Simplified Chinese and name the field (by its label) and the rule.
"""

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_region_code, validate_resident_id
from yiwang.core.text import control_char_error

FieldType = Literal[
    "text", "textarea", "integer", "decimal", "date", "choice", "multichoice", "boolean",
    "id_number", "credit_code", "phone", "region",
]  # fmt: skip

_NAME = r"^[a-z][a-z0-9_]{0,39}$"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

# Bounds checked before any conversion (architecture rule 11): a value is measured and
# matched against a strict lexical form first, so nothing like Decimal("1e999999") or
# int("9" * 10**6) ever runs. Numbers take no exponent, so their size is their length.
INTEGER_DIGITS = 15  # 10^15 - 1 is beyond any count, area or amount (in 元) a form asks for
DECIMAL_DIGITS = 15  # before the point
DECIMAL_PLACES = 6  # after it
DEFAULT_MAX_CHARS = {"text": 500, "textarea": 5000}  # when the schema sets no max_length
OTHER_MAX_CHARS = 100  # any other field as typed (an ID number, a date, a phone, a number)
MAX_ITEMS = 100  # elements of a multiple-choice value
_NON_FINITE = re.compile(r"[+-]?(s?nan|inf(inity)?)", re.IGNORECASE)
_FULL_WIDTH_NUMBER = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: str


class Condition(BaseModel):
    """The field applies only when another field has one of these values."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    equals: list[str | bool | int]


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=_NAME)
    label: str = Field(min_length=1, max_length=60)
    type: FieldType
    required: bool = False
    help: str = ""
    max_length: int | None = Field(default=None, ge=1, le=10000)
    min: Decimal | None = None
    max: Decimal | None = None
    decimal_places: int | None = Field(default=None, ge=0, le=DECIMAL_PLACES)
    pattern: str | None = None
    pattern_message: str | None = None
    options: list[Option] = []
    condition: Condition | None = None

    @model_validator(mode="after")
    def _check(self) -> "FieldSpec":
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"字段“{self.label}”：选择题必须列出选项")
        for bound in (self.min, self.max):
            if bound is not None and (not bound.is_finite() or abs(bound.adjusted()) > DECIMAL_DIGITS):
                raise ValueError(f"字段“{self.label}”：取值范围须为不超过 {DECIMAL_DIGITS} 位的有限数字")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"字段“{self.label}”：正则表达式无效（{exc}）") from exc
        return self


class FormSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fields: list[FieldSpec] = []

    @model_validator(mode="after")
    def _check(self) -> "FormSchema":
        names = [f.name for f in self.fields]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"表单字段重复：{', '.join(sorted(duplicates))}")
        for spec in self.fields:
            if spec.condition and spec.condition.field not in names:
                raise ValueError(f"字段“{spec.label}”的显示条件引用了未定义的字段 {spec.condition.field}")
        return self

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> set[str]:
        return {f.name for f in self.fields}


def _applies(spec: FieldSpec, data: dict[str, Any]) -> bool:
    if spec.condition is None:
        return True
    value = data.get(spec.condition.field)
    values = value if isinstance(value, list) else [value]
    return any(v in spec.condition.equals or str(v) in map(str, spec.condition.equals) for v in values)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def max_chars(spec: FieldSpec) -> int:
    """The most characters a value of this field may have (the schema's, or the default)."""
    if spec.type in DEFAULT_MAX_CHARS:
        return spec.max_length or DEFAULT_MAX_CHARS[spec.type]
    return OTHER_MAX_CHARS


def text_check(label: str, value: str, *, max_length: int, multiline: bool = False) -> None:
    """Refuse control characters and over-long text; the message names the field and the rule.

    Shared by every text the application form and its draft take (the schema's fields, the
    mailing address), so one rule holds for the page, the draft and the API.
    """
    message = control_char_error(label, value, multiline=multiline)  # refused, never stripped
    if message is not None:
        raise ValueError(message)
    if len(value) > max_length:
        raise ValueError(f"{label}：最多 {max_length} 个字，当前 {len(value)} 个字")


def value_check(spec: FieldSpec, raw: Any) -> None:
    """The bounds of one value as typed, before any conversion: its JSON type, its length,
    control characters, and the number of elements of a list. Drafts are checked with this
    alone; `form_clean` runs it first, then the field's own rules."""
    label = spec.label
    items = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list):
        if spec.type != "multichoice":
            raise ValueError(f"{label}：应为单个值，不能是列表")
        if len(raw) > min(MAX_ITEMS, max(len(spec.options), 1)):
            raise ValueError(f"{label}：最多选择 {min(MAX_ITEMS, len(spec.options))} 项，当前 {len(raw)} 项")
    for item in items:
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if item.bit_length() > 64:  # before str(): a huge int is slow to print
                rule = _number_rule(spec) if spec.type in ("integer", "decimal") else "数值位数过多"
                raise ValueError(f"{label}：{rule}")
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"{label}：须为有限的数字，不接受 NaN、Infinity 等非数值")
            continue
        if not isinstance(item, str):
            raise ValueError(f"{label}：应为文本、数字或选项，不能是{type(item).__name__}")
        if spec.type in ("integer", "decimal") and len(item) > OTHER_MAX_CHARS:
            raise ValueError(f"{label}：{_number_rule(spec)}")
        text_check(label, item, max_length=max_chars(spec), multiline=spec.type == "textarea")


def _digits(spec: FieldSpec) -> tuple[int, int]:
    """(digits before the point, digits after it) a number of this field may have: from the
    field's bounds and ``decimal_places`` when the schema gives them, else the defaults."""
    places = 0 if spec.type == "integer" else spec.decimal_places if spec.decimal_places is not None else DECIMAL_PLACES
    whole = INTEGER_DIGITS if spec.type == "integer" else DECIMAL_DIGITS
    if spec.min is not None and spec.max is not None:
        widest = max(abs(spec.min), abs(spec.max))
        whole = min(whole, max(widest.adjusted() + 1, 1))  # adjusted(): exponent, no conversion
    return whole, places


def _number_rule(spec: FieldSpec) -> str:
    whole, places = _digits(spec)
    if places == 0:
        return f"须为不超过 {whole} 位的整数"
    return f"须为不超过 {whole} 位整数、{places} 位小数的数字"


def _number(spec: FieldSpec, raw: Any) -> Decimal:
    """Parse an integer or decimal field with its bounds checked first (see INTEGER_DIGITS)."""
    label = spec.label
    if isinstance(raw, bool):
        raise ValueError(f"{label}：{_number_rule(spec)}")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"{label}：须为有限的数字，不接受 NaN、Infinity 等非数值")
        text = f"{raw:.{DECIMAL_PLACES + 1}f}".rstrip("0").rstrip(".")  # never an exponent
    elif isinstance(raw, int):
        if raw.bit_length() > 64:  # before str(): printing a huge int is slow
            raise ValueError(f"{label}：{_number_rule(spec)}")
        text = str(raw)
    else:
        text = str(raw).strip().translate(_FULL_WIDTH_NUMBER)[: OTHER_MAX_CHARS + 1]
    if _NON_FINITE.fullmatch(text):
        raise ValueError(f"{label}：须为有限的数字，不接受 NaN、Infinity 等非数值")
    whole, places = _digits(spec)
    fraction = rf"(\.[0-9]{{1,{places}}})?" if places else ""
    if not re.fullmatch(rf"[+-]?[0-9]{{1,{whole}}}{fraction}", text):
        if places == 0 and re.fullmatch(r"[+-]?[0-9]{1,40}\.[0-9]{1,40}", text):
            raise ValueError(f"{label}：应为整数，不能有小数")
        raise ValueError(f"{label}：{_number_rule(spec)}")
    return Decimal(text)


def form_data_check(schema: FormSchema, data: dict[str, Any]) -> dict[str, list[str]]:
    """The bounds of every known field of `data` (what a draft must meet): errors by field."""
    errors: dict[str, list[str]] = {}
    for spec in schema.fields:
        if spec.name in data:
            try:
                value_check(spec, data[spec.name])
            except ValueError as exc:
                errors[spec.name] = [str(exc)]
    return errors


def _clean_value(spec: FieldSpec, raw: Any) -> Any:
    label = spec.label
    value_check(spec, raw)
    if spec.type in ("text", "textarea"):
        value = str(raw).strip()
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise ValueError(f"{label}：{spec.pattern_message or '格式不正确'}")
        return value
    if spec.type in ("integer", "decimal"):
        number = _number(spec, raw)
        if spec.min is not None and number < spec.min:
            raise ValueError(f"{label}：不能小于 {spec.min}")
        if spec.max is not None and number > spec.max:
            raise ValueError(f"{label}：不能大于 {spec.max}")
        return int(number) if spec.type == "integer" else str(number)
    if spec.type == "date":
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError(f"{label}：应为日期，格式如 2026-03-16") from None
    if spec.type == "choice":
        allowed = {o.value for o in spec.options}
        if str(raw) not in allowed:
            raise ValueError(f"{label}：请从给定选项中选择")
        return str(raw)
    if spec.type == "multichoice":
        values = [str(v) for v in (raw if isinstance(raw, list) else [raw])]
        allowed = {o.value for o in spec.options}
        if any(v not in allowed for v in values):
            raise ValueError(f"{label}：请从给定选项中选择")
        return values
    if spec.type == "boolean":
        return raw in (True, "true", "on", "1", 1, "yes")
    if spec.type == "phone":
        value = str(raw).strip()
        if not _PHONE.match(value):
            raise ValueError(f"{label}：应为 11 位手机号或带区号的固定电话")
        return value
    checks = {"id_number": validate_resident_id, "credit_code": validate_credit_code}
    try:
        if spec.type == "region":
            return validate_region_code(str(raw), field=label).code
        return checks[spec.type](str(raw), field=label)
    except IdentifierError as exc:
        raise ValueError(exc.message) from None


def form_clean(schema: FormSchema, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check `data` against `schema`: returns (cleaned values, errors by field name).

    Fields whose condition does not hold are dropped; unknown keys are ignored.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in schema.fields:
        if not _applies(spec, data):
            continue
        raw = data.get(spec.name)
        if _empty(raw) and spec.type != "boolean":
            if spec.required:
                errors[spec.name] = [f"{spec.label}：必填"]
            continue
        try:
            cleaned[spec.name] = _clean_value(spec, raw)
        except ValueError as exc:
            errors[spec.name] = [str(exc)]
        if spec.type == "boolean" and spec.required and not cleaned.get(spec.name):
            errors[spec.name] = [f"{spec.label}：必须勾选"]
    return cleaned, errors
