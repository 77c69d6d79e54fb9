"""E-license endpoints: the issuer's public key, a license's public status, the holder's wallet,
one license of the holder and its PDF.

The status is public (no login) and says nothing about the holder: what a bank or a landlord
checks after the QR's signature (docs/licenses.md). It is the *effective* status
(`License.effective_status`): a license past its last valid day reads expired at once. Its
`ledger_entry_id` is the entry of the latest recorded status event, provable with
`/api/v1/ledger/entries/{id}/proof`.
"""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema
from ninja.pagination import paginate

from yiwang.accounts.models import User
from yiwang.api.params import BoundedLimitOffset, session_auth
from yiwang.licenses import printing, selectors
from yiwang.licenses.keys import license_vkey
from yiwang.licenses.models import License

router = Router(tags=["电子证照"])


class StatusOut(Schema):
    identifier: str
    status: str
    status_label: str
    since: dt.datetime
    superseded_by: str | None
    ledger_entry_id: int | None
    type_name: str
    issuer_name: str

    @staticmethod
    def resolve_status(obj: License) -> str:
        return str(obj.effective_status)  # 已过期 from the day after the last valid day

    @staticmethod
    def resolve_since(obj: License) -> dt.datetime:
        return obj.effective_since

    @staticmethod
    def resolve_superseded_by(obj: License) -> str | None:
        successor = getattr(obj, "superseded_by", None)
        return successor.identifier if successor else None

    @staticmethod
    def resolve_ledger_entry_id(obj: License) -> int | None:
        return obj.status_entry_id

    @staticmethod
    def resolve_status_label(obj: License) -> str:
        return obj.effective_status_label

    @staticmethod
    def resolve_type_name(obj: License) -> str:
        return obj.license_type.name

    @staticmethod
    def resolve_issuer_name(obj: License) -> str:
        return obj.issuer.name


class LicenseOut(StatusOut):
    """The holder's own view: the status fields and the license itself, QR text included."""

    number: str
    type_code: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    facts: dict[str, Any]
    note: str

    @staticmethod
    def resolve_type_code(obj: License) -> str:
        return obj.license_type.code


@router.get("/key", summary="电子证照签发公钥（signed-note vkey）", auth=None, url_name="license_key")
def key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(license_vkey() + "\n", content_type="text/plain; charset=utf-8")


@router.get("/status/{identifier}", response=StatusOut, summary="电子证照当前状态（公开）", auth=None)
def status(
    request: HttpRequest,
    response: HttpResponse,
    identifier: str = Path(..., max_length=120, description="电子证照标识"),
) -> Any:
    # Never stored by a browser or a proxy: a revocation must show at the next check.
    response["Cache-Control"] = "no-store"
    return selectors.license_public(identifier)


@router.get("/mine", response=list[LicenseOut], summary="我的证照夹", auth=session_auth)
@paginate(BoundedLimitOffset)
def mine(request: HttpRequest) -> Any:
    return selectors.licenses_held_by(cast(User, request.user))


IDENTIFIER = Path(..., max_length=120, description="电子证照标识")
PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "电子证照 PDF（A4，一页；非有效状态带水印）",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/mine/{identifier}", response=LicenseOut, summary="我的一张电子证照", auth=session_auth)
def mine_one(request: HttpRequest, identifier: str = IDENTIFIER) -> Any:
    """The caller's license (their own, or an enterprise's they act for); 404 for any other."""
    return selectors.license_held(cast(User, request.user), identifier)


@router.get("/mine/{identifier}/pdf", summary="下载我的电子证照（PDF）", auth=session_auth, openapi_extra=PDF_RESPONSE)
def mine_pdf(request: HttpRequest, identifier: str = IDENTIFIER) -> HttpResponse:
    license = selectors.license_held(cast(User, request.user), identifier)
    body = printing.license_pdf(license, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = printing.pdf_disposition(license)
    response["Cache-Control"] = "private, no-store"
    return response
