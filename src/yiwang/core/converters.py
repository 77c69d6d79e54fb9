"""Path converters with bounds (architecture rule 11).

Django's `<int:…>` matches any number of digits, and a 30-digit id in a page address then
overflowed the database's bigint (a 500 on SQLite). `<id:…>` matches 1–18 digits only, so a
longer one is simply no page (404), before anything is converted.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
