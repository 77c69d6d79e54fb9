"""`{% path 'portal:home' %}` (or `{% path 'workbench:messages' as messages_url %}`): `{% url %}`
for a route without arguments, reversed once per process (core.paths.path_of). The header,
footer and side navigation of every page show about twenty of them."""

from django import template

from yiwang.core.paths import path_of

register = template.Library()


@register.simple_tag
def path(name: str) -> str:
    return path_of(name)
