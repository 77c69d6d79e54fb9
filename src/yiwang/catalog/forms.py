"""Django forms for the administrators' pages, built from the element specification
(catalog.elements); they only shape input for the services, which check everything again.

JSON documents (form schema, process, fees, FAQ) are edited as text: a syntax or structure
error is reported next to the field in Chinese and the text stays as typed.
"""

import json
from typing import Any, ClassVar

from django import forms

from yiwang.accounts.models import Department, Region
from yiwang.catalog.bundledoc import BUNDLE_VERSION
from yiwang.catalog.docerrors import document_parse
from yiwang.catalog.elements import IMPLEMENTATION_VERSION, ITEM_VERSION, MATERIAL, DocumentSpec, Element
from yiwang.catalog.models import (
    ChangeKind,
    ImplementationVersion,
    MaterialForm,
    MaterialSource,
    Necessity,
)


class JSONTextField(forms.CharField):
    """JSON edited as text; `kind` is list or dict; an optional document model checks the structure."""

    widget = forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "input mono"})

    def __init__(self, *, kind: type, document: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(strip=False, **kwargs)
        self.kind, self.document = kind, document

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def clean(self, value: Any) -> Any:
        text = super().clean(value) or ""
        if not text.strip():
            return self.kind()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"{self.label}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
            ) from None
        if not isinstance(data, self.kind):
            raise forms.ValidationError(f"{self.label}：应为{'列表 [ … ]' if self.kind is list else '对象 { … }'}")
        if self.document is not None:
            _, problems = document_parse(self.document, data, label=str(self.label))
            if problems:
                raise forms.ValidationError(problems)
        return data


def _reason() -> forms.CharField:
    return forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ChangeForm(forms.Form):
    change_kind = forms.ChoiceField(label="调整类型", choices=[c for c in ChangeKind.choices if c[0] != ChangeKind.ADD])
    change_reason = _reason()


def element_field(element: Element, initial: Any = None) -> forms.Field:
    """The form field of one element: its label, type, bounds and whether it is asked for."""
    common: dict[str, Any] = {"label": element.label, "help_text": element.help, "initial": initial}
    if element.kind in ("line", "text"):
        widget = forms.Textarea(attrs={"rows": 3}) if element.kind == "text" else None
        return forms.CharField(required=element.required, max_length=element.max_length, widget=widget, **common)
    if element.kind == "int" and element.choices:
        return forms.TypedChoiceField(choices=element.choices, coerce=int, required=element.required, **common)
    if element.kind == "int":
        return forms.IntegerField(
            required=element.required, min_value=element.minimum, max_value=element.maximum, **common
        )
    if element.kind == "bool":
        return forms.BooleanField(required=False, **common)
    if element.kind == "choice":
        choices = list(element.choices) if initial else [("", "请选择"), *element.choices]
        return forms.ChoiceField(choices=choices, required=element.required, **common)
    if element.kind == "choices":
        return forms.MultipleChoiceField(
            choices=element.choices, required=element.required, widget=forms.CheckboxSelectMultiple, **common
        )
    kind = list if element.kind == "entries" else dict
    return JSONTextField(kind=kind, document=element.document, **common)


class ElementsForm(forms.Form):
    """The elements of one document kind, as the drafter edits them."""

    spec: ClassVar[DocumentSpec]

    @classmethod
    def for_version(cls, version: Any, data: Any = None) -> "ElementsForm":
        return cls(data, initial={name: getattr(version, name) for name in cls.base_fields if hasattr(version, name)})

    def elements(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in self.spec.by_name}


def elements_form(
    spec: DocumentSpec, *, initial: dict[str, Any] | None = None, **extra: forms.Field
) -> type[ElementsForm]:
    """A form class with a field per element of `spec`, then the `extra` fields."""
    fields = {e.name: element_field(e, (initial or {}).get(e.name)) for e in spec}
    return type(f"{spec.key.title()}ElementsForm", (ElementsForm,), {"spec": spec, **fields, **extra})


ItemElementsForm = elements_form(ITEM_VERSION, change_reason=_reason())
ImplementationElementsForm = elements_form(IMPLEMENTATION_VERSION, change_reason=_reason())
BundleElementsForm = elements_form(BUNDLE_VERSION, change_reason=_reason())


class BundleNewForm(forms.Form):
    code = forms.SlugField(label="一件事编码", max_length=60, help_text="小写字母、数字和连字符，如 kaiban-canyindian")
    name = forms.CharField(label="一件事名称", max_length=200)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none())
    change_reason = _reason()

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Region.objects.filter(pk__in=[r.pk for r in regions])


# Initials equal what an untouched blank row posts, so an empty extra row counts as unchanged.
MaterialRowForm = elements_form(
    MATERIAL,
    initial={
        "necessity": Necessity.REQUIRED,
        "form": MaterialForm.ORIGINAL,
        "source": MaterialSource.APPLICANT,
        "paper_copies": 0,
    },
)
MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=1, can_delete=True, max_num=60)


class ItemNewForm(ItemElementsForm):  # type: ignore[valid-type,misc]
    basic_code = forms.CharField(label="基本编码", max_length=20, help_text="数字或字母，最长 20 位")
    field_order = ["basic_code"]


class ImplementationNewForm(forms.Form):
    department = forms.ModelChoiceField(label="实施主体", queryset=Department.objects.none())
    code = forms.CharField(label="实施编码（留空则按“主体信用代码 + 1 + 基本编码”生成）", required=False, max_length=60)
    change_reason = _reason()

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(region__in=regions).select_related("region")
        field.label_from_instance = lambda d: f"{d.region.name} · {d.name}"  # type: ignore[method-assign,assignment]


def material_initial(version: ImplementationVersion) -> list[dict[str, Any]]:
    return [{name: getattr(m, name) for name in MATERIAL.names} for m in version.materials.all()]


def material_specs(formset: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")  # blank extra rows clean to {}
    ]
