"""Template helpers for catalog pages: accessible form widgets."""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def widget(field: BoundField) -> SafeString:
    """The field's widget, labelled for assistive technology: help and errors via aria-describedby."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    described += [f"{field.auto_id}-error{i}" for i in range(1, len(field.errors) + 1)]
    attrs: dict[str, str | bool] = {}
    if field.widget_type not in ("checkbox", "checkboxselectmultiple"):
        attrs["class"] = "input"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
