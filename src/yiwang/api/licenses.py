"""E-license endpoints: the issuer's public key, a license's public status, the holder's wallet.

The status is public (no login) and says nothing about the holder: what a bank or a landlord
checks after the QR's signature (docs/licenses.md). Its `ledger_entry_id` is the entry of the
latest status event, provable with `/api/v1/ledger/entries/{id}/proof`.
"""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema
from ninja.pagination import paginate

from yiwang.accounts.models import User
from yiwang.api.params import BoundedLimitOffset, session_auth
from yiwang.licenses import selectors
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
    def resolve_since(obj: License) -> dt.datetime:
        return obj.status_since

    @staticmethod
    def resolve_superseded_by(obj: License) -> str | None:
        successor = getattr(obj, "superseded_by", None)
        return successor.identifier if successor else None

    @staticmethod
    def resolve_ledger_entry_id(obj: License) -> int | None:
        return obj.status_entry_id

    @staticmethod
    def resolve_status_label(obj: License) -> str:
        return obj.get_status_display()

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


@router.get("/key", summary="电子证照签发公钥（signed-note vkey）", auth=None)
def key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(license_vkey() + "\n", content_type="text/plain; charset=utf-8")


@router.get("/status/{identifier}", response=StatusOut, summary="电子证照当前状态（公开）", auth=None)
def status(request: HttpRequest, identifier: str = Path(..., max_length=120, description="电子证照标识")) -> Any:
    return selectors.license_public(identifier)


@router.get("/mine", response=list[LicenseOut], summary="我的证照夹", auth=session_auth)
@paginate(BoundedLimitOffset)
def mine(request: HttpRequest) -> Any:
    return selectors.licenses_held_by(cast(User, request.user))
