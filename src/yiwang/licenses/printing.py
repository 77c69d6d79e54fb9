"""A license row as the printable LicenseDocument (document.py) and its PDF (render.py).

The holder's download (portal 证照夹 and the API) goes through here, so the PDF says what the
row says: the holder's name, the identity number masked (a person's 居民身份证号 keeps its first
3 and last 4 characters; an enterprise's 统一社会信用代码 is public and stays whole), the
licensed facts under their type's labels, the signed QR note, and a watermark with the status
when the license is no longer 有效 (已注销, 已撤销, …).
"""

from urllib.parse import quote

from django.utils import timezone

from yiwang.accounts.selectors import person_of
from yiwang.licenses.document import MAX_FIELDS, MAX_LABEL, MAX_VALUE, LicenseDocument
from yiwang.licenses.models import License
from yiwang.licenses.render import render_pdf
from yiwang.licenses.workflow import LicenseStatus

VERIFY_PATH = "/licenses/verify"
EMPTY = "—"


def holder_code(license: License) -> str:
    """The holder's identity number as printed: the USCC, or the masked ID number."""
    if license.enterprise is not None:
        return license.enterprise.credit_code
    person = person_of(license.holder)
    return person.masked_id_number if person is not None else EMPTY


def license_fields(license: License) -> tuple[tuple[str, str], ...]:
    """(label, value) of each licensed fact in the order its type declares them."""
    rows: list[tuple[str, str]] = []
    for spec in license.license_type.fields[:MAX_FIELDS]:
        value = license.facts.get(str(spec["key"]), "")
        text = "是" if value is True else "否" if value is False else str(value).strip()
        label = str(spec.get("label") or spec["key"]).strip()[:MAX_LABEL] or EMPTY
        rows.append((label, text[:MAX_VALUE] or EMPTY))
    return tuple(rows)


def license_document(license: License, *, base_url: str) -> LicenseDocument:
    """The document of `license`; `base_url` (e.g. "https://host/") prefixes the verify page."""
    status = license.effective_status
    return LicenseDocument(
        identifier=license.identifier,
        license_number=license.number,
        type_name=license.license_type.name,
        holder_name=license.holder_name,
        holder_code=holder_code(license),
        issuer_name=license.issuer.name,
        issued_on=timezone.localdate(license.issued_at),
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        fields=license_fields(license),
        qr_text=license.note,
        verify_url=base_url.rstrip("/") + VERIFY_PATH,
        status_label=None if status == LicenseStatus.VALID else str(status.label),
    )


def license_pdf(license: License, *, base_url: str) -> bytes:
    return render_pdf(license_document(license, base_url=base_url))


def pdf_filename(license: License) -> str:
    """`<type name>-<number>.pdf`, percent-encoded for `filename*=UTF-8''…` (RFC 6266)."""
    name = f"{license.license_type.name}-{license.number}.pdf"
    return quote("".join(c for c in name if c.isprintable() and c not in '/\\"'), safe="")


def pdf_disposition(license: License) -> str:
    """The Content-Disposition of the download: an ASCII fallback and the UTF-8 name."""
    return f"attachment; filename=\"license-{license.number}.pdf\"; filename*=UTF-8''{pdf_filename(license)}"
