"""The window's side (受理): accept, refuse, ask for 补正 — and the law's own acceptance
when nobody acts within 5 working days. Each public function is one durable transaction."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases import evidence
from yiwang.cases.clock import deemed_acceptance_after
from yiwang.cases.models import Case, SupplementRequest
from yiwang.cases.policy import require_case_action
from yiwang.cases.services import _base as base
from yiwang.cases.services import _engine as engine
from yiwang.cases.workflow import CaseAction, CaseStatus, case_next_status
from yiwang.catalog.models import Material
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, ValidationFailed


def _window_passed(case: Case) -> bool:
    if case.status != CaseStatus.SUBMITTED or case.received_on is None:
        return False
    return clock.today() > deemed_acceptance_after(case.received_on, working_calendar())


def case_accept(*, actor: User, case: Case, opinion: str = "") -> Case:
    """受理: start the legal clock and the first stage; a 即办件 is decided on the spot.

    After the 5-working-day window the law has already accepted the case on the day it was
    received, so accepting then records a deemed acceptance dated that day.
    Side effects: CaseEvents, ledger, notices to the applicant and to the first tasks' staff.
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.ACCEPT, case)
        case_next_status(case.status, CaseAction.ACCEPT)
        if _window_passed(case):
            engine.accept(
                case,
                actor=actor,
                how="deemed",
                summary=f"{case.received_on} 收件后 5 个工作日内未处理，依法视为当日受理",
                opinion=opinion,
            )
        else:
            engine.accept(case, actor=actor, how="clerk", summary="窗口受理申请", opinion=opinion)
    return case


def case_refuse(*, actor: User, case: Case, reason: str, legal_basis: str) -> Case:
    """不予受理, with the reason and legal basis the applicant is shown (and the remedies).

    Side effects: CaseEvent, ledger, notice to the applicant (in-app + SMS).
    """
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["不予受理理由：必填，将告知申请人"]
    if not legal_basis.strip():
        errors["legal_basis"] = ["法律依据：必填，将告知申请人"]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        require_case_action(actor, CaseAction.REFUSE, case)
        case_next_status(case.status, CaseAction.REFUSE)
        if _window_passed(case):
            raise Conflict("已超过 5 个工作日的受理审查期限，依法视为已受理，请按已受理办件审查后作出决定。")
        case.refusal_reason, case.refusal_basis = reason.strip(), legal_basis.strip()
        case.decision_remedies = list(base.REMEDIES)
        base.transition(
            case,
            CaseAction.REFUSE,
            actor=actor,
            summary="不予受理",
            reason=case.refusal_reason,
            personal={"basis": case.refusal_basis},
            actor_role="window_clerk",
        )
        base.notify_applicant(
            case,
            "不予受理",
            f"您的申请不予受理。理由：{case.refusal_reason}；依据：{case.refusal_basis}。{'；'.join(base.REMEDIES)}。",
            sms=True,
        )
    return case


def _clean_items(case: Case, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not items:
        raise ValidationFailed({"items": ["补正清单：请一次性列出需要补正的全部材料"]})
    materials = {m.key: m for m in Material.objects.filter(version_id=case.implementation_version_id)}
    # A 免提交 material the platform could not fetch was uploaded instead: that file may be asked for.
    uploaded_instead = {
        k for k, supply in evidence.case_supplies(case, materials.values()).items() if not supply.supplied
    }
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        key = (item.get("material_key") or "").strip() or None
        note = str(item.get("note") or "").strip()
        if key is not None:
            material = materials.get(key)
            if material is None:
                errors[f"items.{index}.material_key"] = [f"补正清单第 {index + 1} 项：本事项没有标识为 {key} 的材料"]
                continue
            if not material.asked_of_applicant and key not in uploaded_instead:
                errors[f"items.{index}.material_key"] = [
                    f"补正清单第 {index + 1} 项：材料“{material.name}”可通过{material.get_source_display()}获取，"
                    "不得要求申请人重复提交"
                ]
                continue
            cleaned.append({"material_key": key, "name": material.name, "note": note})
        else:
            name = str(item.get("name") or "").strip()
            if not name:
                errors[f"items.{index}.name"] = [f"补正清单第 {index + 1} 项：请写明需要补正的内容"]
                continue
            cleaned.append({"material_key": None, "name": name, "note": note})
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def case_supplement_request(
    *, actor: User, case: Case, items: Sequence[dict[str, Any]], message: str = ""
) -> SupplementRequest:
    """一次性告知补正: one complete list of what is missing.

    Before acceptance (window clerk, within the 5-working-day window, once only) the case
    waits for the applicant without a clock; so does an application waiting at the intake
    window of another region (异地代收代办: its clerk asks, once, before handing it over).
    After acceptance (window clerk, reviewer, approver of the case, or whoever holds one of
    its open tasks) the case clock and the open tasks' clocks pause until the applicant answers.
    `items`: [{"material_key": key of a catalog material, or "name": free text, "note": …}].
    Side effects: CaseEvent, ledger, clock events, notice to the applicant (in-app + SMS).
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        before = case.status
        role = require_case_action(actor, CaseAction.REQUEST_SUPPLEMENT, case)
        case_next_status(case.status, CaseAction.REQUEST_SUPPLEMENT)
        cleaned = _clean_items(case, items)
        # 受理前: at the authority's window, or at the intake window of another region (异地代收).
        before_acceptance = before in (CaseStatus.SUBMITTED, CaseStatus.INTAKE_PENDING)
        if before_acceptance:
            if _window_passed(case):
                raise Conflict("已超过 5 个工作日的补正告知期限，依法视为已受理，不能再作受理前补正。")
            if SupplementRequest.objects.filter(case=case, before_acceptance=True).exists():
                raise Conflict("受理前的补正依法应一次性告知，本件已告知过补正，不能再次要求。")
        supplement = SupplementRequest.objects.create(
            case=case,
            before_acceptance=before_acceptance,
            items=cleaned,
            message=message.strip(),
            requested_by=actor,
            requested_at=clock.now(),
        )
        names = "、".join(item["name"] for item in cleaned)
        base.transition(
            case,
            CaseAction.REQUEST_SUPPLEMENT,
            actor=actor,
            summary=f"一次性告知补正：{names}" + ("（暂停计时）" if before == CaseStatus.IN_REVIEW else ""),
            reason=message.strip(),
            payload={"supplement": supplement.pk, "items": len(cleaned)},
            actor_role=role,
        )
        if before == CaseStatus.IN_REVIEW:
            base.pause_clocks(case, cause="supplement")
        base.notify_applicant(
            case,
            "请补正材料",
            f"请补正以下材料：{names}。{message.strip()} 补正后办理时限继续计算。"
            if before == CaseStatus.IN_REVIEW
            else f"请补正以下材料：{names}。{message.strip()}",
            sms=True,
        )
    return supplement


def case_deem_accept(*, case: Case) -> bool:
    """The law's acceptance (system): a case nobody accepted, refused or sent back for 补正
    within 5 working days of receipt counts as accepted on the day it was received.

    Returns False (and changes nothing) when the case does not qualify (any more).
    Side effects: CaseEvent, ledger, clock start dated on receipt, notices.
    """
    with transaction.atomic(durable=True):
        case = base.lock_case(case)
        if not _window_passed(case):
            return False
        engine.accept(
            case,
            actor=None,
            how="deemed",
            summary=f"{case.received_on} 收件后 5 个工作日内未受理也未告知补正，依法视为当日受理",
        )
        base.notify_staff(
            base.window_clerks_for(case),
            case,
            "申请已视为受理",
            "5 个工作日内未处理，依法视为收件当日受理，请尽快审查。",
        )
    return True
