"""The application form of an implementation, as a validated document.

The portal renders it and the server checks submissions against it with `form_clean`;
both read the same `FormSchema`, so what the applicant sees is what is enforced. Messages
are Simplified Chinese and name the field (by its label) and the rule.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yiwang.core.identifiers import IdentifierError, validate_credit_code, validate_region_code, validate_resident_id

FieldType = Literal[
    "text", "textarea", "integer", "decimal", "date", "choice", "multichoice", "boolean",
    "id_number", "credit_code", "phone", "region",
]  # fmt: skip

_NAME = r"^[a-z][a-z0-9_]{0,39}$"
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


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
    pattern: str | None = None
    pattern_message: str | None = None
    options: list[Option] = []
    condition: Condition | None = None

    @model_validator(mode="after")
    def _check(self) -> "FieldSpec":
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"字段“{self.label}”：选择题必须列出选项")
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


def _clean_value(spec: FieldSpec, raw: Any) -> Any:
    label = spec.label
    if spec.type in ("text", "textarea"):
        value = str(raw).strip()
        if spec.max_length and len(value) > spec.max_length:
            raise ValueError(f"{label}：最多 {spec.max_length} 个字，当前 {len(value)} 个字")
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            raise ValueError(f"{label}：{spec.pattern_message or '格式不正确'}")
        return value
    if spec.type in ("integer", "decimal"):
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"{label}：应为数字") from None
        if spec.type == "integer" and number != number.to_integral_value():
            raise ValueError(f"{label}：应为整数")
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
