"""What the application pages show and read back — the applicant's (portal) and a helper's
filling it in for a person (workbench, 帮办代办): the application form built from the
implementation's FormSchema, the materials list, and service errors placed on fields.

No rules live here. The form is rendered from the same `FormSchema` the server checks with
`form_clean` inside `case_submit`; this module only turns the schema and what was typed into
something a template can show, and a POST back into the `form_data` the services take.
Field controls are named `f-<name>`, material file inputs `m-<key>`, so a schema field can
never collide with the page's own controls (identity, delivery, commitment, action).
"""

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from yiwang.accounts.models import EnterpriseAgent, User
from yiwang.cases.evidence import Supply
from yiwang.cases.models import CaseMaterial, DeliveryMethod
from yiwang.cases.uploads import ACCEPTED, KINDS, max_upload_bytes
from yiwang.catalog.formschema import FieldSpec, FormSchema
from yiwang.catalog.models import Material, Necessity

FIELD_PREFIX = "f-"
MATERIAL_PREFIX = "m-"
SELF = "self"
ACCEPT_ATTR = ",".join(ext for kind in KINDS.values() for ext in kind.extensions)
INPUT_TYPES = {"date": "date", "phone": "tel", "integer": "text", "decimal": "text"}
INPUT_MODES = {"integer": "numeric", "decimal": "decimal", "phone": "tel", "id_number": "text", "region": "numeric"}
TYPE_HINTS = {
    "id_number": "18 位居民身份证号码，末位可为 X",
    "credit_code": "18 位统一社会信用代码",
    "phone": "11 位手机号，或带区号的固定电话（如 0531-66601019）",
    "region": "行政区划代码，如 370102",
    "date": "格式：2026-03-16",
}


def upload_limit_label() -> str:
    size = max_upload_bytes()
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{size / 1024:.3g} KB"


def upload_hint() -> str:
    return f"可上传 {ACCEPTED}，单个文件不超过 {upload_limit_label()}"


def new_idempotency_key(posted: str | None = None) -> str:
    """The key of this submission: the one the page was rendered with, or a fresh one."""
    try:
        return str(uuid.UUID(str(posted)))
    except ValueError:
        return str(uuid.uuid4())


# --- the application form ----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool
    id: str


@dataclass
class FieldView:
    """One field of the application form, as the template shows it."""

    spec: FieldSpec
    value: str = ""
    values: list[str] = field(default_factory=list)
    checked: bool = False
    errors: list[str] = field(default_factory=list)
    condition_text: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def html_name(self) -> str:
        return FIELD_PREFIX + self.spec.name

    @property
    def id(self) -> str:
        return FIELD_PREFIX + self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def help(self) -> str:
        parts = [p for p in (self.spec.help, TYPE_HINTS.get(self.spec.type, "")) if p]
        if self.spec.max_length and self.spec.type in ("text", "textarea"):
            parts.append(f"最多 {self.spec.max_length} 个字")
        if self.spec.min is not None and self.spec.max is not None:
            parts.append(f"{self.spec.min} 至 {self.spec.max}")
        elif self.spec.min is not None:
            parts.append(f"不小于 {self.spec.min}")
        elif self.spec.max is not None:
            parts.append(f"不大于 {self.spec.max}")
        return "；".join(parts)

    @property
    def is_group(self) -> bool:
        """Radios and checkbox lists are a fieldset with a legend, not a label."""
        return self.spec.type == "multichoice" or (self.spec.type == "choice" and len(self.spec.options) <= 6)

    @property
    def widget(self) -> str:
        if self.spec.type == "textarea":
            return "textarea"
        if self.spec.type == "boolean":
            return "checkbox"
        if self.spec.type == "multichoice":
            return "checkboxes"
        if self.spec.type == "choice":
            return "radios" if self.is_group else "select"
        return "input"

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.spec.type, "text")

    @property
    def inputmode(self) -> str:
        return INPUT_MODES.get(self.spec.type, "")

    @property
    def maxlength(self) -> int | None:
        if self.spec.type in ("id_number", "credit_code"):
            return 18
        return self.spec.max_length

    @property
    def options(self) -> list[Choice]:
        chosen = set(self.values) if self.spec.type == "multichoice" else {self.value}
        return [
            Choice(o.value, o.label, o.value in chosen, f"{self.id}-{index}")
            for index, o in enumerate(self.spec.options, start=1)
        ]

    @property
    def condition_field(self) -> str:
        return self.spec.condition.field if self.spec.condition else ""

    @property
    def condition_values(self) -> str:
        """JSON list of the controlling values as the page's controls report them ("true" for a tick)."""
        if self.spec.condition is None:
            return ""
        return json.dumps([_as_control_value(v) for v in self.spec.condition.equals], ensure_ascii=False)

    @property
    def anchor(self) -> str:
        """Where the error summary links to: the control itself, or a group's first option."""
        return f"{self.id}-1" if self.is_group else self.id

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        ids = []
        if self.condition_text:
            ids.append(f"{self.id}-when")
        if self.help:
            ids.append(self.help_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)


def _as_control_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _shown(value: Any) -> str:
    if value is None or value is False or value is True:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _condition_text(spec: FieldSpec, schema: FormSchema) -> str:
    if spec.condition is None:
        return ""
    controller = schema.field(spec.condition.field)
    if controller is None:
        return ""
    if controller.type == "boolean":
        ticked = any(v is True or str(v).lower() == "true" for v in spec.condition.equals)
        return f"勾选“{controller.label}”时填写" if ticked else f"未勾选“{controller.label}”时填写"
    labels = {o.value: o.label for o in controller.options}
    shown = "”或“".join(labels.get(str(v), str(v)) for v in spec.condition.equals)
    return f"“{controller.label}”选择“{shown}”时填写"


def field_views(
    schema: FormSchema, data: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None
) -> list[FieldView]:
    """The form's fields filled with `data` (a draft's form_data or what was just posted)."""
    errors = errors or {}
    views = []
    for spec in schema.fields:
        raw = data.get(spec.name)
        view = FieldView(spec, errors=list(errors.get(spec.name, [])), condition_text=_condition_text(spec, schema))
        if spec.type == "multichoice":
            view.values = [str(v) for v in raw] if isinstance(raw, list) else ([str(raw)] if raw else [])
        elif spec.type == "boolean":
            view.checked = raw is True or str(raw).lower() in ("true", "on", "1")
        else:
            view.value = _shown(raw)
        views.append(view)
    return views


def form_data_from(schema: FormSchema, post: QueryDict) -> dict[str, Any]:
    """The `form_data` for the services from a POST: values as typed (checked at submission)."""
    data: dict[str, Any] = {}
    for spec in schema.fields:
        name = FIELD_PREFIX + spec.name
        if spec.type == "multichoice":
            data[spec.name] = post.getlist(name)
        elif spec.type == "boolean":
            data[spec.name] = post.get(name) in ("true", "on", "1")
        else:
            data[spec.name] = post.get(name, "")
    return data


# --- identity and delivery ---------------------------------------------------------------


@dataclass(frozen=True)
class IdentityChoice:
    value: str
    label: str
    detail: str
    checked: bool


def identity_choices(user: User, agencies: Iterable[EnterpriseAgent], current: str) -> list[IdentityChoice]:
    person = getattr(user, "person", None)
    choices = [
        IdentityChoice(
            SELF,
            f"本人（{person.masked_name}）" if person else "本人",
            f"居民身份证 {person.masked_id_number}" if person else "",
            current in (SELF, ""),
        )
    ]
    for agency in agencies:
        enterprise = agency.enterprise
        role = "法定代表人" if agency.is_legal_representative else "授权经办人"
        choices.append(
            IdentityChoice(
                str(enterprise.pk),
                enterprise.name,
                f"统一社会信用代码 {enterprise.credit_code} · 您是{role}",
                current == str(enterprise.pk),
            )
        )
    return choices


def delivery_choices(current: str) -> list[Choice]:
    current = current or DeliveryMethod.ELECTRONIC
    return [Choice(value, label, value == current, f"delivery-{value}") for value, label in DeliveryMethod.choices]


# --- materials ---------------------------------------------------------------------------


@dataclass
class MaterialView:
    """One catalog material: what is asked, how to give it, and what is already uploaded."""

    material: Material
    uploaded: CaseMaterial | None = None
    errors: list[str] = field(default_factory=list)
    requested_note: str = ""
    requested: bool = False  # asked for again in a 补正 request
    upload_failed: bool = False  # the file just chosen was refused (so it must be chosen again)
    supply: Supply | None = None  # 免提交: what the platform fetches for it, or why it cannot

    @property
    def key(self) -> str:
        return self.material.key

    @property
    def name(self) -> str:
        return self.material.name

    @property
    def input_name(self) -> str:
        return MATERIAL_PREFIX + self.material.key

    @property
    def id(self) -> str:
        return MATERIAL_PREFIX + self.material.key

    @property
    def asked(self) -> bool:
        """Whether the page offers a file input: a material the applicant gives, or a 免提交
        one the platform cannot fetch for them (the same rule as selectors.material_needed)."""
        return self.material.asked_of_applicant or (self.supply is not None and not self.supply.supplied)

    @property
    def necessity(self) -> str:
        return self.material.necessity

    @property
    def necessity_label(self) -> str:
        if self.material.necessity == Necessity.REQUIRED:
            return "必须提交"
        if self.material.necessity == Necessity.CONDITIONAL:
            return "特定情形提交"
        return "可选"

    @property
    def condition_field(self) -> str:
        return self.material.condition_field if self.material.necessity == Necessity.CONDITIONAL else ""

    @property
    def described_by(self) -> str:
        ids = [f"{self.id}-help"]
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def material_views(
    materials: Iterable[Material],
    uploaded: Mapping[str, CaseMaterial] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    failed_uploads: Iterable[str] = (),
    supplies: Mapping[str, Supply] | None = None,
) -> list[MaterialView]:
    uploaded = uploaded or {}
    errors = errors or {}
    supplies = supplies or {}
    failed = set(failed_uploads)
    return [
        MaterialView(
            m,
            uploaded.get(m.key),
            list(errors.get(f"materials.{m.key}", [])),
            upload_failed=m.key in failed,
            supply=supplies.get(m.key),
        )
        for m in materials
    ]


# --- errors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    anchor: str
    message: str


def error_summary(errors: Mapping[str, list[str]], anchors: Mapping[str, str]) -> list[SummaryLine]:
    """Every message once, in the order of the page, linked to the control it is about
    (messages about nothing on the page come last, unlinked)."""
    order = {key: position for position, key in enumerate(anchors)}
    keys = sorted(errors, key=lambda k: order.get(k, len(order)))
    return [SummaryLine(anchors.get(key, ""), message) for key in keys for message in errors[key]]


def flatten(errors: Mapping[str, list[str]]) -> list[str]:
    return [message for messages in errors.values() for message in messages]
