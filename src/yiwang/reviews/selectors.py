"""Reads of the pool and the panels, for the workbench, the portal and the public record."""

from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case, CaseAccessLog, CaseMaterial
from yiwang.cases.selectors import case_by_number_for
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.process import ExpertReviewSpec
from yiwang.catalog.selectors import process_of
from yiwang.core import clock
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger import draw
from yiwang.ledger.models import Checkpoint
from yiwang.ledger.selectors import entry_get, inclusion_proof_for
from yiwang.reviews import policy
from yiwang.reviews.models import Expert, Invitation, Opinion, Panel, ReviewEvent
from yiwang.reviews.pool import RECUSAL_REASONS
from yiwang.reviews.services import panels_draw_waiting, public_openings
from yiwang.reviews.workflow import OPEN_PANEL, PanelStatus


def pool_of(user: User) -> QuerySet[Expert]:
    """The experts of the pools `user` keeps."""
    return Expert.objects.filter(department_id__in=policy.pool_departments(user)).select_related("region", "user")


def public_pool() -> QuerySet[Expert]:
    """Everyone reads the pools' codes, specialties and public keys (checking signatures)."""
    return Expert.objects.select_related("department").order_by("department__name", "code")


def expert_invitations(user: User) -> list[Invitation]:
    """An expert's invitations, newest first (drawing any panel whose seed just arrived)."""
    expert = policy.expert_of(user)
    if expert is None:
        return []
    panels_draw_waiting()
    return list(
        Invitation.objects.filter(expert=expert).select_related("panel", "panel__case").order_by("-invited_at", "-pk")
    )


def invitation_for(user: User, pk: int) -> Invitation:
    invitation = Invitation.objects.select_related("panel", "panel__case", "expert").filter(pk=pk).first()
    if invitation is None or invitation.expert.user_id != user.pk:
        raise NotFound("评审邀请不存在或您无权查看。")
    return invitation


def review_materials(user: User, invitation: Invitation) -> list[CaseMaterial]:
    """What the accepted expert may read: only the materials the requester chose."""
    invitation = Invitation.objects.select_related("expert", "panel").get(pk=invitation.pk)
    if not policy.may_read_materials(user, invitation):
        return []
    return list(invitation.panel.materials.order_by("material_key", "pk"))


def review_material_file(user: User, invitation_id: int, material_id: int) -> tuple[CaseMaterial, IO[bytes]]:
    """Open one chosen material for the accepted expert (the caller closes it); the read is
    logged on the case like a staff read, the panel as its reason."""
    invitation = invitation_for(user, invitation_id)
    material = next((m for m in review_materials(user, invitation) if m.pk == material_id), None)
    if material is None:
        raise NotFound("材料不存在或您无权查看。")
    try:
        handle = default_storage.open(material.storage_name, "rb")
    except FileNotFoundError:
        raise NotFound("材料文件不存在，请联系办理部门。") from None
    CaseAccessLog.objects.create(
        case_id=material.case_id,
        user=user,
        at=clock.now(),
        reason=f"专家评审 {invitation.panel.ref}",
        target=f"material:{material.pk}",
    )
    return material, handle


@dataclass(frozen=True)
class RequestOffer:
    case: Case
    spec: ExpertReviewSpec
    materials: list[CaseMaterial]


def review_spec(case: Case) -> ExpertReviewSpec | None:
    process = process_of(case.implementation_version)
    return process.expert_review if process is not None else None


def may_offer_request(user: User, case: Case) -> bool:
    """Whether the case page offers 申请专家评审 to `user`."""
    return case.status == CaseStatus.IN_REVIEW and review_spec(case) is not None and policy.may_request(user, case)


def request_offer(user: User, number: str) -> RequestOffer:
    """The request form's facts: the case (as its staff see it), the process's defaults, the
    current materials to choose from."""
    case = case_by_number_for(user, number)
    spec = review_spec(case)
    if spec is None or not policy.may_request(user, case):
        raise PermissionDenied("该办件不需要专家评审，或您不能为其申请专家评审。")
    materials = list(CaseMaterial.objects.filter(case=case, superseded_at__isnull=True).order_by("material_key", "pk"))
    return RequestOffer(case=case, spec=spec, materials=materials)


def panels_of_case(user: User, case: Case) -> list[Panel]:
    """The case's panels for its staff (drawing a waiting one whose seed arrived)."""
    if any(p.status == PanelStatus.WAITING_SEED for p in Panel.objects.filter(case=case)):
        panels_draw_waiting()
    return [p for p in Panel.objects.filter(case=case).order_by("-pk") if policy.may_see_panel(user, p)]


def panel_for_staff(user: User, ref: str) -> Panel:
    panel = Panel.objects.select_related("case", "requested_by").filter(ref=ref).first()
    if panel is None or not policy.may_see_panel(user, panel):
        raise NotFound("专家评审不存在或您无权查看。")
    if panel.status == PanelStatus.WAITING_SEED:
        panels_draw_waiting()
        panel.refresh_from_db()
    return panel


@dataclass(frozen=True)
class Seat:
    invitation: Invitation
    opinion: Opinion | None


def seats(panel: Panel) -> list[Seat]:
    """Every invitation in ranking order with its opinion (staff and, once concluded, the panel)."""
    opinions = {o.invitation_id: o for o in Opinion.objects.filter(invitation__panel=panel)}
    return [Seat(i, opinions.get(i.pk)) for i in panel.invitations.select_related("expert").order_by("position")]


def excluded_for_staff(panel: Panel) -> list[tuple[str, str, str]]:
    """(code, name, reason label) of the recused, for the case's staff."""
    codes = {x["commitment"]: panel.openings.get(x["commitment"], {}).get("code", "") for x in panel.excluded}
    names = dict(Expert.objects.filter(code__in=list(codes.values())).values_list("code", "name"))
    return [
        (codes[x["commitment"]], names.get(codes[x["commitment"]], ""), RECUSAL_REASONS.get(x["reason"], x["reason"]))
        for x in panel.excluded
    ]


def panel_events(panel: Panel) -> QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(panel=panel).order_by("at", "pk")


@dataclass(frozen=True)
class ApplicantReview:
    """What the applicant sees: a review is under way and when it should end — no names."""

    status_label: str
    expected_end: Any
    conclusion: str


def applicant_reviews(case: Case) -> list[ApplicantReview]:
    return [
        ApplicantReview(
            status_label="专家评审进行中" if p.status in OPEN_PANEL else p.get_status_display(),
            expected_end=p.review_deadline,
            conclusion=p.conclusion if p.status in (PanelStatus.CONCLUDED, PanelStatus.CANCELLED) else "",
        )
        for p in Panel.objects.filter(case=case).order_by("pk")
    ]


def public_panel(ref: str) -> Panel:
    panel = Panel.objects.filter(ref=ref).first()
    if panel is None:
        raise NotFound("没有这个评审编号。")
    if panel.status == PanelStatus.WAITING_SEED:
        panels_draw_waiting()
        panel.refresh_from_db()
    return panel


def seed_checkpoint_note(panel: Panel) -> str:
    checkpoint = Checkpoint.objects.filter(tree_size=panel.seed_tree_size).first() if panel.seed_tree_size else None
    if checkpoint is None:
        raise NotFound("该评审尚未产生随机种子。")
    return checkpoint.note


def draw_record(panel: Panel) -> dict[str, Any]:
    """The public draw record (format ledger.draw.RECORD_FORMAT) that `yiwang-verify draw`
    re-runs: no names before conclusion, the recused only as commitment + reason."""
    concluded = panel.status in (PanelStatus.CONCLUDED, PanelStatus.CANCELLED)
    request: dict[str, Any] = {"entry_id": panel.request_entry_id, "eligible_digest": panel.eligible_digest}
    entry = entry_get(panel.request_entry_id)
    request["leaf_index"] = entry.leaf_index
    if panel.seed_tree_size:
        request["proof"] = inclusion_proof_for(entry, tree_size=panel.seed_tree_size)
    record: dict[str, Any] = {
        "format": draw.RECORD_FORMAT,
        "algorithm": draw.ALGORITHM,
        "panel": panel.ref,
        "case": panel.case.number,
        "status": panel.status,
        "size": panel.size,
        "specialties": panel.specialties,
        "conclusion_rule": panel.conclusion_rule,
        "requested_at": panel.requested_at.isoformat(),
        "request": request,
        "eligible": panel.eligible,
        "excluded": [
            {"commitment": x["commitment"], "reason": x["reason"], "reason_label": RECUSAL_REASONS.get(x["reason"], "")}
            for x in panel.excluded
        ],
        "seed_source": (
            {"tree_size": panel.seed_tree_size, "root_hash": panel.seed_root} if panel.seed_tree_size else None
        ),
        "seed": panel.seed or None,
        "ranking": panel.ranking,
        "invitations": [
            {"position": i.position, "commitment": i.commitment, "status": i.status}
            for i in panel.invitations.order_by("position")
        ],
    }
    if concluded:
        record["revealed"] = public_openings(panel)
        record["conclusion"] = panel.conclusion
        record["opinions"] = [
            {
                "commitment": o.invitation.commitment,
                "opinion": o.canonical,
                "signature": o.signature,
                "public_key": o.public_key,
                "ledger_entry_id": o.ledger_entry_id,
            }
            for o in Opinion.objects.filter(invitation__panel=panel)
            .select_related("invitation")
            .order_by("invitation__position")
        ]
    return record


def public_draws() -> QuerySet[Panel]:
    return Panel.objects.exclude(status=PanelStatus.WAITING_SEED).select_related("case").order_by("-requested_at")


def staff_panels(user: User) -> list[Panel]:
    """Recent panels of the cases the user's departments handle (their staff see them)."""
    from yiwang.cases.policy import posts_of

    departments = {p.department_id for p in posts_of(user)}
    found = Panel.objects.filter(department_id__in=departments).select_related("case").order_by("-requested_at")[:50]
    return [p for p in found if policy.may_see_panel(user, p)]


def open_panel_objection(case: Case) -> str:
    """cases.hooks resume guard: a special procedure held for an open panel ends with the
    panel's conclusion (reviews.services), not by hand."""
    if Panel.objects.filter(case=case, status__in=list(OPEN_PANEL)).exists():
        return "专家评审尚未形成结论，评审结论形成后将自动恢复计时，不能手动结束该特别程序"
    return ""


def keeper_departments(user: User) -> QuerySet[Department]:
    """The departments whose pool `user` keeps (the 专家入库 form's choice)."""
    return Department.objects.filter(pk__in=policy.pool_departments(user)).select_related("region").order_by("name")


def keeper_department(user: User, department_id: int) -> Department:
    found = keeper_departments(user).filter(pk=department_id).first()
    if found is None:
        raise NotFound("专家库不存在或您无权管理。")
    return found


def pool_regions(user: User) -> list[Region]:
    """The 所在区划 choices: the regions of the kept departments and their direct subdivisions."""
    roots = [d.region_id for d in keeper_departments(user)]
    return list(Region.objects.filter(Q(pk__in=roots) | Q(parent_id__in=roots)).order_by("code"))


def pool_region(user: User, code: str) -> Region:
    found = next((r for r in pool_regions(user) if r.code == code.strip()), None)
    if found is None:
        raise ValidationFailed({"region": ["所在区划：请从列表中选择"]})
    return found


def expert_for_keeper(user: User, code: str) -> Expert:
    """One expert of a pool `user` keeps; anyone else (even another department's keeper) gets 404."""
    found = pool_of(user).filter(code=code).first()
    if found is None:
        raise NotFound("专家不存在或您无权管理。")
    return found
