"""专家云评审 through the services: request, verifiable draw, replacement, recusal, clock."""

import datetime as dt
import json
from pathlib import Path

import pytest

from yiwang.accounts.models import Enterprise
from yiwang.cases.models import CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import user
from yiwang.cases.workflow import CaseStatus
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger import draw, verify_cli
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Checkpoint, Entry
from yiwang.ledger.selectors import verifier_key
from yiwang.notifications.models import Message
from yiwang.reviews import keys, selectors, services
from yiwang.reviews.models import Invitation, Panel
from yiwang.reviews.tests import scene
from yiwang.reviews.workflow import InvitationStatus, PanelStatus

D = dt.date


def _invitation(panel: Panel, position: int) -> Invitation:
    return Invitation.objects.select_related("expert", "panel").get(panel=panel, position=position)


def test_request_suspends_the_case_and_waits_for_the_checkpoint_then_draws_once(world: None) -> None:
    scene.pool(6)
    case = scene.in_review()
    panel = scene.request(case)
    assert panel.status == PanelStatus.WAITING_SEED and len(panel.eligible) == 6
    assert flows.reload(case).status == CaseStatus.SUSPENDED
    assert CaseEvent.objects.filter(case=case, verb="suspend", payload__procedure="expert_review").exists()
    assert services.panel_draw(panel=panel) is False  # the request is not in a signed tree yet
    ledger_integrate()
    leaf_index = Entry.objects.get(pk=panel.request_entry_id).leaf_index
    checkpoint = Checkpoint.objects.filter(tree_size__gt=leaf_index).order_by("tree_size").first()
    assert checkpoint is not None
    assert services.panel_draw(panel=panel) is True
    assert services.panel_draw(panel=panel) is False  # idempotent
    panel.refresh_from_db()
    assert panel.status == PanelStatus.REVIEWING
    assert panel.seed == draw.seed_of(panel.ref, checkpoint.tree_size, bytes(checkpoint.root_hash)).hex()
    assert panel.ranking == draw.rank(bytes.fromhex(panel.seed), panel.eligible)
    invited = list(panel.invitations.order_by("position").values_list("commitment", flat=True))
    assert invited == panel.ranking[:3]
    first = _invitation(panel, 1)
    assert Message.objects.filter(recipient=first.expert.user, subject__contains=panel.ref).exists()


def test_the_special_procedure_of_an_open_panel_is_not_ended_by_hand(world: None) -> None:
    from yiwang.cases import services as case_services

    scene.pool(6)
    case = scene.in_review()
    panel = scene.request(case)
    with pytest.raises(Conflict, match="专家评审尚未形成结论"):
        case_services.case_resume(actor=panel.requested_by, case=case, note="手动结束")
    assert flows.reload(case).status == CaseStatus.SUSPENDED


def test_decline_invites_the_next_of_the_ranking_and_expiry_too(world: None) -> None:
    scene.pool(6)
    with flows.on(D(2026, 3, 2)):
        case = scene.in_review()
    with flows.on(D(2026, 3, 4)):
        panel = scene.drawn(scene.request(case, size=2))
        first = _invitation(panel, 1)
        with pytest.raises(PermissionDenied):
            services.invitation_decline(actor=_invitation(panel, 2).expert.user, invitation=first, reason="有事")
        with pytest.raises(ValidationFailed):
            services.invitation_decline(actor=first.expert.user, invitation=first, reason=" ")
        services.invitation_decline(actor=first.expert.user, invitation=first, reason="与申请人存在合作关系")
    third = _invitation(panel, 3)
    assert third.commitment == panel.ranking[2] and third.status == InvitationStatus.INVITED
    with flows.on(D(2026, 3, 20)):  # past the two working days to answer
        assert services.invitations_expire_due() == 2
    statuses = dict(panel.invitations.values_list("position", "status"))
    assert statuses == {1: "declined", 2: "expired", 3: "expired", 4: "invited", 5: "invited"}
    record = selectors.draw_record(Panel.objects.get(pk=panel.pk))
    assert draw.check_record(record, tree_size=panel.seed_tree_size or 0, root_hash=bytes.fromhex(panel.seed_root))
    assert "revealed" not in record  # no names before the conclusion


def test_recusal_by_employer_declared_relation_and_recent_review(world: None, settings) -> None:  # type: ignore[no-untyped-def]
    enterprise = Enterprise.objects.filter(agents__person__user=user("lisi")).first()
    assert enterprise is not None, "the demo world's lisi acts for an enterprise"
    scene.pool(
        7,
        **{
            "ZJ-0002": {"employer_credit_code": enterprise.credit_code},
            "ZJ-0003": {"conflicts": [enterprise.credit_code]},
            "ZJ-0004": {"available": False},
        },
    )
    first_case = scene.in_review(applicant="lisi", enterprise=enterprise)
    with pytest.raises(ValidationFailed) as info:
        scene.request(first_case, size=5)
    assert "只有 4 人" in info.value.errors["size"][0]
    panel = scene.drawn(scene.request(first_case, size=1))
    reasons = {code: reason for code, _, reason in selectors.excluded_for_staff(panel)}
    assert reasons == {
        "ZJ-0002": "与申请人或其代理机构为同一单位",
        "ZJ-0003": "申报与申请人有利害关系",
        "ZJ-0004": "暂不能参加评审",
    }
    member = _invitation(panel, 1)
    services.invitation_accept(actor=member.expert.user, invitation=member)
    # The same enterprise's next case: whoever reviewed the first is recused for the period.
    second = scene.in_review(applicant="lisi", enterprise=enterprise)
    found = {c.expert.code: c.reason for c in services.candidates(second, panel.department_id, [scene.SPECIALTY])}
    assert found[member.expert.code] == "recent"
    settings.REVIEW_RECUSAL_DAYS = 0
    found = {c.expert.code: c.reason for c in services.candidates(second, panel.department_id, [scene.SPECIALTY])}
    assert found[member.expert.code] == ""


def test_only_the_accepted_expert_reads_the_chosen_materials_and_signs(world: None) -> None:
    scene.pool(4)
    case = scene.in_review()
    panel = scene.drawn(scene.request(case, size=1))
    seat = _invitation(panel, 1)
    expert = seat.expert.user
    assert expert is not None
    assert selectors.review_materials(expert, seat) == []  # not before accepting
    with pytest.raises(Conflict):
        services.opinion_sign(actor=expert, invitation=seat, score=80, approve=True, reasons="可行")
    for who in ("zhangsan", "jn_planning_rev"):
        with pytest.raises(PermissionDenied):
            services.invitation_accept(actor=user(who), invitation=seat)
    services.invitation_accept(actor=expert, invitation=seat)
    chosen = selectors.review_materials(expert, seat)
    assert [m.pk for m in chosen] == [m.pk for m in panel.materials.all()] and len(chosen) == 1
    with pytest.raises(ValidationFailed) as info:
        services.opinion_sign(actor=expert, invitation=seat, score=101, approve="yes", reasons="可行")
    assert set(info.value.errors) == {"score", "approve"}
    opinion = services.opinion_sign(actor=expert, invitation=seat, score=86, approve=True, reasons="方案符合控规")
    assert keys.verify(seat.expert.public_key, opinion.canonical.encode(), opinion.signature)
    leaf = json.loads(Entry.objects.get(pk=opinion.ledger_entry_id).leaf)
    assert leaf["payload"]["opinion"] == opinion.canonical
    assert seat.expert.code not in opinion.canonical  # the commitment names the seat until conclusion
    with pytest.raises(PermissionDenied):
        services.panel_conclude(actor=user("zhangsan"), panel=panel)


def test_conclusion_resumes_the_case_with_the_due_date_moved_and_the_draw_reproduces_offline(
    world: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene.pool(5)
    with flows.on(D(2026, 3, 2)):
        case = scene.in_review()
    assert case.due_date == D(2026, 3, 30)
    with flows.on(D(2026, 3, 4)):
        panel = scene.drawn(scene.request(case, size=3))
        assert panel.review_deadline == D(2026, 3, 18)
    with flows.on(D(2026, 3, 18)):
        for seat in selectors.seats(panel):
            who = seat.invitation.expert.user
            services.invitation_accept(actor=who, invitation=seat.invitation)
            if seat.invitation.position < 3:
                with pytest.raises(Conflict):  # not before every seat signed (deadline not passed)
                    services.panel_conclude(actor=user("jn_planning_rev"), panel=panel)
            services.opinion_sign(
                actor=who,
                invitation=seat.invitation,
                score=60 + seat.invitation.position,
                approve=seat.invitation.position != 2,
                reasons="意见",
            )
        panel = services.panel_conclude(actor=user("jn_planning_rev"), panel=panel)
    assert panel.status == PanelStatus.CONCLUDED and panel.approve is True
    assert "同意 2 票，不同意 1 票" in panel.conclusion
    case = flows.reload(case)
    assert case.status == CaseStatus.IN_REVIEW
    # 3/4 → 3/18: 10 working days not counted; 3/30 moves by them (清明 4/4–4/6 on the way).
    assert case.due_date == D(2026, 4, 14)
    resume = CaseEvent.objects.get(case=case, verb="resume")
    assert panel.conclusion in resume.reason
    # The applicant sees that a review ran and its conclusion, never names.
    view = selectors.applicant_reviews(case)
    assert view[0].conclusion == panel.conclusion
    # Offline: the public record and the seeding checkpoint reproduce ranking and panel.
    ledger_integrate()
    record = selectors.draw_record(panel)
    assert set(record["revealed"]) == set(panel.eligible) and len(record["opinions"]) == 3
    (tmp_path / "draw.json").write_text(json.dumps(record, ensure_ascii=False))
    (tmp_path / "cp.txt").write_text(selectors.seed_checkpoint_note(panel))
    (tmp_path / "log.vkey").write_text(verifier_key())
    argv = ["draw", "--vkey-file", str(tmp_path / "log.vkey"), "--checkpoint", str(tmp_path / "cp.txt")]
    assert verify_cli.main([*argv, str(tmp_path / "draw.json")]) == 0
    assert "3 signed opinions verified; request entry proven" in capsys.readouterr().out
    record["ranking"] = list(reversed(record["ranking"]))
    (tmp_path / "bad.json").write_text(json.dumps(record))
    assert verify_cli.main([*argv, str(tmp_path / "bad.json")]) == 1


def test_a_case_without_expert_review_in_its_process_or_not_in_review_is_refused(world: None) -> None:
    from yiwang.cases.tests.factories import ImplementationVersionFactory

    scene.pool(3)
    plain = flows.reload(flows.accepted(ImplementationVersionFactory()))
    with pytest.raises(Conflict, match="不含专家评审"):
        services.panel_request(actor=user("jn_reviewer"), case=plain, summary="x", material_ids=[1], reason="x")
    case = scene.in_review()
    with pytest.raises(PermissionDenied):
        scene.request(case) if False else services.panel_request(
            actor=user("zhangsan"), case=case, summary="x", material_ids=[1], reason="x"
        )
    scene.request(case)
    with pytest.raises(Conflict):
        scene.request(case)  # one open panel (the case is suspended now)
