"""Plain Django forms for the administrators' pages; they only shape input for the services.

JSON documents (form schema, process, fees, FAQ) are edited as text: a syntax or structure
error is reported next to the field in Chinese and the text stays as typed.
"""

import json
from typing import Any

from django import forms

from yiwang.accounts.models import Department, Region
from yiwang.catalog.docerrors import document_parse
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import (
    ChangeKind,
    ExerciseLevel,
    HandlingForm,
    ImplementationVersion,
    ItemType,
    ItemVersion,
    MaterialForm,
    MaterialSource,
    Necessity,
    ServiceObject,
)
from yiwang.catalog.process import ProcessDefinition
from yiwang.catalog.themes import THEMES

DEPTHS = [(1, "Ⅰ级"), (2, "Ⅱ级"), (3, "Ⅲ级"), (4, "Ⅳ级（全程网办）")]


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


class ChangeForm(forms.Form):
    change_kind = forms.ChoiceField(label="调整类型", choices=[c for c in ChangeKind.choices if c[0] != ChangeKind.ADD])
    change_reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ItemElementsForm(forms.Form):
    name = forms.CharField(label="事项名称", max_length=200)
    item_type = forms.ChoiceField(label="事项类型", choices=[("", "请选择"), *ItemType.choices])
    competent_department = forms.CharField(label="主管部门", max_length=100)
    implementing_organ_kind = forms.CharField(label="实施主体性质", max_length=40, initial="法定机关")
    legal_basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 3}))
    service_objects = forms.MultipleChoiceField(
        label="服务对象", choices=ServiceObject.choices, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label="主题分类",
        required=False,
        choices=[(t["slug"], t["name"]) for t in THEMES],
        widget=forms.CheckboxSelectMultiple,
    )
    keywords = forms.CharField(label="检索关键词（俗称、别名，空格分隔）", max_length=300, required=False)
    suspended = forms.BooleanField(label="暂停办理", required=False)
    remarks = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    @classmethod
    def for_version(cls, version: ItemVersion, data: Any = None) -> "ItemElementsForm":
        initial = {name: getattr(version, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def elements(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "change_reason"}


class ItemNewForm(ItemElementsForm):
    basic_code = forms.CharField(label="基本编码", max_length=20, help_text="数字或字母，最长 20 位")
    field_order = ["basic_code"]


class ImplementationNewForm(forms.Form):
    department = forms.ModelChoiceField(label="实施主体", queryset=Department.objects.none())
    code = forms.CharField(label="实施编码（留空则按“主体信用代码 + 1 + 基本编码”生成）", required=False, max_length=60)
    change_reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(region__in=regions).select_related("region")
        field.label_from_instance = lambda d: f"{d.region.name} · {d.name}"  # type: ignore[method-assign,assignment]


class ImplementationElementsForm(forms.Form):
    exercise_level = forms.ChoiceField(label="行使层级", choices=ExerciseLevel.choices)
    acceptance_conditions = forms.CharField(label="受理条件", widget=forms.Textarea(attrs={"rows": 3}))
    statutory_limit_days = forms.IntegerField(label="法定办结时限（工作日）", min_value=0, max_value=3650)
    statutory_limit_note = forms.CharField(label="法定时限说明", max_length=300, required=False)
    committed_limit_days = forms.IntegerField(label="承诺办结时限（工作日）", min_value=0, max_value=3650)
    required_visits = forms.IntegerField(label="到办事现场次数", min_value=0, max_value=20)
    visits_reason = forms.CharField(label="必须到现场原因", max_length=300, required=False)
    handling_forms = forms.MultipleChoiceField(
        label="办理形式", choices=HandlingForm.choices, widget=forms.CheckboxSelectMultiple
    )
    online_depth = forms.TypedChoiceField(label="网上办理深度", choices=DEPTHS, coerce=int)
    fee_required = forms.BooleanField(label="收费", required=False)
    fee_items = JSONTextField(label="收费项目", kind=list, help_text='如 [{"name": "工本费", "amount": "10元"}]')
    fee_basis = forms.CharField(label="收费依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cross_region_scope = forms.CharField(label="通办范围", max_length=20, required=False)
    result_name = forms.CharField(label="审批结果名称", max_length=200)
    result_sample = forms.CharField(label="审批结果样本", max_length=300, required=False)
    consultation_phone = forms.CharField(label="咨询电话", max_length=40)
    complaint_phone = forms.CharField(label="监督投诉电话", max_length=40)
    address = forms.CharField(label="办理地点", max_length=300)
    office_hours = forms.CharField(label="办理时间", max_length=200)
    faq = JSONTextField(label="常见问题", kind=list, help_text='如 [{"q": "问题", "a": "解答"}]')
    form_schema = JSONTextField(label="申请表", kind=dict, document=FormSchema)
    process = JSONTextField(label="办理流程", kind=dict, document=ProcessDefinition)
    remarks = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    @classmethod
    def for_version(cls, version: ImplementationVersion, data: Any = None) -> "ImplementationElementsForm":
        return cls(data, initial={name: getattr(version, name) for name in cls.base_fields})

    def elements(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "change_reason"}


class MaterialRowForm(forms.Form):
    key = forms.SlugField(label="材料标识", max_length=40)
    name = forms.CharField(label="材料名称", max_length=200)
    # Initials equal what an untouched blank row posts, so an empty extra row counts as unchanged.
    necessity = forms.ChoiceField(label="必要性", choices=Necessity.choices, initial=Necessity.REQUIRED)
    condition = forms.CharField(label="情形说明", max_length=300, required=False)
    condition_field = forms.CharField(label="情形对应表单字段", max_length=40, required=False)
    form = forms.ChoiceField(label="材料形式", choices=MaterialForm.choices, initial=MaterialForm.ORIGINAL)
    paper_copies = forms.IntegerField(label="纸质份数", min_value=0, max_value=99, initial=0)
    source = forms.ChoiceField(label="来源渠道", choices=MaterialSource.choices, initial=MaterialSource.APPLICANT)
    source_reference = forms.CharField(label="共享资源/证照类型", max_length=120, required=False)
    acceptance_standard = forms.CharField(label="受理标准", required=False)
    legal_basis = forms.CharField(label="要求提供的依据", required=False)
    blank_form = forms.CharField(label="空白表格", max_length=300, required=False)
    sample = forms.CharField(label="示例样表", max_length=300, required=False)


MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=1, can_delete=True, max_num=60)


def material_initial(version: ImplementationVersion) -> list[dict[str, Any]]:
    return [{name: getattr(m, name) for name in MaterialRowForm.base_fields} for m in version.materials.all()]


def material_specs(formset: Any) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")  # blank extra rows clean to {}
    ]
