"""专家云评审: every change of a panel is one of these (one durable transaction each).

- panel_request (a reviewer of the case): commit the eligible list, suspend the case
- panel_draw / panels_draw_waiting (system, idempotent): seed from the first checkpoint
  holding the request, rank, invite
- invitation_accept / invitation_decline (the expert) and invitations_expire_due (system):
  a decline or an expiry invites the next of the ranking
- opinion_sign (the expert): the scored opinion, Ed25519-signed, into the ledger
- panel_conclude / panel_cancel (the case's reviewer or approver): the case resumes
Expert pool services live in pool.py.
"""

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.services import check_suspension, resume_within, suspend_within
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.selectors import process_of
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger import draw
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.events import ReviewVerb
from yiwang.ledger.models import Checkpoint, Entry
from yiwang.notifications.services import messages_enqueue_batch
from yiwang.reviews import keys, policy
from yiwang.reviews.models import Expert, Invitation, Opinion, Panel
from yiwang.reviews.pool import RECUSAL_REASONS, candidates, clean_specialties, event, text
from yiwang.reviews.workflow import (
    OPEN_INVITATION,
    OPEN_PANEL,
    REPLACED,
    ConclusionRule,
    InvitationAction,
    InvitationStatus,
    PanelAction,
    PanelStatus,
    invitation_next_status,
    panel_next_status,
)

MAX_PANEL = 9
SCORE_MAX = 100


def _lock_panel(panel: Panel | int) -> Panel:
    pk = panel.pk if isinstance(panel, Panel) else panel
    return Panel.objects.select_for_update().select_related("case").get(pk=pk)


def _today_plus(days: int) -> Any:
    return working_calendar().add_working_days(clock.today(), days)


def panel_request(
    *,
    actor: User,
    case: Case,
    summary: str,
    material_ids: list[int],
    reason: str,
    size: int | None = None,
    specialties: list[str] | None = None,
    conclusion_rule: str | None = None,
) -> Panel:
    """申请抽取专家: a reviewer of a case in review whose item's process declares 专家评审.

    Size, specialties and conclusion rule default to the process; size may be entered from
    1 to 9. Every candidate of the pool gets a fresh salt; the eligible list is committed in
    the request's ledger entry (its digest), the recused appear as commitment + reason. The
    case is suspended (special procedure 专家评审, the process's announced length) in the
    same transaction. The draw waits for the first checkpoint holding this entry."""
    spec = process_of(case.implementation_version)
    review = spec.expert_review if spec is not None else None
    if review is None:
        raise Conflict("该事项的办理流程不含专家评审，不能抽取评审专家。", rule="no_expert_review")
    errors: dict[str, list[str]] = {}
    size = review.panel_size if size is None else size
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PANEL:
        errors["size"] = [f"专家人数：请填写 1 到 {MAX_PANEL} 人"]
    rule = conclusion_rule or review.conclusion
    if rule not in ConclusionRule.values:
        errors["conclusion_rule"] = ["结论规则：请选择少数服从多数或以组长意见为准"]
    if errors:
        raise ValidationFailed(errors)
    wanted = clean_specialties(review.specialties if specialties is None else specialties)
    summary = text(summary, "summary", "案情摘要", limit=2000)
    reason = text(reason, "reason", "评审事由（告知申请人）", limit=200)
    check_suspension(procedure="expert_review", reason=reason, expected_days=review.expected_days)
    if not material_ids or len(material_ids) > 50:
        raise ValidationFailed({"materials": ["评审材料：请从本件材料中选择 1 到 50 份"]})
    with transaction.atomic(durable=True):
        case = Case.objects.select_for_update().get(pk=case.pk)  # its status now, locked
        if not policy.may_request(actor, case):
            raise PermissionDenied("只有该办件所属部门的审查或审批决定人员可以申请专家评审。", rule="policy")
        if case.status != CaseStatus.IN_REVIEW:
            raise Conflict(f"办件当前为“{case.get_status_display()}”，审查中才能申请专家评审。", rule="transition")
        if Panel.objects.filter(case=case, status__in=list(OPEN_PANEL)).exists():
            raise Conflict("本件已有进行中的专家评审。", rule="one_open_panel")
        materials = list(
            CaseMaterial.objects.filter(case=case, pk__in=material_ids, superseded_at__isnull=True).order_by("pk")
        )
        if len(materials) != len(set(material_ids)):
            raise ValidationFailed({"materials": ["评审材料：只能选择本件的现行材料"]})
        found = candidates(case, case.department_id, wanted)
        eligible = [c for c in found if not c.reason]
        if len(eligible) < size:
            raise ValidationFailed(
                {"size": [f"专家人数：符合专业且无须回避的专家只有 {len(eligible)} 人，少于所需的 {size} 人"]}
            )
        openings: dict[str, dict[str, str]] = {}
        excluded: list[dict[str, str]] = []
        for c in found:
            salt = secrets.token_bytes(16)
            commitment = draw.commitment(c.expert.code, salt)
            openings[commitment] = {"code": c.expert.code, "salt": salt.hex()}
            if c.reason:
                excluded.append({"commitment": commitment, "reason": c.reason})
        eligible_list = sorted(k for k, v in openings.items() if v["code"] in {c.expert.code for c in eligible})
        suspend_within(
            actor=actor,
            case=case,
            procedure="expert_review",
            reason=reason,
            expected_days=review.expected_days,
        )
        number = Panel.objects.filter(case=case).count() + 1
        ref = f"PS-{case.number}-{number}"
        digest = draw.eligible_digest(eligible_list)
        excluded.sort(key=lambda x: x["commitment"])
        payload = {
            "panel": ref,
            "case": case.number,
            "algorithm": draw.ALGORITHM,
            "size": size,
            "specialties": wanted,
            "conclusion_rule": rule,
            "eligible_count": len(eligible_list),
            "eligible_digest": digest,
            "excluded": excluded,
        }
        panel = Panel(
            ref=ref,
            case=case,
            department_id=case.department_id,
            requested_by=actor,
            requested_at=clock.now(),
            status=panel_next_status(None, PanelAction.REQUEST),
            size=size,
            specialties=wanted,
            conclusion_rule=rule,
            expected_days=review.expected_days,
            review_deadline=_today_plus(review.expected_days),
            summary=summary,
            request_entry_id=0,
            eligible=eligible_list,
            eligible_digest=digest,
            excluded=excluded,
            openings=openings,
        )
        panel.save()
        panel.materials.set(materials)
        panel.request_entry_id = event(
            ReviewVerb.PANEL_REQUESTED,
            subject=panel.subject,
            actor=actor,
            summary=f"申请抽取 {size} 名评审专家（候选 {len(eligible_list)} 人，回避 {len(excluded)} 人）",
            payload=payload,
            panel=panel,
        )
        panel.save(update_fields=["request_entry_id"])
    return panel


def seeding_checkpoint(panel: Panel) -> Checkpoint | None:
    """The first signed checkpoint whose tree holds the panel's request entry, if any yet."""
    leaf_index = Entry.objects.filter(pk=panel.request_entry_id).values_list("leaf_index", flat=True).first()
    if leaf_index is None:
        return None
    return Checkpoint.objects.filter(tree_size__gt=leaf_index).order_by("tree_size").first()


def panel_draw(*, panel: Panel) -> bool:
    """随机抽取 (system): once the seeding checkpoint exists, rank the eligible and invite the
    first `size`. Deterministic and idempotent: False when already drawn or still waiting."""
    with transaction.atomic(durable=True):
        panel = _lock_panel(panel)
        if panel.status != PanelStatus.WAITING_SEED:
            return False
        checkpoint = seeding_checkpoint(panel)
        if checkpoint is None:
            return False
        root = bytes(checkpoint.root_hash)
        seed = draw.seed_of(panel.ref, checkpoint.tree_size, root)
        panel.status = panel_next_status(panel.status, PanelAction.DRAW)
        panel.seed_tree_size, panel.seed_root, panel.seed = checkpoint.tree_size, root.hex(), seed.hex()
        panel.ranking = draw.rank(seed, panel.eligible)
        panel.drawn_at = clock.now()
        panel.save(update_fields=["status", "seed_tree_size", "seed_root", "seed", "ranking", "drawn_at"])
        event(
            ReviewVerb.PANEL_DRAWN,
            subject=panel.subject,
            actor=None,
            summary=f"以检查点（树大小 {checkpoint.tree_size}）根哈希为种子随机抽取",
            payload={
                "panel": panel.ref,
                "algorithm": draw.ALGORITHM,
                "seed_tree_size": checkpoint.tree_size,
                "seed_root": root.hex(),
                "seed": seed.hex(),
                "ranking": panel.ranking,
            },
            panel=panel,
        )
        for _ in range(panel.size):
            _invite_next(panel)
    return True


def panels_draw_waiting() -> int:
    """Draw every panel whose seed now exists (the worker's job; also run on page loads)."""
    done = 0
    for panel in Panel.objects.filter(status=PanelStatus.WAITING_SEED).order_by("pk"):
        done += panel_draw(panel=panel)
    return done


def _invite_next(panel: Panel) -> Invitation | None:
    """Invite the next of the ranking not yet invited (inside the caller's transaction)."""
    position = panel.invitations.count() + 1
    if position > len(panel.ranking):
        summary = "排序名单已用尽，没有可递补的专家"
        event(
            ReviewVerb.INVITATION_SENT,
            subject=panel.subject,
            actor=None,
            summary=summary,
            payload={"panel": panel.ref, "position": position, "exhausted": True},
            panel=panel,
        )
        return None
    commitment = panel.ranking[position - 1]
    expert = Expert.objects.get(code=panel.openings[commitment]["code"])
    invitation = Invitation.objects.create(
        panel=panel,
        expert=expert,
        commitment=commitment,
        position=position,
        status=invitation_next_status(None, InvitationAction.INVITE),
        invited_at=clock.now(),
        respond_by=_today_plus(panel.respond_days),
    )
    event(
        ReviewVerb.INVITATION_SENT,
        subject=panel.subject,
        actor=None,
        summary=f"邀请排序第 {position} 名专家",
        payload={"panel": panel.ref, "position": position, "commitment": commitment},
        panel=panel,
    )
    if expert.user is not None:
        messages_enqueue_batch(
            batch=[
                (
                    expert.user,
                    f"【专家评审邀请】{panel.ref}",
                    f"您被随机抽中参加专家评审 {panel.ref}，请于 {invitation.respond_by} 前在工作台答复。",
                )
            ],
            reference=panel.subject,
        )
    return invitation


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("expert", "panel").get(pk=invitation.pk)


def invitation_accept(*, actor: User, invitation: Invitation) -> Invitation:
    """The invited expert accepts (and so declares no conflict of interest)."""
    with transaction.atomic(durable=True):
        _lock_panel(invitation.panel_id)
        invitation = _lock_invitation(invitation)
        policy.require_invitee(actor, invitation)
        invitation.status = invitation_next_status(invitation.status, InvitationAction.ACCEPT)
        invitation.responded_at = clock.now()
        invitation.save(update_fields=["status", "responded_at"])
        event(
            ReviewVerb.INVITATION_ACCEPTED,
            subject=invitation.panel.subject,
            actor=actor,
            summary=f"排序第 {invitation.position} 名专家接受邀请",
            payload={"panel": invitation.panel.ref, "position": invitation.position},
            panel=invitation.panel,
        )
    return invitation


def invitation_decline(*, actor: User, invitation: Invitation, reason: str) -> Invitation:
    """The invited expert declines (e.g. a conflict of interest): the next of the ranking is invited."""
    reason = text(reason, "reason", "拒绝理由", limit=200)
    with transaction.atomic(durable=True):
        panel = _lock_panel(invitation.panel_id)
        invitation = _lock_invitation(invitation)
        policy.require_invitee(actor, invitation)
        invitation.status = invitation_next_status(invitation.status, InvitationAction.DECLINE)
        invitation.responded_at, invitation.decline_reason = clock.now(), reason
        invitation.save(update_fields=["status", "responded_at", "decline_reason"])
        event(
            ReviewVerb.INVITATION_DECLINED,
            subject=panel.subject,
            actor=actor,
            summary=f"排序第 {invitation.position} 名专家拒绝邀请，由下一名递补",
            payload={"panel": panel.ref, "position": invitation.position},
            panel=panel,
        )
        _invite_next(panel)
    return invitation


def invitations_expire_due() -> int:
    """Invitations not answered by their day expire; each seat goes to the next of the ranking."""
    done = 0
    today = clock.today()
    due = Invitation.objects.filter(
        status=InvitationStatus.INVITED, respond_by__lt=today, panel__status=PanelStatus.REVIEWING
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic(durable=True):
            invitation = Invitation.objects.select_related("panel").get(pk=pk)
            panel = _lock_panel(invitation.panel_id)
            invitation = _lock_invitation(invitation)
            if invitation.status != InvitationStatus.INVITED or panel.status != PanelStatus.REVIEWING:
                continue
            invitation.status = invitation_next_status(invitation.status, InvitationAction.EXPIRE)
            invitation.save(update_fields=["status"])
            event(
                ReviewVerb.INVITATION_EXPIRED,
                subject=panel.subject,
                actor=None,
                summary=f"排序第 {invitation.position} 名专家逾期未答复，由下一名递补",
                payload={"panel": panel.ref, "position": invitation.position},
                panel=panel,
            )
            _invite_next(panel)
            done += 1
    return done


def opinion_document(invitation: Invitation, *, score: int, approve: bool, reasons: str, at: str) -> bytes:
    """The canonical form an opinion is signed in (and entered into the ledger): it names the
    expert by the draw commitment (the code is opened on conclusion) and the reasons by hash."""
    return canonical_json(
        {
            "approve": approve,
            "commitment": invitation.commitment,
            "panel": invitation.panel.ref,
            "reasons_sha256": hashlib.sha256(reasons.encode("utf-8")).hexdigest(),
            "score": score,
            "signed_at": at,
            "type": "yiwang-review-opinion/1",
        }
    )


def opinion_sign(*, actor: User, invitation: Invitation, score: object, approve: object, reasons: str) -> Opinion:
    """The accepted expert signs a scored opinion before the review deadline."""
    errors: dict[str, list[str]] = {}
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= SCORE_MAX:
        errors["score"] = [f"评分：请填写 0 到 {SCORE_MAX} 的整数"]
    if not isinstance(approve, bool):
        errors["approve"] = ["结论：请选择同意或不同意"]
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(score, int) and isinstance(approve, bool)
    reasons = text(reasons, "reasons", "意见与理由", limit=4000)
    with transaction.atomic(durable=True):
        panel = _lock_panel(invitation.panel_id)
        invitation = _lock_invitation(invitation)
        policy.require_invitee(actor, invitation)
        if panel.status != PanelStatus.REVIEWING:
            raise Conflict(f"专家评审当前为“{panel.get_status_display()}”，不能提交意见。", rule="transition")
        if clock.today() > panel.review_deadline:
            raise Conflict(f"提交意见的截止日 {panel.review_deadline} 已过。", rule="deadline")
        invitation.status = invitation_next_status(invitation.status, InvitationAction.SIGN)
        invitation.save(update_fields=["status"])
        at = clock.now()
        document = opinion_document(
            invitation, score=score, approve=approve, reasons=reasons, at=at.isoformat(timespec="seconds")
        )
        signature = keys.sign_as(invitation.expert.code, document)
        entry_id = event(
            ReviewVerb.OPINION_SIGNED,
            subject=panel.subject,
            actor=actor,
            summary=f"排序第 {invitation.position} 名专家签署评审意见",
            payload={"panel": panel.ref, "opinion": document.decode(), "signature_sha256": _sha(signature)},
            panel=panel,
        )
        opinion = Opinion.objects.create(
            invitation=invitation,
            score=score,
            approve=approve,
            reasons=reasons,
            canonical=document.decode(),
            signature=signature,
            public_key=invitation.expert.public_key,
            signed_at=at,
            ledger_entry_id=entry_id,
        )
    return opinion


def _sha(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


def members(panel: Panel) -> QuerySet[Invitation]:
    """The panel's seats: invitations not declined or expired, in ranking order."""
    return panel.invitations.exclude(status__in=list(REPLACED)).select_related("expert").order_by("position")


def conclusion_of(panel: Panel) -> tuple[bool, str]:
    """(approve, text) from the signed opinions: the majority (a tie is not a majority for
    approval), or the opinion of the chair — the best-ranked member who signed."""
    signed = list(
        Opinion.objects.filter(invitation__panel=panel).select_related("invitation").order_by("invitation__position")
    )
    yes = sum(1 for o in signed if o.approve)
    no = len(signed) - yes
    if panel.conclusion_rule == ConclusionRule.CHAIR:
        approve = signed[0].approve
        head = f"以组长意见为准：{'同意' if approve else '不同意'}"
    else:
        approve = yes > no
        head = f"少数服从多数：{'同意' if approve else '不同意'}"
    average = round(sum(o.score for o in signed) / len(signed), 1)
    return approve, f"专家评审结论（{panel.ref}）：{head}（同意 {yes} 票，不同意 {no} 票，平均分 {average}）"


def panel_conclude(*, actor: User, panel: Panel) -> Panel:
    """形成评审结论: every seat signed (or the deadline passed with at least one opinion).
    The conclusion enters the case as the resumption's reason (the clock runs again, the due
    date moves by the suspended working days) and the salts are opened in the public record."""
    with transaction.atomic(durable=True):
        panel = _lock_panel(panel)
        policy.require_concluder(actor, panel)
        seats = list(members(panel))
        signed = [s for s in seats if s.status == InvitationStatus.SIGNED]
        if not signed:
            raise Conflict("尚无专家提交评审意见，不能形成结论。", rule="no_opinion")
        if len(signed) < len(seats) and clock.today() <= panel.review_deadline:
            raise Conflict(
                f"还有 {len(seats) - len(signed)} 名专家未提交意见，截止日 {panel.review_deadline} 前不能形成结论。",
                rule="opinions_pending",
            )
        approve, conclusion = conclusion_of(panel)
        panel.status = panel_next_status(panel.status, PanelAction.CONCLUDE)
        panel.approve, panel.conclusion, panel.concluded_at = approve, conclusion, clock.now()
        panel.save(update_fields=["status", "approve", "conclusion", "concluded_at"])
        event(
            ReviewVerb.PANEL_CONCLUDED,
            subject=panel.subject,
            actor=actor,
            summary=conclusion,
            payload={"panel": panel.ref, "approve": approve, "openings": public_openings(panel)},
            panel=panel,
        )
        resume_within(actor=actor, case=panel.case, note=conclusion)
        _tell_members(panel, seats, f"专家评审 {panel.ref} 已形成结论", conclusion)
    return panel


def panel_cancel(*, actor: User, panel: Panel, reason: str) -> Panel:
    """取消评审 (e.g. no expert left to draw): the open invitations are withdrawn, the case
    resumes with the reason (which the applicant reads), the experts are told; the record
    stays public and the eligible list's salts are opened as on a conclusion."""
    reason = text(reason, "reason", "取消理由", limit=200)
    with transaction.atomic(durable=True):
        panel = _lock_panel(panel)
        policy.require_concluder(actor, panel)
        panel.status = panel_next_status(panel.status, PanelAction.CANCEL)
        panel.conclusion, panel.concluded_at = f"已取消：{reason}", clock.now()
        panel.save(update_fields=["status", "conclusion", "concluded_at"])
        seats = list(members(panel))
        withdrawn: list[int] = []
        for invitation in (
            Invitation.objects.select_for_update()
            .filter(panel=panel, status__in=list(OPEN_INVITATION))
            .order_by("position")
        ):
            invitation.status = invitation_next_status(invitation.status, InvitationAction.WITHDRAW)
            invitation.save(update_fields=["status"])
            withdrawn.append(invitation.position)
        event(
            ReviewVerb.PANEL_CANCELLED,
            subject=panel.subject,
            actor=actor,
            summary=f"取消专家评审：{reason}",
            payload={"panel": panel.ref, "withdrawn": withdrawn, "openings": public_openings(panel)},
            panel=panel,
        )
        resume_within(actor=actor, case=panel.case, note=f"专家评审已取消：{reason}")
        _tell_members(panel, seats, f"专家评审 {panel.ref} 已取消", reason)
    return panel


def public_openings(panel: Panel) -> dict[str, dict[str, str]]:
    """The salts opened on conclusion: the eligible list's (the recused stay masked)."""
    return {c: panel.openings[c] for c in panel.eligible}


def _tell_members(panel: Panel, seats: list[Invitation], subject: str, body: str) -> None:
    batch = [(s.expert.user, subject, body) for s in seats if s.expert.user is not None]
    if batch:
        messages_enqueue_batch(batch=batch, reference=panel.subject)


__all__ = [
    "RECUSAL_REASONS",
    "conclusion_of",
    "invitation_accept",
    "invitation_decline",
    "invitations_expire_due",
    "members",
    "opinion_sign",
    "panel_cancel",
    "panel_conclude",
    "panel_draw",
    "panel_request",
    "panels_draw_waiting",
    "public_openings",
    "seeding_checkpoint",
]
