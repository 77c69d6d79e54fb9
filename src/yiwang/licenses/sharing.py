"""用证授权: the holder shares a license with a third party; every use is recorded.

`authorisation_grant` makes an authorisation for a stated recipient and purpose, a time window
(at most `WINDOW_MAX_DAYS`, starting now or later) and a number of uses (1 = one-time), with a
one-time **code** (10 characters of `CODE_ALPHABET`, shown as `XXXXX-XXXXX`) and a **link**
token (32 URL-safe characters, 192 bits). Both are returned once and stored only as keyed
hashes (`secret_digest`: HMAC-SHA-256 under the platform's SECRET_KEY, so a copy of the
database alone does not let anyone try the 32^10 codes offline).

`authorisation_use` is what the third party calls with the code or the token and their own
organisation and purpose: it records a `LicenseUse`, tells the holder, and returns the
`Disclosure` (the license's facts, holder name, status, validity, the QR note for checking the
signature, and — if the holder allowed it — the holder's ID number and commitment salt). It
refuses, saying which in Chinese, when the authorisation was withdrawn, has expired, is used
up, has not started, or the license is not valid. A wrong code or token gets one message
whatever was typed and counts against the client's address and the code's prefix
(`throttle`).

Each change is a `LicenseEvent` of the license and a ledger entry `licenses.authorisation_*`
whose subject is the authorisation's random reference; the license identifier, recipient,
purpose and the user's organisation and purpose are in the leaf only as salted commitments.
"""

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, ValidationFailed
from yiwang.core.text import control_char_error
from yiwang.ledger.events import Domain, LicenseVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.licenses import throttle
from yiwang.licenses.models import License, LicenseAuthorisation, LicenseEvent, LicenseUse, UseChannel
from yiwang.licenses.policy import is_holder, require_share_action
from yiwang.licenses.services import holder_id_of
from yiwang.licenses.sharing_workflow import AuthorisationAction, AuthorisationStatus, authorisation_next_status
from yiwang.licenses.workflow import LicenseStatus
from yiwang.notifications.models import Channel
from yiwang.notifications.services import message_enqueue

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or typed without doubt
CODE_LENGTH = 10
TOKEN_BYTES = 24
RECIPIENT_MAX = 100
PURPOSE_MAX = 200
ORGANISATION_MAX = 100
WINDOW_DEFAULT_DAYS = 7
WINDOW_MAX_DAYS = 30
MAX_USES_LIMIT = 20
START_GRACE = dt.timedelta(minutes=5)  # a start "now" typed a moment ago is still now
SECRET_INPUT_MAX = 64
WRONG_SECRET = "授权码或授权链接无效，请核对后重新输入（多次输错将被暂时限制）。"  # noqa: S105 - a message, not a password

_VERBS = {
    AuthorisationAction.GRANT: LicenseVerb.AUTHORISATION_GRANTED,
    AuthorisationAction.WITHDRAW: LicenseVerb.AUTHORISATION_WITHDRAWN,
    AuthorisationAction.EXPIRE: LicenseVerb.AUTHORISATION_EXPIRED,
    AuthorisationAction.USE_LAST: LicenseVerb.AUTHORISATION_USED,
}


# --- secrets -----------------------------------------------------------------------------


def secret_digest(kind: str, secret: str) -> str:
    """The stored form of a code or token: HMAC-SHA-256 keyed by SECRET_KEY, hex."""
    return salted_hmac(f"yiwang.licenses.sharing.{kind}", secret, algorithm="sha256").hexdigest()


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(text: str) -> str | None:
    """A typed code without spaces and hyphens, upper case; None unless it has the code's form."""
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _valid_token(text: str) -> bool:
    return 20 <= len(text) <= SECRET_INPUT_MAX and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text)


def mask_ip(address: str) -> str:
    """IPv4 keeps its first three octets (203.0.113.*), IPv6 its first three groups."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv4Address):
        return ".".join(str(ip).split(".")[:3]) + ".*"
    return ":".join(ip.exploded.split(":")[:3]) + ":*"


# --- input -------------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], name: str, label: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [f"{label}：必填"]
    elif len(value) > limit:
        errors[name] = [f"{label}：最多 {limit} 个字符（现为 {len(value)} 个）"]
    elif (message := control_char_error(label, value)) is not None:
        errors[name] = [message]
    return value


def grant_text_errors(*, recipient: str, purpose: str) -> dict[str, list[str]]:
    """The messages `authorisation_grant` would give about its texts (for a form that checks
    its other fields itself and wants every message at once)."""
    errors: dict[str, list[str]] = {}
    _text(errors, "recipient", "被授权方", recipient, RECIPIENT_MAX)
    _text(errors, "purpose", "用途", purpose, PURPOSE_MAX)
    return errors


def _window(
    errors: dict[str, list[str]], valid_from: dt.datetime | None, valid_until: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    start = valid_from or now
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if start < now - START_GRACE:
        errors["valid_from"] = ["授权生效时间：不能早于当前时间"]
    elif start > now + dt.timedelta(days=WINDOW_MAX_DAYS):
        errors["valid_from"] = [f"授权生效时间：最晚为 {WINDOW_MAX_DAYS} 天之后"]
    start = max(start, now)
    end = valid_until or start + dt.timedelta(days=WINDOW_DEFAULT_DAYS)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    if end <= start:
        errors["valid_until"] = ["授权截止时间：必须晚于生效时间"]
    elif end - start > dt.timedelta(days=WINDOW_MAX_DAYS, minutes=1):
        errors["valid_until"] = [f"授权截止时间：授权期限最长 {WINDOW_MAX_DAYS} 天"]
    return start, end


def _max_uses(errors: dict[str, list[str]], max_uses: int) -> int:
    if isinstance(max_uses, bool) or not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_USES_LIMIT:
        errors["max_uses"] = [f"可使用次数：应为 1–{MAX_USES_LIMIT} 之间的整数（1 为一次性授权）"]
        return 1
    return max_uses


# --- license state -----------------------------------------------------------------------


def license_unusable_reason(license: License, *, today: dt.date | None = None) -> str | None:
    """Why `license` cannot be shown to a third party now (Chinese), or None when it is valid."""
    day = today or clock.today()
    if license.valid_until is not None and license.valid_until < day:
        return f"该电子证照已于 {license.valid_until:%Y-%m-%d} 到期，不能用证。"
    if license.status != LicenseStatus.VALID:
        return f"该电子证照当前状态为“{LicenseStatus(license.status).label}”，不能用证。"
    if license.valid_from > day:
        return f"该电子证照自 {license.valid_from:%Y-%m-%d} 起生效，目前尚不能用证。"
    if license.valid_until is not None and license.valid_until < day:
        return f"该电子证照已于 {license.valid_until:%Y-%m-%d} 到期，不能用证。"
    return None


# --- events ------------------------------------------------------------------------------


def _ref() -> str:
    return "SQ" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(14))


def _log(
    authorisation: LicenseAuthorisation,
    verb: LicenseVerb,
    *,
    actor: User | None,
    payload: dict[str, Any],
    personal: dict[str, str],
) -> int:
    """One LicenseEvent of the license and its ledger entry; returns the entry's id."""
    payload = {"authorisation": authorisation.ref, **payload}
    entry = ledger_append(
        kind=event_type(Domain.LICENSES, verb).kind,
        subject=f"license-authorisation:{authorisation.ref}",
        payload=payload,
        personal=personal,
    )
    LicenseEvent.objects.create(
        license_id=authorisation.license_id,
        verb=verb,
        actor=actor,
        payload=payload,
        at=clock.now(),
        ledger_entry_id=entry.pk,
    )
    return int(entry.pk)


def _move(authorisation: LicenseAuthorisation, action: AuthorisationAction, *, actor: User | None) -> None:
    """A status change through the table, saved, with its event and ledger entry."""
    authorisation.status = authorisation_next_status(authorisation.status, action)
    authorisation.status_since = clock.now()
    authorisation.save(update_fields=["status", "status_since", "use_count"])
    if action != AuthorisationAction.USE_LAST:  # the last use is logged as that use
        _log(authorisation, _VERBS[action], actor=actor, payload={"status": authorisation.status}, personal={})


# --- grant and withdraw ------------------------------------------------------------------


@dataclass(frozen=True)
class Granted:
    """A new authorisation and its secrets, which exist in clear only in this object."""

    authorisation: LicenseAuthorisation
    code: str  # formatted XXXXX-XXXXX
    token: str


def authorisation_grant(
    *,
    actor: User,
    license_id: int,
    recipient: str,
    purpose: str,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    max_uses: int = 1,
    disclose_holder_id: bool = False,
) -> Granted:
    """The holder authorises `recipient` to see the license for `purpose` within the window.

    Side effects: the authorisation row, a `licenses.authorisation_granted` event and ledger
    entry (recipient, purpose and identifier as commitments). Returns the code and the link
    token in clear, once.
    """
    with transaction.atomic(durable=True):
        license = License.objects.select_for_update().filter(pk=license_id).first()
        if license is None:
            raise NotFound("电子证照不存在。")
        require_share_action(actor, license)
        reason = license_unusable_reason(license)
        if reason is not None:
            raise Conflict(reason.replace("不能用证", "不能授权他人使用"), rule="license_status")
        errors: dict[str, list[str]] = {}
        recipient = _text(errors, "recipient", "被授权方", recipient, RECIPIENT_MAX)
        purpose = _text(errors, "purpose", "用途", purpose, PURPOSE_MAX)
        start, end = _window(errors, valid_from, valid_until)
        max_uses = _max_uses(errors, max_uses)
        if errors:
            raise ValidationFailed(errors)
        code, token, now = _new_code(), secrets.token_urlsafe(TOKEN_BYTES), clock.now()
        authorisation = LicenseAuthorisation(
            ref=_ref(),
            license=license,
            granted_by=actor,
            recipient=recipient,
            purpose=purpose,
            valid_from=start,
            valid_until=end,
            max_uses=max_uses,
            disclose_holder_id=bool(disclose_holder_id),
            code_hash=secret_digest("code", code),
            token_hash=secret_digest("token", token),
            status=authorisation_next_status(None, AuthorisationAction.GRANT),
            status_since=now,
            granted_at=now,
        )
        authorisation.save()
        _log(
            authorisation,
            LicenseVerb.AUTHORISATION_GRANTED,
            actor=actor,
            payload={
                "status": authorisation.status,
                "valid_from": start.isoformat(timespec="seconds"),
                "valid_until": end.isoformat(timespec="seconds"),
                "max_uses": max_uses,
                "discloses_holder_id": authorisation.disclose_holder_id,
            },
            personal={"identifier": license.identifier, "recipient": recipient, "purpose": purpose},
        )
        return Granted(authorisation=authorisation, code=format_code(code), token=token)


def authorisation_withdraw(
    *, actor: User, authorisation_id: int, license_id: int | None = None
) -> LicenseAuthorisation:
    """The holder withdraws an active authorisation: no further use is possible.

    Side effects: status withdrawn, a `licenses.authorisation_withdrawn` event and ledger entry.
    """
    with transaction.atomic(durable=True):
        authorisation = (
            LicenseAuthorisation.objects.select_for_update().select_related("license").filter(pk=authorisation_id)
        ).first()
        if authorisation is None or (license_id is not None and authorisation.license_id != license_id):
            raise NotFound("用证授权不存在。")
        require_share_action(actor, authorisation.license)
        if authorisation.status == AuthorisationStatus.ACTIVE and authorisation.valid_until < clock.now():
            _move(authorisation, AuthorisationAction.EXPIRE, actor=None)  # it had ended: record that
        else:
            _move(authorisation, AuthorisationAction.WITHDRAW, actor=actor)
        return authorisation


def authorisations_expire_due(*, limit: int = 500) -> int:
    """The hourly job: active authorisations whose window ended become expired, each logged."""
    with transaction.atomic(durable=True):
        due = LicenseAuthorisation.objects.select_for_update().filter(
            status=AuthorisationStatus.ACTIVE, valid_until__lt=clock.now()
        )
        count = 0
        for authorisation in due.order_by("valid_until", "pk")[:limit]:
            _move(authorisation, AuthorisationAction.EXPIRE, actor=None)
            count += 1
        return count


# --- use ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """What a use shows the third party (nothing else of the holder is disclosed)."""

    use_number: str
    used_at: dt.datetime
    organisation: str
    purpose: str
    recipient: str
    authorised_until: dt.datetime
    uses_left: int
    identifier: str
    number: str
    type_name: str
    trust_level: str
    holder_name: str
    issuer_name: str
    status: str
    status_label: str
    valid_from: dt.date
    valid_until: dt.date | None
    facts: list[tuple[str, str]]
    note: str
    holder_id: str | None = None
    holder_salt: str | None = None


def _disclosure(use: LicenseUse, authorisation: LicenseAuthorisation, license: License) -> Disclosure:
    labels = {str(spec["key"]): str(spec.get("label", spec["key"])) for spec in license.license_type.fields}
    facts = [(labels.get(key, key), str(value)) for key, value in license.facts.items()]
    opened = authorisation.disclose_holder_id
    return Disclosure(
        use_number=use.number,
        used_at=use.at,
        organisation=use.organisation,
        purpose=use.purpose,
        recipient=authorisation.recipient,
        authorised_until=authorisation.valid_until,
        uses_left=authorisation.uses_left,
        identifier=license.identifier,
        number=license.number,
        type_name=license.license_type.name,
        trust_level=license.license_type.get_trust_level_display(),
        holder_name=license.holder_name,
        issuer_name=license.issuer.name,
        status=license.status,
        status_label=LicenseStatus(license.status).label,
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        facts=facts,
        note=license.note,
        holder_id=holder_id_of(license.holder, license.enterprise) if opened else None,
        holder_salt=license.holder_salt if opened else None,
    )


def _refusal(authorisation: LicenseAuthorisation) -> tuple[str, str] | None:
    """(rule, Chinese reason) why this authorisation cannot be used now, or None."""
    now = clock.now()
    local = timezone.localtime
    if authorisation.status == AuthorisationStatus.WITHDRAWN:
        return "withdrawn", "该授权已被持证人撤回，不能再使用。"
    if authorisation.status == AuthorisationStatus.USED_UP:
        return "used_up", f"该授权可使用 {authorisation.max_uses} 次，已全部用完。"
    if authorisation.status == AuthorisationStatus.EXPIRED or authorisation.valid_until <= now:
        return "expired", f"该授权已于 {local(authorisation.valid_until):%Y-%m-%d %H:%M} 过期。"
    if authorisation.valid_from > now:
        return "not_yet", f"该授权自 {local(authorisation.valid_from):%Y-%m-%d %H:%M} 起才能使用。"
    reason = license_unusable_reason(authorisation.license)
    return None if reason is None else ("license_status", reason)


def _use_number(at: dt.datetime) -> str:
    return f"YZ{timezone.localtime(at):%Y%m%d}" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _notify_holder(authorisation: LicenseAuthorisation, use: LicenseUse) -> None:
    """Tell whoever granted it, while they still hold the license (a former agent of the
    enterprise hears nothing more of its licenses)."""
    license = authorisation.license
    if not is_holder(authorisation.granted_by, license):
        return
    message_enqueue(
        recipient=authorisation.granted_by,
        subject=f"【用证记录】{license.license_type.name}被使用",
        body=(
            f"{use.organisation} 于 {timezone.localtime(use.at):%Y-%m-%d %H:%M} 通过{UseChannel(use.channel).label}"
            f"使用了您授权给“{authorisation.recipient}”的{license.license_type.name}（证照编号 {license.number}），"
            f"用证事由：{use.purpose}。用证记录编号 {use.number}；该授权还可使用 {authorisation.uses_left} 次。"
            "如非您本人授权，请立即在证照夹中撤回授权。"
        ),
        channels=[Channel.IN_APP, Channel.EMAIL],
        reference=f"license:{license.identifier}"[:80],
    )


def _lookup(code: str, token: str) -> tuple[str, str | None]:
    """(what counts as the typed secret for throttling, the hash to look up or None if malformed)."""
    if token:
        token = token.strip()
        typed = token[:SECRET_INPUT_MAX]
        return typed, secret_digest("token", token) if _valid_token(token) else None
    typed = "".join(code.split()).replace("-", "").upper()[:SECRET_INPUT_MAX]
    normal = normalise_code(code) if len(code) <= SECRET_INPUT_MAX else None
    return typed, secret_digest("code", normal) if normal else None


def authorisation_use(
    *,
    organisation: str,
    purpose: str,
    channel: str,
    client_ip: str,
    code: str = "",
    token: str = "",
) -> Disclosure:
    """A third party uses an authorisation (by its code or its link token) and sees the license.

    Side effects: a `LicenseUse` row, the authorisation's use count (and status used_up on the
    last use), a `licenses.authorisation_used` event and ledger entry, and a notice to the
    holder. An authorisation found past its window is marked expired (committed) before the
    refusal. A wrong secret counts against the address and prefix (`throttle`).
    """
    errors: dict[str, list[str]] = {}
    organisation = _text(errors, "organisation", "用证单位", organisation, ORGANISATION_MAX)
    purpose = _text(errors, "purpose", "用证事由", purpose, PURPOSE_MAX)
    if not (code or "").strip() and not (token or "").strip():
        errors["code"] = ["授权码：必填"]
    if errors:
        raise ValidationFailed(errors)
    typed, digest = _lookup(code or "", token or "")
    throttle.attempt(client_ip=client_ip, secret=typed)
    refused: tuple[str, str] | None = None
    found = False
    if digest is not None:
        with transaction.atomic(durable=True):
            column = "token_hash" if token else "code_hash"
            authorisation = (
                LicenseAuthorisation.objects.select_for_update()
                .select_related("license__license_type", "license__issuer", "license__holder", "granted_by")
                .filter(**{column: digest})
                .first()
            )
            if authorisation is not None:
                found = True
                throttle.forgive(client_ip=client_ip, secret=typed)
                refused = _refusal(authorisation)
                if refused is None:
                    return _record_use(authorisation, organisation, purpose, channel, client_ip)
                if refused[0] == "expired" and authorisation.status == AuthorisationStatus.ACTIVE:
                    _move(authorisation, AuthorisationAction.EXPIRE, actor=None)
    if not found:
        raise NotFound(WRONG_SECRET, field="token" if token else "code", rule="wrong_secret")
    assert refused is not None
    raise Conflict(refused[1], rule=refused[0])


def _record_use(
    authorisation: LicenseAuthorisation, organisation: str, purpose: str, channel: str, client_ip: str
) -> Disclosure:
    now = clock.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                use = LicenseUse.objects.create(
                    number=_use_number(now),
                    authorisation=authorisation,
                    at=now,
                    organisation=organisation,
                    purpose=purpose,
                    channel=UseChannel(channel),
                    client_ip=mask_ip(client_ip),
                )
            break
        except IntegrityError:  # pragma: no cover - a repeated random number (32^8 per day)
            continue
    else:  # pragma: no cover
        raise Conflict("用证记录编号生成失败，请重试。")
    authorisation.use_count += 1
    if authorisation.use_count >= authorisation.max_uses:
        _move(authorisation, AuthorisationAction.USE_LAST, actor=None)
    else:
        authorisation.save(update_fields=["use_count"])
    use.ledger_entry_id = _log(
        authorisation,
        LicenseVerb.AUTHORISATION_USED,
        actor=None,
        payload={
            "use": use.number,
            "channel": use.channel,
            "uses": authorisation.use_count,
            "status": authorisation.status,
        },
        personal={"organisation": organisation, "purpose": purpose},
    )
    use.save(update_fields=["ledger_entry_id"])
    _notify_holder(authorisation, use)
    return _disclosure(use, authorisation, authorisation.license)
