"""The printable content of one e-license: a small, typed, Django-free input for render.py.

The caller (the licenses domain) builds it from a license row; the holder code is already
masked, the QR text is the signed note of docs/licenses.md. Bounds are checked here so a
document that would not fit an A4 page is refused with the field named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_FIELDS = 10
MAX_LABEL = 12
MAX_VALUE = 2000
MAX_LINE = 200
MAX_QR_TEXT = 1200


class LicenseDocumentError(ValueError):
    """A field of a LicenseDocument breaks a bound; `field` names it."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def _check_line(field: str, value: str, limit: int = MAX_LINE) -> None:
    if not value.strip():
        raise LicenseDocumentError(field, "不能为空")
    if len(value) > limit:
        raise LicenseDocumentError(field, f"不能超过 {limit} 个字符")


@dataclass(frozen=True)
class LicenseDocument:
    identifier: str
    license_number: str
    type_name: str
    holder_name: str
    holder_code: str
    issuer_name: str
    issued_on: date
    valid_from: date
    valid_until: date | None
    fields: tuple[tuple[str, str], ...]
    qr_text: str
    verify_url: str
    status_label: str | None = None

    def __post_init__(self) -> None:
        for name in ("identifier", "license_number", "holder_name", "holder_code", "issuer_name", "verify_url"):
            _check_line(name, getattr(self, name))
        _check_line("type_name", self.type_name, 30)
        _check_line("qr_text", self.qr_text, MAX_QR_TEXT)
        if self.status_label is not None:
            _check_line("status_label", self.status_label, 8)
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise LicenseDocumentError("valid_until", "不能早于有效期起始日")
        if len(self.fields) > MAX_FIELDS:
            raise LicenseDocumentError("fields", f"事项不能超过 {MAX_FIELDS} 项")
        for index, (label, value) in enumerate(self.fields):
            _check_line(f"fields[{index}].label", label, MAX_LABEL)
            _check_line(f"fields[{index}].value", value, MAX_VALUE)

    @property
    def validity_text(self) -> str:
        """有效期 as printed: 'YYYY年MM月DD日 至 YYYY年MM月DD日' or '… 至 长期'."""
        end = chinese_date(self.valid_until) if self.valid_until else "长期"
        return f"{chinese_date(self.valid_from)} 至 {end}"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"
